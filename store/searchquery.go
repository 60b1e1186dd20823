package store

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/foitrack/foitrack/tracker"
)

// The search box's language, parsed here into parts that are always
// re-written into a valid FTS5 expression: the user's text never reaches
// FTS5 as syntax, so no input can cause a syntax error or reach columns it
// must not.
//
//	data sharing        both words, in any order (stemmed: "shares" matches)
//	polic*              a prefix
//	"data sharing"      a phrase
//	-draft  -"by hand"  without a word or phrase
//	authority:kent  authority:"Kent Police"  law:uk-eir  status:refused (a status or an outcome)
//	exemption:s31  from:2026-01-01  to:2026-03-31  kind:document|mail|request|event|authority

// Bounds on one query, against pathological input.
const (
	maxSearchQueryBytes = 1000
	maxSearchTerms      = 16
	// A prefix this short (a*, st*) has FTS5 merge the postings of a
	// large share of all words, per term: it is searched as a word.
	minSearchPrefix = 3
)

// SearchTerm is one word or phrase of a query.
type SearchTerm struct {
	Text   string `json:"text"`
	Phrase bool   `json:"phrase,omitempty"`
	Prefix bool   `json:"prefix,omitempty"`
	Negate bool   `json:"negate,omitempty"`
}

// termFTS is the query's i-th term as an FTS5 expression.
func (q SearchQuery) termFTS(i int) string {
	if w, ok := q.prefixWords[i]; ok {
		return "(" + strings.Join(w, " OR ") + ")"
	}
	t := q.Terms[i]
	e := ftsString(t.Text)
	if t.Prefix {
		e += " *"
	}
	return e
}

// SearchQuery is a parsed query.
type SearchQuery struct {
	Terms     []SearchTerm `json:"terms"`
	Authority string       `json:"authority,omitempty"`
	Law       string       `json:"law,omitempty"`
	Status    string       `json:"status,omitempty"`
	Exemption string       `json:"exemption,omitempty"`
	From      string       `json:"from,omitempty"` // YYYY-MM-DD
	To        string       `json:"to,omitempty"`
	Kinds     []string     `json:"kinds,omitempty"` // request, mail, document, event, authority
	// Ignored says what of the query was not understood and left out, for
	// the page to show ("from: not a date").
	Ignored []string `json:"ignored,omitempty"`

	shortPrefixes []string // prefixes too short, searched as words
	// prefixWords: by term, a prefix's words as FTS5 alternatives, when it
	// is searched as their OR (Store.expandPrefixes); else as a prefix.
	prefixWords map[int][]string
	// exemptionPairs are the (law, code) pairs cited that Exemption matches,
	// once Store.resolveExemption has looked (nil before).
	exemptionPairs [][2]string
}

// Kinds of search hit.
const (
	KindRequest   = "request"
	KindMail      = "mail"
	KindDocument  = "document"
	KindEvent     = "event"
	KindAuthority = "authority"
)

// kindCodes are the rowid remainders of each kind (see schema section 9):
// a request's hits include its history's notes (6).
var kindCodes = map[string][]int{
	KindRequest: {1, 6}, KindMail: {2}, KindDocument: {3}, KindEvent: {4}, KindAuthority: {5},
}

func kindOfCode(code int64) string {
	switch code {
	case 1, 6:
		return KindRequest
	case 2:
		return KindMail
	case 3:
		return KindDocument
	case 4:
		return KindEvent
	case 5:
		return KindAuthority
	}
	return ""
}

// HasText reports whether the query has words to look for.
func (q SearchQuery) HasText() bool {
	for _, t := range q.Terms {
		if !t.Negate {
			return true
		}
	}
	return false
}

// HasFilters reports whether the query narrows by a field.
func (q SearchQuery) HasFilters() bool {
	return q.Authority != "" || q.Law != "" || q.Status != "" || q.Exemption != "" || q.From != "" || q.To != "" || len(q.Kinds) > 0
}

// Empty reports whether there is nothing to search for.
func (q SearchQuery) Empty() bool { return !q.HasText() && !q.HasFilters() }

// ParseSearchQuery reads what a person typed. It never fails: what it
// cannot use is listed in Ignored.
func ParseSearchQuery(s string) SearchQuery {
	var q SearchQuery
	if len(s) > maxSearchQueryBytes {
		s = s[:maxSearchQueryBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		q.Ignored = append(q.Ignored, "the end of a very long query")
	}
	s = strings.ToValidUTF8(s, " ")
	rs := []rune(s)
	i := 0
	for i < len(rs) {
		for i < len(rs) && unicode.IsSpace(rs[i]) {
			i++
		}
		if i >= len(rs) {
			break
		}
		negate := false
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			negate = true
			i++
		}
		if rs[i] == '"' || rs[i] == '“' || rs[i] == '”' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' && rs[j] != '“' && rs[j] != '”' {
				j++
			}
			q.addTerm(SearchTerm{Text: string(rs[i+1 : min(j, len(rs))]), Phrase: true, Negate: negate})
			i = j + 1
			continue
		}
		// A word, or field:value where value may be "quoted".
		j := i
		for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != ':' && rs[j] != '"' {
			j++
		}
		if j < len(rs) && rs[j] == ':' && !negate {
			field := strings.ToLower(string(rs[i:j]))
			if isSearchField(field) {
				k := j + 1
				var value string
				if k < len(rs) && (rs[k] == '"' || rs[k] == '“') {
					e := k + 1
					for e < len(rs) && rs[e] != '"' && rs[e] != '”' {
						e++
					}
					value, i = string(rs[k+1:min(e, len(rs))]), e+1
				} else {
					e := k
					for e < len(rs) && !unicode.IsSpace(rs[e]) {
						e++
					}
					value, i = string(rs[k:e]), e
				}
				q.setField(field, strings.TrimSpace(value))
				continue
			}
		}
		for j < len(rs) && !unicode.IsSpace(rs[j]) {
			j++
		}
		word := string(rs[i:j])
		i = j
		prefix := false
		if strings.HasSuffix(word, "*") {
			word, prefix = strings.TrimRight(word, "*"), true
		}
		q.addTerm(SearchTerm{Text: word, Prefix: prefix, Negate: negate})
	}
	if len(q.shortPrefixes) > 0 {
		q.Ignored = append(q.Ignored, fmt.Sprintf("%s as a prefix (a prefix needs %d letters at least: searched as a word)",
			strings.Join(q.shortPrefixes, ", "), minSearchPrefix))
	}
	return q
}

func isSearchField(f string) bool {
	switch f {
	case "authority", "law", "status", "exemption", "from", "to", "kind":
		return true
	}
	return false
}

func (q *SearchQuery) addTerm(t SearchTerm) {
	t.Text = strings.TrimSpace(t.Text)
	// A term with no letter or digit holds no token: FTS5 would find
	// nothing (or fail) with it.
	if strings.IndexFunc(t.Text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) < 0 {
		return
	}
	if len(q.Terms) >= maxSearchTerms {
		q.Ignored = append(q.Ignored, "words after the "+strconv.Itoa(maxSearchTerms)+"th")
		return
	}
	if t.Phrase {
		t.Prefix = false
	}
	if t.Prefix {
		n := 0
		for _, r := range t.Text {
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				n++
			}
		}
		if n < minSearchPrefix {
			t.Prefix = false
			q.shortPrefixes = append(q.shortPrefixes, t.Text+"*")
		}
	}
	q.Terms = append(q.Terms, t)
}

func (q *SearchQuery) setField(field, value string) {
	if value == "" {
		q.Ignored = append(q.Ignored, field+": with nothing after it")
		return
	}
	switch field {
	case "authority":
		q.Authority = value
	case "law":
		q.Law = strings.ToLower(value)
	case "status":
		q.Status = strings.ToLower(strings.ReplaceAll(value, " ", "_"))
	case "exemption":
		q.Exemption = value
	case "from", "to":
		d, err := tracker.ParseDate(value)
		if err != nil {
			q.Ignored = append(q.Ignored, field+":"+value+" (not a date: write 2026-03-31)")
			return
		}
		if field == "from" {
			q.From = d.String()
		} else {
			q.To = d.String()
		}
	case "kind":
		for _, k := range strings.FieldsFunc(strings.ToLower(value), func(r rune) bool { return r == '|' || r == ',' }) {
			k = strings.TrimSuffix(k, "s") // documents, requests…
			if k == "message" || k == "email" {
				k = KindMail
			}
			if _, ok := kindCodes[k]; ok {
				q.Kinds = append(q.Kinds, k)
			} else {
				q.Ignored = append(q.Ignored, "kind:"+k+" (use request, mail, document, event or authority)")
			}
		}
	}
}

// ftsString quotes text as one FTS5 string: whatever it holds is then
// tokenized as text, never read as syntax.
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// hasPrefix says whether a term of the query is searched as a prefix
// (word*, not as its words).
func (q SearchQuery) hasPrefix() bool {
	for i, t := range q.Terms {
		if _, words := q.prefixWords[i]; t.Prefix && !words {
			return true
		}
	}
	return false
}

// searchTextColumns are search_index's columns of text: the words people
// type are matched in these, never in its kind column (schema section 37),
// where a typed "k3" would find every document.
const searchTextColumns = "{title body private}"

// ftsExpression is the FTS5 query for the terms: the wanted words AND-ed,
// the unwanted ones taken away with NOT, all limited to the given columns
// ("" for every column of the table searched). "" when there is no wanted
// word.
func (q SearchQuery) ftsExpression(columns string) string {
	var want, not []string
	for i, t := range q.Terms {
		e := q.termFTS(i)
		if t.Negate {
			not = append(not, e)
		} else {
			want = append(want, e)
		}
	}
	if len(want) == 0 {
		return ""
	}
	expr := "(" + strings.Join(want, " AND ") + ")"
	for _, n := range not {
		expr += " NOT " + n
	}
	if columns != "" {
		expr = columns + " : (" + expr + ")"
	}
	return expr
}

// String writes the query back in the search box's language (for links
// that keep a search, and to show what was understood).
func (q SearchQuery) String() string {
	var parts []string
	for _, t := range q.Terms {
		s := t.Text
		if t.Phrase || strings.ContainsAny(s, ` "`) {
			s = `"` + strings.ReplaceAll(s, `"`, "") + `"`
		}
		if t.Prefix {
			s += "*"
		}
		if t.Negate {
			s = "-" + s
		}
		parts = append(parts, s)
	}
	field := func(name, v string) {
		if v == "" {
			return
		}
		if strings.ContainsAny(v, " \"") {
			v = `"` + strings.ReplaceAll(v, `"`, "") + `"`
		}
		parts = append(parts, name+":"+v)
	}
	field("authority", q.Authority)
	field("law", q.Law)
	field("status", q.Status)
	field("exemption", q.Exemption)
	field("from", q.From)
	field("to", q.To)
	field("kind", strings.Join(q.Kinds, "|"))
	return strings.Join(parts, " ")
}
