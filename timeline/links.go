package timeline

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// What foitrack adds to an event on export, from its links (see doc.go):
// released items become entries of `sources`, withheld ones entries of
// `withheld`. Each carries `foitrack_link: N` so that a re-import of the
// exported file into the same database drops them (they are made again from
// the links) instead of keeping a copy that would then appear twice.

// LinkedSource is a released document, message or request linked to an event.
type LinkedSource struct {
	LinkID    int64
	URL       string // the request's public page, when it is public
	Title     string
	Publisher string // the authority
	Date      string // the day it was released (YYYY-MM-DD)
	Tier      int
	Request   string // the request it answered: title and reference
	SHA256    string // of the document's content
}

// Withheld is something an authority refused, linked to an event.
type Withheld struct {
	LinkID     int64
	Title      string // what was withheld
	Authority  string
	Law        string // uk-foia, us-foia…
	Exemptions []string
	Date       string // the day of the refusal
	Request    string
	URL        string // the request's public page, when public
}

// Statement is the sentence a timeline can show: "Metropolitan Police
// Service withheld this under s31(1)(a) and s40(2)".
func (w Withheld) Statement() string {
	s := w.Authority
	if s == "" {
		s = "The authority"
	}
	s += " withheld this"
	if len(w.Exemptions) > 0 {
		s += " under " + joinAnd(w.Exemptions)
	}
	return s
}

func joinAnd(l []string) string {
	if len(l) < 2 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}

func pairsNode(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		switch v := kv[i+1].(type) {
		case string:
			if v != "" {
				m.Content = append(m.Content, strNode(k), strNode(v))
			}
		case int:
			if v != 0 {
				m.Content = append(m.Content, strNode(k), intNode(strconv.Itoa(v)))
			}
		case int64:
			m.Content = append(m.Content, strNode(k), intNode(strconv.FormatInt(v, 10)))
		case []string:
			if len(v) > 0 {
				n := strSeq(v)
				n.Style = yaml.FlowStyle
				m.Content = append(m.Content, strNode(k), n)
			}
		}
	}
	return m
}

// WithLinks returns a copy of the event with the linked sources added to
// its sources and the withheld items in its `withheld` list.
func (e *Event) WithLinks(sources []LinkedSource, withheld []Withheld) *Event {
	c := e.Clone()
	c.AddLinks(sources, withheld)
	return c
}

// AddLinks is WithLinks on the event itself, for an event its caller alone
// holds (an export's, just read): copying each event first was a twelfth
// of a timeline download's work.
func (e *Event) AddLinks(sources []LinkedSource, withheld []Withheld) {
	if len(sources) > 0 {
		seq, _ := valueOf(e.doc, KeySources)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			insertAfter(e.doc, KeySources, seq, KeyActors, KeyTags, KeyImportance, KeyTitle)
		}
		if len(seq.Content) == 0 {
			seq.Style &^= yaml.FlowStyle // "sources: []" grows into a block list
		}
		for _, s := range sources {
			seq.Content = append(seq.Content, pairsNode("url", s.URL, "title", s.Title, "publisher", s.Publisher,
				"date", s.Date, "tier", s.Tier, "request", s.Request, "sha256", s.SHA256, KeyLink, s.LinkID))
		}
	}
	if len(withheld) > 0 {
		seq, _ := valueOf(e.doc, KeyWithheld)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			insertAfter(e.doc, KeyWithheld, seq, KeySources, KeyActors, KeyTags, KeyTitle)
		}
		seq.Style &^= yaml.FlowStyle
		for _, w := range withheld {
			seq.Content = append(seq.Content, pairsNode("title", w.Title, "authority", w.Authority, "law", w.Law,
				"exemptions", w.Exemptions, "date", w.Date, "statement", w.Statement(), "request", w.Request,
				"url", w.URL, KeyLink, w.LinkID))
		}
	}
}

// StripLinks removes the sources and withheld items that foitrack wrote
// from links for which ours is true; it reports whether it removed any.
func (e *Event) StripLinks(ours func(linkID int64) bool) bool {
	removed := false
	for _, key := range []string{KeySources, KeyWithheld} {
		seq, _ := valueOf(e.doc, key)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		var keep []*yaml.Node
		n := 0
		for _, it := range seq.Content {
			v, _ := valueOf(resolve(it), KeyLink)
			if id, err := strconv.ParseInt(scalarString(v), 10, 64); err == nil && ours(id) {
				n++
				continue
			}
			keep = append(keep, it)
		}
		if n == 0 {
			continue
		}
		removed = true
		if len(keep) == 0 {
			deleteKey(e.doc, key) // the list was foitrack's alone
			continue
		}
		s := *seq
		s.Content = keep
		setValue(e.doc, key, &s)
	}
	return removed
}

// LinkIDs are the foitrack_link numbers the event's sources and withheld
// items carry.
func (e *Event) LinkIDs() []int64 {
	var out []int64
	for _, key := range []string{KeySources, KeyWithheld} {
		seq, _ := valueOf(e.doc, key)
		if seq == nil {
			continue
		}
		for _, it := range seq.Content {
			v, _ := valueOf(resolve(it), KeyLink)
			if id, err := strconv.ParseInt(scalarString(v), 10, 64); err == nil {
				out = append(out, id)
			}
		}
	}
	return out
}

// WithheldItems reads the event's `withheld` list.
func (e *Event) WithheldItems() []Withheld {
	seq, _ := valueOf(e.doc, KeyWithheld)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	var out []Withheld
	for _, it := range seq.Content {
		it = resolve(it)
		get := func(k string) string { n, _ := valueOf(it, k); return scalarString(n) }
		ex, _ := valueOf(it, "exemptions")
		id, _ := strconv.ParseInt(get(KeyLink), 10, 64)
		out = append(out, Withheld{LinkID: id, Title: get("title"), Authority: get("authority"), Law: get("law"),
			Exemptions: stringList(ex), Date: get("date"), Request: get("request"), URL: get("url")})
	}
	return out
}
