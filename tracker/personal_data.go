package tracker

import (
	"regexp"
	"sort"
	"strings"
)

// Before a document is published on a public page its text is scanned for
// personal data: a reply often quotes the requester's name and address, and
// a released file can carry an officer's direct line. What is found is
// shown, and publishing needs a confirmation that names it. Nothing is
// redacted inside the file (redacting a PDF is not attempted).

// Kinds of personal data found.
const (
	PersonalEmail     = "email address"
	PersonalPhoneUK   = "UK phone number"
	PersonalPhoneUS   = "US phone number"
	PersonalPostcode  = "UK postcode"
	PersonalNINumber  = "National Insurance number"
	PersonalRequester = "the requester's details"
)

// PersonalFinding is one piece of personal data found in a text.
type PersonalFinding struct {
	Kind string
	Text string // as found (spaces collapsed)
}

func (f PersonalFinding) String() string { return f.Kind + " " + f.Text }

var personalPatterns = []struct {
	kind string
	re   *regexp.Regexp
}{
	{PersonalEmail, regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)},
	{PersonalNINumber, regexp.MustCompile(`\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b`)},
	// +44 7700 900123, 07700 900123, 020 7946 0018, (020) 7946 0018, 0161-496-0000
	{PersonalPhoneUK, regexp.MustCompile(`(?:\+44[\s-]?\(?0?\)?[\s-]?|\(?\b0)\d{2,4}\)?(?:[\s-]?\d){6,8}\b`)},
	// +1 202 555 0143, (202) 555-0143, 202-555-0143, 202.555.0143
	{PersonalPhoneUS, regexp.MustCompile(`(?:\+1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b`)},
	// SW1A 1AA, M1 1AE, B33 8TH, CR2 6XH, DN55 1PT
	{PersonalPostcode, regexp.MustCompile(`\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b`)},
}

// ScanPersonalData finds personal data in text: email addresses, UK and US
// phone numbers, UK postcodes, National Insurance numbers, and any of own
// (the requester's name, address lines, email), matched without regard to
// case or spacing. Each distinct finding is reported once, in the order of
// the kinds above, then as found.
func ScanPersonalData(text string, own []string) []PersonalFinding {
	var out []PersonalFinding
	seen := map[string]bool{}
	add := func(kind, s string) {
		s = strings.Join(strings.Fields(s), " ")
		key := kind + "\x00" + strings.ToLower(s)
		if s == "" || seen[key] {
			return
		}
		seen[key] = true
		out = append(out, PersonalFinding{Kind: kind, Text: s})
	}
	for _, o := range own {
		words := strings.Fields(o)
		if len(words) == 0 || len(strings.Join(words, " ")) < 3 {
			continue
		}
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		re := regexp.MustCompile(`(?i)` + strings.Join(words, `\s+`))
		for _, m := range re.FindAllString(text, -1) {
			add(PersonalRequester, m)
		}
	}
	phones := map[string]bool{}
	for _, p := range personalPatterns {
		for _, m := range p.re.FindAllString(text, -1) {
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, m)
			if p.kind == PersonalPhoneUK || p.kind == PersonalPhoneUS {
				if phones[digits] || len(digits) < 10 {
					continue // a number already found as the other kind
				}
				phones[digits] = true
			}
			add(p.kind, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return kindRank(out[i].Kind) < kindRank(out[j].Kind) })
	return out
}

func kindRank(k string) int {
	for i, x := range []string{PersonalRequester, PersonalEmail, PersonalPhoneUK, PersonalPhoneUS, PersonalPostcode, PersonalNINumber} {
		if x == k {
			return i
		}
	}
	return 99
}
