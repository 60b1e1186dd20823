package tracker

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Jurisdictions an authority can be in. The jurisdiction picks the default law
// and, for laws that count local holidays, the calendar.
const (
	JurisdictionEngland   = "uk-england"
	JurisdictionScotland  = "uk-scotland"
	JurisdictionWales     = "uk-wales"
	JurisdictionNI        = "uk-ni"
	JurisdictionUK        = "uk" // UK-wide bodies (government departments)
	JurisdictionUSFed     = "us-federal"
	JurisdictionIreland   = "ie"
	JurisdictionAustralia = "au"
)

// Jurisdictions lists every known jurisdiction code with a label, in display order.
var Jurisdictions = []struct{ Code, Label string }{
	{JurisdictionEngland, "England"},
	{JurisdictionWales, "Wales"},
	{JurisdictionScotland, "Scotland"},
	{JurisdictionNI, "Northern Ireland"},
	{JurisdictionUK, "United Kingdom (UK-wide)"},
	{JurisdictionUSFed, "United States (federal)"},
	{JurisdictionIreland, "Ireland"},
	{JurisdictionAustralia, "Australia"},
}

// ValidJurisdiction reports whether code is a known jurisdiction.
func ValidJurisdiction(code string) bool {
	for _, j := range Jurisdictions {
		if j.Code == code {
			return true
		}
	}
	return false
}

// DefaultLawFor is the access-to-information law that usually applies to a
// public body in the jurisdiction.
func DefaultLawFor(jurisdiction string) LawCode {
	switch jurisdiction {
	case JurisdictionScotland:
		return ScotFOISA
	case JurisdictionUSFed:
		return USFOIA
	case JurisdictionIreland:
		return IEFOI
	case JurisdictionAustralia:
		return AUFOI
	}
	return UKFOIA
}

// Authority is a public body that receives requests.
type Authority struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	ShortName    string   `json:"short_name"`
	URLName      string   `json:"url_name"` // WhatDoTheyKnow's slug, used to match on re-import
	Jurisdiction string   `json:"jurisdiction"`
	DefaultLaw   LawCode  `json:"default_law"`
	Email        string   `json:"email"`
	Website      string   `json:"website"`
	Tags         []string `json:"tags"`
	Notes        string   `json:"notes"`
	// Domains are the mail domains the authority writes from (matched against senders).
	Domains   []string  `json:"domains"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// JurisdictionGuessed and DefaultLawGuessed mark values an import
	// inferred (from tags, or by default) rather than read from a column:
	// an authority already here keeps its own. Not stored.
	JurisdictionGuessed bool `json:"-"`
	DefaultLawGuessed   bool `json:"-"`
}

// Validate checks an authority before it is stored.
func (a *Authority) Validate() error {
	var v ValidationError
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		v.Add("name", "a name is required")
	} else if len(a.Name) > 500 {
		v.Add("name", "at most 500 characters")
	}
	if a.Jurisdiction == "" {
		a.Jurisdiction = JurisdictionEngland
	}
	if !ValidJurisdiction(a.Jurisdiction) {
		v.Add("jurisdiction", "unknown jurisdiction "+quote(a.Jurisdiction))
	}
	if a.DefaultLaw == "" {
		a.DefaultLaw = DefaultLawFor(a.Jurisdiction)
	}
	if _, ok := LawByCode(a.DefaultLaw); !ok {
		v.Add("default_law", "unknown law "+quote(string(a.DefaultLaw)))
	}
	a.Email = strings.TrimSpace(a.Email)
	if a.Email != "" && !strings.Contains(a.Email, "@") {
		v.Add("email", "not an email address")
	}
	if a.Email != "" && len(a.Domains) == 0 {
		if i := strings.LastIndexByte(a.Email, '@'); i >= 0 {
			a.Domains = []string{strings.ToLower(a.Email[i+1:])}
		}
	}
	a.Website = strings.TrimSpace(a.Website)
	if a.Website != "" {
		// The website is shown as a link: a bare host ("www.council.gov.uk",
		// common in hand-made lists) is taken as https, and anything but a web
		// address (javascript:, data:, mailto:) is refused rather than linked.
		if !strings.Contains(a.Website, "://") && !strings.Contains(a.Website, ":") {
			a.Website = "https://" + a.Website
		}
		if u, err := url.Parse(a.Website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.Add("website", "not a web address: it must start with https:// or http://")
		}
	}
	a.Tags = NormalizeTags(a.Tags)
	return v.Err()
}

// Visibility of a request: a public one has a read-only page anyone can see.
const (
	VisibilityPrivate = "private"
	VisibilityPublic  = "public"
)

// Request is one FOI request to one authority.
type Request struct {
	ID          int64    `json:"id"`
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	AuthorityID int64    `json:"authority_id"`
	Law         LawCode  `json:"law"`
	Tags        []string `json:"tags"`
	OurRef      string   `json:"our_ref"`
	TheirRef    string   `json:"their_ref"`
	Visibility  string   `json:"visibility"`
	// ReplyToken is the secret part of the request's reply address (foi+TOKEN@…).
	ReplyToken string `json:"reply_token,omitempty"`
	OwnerID    int64  `json:"owner_id,omitempty"`
	BatchID    int64  `json:"batch_id,omitempty"`
	Notes      string `json:"notes,omitempty"` // private, never on the public page

	// Derived from the history and cached by the store for listing and filtering.
	Status  Status `json:"status"`
	Outcome string `json:"outcome,omitempty"`
	SentOn  Date   `json:"sent_on"`
	DueDate Date   `json:"due_date"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Filled by some queries.
	AuthorityName string `json:"authority_name,omitempty"`
}

// Validate checks a request before it is stored.
func (r *Request) Validate() error {
	var v ValidationError
	r.Title = strings.TrimSpace(r.Title)
	if r.Title == "" {
		v.Add("title", "a title is required")
	} else if len(r.Title) > 300 {
		v.Add("title", "at most 300 characters")
	}
	if len(r.Body) > 100_000 {
		v.Add("body", "at most 100,000 characters")
	}
	if r.AuthorityID <= 0 {
		v.Add("authority_id", "choose an authority")
	}
	if r.Law != "" {
		if _, ok := LawByCode(r.Law); !ok {
			v.Add("law", "unknown law "+quote(string(r.Law)))
		}
	}
	switch r.Visibility {
	case "":
		r.Visibility = VisibilityPrivate
	case VisibilityPrivate, VisibilityPublic:
	default:
		v.Add("visibility", "must be private or public")
	}
	r.Tags = NormalizeTags(r.Tags)
	return v.Err()
}

// NormalizeTags lower-cases, trims and de-duplicates tags, keeping their order.
func NormalizeTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		for _, p := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == ';' }) {
			p = strings.ToLower(strings.TrimSpace(p))
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// Document dispositions.
const (
	DispositionReleased         = "released"
	DispositionReleasedRedacted = "released_redacted"
	DispositionWithheld         = "withheld"
)

// ValidDisposition reports whether d is a known disposition.
func ValidDisposition(d string) bool {
	return d == DispositionReleased || d == DispositionReleasedRedacted || d == DispositionWithheld
}

// Document is a file received or released (or a record of one withheld).
// The content is stored content-addressed by its sha256; the original file
// name is metadata only and never becomes a path.
type Document struct {
	ID          int64     `json:"id"`
	RequestID   int64     `json:"request_id"`
	MessageID   int64     `json:"message_id,omitempty"` // the incoming mail it came with, if any
	Filename    string    `json:"filename"`
	MediaType   string    `json:"media_type"`
	SniffedType string    `json:"sniffed_type,omitempty"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"` // empty for a withheld document we never received
	Disposition string    `json:"disposition"`
	Exemptions  []string  `json:"exemptions"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	// PublishedAt is when an editor published the file on its request's
	// public page (zero: not published).
	PublishedAt time.Time `json:"published_at,omitzero"`
}

// quote puts a value the user gave in a message, clipped: a message must stay
// readable (and small) whatever was sent.
func quote(s string) string { return "\"" + clip(s, 60) + "\"" }

// clip shortens s to at most n runes, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
