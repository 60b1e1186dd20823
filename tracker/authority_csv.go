package tracker

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// MaxAuthorityCSVBytes bounds an authority import (WhatDoTheyKnow's full list
// of ~47,000 bodies is about 10 MB).
const MaxAuthorityCSVBytes = 32 << 20

// authorityColumns maps every header we accept (lower-cased) to a field.
// It covers WhatDoTheyKnow's export (old 11-column layout from "Name", and the
// current one with "Internal ID" first), mySociety's cleaned dataset, the
// police FOI directory layout, and foitrack's own export.
var authorityColumns = map[string]string{
	"name": "name", "public authority": "name", "authority": "name",
	"short name": "short_name", "short-name": "short_name",
	"url name": "url_name", "url-name": "url_name", "wdtk-url-name": "url_name", "url_name": "url_name",
	"tags": "tags", "category": "tags", "categories": "tags",
	"home page": "website", "home-page": "website", "website": "website", "url": "website",
	"notes":        "notes",
	"jurisdiction": "jurisdiction", "country": "country", "nation": "country",
	"default law": "default_law", "law": "default_law",
	"foi email": "email", "email": "email", "request email": "email", "request-email": "email",
	"domains": "domains",
	// Known, kept out of our model: accepted so the layout is recognised.
	"publication scheme": "", "disclosure log": "", "created at": "", "updated at": "",
	"version": "", "internal id": "", "internal-id": "", "id": "",
}

// RowError is one bad row of an import, numbered as a spreadsheet would show
// it (the header is row 1).
type RowError struct {
	Row     int
	Message string
}

// ImportError lists every bad row; an import with any is refused whole.
type ImportError struct{ Rows []RowError }

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad row(s), nothing imported:", len(e.Rows))
	for i, r := range e.Rows {
		if i == 20 {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Rows)-20)
			break
		}
		fmt.Fprintf(&b, "\n  row %d: %s", r.Row, r.Message)
	}
	return b.String()
}

// ParseAuthoritiesCSV reads authorities from CSV. Every row is checked; if
// any is bad, the result is an *ImportError (wrapped in an EINVALID *Error)
// listing them all, and no authority is returned, so that nothing is half-imported.
func ParseAuthoritiesCSV(r io.Reader) ([]Authority, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxAuthorityCSVBytes+1))
	if err != nil {
		return nil, fmt.Errorf("unable to read CSV: %w", err)
	}
	if len(data) > MaxAuthorityCSVBytes {
		return nil, Errorf(ETOOLARGE, "the CSV is larger than %d MB", MaxAuthorityCSVBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// mySociety's full list is ISO-8859-1.
		if data, err = charmap.ISO8859_1.NewDecoder().Bytes(data); err != nil {
			return nil, Errorf(EINVALID, "the CSV is neither UTF-8 nor ISO-8859-1")
		}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, Errorf(EINVALID, "the CSV is empty")
	} else if err != nil {
		return nil, Errorf(EINVALID, "row 1: %v", csvErr(err))
	}
	cols := make([]string, len(header))
	hasName := false
	for i, h := range header {
		key := strings.ToLower(strings.TrimSpace(h))
		f := authorityColumns[key] // unknown columns are ignored
		cols[i] = f
		hasName = hasName || f == "name"
	}
	if !hasName {
		return nil, Errorf(EINVALID, "row 1: no Name column (found %s); expected WhatDoTheyKnow's layout (Name, Short name, URL name, Tags, Home page, …)", headerSummary(header))
	}
	var out []Authority
	var bad []RowError
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		// Rows are numbered by the line they start on, as a spreadsheet or
		// an editor shows them (csv.Reader skips blank lines silently).
		if err != nil {
			var pe *csv.ParseError
			row := 0
			if errors.As(err, &pe) {
				row = pe.StartLine
			}
			bad = append(bad, RowError{Row: row, Message: csvErr(err)})
			if pe != nil && pe.Err == csv.ErrQuote {
				break // the rest of the file cannot be trusted
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		row, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			bad = append(bad, RowError{Row: row, Message: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header))})
			continue
		}
		a, err := authorityFromRecord(cols, rec)
		if err != nil {
			bad = append(bad, RowError{Row: row, Message: err.Error()})
			continue
		}
		key := a.URLName
		if key == "" {
			key = strings.ToLower(a.Name)
		}
		if first, dup := seen[key]; dup {
			bad = append(bad, RowError{Row: row, Message: fmt.Sprintf("duplicates row %d (%s)", first, clip(a.Name, 60))})
			continue
		}
		seen[key] = row
		out = append(out, a)
	}
	if len(bad) > 0 {
		ie := &ImportError{Rows: bad}
		return nil, &Error{Code: EINVALID, Message: ie.Error()}
	}
	return out, nil
}

// headerSummary names a header's first columns, each clipped, for a message:
// a file that is not a CSV at all may have one "column" of megabytes.
func headerSummary(header []string) string {
	var names []string
	for i, h := range header {
		if i == 8 {
			names = append(names, fmt.Sprintf("… %d columns in all", len(header)))
			break
		}
		names = append(names, clip(strings.TrimSpace(h), 40))
	}
	return strings.Join(names, ", ")
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return err.Error()
}

func authorityFromRecord(cols []string, rec []string) (Authority, error) {
	var a Authority
	var country string
	for i, v := range rec {
		v = csvUnsafe(strings.TrimSpace(v))
		switch cols[i] {
		case "name":
			a.Name = v
		case "short_name":
			a.ShortName = v
		case "url_name":
			a.URLName = v
		case "tags":
			// WhatDoTheyKnow separates tags with spaces, mySociety's dataset with pipes.
			a.Tags = append(a.Tags, strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '|' || r == ',' })...)
		case "website":
			a.Website = v
		case "notes":
			a.Notes = v
		case "jurisdiction":
			a.Jurisdiction = v
		case "country":
			country = v
		case "default_law":
			a.DefaultLaw = LawCode(v)
		case "email":
			a.Email = v
		case "domains":
			a.Domains = strings.Fields(strings.ReplaceAll(v, ",", " "))
		}
	}
	if a.Name == "" {
		return a, errors.New("the Name is empty")
	}
	if a.Jurisdiction == "" {
		a.Jurisdiction, a.JurisdictionGuessed = guessJurisdiction(country, a.Tags), country == ""
	}
	a.DefaultLawGuessed = a.DefaultLaw == ""
	if err := a.Validate(); err != nil {
		var e *Error
		if errors.As(err, &e) && len(e.Fields) > 0 {
			var msgs []string
			for f, m := range e.Fields {
				msgs = append(msgs, f+": "+m)
			}
			return a, errors.New(strings.Join(msgs, "; "))
		}
		return a, err
	}
	return a, nil
}

// guessJurisdiction reads a country column or WhatDoTheyKnow's tags; bodies
// with neither are taken as English (most of WhatDoTheyKnow's list), and can
// be corrected on the authority's page.
func guessJurisdiction(country string, tags []string) string {
	switch strings.ToLower(country) {
	case "scotland":
		return JurisdictionScotland
	case "wales":
		return JurisdictionWales
	case "northern ireland":
		return JurisdictionNI
	case "uk", "united kingdom":
		return JurisdictionUK
	}
	for _, t := range tags {
		switch strings.ToLower(t) {
		case "scotland", "scottish", "scottish_council", "nhsscotland", "sps":
			return JurisdictionScotland
		case "wales", "welsh", "welsh_council", "nhswales":
			return JurisdictionWales
		case "ni", "northern_ireland", "ni_council", "nhsni":
			return JurisdictionNI
		}
	}
	return JurisdictionEngland
}

// AuthorityCSVHeader is foitrack's export layout: WhatDoTheyKnow's first
// columns, then ours, so the file re-imports into either.
var AuthorityCSVHeader = []string{"Name", "Short name", "URL name", "Tags", "Home page", "Notes", "Jurisdiction", "Default law", "FOI email", "Domains"}

// WriteAuthoritiesCSV writes authorities in the export layout.
func WriteAuthoritiesCSV(w io.Writer, list []Authority) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(AuthorityCSVHeader); err != nil {
		return err
	}
	for _, a := range list {
		rec := []string{a.Name, a.ShortName, a.URLName, strings.Join(a.Tags, " "), a.Website, a.Notes,
			a.Jurisdiction, string(a.DefaultLaw), a.Email, strings.Join(a.Domains, " ")}
		for i, v := range rec {
			rec[i] = CSVSafe(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
