package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// File formats.
const (
	FormatMarkdown = "md"   // YAML front matter between "---" lines, then the markdown body
	FormatJSON     = "json" // one JSON object; "summary" holds the body
)

// MaxFileBytes bounds one event file.
const MaxFileBytes = 4 << 20

// Keys foitrack reads and writes; every other key is kept as it is.
const (
	KeyID         = "id"
	KeyDate       = "date"
	KeyTitle      = "title"
	KeyImportance = "importance"
	KeyTags       = "tags"
	KeyActors     = "actors"
	KeySources    = "sources"
	KeyStatus     = "status"
	KeySummary    = "summary"  // the body, in JSON files
	KeyWithheld   = "withheld" // written by foitrack: items an authority refused (see doc.go)
	KeyLink       = "foitrack_link"
)

var knownKeys = map[string]bool{KeyID: true, KeyDate: true, KeyTitle: true, KeyImportance: true, KeyTags: true,
	KeyActors: true, KeySources: true, KeyStatus: true}

// Event is one timeline event: its front matter as a node tree (the order,
// quoting and unknown keys of the file it came from intact) and its body.
// The accessors read the tree and the setters change it in place, so there
// is one truth and nothing to keep in step.
type Event struct {
	doc *yaml.Node // the mapping, changed by the setters
	// orig and origText are the mapping and text as read (the front matter
	// for markdown, the whole file for JSON): unchanged parts are written
	// back as those bytes.
	orig       *yaml.Node
	origText   []byte
	origFormat string
	body       string // markdown: everything after the closing "---" line; JSON: the summary
	fileName   string // the file it was read from (its base name), if any
	// implicitID is the id of a file whose front matter has none: its
	// name (the collection names files after ids). It is not written into
	// the front matter, so the file is exported as it was.
	implicitID string
	// alsoAs are other files the same event was read from, in the other
	// format (the collection keeps a few events as both X.md and X.json):
	// they are written back too.
	alsoAs []string
}

// AlsoAs are the other files (by name) holding the same event.
func (e *Event) AlsoAs() []string { return e.alsoAs }

// SetAlsoAs records the other files holding the same event.
func (e *Event) SetAlsoAs(names []string) { e.alsoAs = names }

// SameData reports whether two events hold the same data (every key and
// the body), whatever their format or the order and quoting of their keys.
func SameData(a, b *Event) bool {
	var x, y any
	if json.Unmarshal(a.Object(), &x) != nil || json.Unmarshal(b.Object(), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// SetImplicitID gives an event whose front matter has no id its id.
func (e *Event) SetImplicitID(id string) {
	if v, _ := valueOf(e.doc, KeyID); scalarString(v) == "" {
		e.implicitID = id
	}
}

// FileName is the name of the file the event was read from ("" if none).
func (e *Event) FileName() string { return e.fileName }

// SetFileName records the file the event belongs in (a base name; anything
// else is ignored when writing).
func (e *Event) SetFileName(name string) { e.fileName = name }

// New makes an event with the required keys, in the collection's order.
func New(id, date, title string) *Event {
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	date = strings.TrimSpace(date)
	dn := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: date, Style: yaml.SingleQuotedStyle}
	doc.Content = append(doc.Content, strNode(KeyID), strNode(id), strNode(KeyDate), dn, strNode(KeyTitle), strNode(title))
	return &Event{doc: doc, origFormat: FormatMarkdown, body: "\n"}
}

// Clone returns an independent copy (the original text is shared: it is
// never changed).
func (e *Event) Clone() *Event {
	c := *e
	c.doc = cloneNode(e.doc)
	return &c
}

// ID is the event's id (also its file name, without extension).
func (e *Event) ID() string {
	v, _ := valueOf(e.doc, KeyID)
	if id := scalarString(v); id != "" {
		return id
	}
	return e.implicitID
}

// Date is the date as written: YYYY-MM-DD, YYYY-MM or YYYY.
func (e *Event) Date() string { v, _ := valueOf(e.doc, KeyDate); return normDate(scalarString(v)) }

// Title is the headline.
func (e *Event) Title() string { v, _ := valueOf(e.doc, KeyTitle); return scalarString(v) }

// Status is e.g. confirmed, reported, disputed ("" when absent).
func (e *Event) Status() string { v, _ := valueOf(e.doc, KeyStatus); return scalarString(v) }

// Importance is 1-10, 0 when absent.
func (e *Event) Importance() int {
	v, _ := valueOf(e.doc, KeyImportance)
	n, _ := strconv.Atoi(scalarString(v))
	return n
}

// Tags are the event's tags, as written.
func (e *Event) Tags() []string { v, _ := valueOf(e.doc, KeyTags); return stringList(v) }

// Actors are the people and bodies involved.
func (e *Event) Actors() []string { v, _ := valueOf(e.doc, KeyActors); return stringList(v) }

// Format is the format the event was read in (and is written in by default).
func (e *Event) Format() string { return e.origFormat }

// Body is the markdown body as stored: for a markdown file, every byte after
// the closing "---" (its line end first, then usually a blank line), so that
// a file is written back exactly, whatever its ending; for JSON, the summary.
func (e *Event) Body() string { return e.body }

// Text is the body without the blank lines around it.
func (e *Event) Text() string { return strings.Trim(e.body, "\r\n\t ") }

// Source is one entry of an event's sources, read from its mapping.
type Source struct {
	URL       string
	Title     string
	Publisher string // publisher, or outlet
	Date      string
	Tier      int
	// LinkID is set on the sources foitrack writes from its links.
	LinkID int64
	// Fields is every key of the entry, in order, as display text.
	Fields []Field
}

// Field is one key and its value as text (a scalar's value, or JSON for a list or mapping).
type Field struct {
	Key   string
	Value string
}

func fieldsOf(m *yaml.Node) []Field {
	var out []Field
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		v := resolve(m.Content[i+1])
		f := Field{Key: m.Content[i].Value}
		if v.Kind == yaml.ScalarNode {
			f.Value = scalarString(v)
		} else {
			f.Value = nodeJSON(v)
		}
		out = append(out, f)
	}
	return out
}

// Sources are the event's sources.
func (e *Event) Sources() []Source {
	v, _ := valueOf(e.doc, KeySources)
	v = resolve(v)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	var out []Source
	for _, it := range v.Content {
		it = resolve(it)
		if it.Kind != yaml.MappingNode {
			out = append(out, Source{Title: scalarString(it), Fields: []Field{{"", scalarString(it)}}})
			continue
		}
		s := Source{Fields: fieldsOf(it)}
		get := func(k string) string { n, _ := valueOf(it, k); return scalarString(n) }
		s.URL, s.Title, s.Date = get("url"), get("title"), normDate(get("date"))
		if s.Publisher = get("publisher"); s.Publisher == "" {
			s.Publisher = get("outlet")
		}
		s.Tier, _ = strconv.Atoi(get("tier"))
		s.LinkID, _ = strconv.ParseInt(get(KeyLink), 10, 64)
		out = append(out, s)
	}
	return out
}

// Extra are the keys foitrack does not interpret, in order.
func (e *Event) Extra() []Field {
	var out []Field
	for _, f := range fieldsOf(e.doc) {
		if !knownKeys[f.Key] && !(e.origFormat == FormatJSON && f.Key == KeySummary) {
			out = append(out, f)
		}
	}
	return out
}

// extraNode is a mapping of the keys Extra lists.
func (e *Event) extraNode() *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(e.doc.Content); i += 2 {
		k := e.doc.Content[i].Value
		if !knownKeys[k] && !(e.origFormat == FormatJSON && k == KeySummary) {
			m.Content = append(m.Content, e.doc.Content[i], e.doc.Content[i+1])
		}
	}
	return m
}

// ExtraJSON is Extra as a JSON object, keys in order.
func (e *Event) ExtraJSON() string { return nodeJSON(e.extraNode()) }

// SourcesJSON is the sources as a JSON list, every key kept.
func (e *Event) SourcesJSON() string {
	v, _ := valueOf(e.doc, KeySources)
	if v == nil {
		return "[]"
	}
	return nodeJSON(v)
}

// ExtraYAML is Extra as YAML, for an edit form.
func (e *Event) ExtraYAML() string {
	m := e.extraNode()
	if len(m.Content) == 0 {
		return ""
	}
	return string(emitMapping(m, detectEmitter(e.doc)))
}

// SourcesYAML is the sources list as YAML, for an edit form.
func (e *Event) SourcesYAML() string {
	v, _ := valueOf(e.doc, KeySources)
	if v == nil || len(v.Content) == 0 {
		return ""
	}
	var b bytes.Buffer
	for _, it := range v.Content {
		emitter{}.item(&b, it, 0)
	}
	return b.String()
}

// --- setters -----------------------------------------------------------------

// SetID changes the event's id (and so its file name).
func (e *Event) SetID(id string) error {
	id = strings.TrimSpace(id)
	if !ValidID(id) {
		return fmt.Errorf("id %q is not usable as a file name (letters, digits, '.', '_', '-' only)", id)
	}
	if id == e.ID() {
		return nil
	}
	v, _ := valueOf(e.doc, KeyID)
	if v == nil {
		e.doc.Content = append([]*yaml.Node{strNode(KeyID), strNode(id)}, e.doc.Content...)
	} else {
		setValue(e.doc, KeyID, setScalar(v, id, "!!str"))
	}
	e.fileName, e.alsoAs = "", nil // the file is named after the new id
	return nil
}

// Slug makes an event id in the collection's style: the date, two dashes,
// and the title in lower case with dashes ("2026-03-02--met-refuses-…").
func Slug(date, title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		s = "event"
	}
	return date + "--" + s
}

// SetTitle sets the title.
func (e *Event) SetTitle(s string) {
	v, _ := valueOf(e.doc, KeyTitle)
	insertAfter(e.doc, KeyTitle, setScalar(v, strings.TrimSpace(s), "!!str"), KeyDate, KeyID)
}

// SetDate sets the date (YYYY-MM-DD, YYYY-MM or YYYY).
func (e *Event) SetDate(s string) error {
	s = strings.TrimSpace(s)
	if err := checkDate(s); err != nil {
		return err
	}
	v, _ := valueOf(e.doc, KeyDate)
	if normDate(scalarString(v)) == s {
		return nil
	}
	insertAfter(e.doc, KeyDate, setScalar(v, s, "!!str"), KeyID)
	return nil
}

// SetImportance sets importance 1-10 (0 removes it).
func (e *Event) SetImportance(n int) error {
	if n == 0 {
		deleteKey(e.doc, KeyImportance)
		return nil
	}
	if n < 1 || n > 10 {
		return fmt.Errorf("importance must be between 1 and 10")
	}
	v, _ := valueOf(e.doc, KeyImportance)
	if e.Importance() == n {
		return nil
	}
	insertAfter(e.doc, KeyImportance, setScalar(v, strconv.Itoa(n), "!!int"), KeyTitle, KeyDate)
	return nil
}

// SetStatus sets the status ("" removes it).
func (e *Event) SetStatus(s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		deleteKey(e.doc, KeyStatus)
		return
	}
	v, _ := valueOf(e.doc, KeyStatus)
	setValue(e.doc, KeyStatus, setScalar(v, s, "!!str"))
}

// SetTags sets the tags (kept as a list even when empty, if it was there).
func (e *Event) SetTags(l []string) { e.setList(KeyTags, l, KeyImportance, KeyTitle) }

// SetActors sets the actors.
func (e *Event) SetActors(l []string) { e.setList(KeyActors, l, KeyTags, KeyImportance, KeyTitle) }

func (e *Event) setList(key string, l []string, after ...string) {
	var clean []string
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			clean = append(clean, s)
		}
	}
	old, _ := valueOf(e.doc, key)
	if old != nil && equalStrings(stringList(old), clean) && resolve(old).Kind == yaml.SequenceNode {
		return
	}
	if old == nil && len(clean) == 0 {
		return
	}
	n := strSeq(clean)
	if old != nil && resolve(old).Kind == yaml.SequenceNode {
		// Keep the nodes (and so the quoting) of the items that stay.
		byValue := map[string]*yaml.Node{}
		for _, c := range resolve(old).Content {
			byValue[scalarString(c)] = c
		}
		for i, s := range clean {
			if c, ok := byValue[s]; ok {
				n.Content[i] = c
			}
		}
		n.Style, n.Anchor = resolve(old).Style, resolve(old).Anchor
	}
	insertAfter(e.doc, key, n, after...)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// SetSourcesYAML replaces the sources with a YAML list (as SourcesYAML
// writes it); entries that did not change keep their original text.
func (e *Event) SetSourcesYAML(text string) error {
	if strings.TrimSpace(text) == "" {
		deleteKey(e.doc, KeySources)
		return nil
	}
	var d yaml.Node
	if err := yaml.Unmarshal([]byte(text), &d); err != nil {
		return fmt.Errorf("sources: %s", yamlMessage(err, 0))
	}
	if len(d.Content) != 1 || d.Content[0].Kind != yaml.SequenceNode {
		return fmt.Errorf("sources: a YAML list is needed (each entry starting with \"- url: \")")
	}
	seq := d.Content[0]
	for _, it := range seq.Content {
		if resolve(it).Kind != yaml.MappingNode {
			return fmt.Errorf("sources: line %d: each source is a mapping with url, title, publisher, date, tier", it.Line)
		}
	}
	clearPositions(seq)
	insertAfter(e.doc, KeySources, seq, KeyActors, KeyTags, KeyImportance, KeyTitle)
	return nil
}

// SetExtraYAML replaces the keys foitrack does not interpret with a YAML
// mapping: keys kept keep their place, removed ones go, new ones are added
// at the end.
func (e *Event) SetExtraYAML(text string) error {
	m := &yaml.Node{Kind: yaml.MappingNode}
	if strings.TrimSpace(text) != "" {
		var d yaml.Node
		if err := yaml.Unmarshal([]byte(text), &d); err != nil {
			return fmt.Errorf("other fields: %s", yamlMessage(err, 0))
		}
		if len(d.Content) != 1 || d.Content[0].Kind != yaml.MappingNode {
			return fmt.Errorf("other fields: a YAML mapping is needed (key: value lines)")
		}
		m = d.Content[0]
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i].Value
		if knownKeys[k] || (e.origFormat == FormatJSON && k == KeySummary) {
			return fmt.Errorf("other fields: %q has its own field in the form", k)
		}
		if seen[k] {
			return fmt.Errorf("other fields: key %q repeated", k)
		}
		seen[k] = true
	}
	clearPositions(m)
	var out []*yaml.Node
	for i := 0; i+1 < len(e.doc.Content); i += 2 {
		k := e.doc.Content[i].Value
		if knownKeys[k] || (e.origFormat == FormatJSON && k == KeySummary) {
			out = append(out, e.doc.Content[i], e.doc.Content[i+1])
		} else if v, _ := valueOf(m, k); v != nil {
			if ov := e.doc.Content[i+1]; equalNode(ov, v) {
				v = ov
			}
			out = append(out, e.doc.Content[i], v)
			deleteKey(m, k)
		}
	}
	e.doc.Content = append(out, m.Content...)
	return nil
}

// clearPositions forgets where nodes parsed from a form were, so that they
// are never mistaken for text of the file.
func clearPositions(n *yaml.Node) {
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		clearPositions(c)
	}
}

// SetBody sets the body text, keeping the blank lines that surrounded the old one.
func (e *Event) SetBody(text string) {
	text = strings.Trim(strings.ReplaceAll(text, "\r\n", "\n"), "\n\t ")
	if e.origFormat == FormatJSON {
		e.body = text
		return
	}
	lead := e.body[:len(e.body)-len(strings.TrimLeft(e.body, "\r\n \t"))]
	trail := e.body[len(strings.TrimRight(e.body, "\r\n \t")):]
	if strings.TrimSpace(e.body) == "" || !strings.Contains(lead, "\n") {
		lead, trail = "\n\n", "\n" // the delimiter's line end, a blank line
	}
	if text == "" {
		e.body = lead
		return
	}
	if trail == "" {
		trail = "\n"
	}
	e.body = lead + text + trail
}

// --- validation --------------------------------------------------------------

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)

// ValidID reports whether id can name an event and its file: letters,
// digits, '.', '_' and '-', not starting with a dot, at most 200 characters.
func ValidID(id string) bool { return idPattern.MatchString(id) && !strings.Contains(id, "..") }

// normDate reduces a date as written to its day (a timestamp keeps its first ten characters).
func normDate(s string) string {
	if len(s) > 10 && isDay(s[:10]) && (s[10] == 'T' || s[10] == ' ' || s[10] == 't') {
		return s[:10]
	}
	return s
}

func checkDate(s string) error {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if len(s) == len(layout) {
			if _, err := time.Parse(layout, s); err == nil {
				return nil
			}
		}
	}
	return fmt.Errorf("date %q is not YYYY-MM-DD (or YYYY-MM, YYYY)", s)
}

// validate checks what foitrack relies on; it returns the line of the first
// problem (of the node concerned) with the message.
func (e *Event) validate(fallbackID string) (int, string) {
	doc := e.doc
	if line, ok := aliasesWithinBound(doc); !ok {
		return line, fmt.Sprintf("aliases expand to more than %d values beyond those written (each alias is copied where it stands when the event is exported)", maxAliasValues)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k := doc.Content[i]
		if k.Kind != yaml.ScalarNode {
			return k.Line, "a key must be a plain name"
		}
		if l, ok := seen[k.Value]; ok {
			return k.Line, fmt.Sprintf("key %q repeated (first on line %d)", k.Value, l)
		}
		seen[k.Value] = k.Line
	}
	line := func(key string) int {
		if v, _ := valueOf(doc, key); v != nil {
			return v.Line
		}
		return doc.Line
	}
	scalar := func(key string) (string, bool) {
		v, _ := valueOf(doc, key)
		if v == nil {
			return "", true
		}
		v = resolve(v)
		return scalarString(v), v.Kind == yaml.ScalarNode
	}
	id, ok := scalar(KeyID)
	if !ok {
		return line(KeyID), "id must be a single value"
	}
	if id == "" {
		if fallbackID == "" && e.implicitID == "" {
			return doc.Line, "missing id"
		}
		// The collection names each file after its event's id.
		if e.implicitID == "" {
			e.implicitID = fallbackID
		}
		id = e.implicitID
	}
	if !ValidID(id) {
		return line(KeyID), fmt.Sprintf("id %q is not usable as a file name (letters, digits, '.', '_', '-' only)", id)
	}
	date, ok := scalar(KeyDate)
	if !ok || date == "" {
		return line(KeyDate), "missing date (YYYY-MM-DD)"
	}
	if err := checkDate(normDate(date)); err != nil {
		return line(KeyDate), err.Error()
	}
	if title, ok := scalar(KeyTitle); !ok || strings.TrimSpace(title) == "" {
		return line(KeyTitle), "missing title"
	}
	if imp, ok := scalar(KeyImportance); !ok {
		return line(KeyImportance), "importance must be a number from 1 to 10"
	} else if imp != "" {
		if n, err := strconv.Atoi(imp); err != nil || n < 1 || n > 10 {
			return line(KeyImportance), fmt.Sprintf("importance %q is not a number from 1 to 10", imp)
		}
	}
	if _, ok := scalar(KeyStatus); !ok {
		return line(KeyStatus), "status must be a single value"
	}
	for _, key := range []string{KeyTags, KeyActors} {
		if v, _ := valueOf(doc, key); v != nil {
			v = resolve(v)
			if v.Kind == yaml.MappingNode {
				return v.Line, key + " must be a list"
			}
			for _, c := range v.Content {
				if resolve(c).Kind != yaml.ScalarNode {
					return c.Line, key + " must be a list of names"
				}
			}
		}
	}
	if v, _ := valueOf(doc, KeySources); v != nil {
		v = resolve(v)
		if v.Kind != yaml.SequenceNode && !(v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null") {
			return v.Line, "sources must be a list"
		}
		for _, it := range v.Content {
			if resolve(it).Kind != yaml.MappingNode {
				return it.Line, "each source must be a mapping (url, title, publisher, date, tier)"
			}
		}
	}
	return 0, ""
}

// --- reading -----------------------------------------------------------------

// FileError is a problem with one event file, at a line when known.
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Parse reads an event file; the name's extension picks the format (.json
// or markdown) and its stem is the id when the file has none.
func Parse(name string, data []byte) (*Event, error) {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return ParseJSON(name, data)
	}
	return ParseMarkdown(name, data)
}

func stem(name string) string {
	base := filepath.Base(name)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// ParseMarkdown reads "---\nYAML\n---\nbody".
func ParseMarkdown(name string, data []byte) (*Event, error) {
	ferr := func(line int, format string, args ...any) error {
		return &FileError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxFileBytes {
		return nil, ferr(0, "file too large (over %d bytes)", MaxFileBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines := splitLines(data)
	if len(lines) == 0 || strings.TrimRight(lines[0], "\r\n \t") != "---" {
		return nil, ferr(1, "no YAML front matter: the file must start with a line '---'")
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if l := strings.TrimRight(lines[i], "\r\n \t"); l == "---" || l == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, ferr(1, "front matter is not closed: no line '---' after it")
	}
	fm := []byte(strings.Join(lines[1:end], ""))
	var d yaml.Node
	if err := yaml.Unmarshal(fm, &d); err != nil {
		return nil, ferr(yamlLine(err, 1), "%s", yamlMessage(err, 1))
	}
	if len(d.Content) == 0 {
		return nil, ferr(2, "front matter is empty")
	}
	doc := d.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, ferr(doc.Line+1, "front matter must be a mapping of keys to values")
	}
	e := &Event{doc: cloneNode(doc), orig: doc, origText: fm, origFormat: FormatMarkdown, fileName: filepath.Base(name)}
	// The body starts right after the closing "---": its line end (or none,
	// at the very end of a file) belongs to it, so every file is written back
	// byte for byte.
	e.body = string(data[len(strings.Join(lines[:end], ""))+3:])
	if line, msg := e.validate(stem(name)); msg != "" {
		return nil, ferr(line+1, "%s", msg)
	}
	return e, nil
}

// ParseJSON reads a JSON event object.
func ParseJSON(name string, data []byte) (*Event, error) {
	if len(data) > MaxFileBytes {
		return nil, &FileError{File: name, Msg: fmt.Sprintf("file too large (over %d bytes)", MaxFileBytes)}
	}
	n, err := parseJSONNode(data)
	if err != nil {
		if le, ok := err.(*lineError); ok {
			return nil, &FileError{File: name, Line: le.line, Msg: le.msg}
		}
		return nil, &FileError{File: name, Msg: err.Error()}
	}
	if n.Kind != yaml.MappingNode {
		return nil, &FileError{File: name, Line: n.Line, Msg: "an event must be a JSON object"}
	}
	e := &Event{doc: cloneNode(n), orig: n, origText: data, origFormat: FormatJSON, fileName: filepath.Base(name)}
	if v, _ := valueOf(n, KeySummary); v != nil {
		if v.Kind != yaml.ScalarNode {
			return nil, &FileError{File: name, Line: v.Line, Msg: "summary must be a string"}
		}
		e.body = scalarString(v)
	}
	if line, msg := e.validate(stem(name)); msg != "" {
		return nil, &FileError{File: name, Line: line, Msg: msg}
	}
	return e, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlLine finds the line of a yaml.v3 error, shifted by offset (the lines
// before the front matter).
func yamlLine(err error, offset int) int {
	msg := err.Error()
	// yaml.v3 v3.0.1 numbers the lines of parser errors (as opposed to
	// scanner errors) from 0: "did not find expected …" names the line
	// before the one at fault, or none for the first line.
	parserErr := strings.Contains(msg, "did not find expected")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		if parserErr {
			n++
		}
		return n + offset
	}
	if parserErr {
		return 1 + offset
	}
	return 0
}

// yamlMessage is a yaml.v3 error without its "yaml: line N:" prefix (the
// caller reports the line itself).
func yamlMessage(err error, offset int) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimSpace(strings.TrimPrefix(msg, "unmarshal errors:\n"))
	if m := yamlLineRE.FindStringIndex(msg); m != nil && m[0] == 0 {
		msg = strings.TrimSpace(strings.TrimPrefix(msg[m[1]:], ":"))
	}
	if offset == 0 {
		if n := yamlLine(err, 0); n > 0 {
			msg = fmt.Sprintf("line %d: %s", n, msg)
		}
	}
	return msg
}

// Load rebuilds an event from what the store keeps: its format, its front
// matter text (the whole object for JSON) and its body. The store reads its
// events with LoadStored, from the front matter's node tree kept beside the
// text, without parsing it again.
func Load(format, frontMatter, body string) (*Event, error) {
	switch format {
	case FormatJSON:
		e, err := ParseJSON("stored.json", []byte(frontMatter))
		if err != nil {
			return nil, err
		}
		e.body = body
		return e, nil
	default:
		d := &yaml.Node{}
		if err := yaml.Unmarshal([]byte(frontMatter), d); err != nil {
			return nil, fmt.Errorf("timeline: stored front matter does not parse: %w", err)
		}
		if len(d.Content) != 1 || d.Content[0].Kind != yaml.MappingNode {
			return nil, fmt.Errorf("timeline: stored front matter is not a mapping")
		}
		doc := d.Content[0]
		return &Event{doc: cloneNode(doc), orig: doc, origText: []byte(frontMatter), origFormat: FormatMarkdown, body: body}, nil
	}
}

// Validate checks the event as the setters left it.
func (e *Event) Validate() error {
	if line, msg := e.validate(""); msg != "" {
		_ = line
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// --- writing -----------------------------------------------------------------

// FrontMatter is the event's YAML front matter (without the "---" lines).
func (e *Event) FrontMatter() []byte {
	doc := e.doc
	if e.origFormat == FormatJSON {
		doc = cloneNode(e.doc)
		deleteKey(doc, KeySummary)
		return emitMapping(doc, emitter{})
	}
	return renderMapping(doc, e.orig, e.origText)
}

// Markdown is the event as a markdown file.
func (e *Event) Markdown() []byte {
	body := e.body
	if e.origFormat == FormatJSON {
		body = "\n\n" + strings.Trim(e.body, "\n") + "\n"
	}
	delim := "---\n"
	if e.origFormat == FormatMarkdown && bytes.Contains(e.origText, []byte("\r\n")) {
		delim = "---\r\n" // a file with Windows line ends keeps them
	}
	var b bytes.Buffer
	b.WriteString(delim)
	b.Write(e.FrontMatter())
	b.WriteString("---")
	if !strings.HasPrefix(body, "\n") && !strings.HasPrefix(body, "\r\n") && strings.TrimSpace(body) != "" && !strings.HasPrefix(body, " ") {
		b.WriteString(delim[3:]) // a body must start on its own line
	}
	b.WriteString(body)
	return b.Bytes()
}

// jsonDoc is the event as one object, the body as its summary (after the
// title, where the collection's JSON files have it).
func (e *Event) jsonDoc() *yaml.Node {
	// Only the top mapping's pairs change (an id, the summary: setScalar
	// makes a new node rather than change one), so only they are copied;
	// a deep copy was a tenth of a timeline download's work.
	top := *e.doc
	top.Content = append(make([]*yaml.Node, 0, len(e.doc.Content)+4), e.doc.Content...)
	doc := &top
	if v, _ := valueOf(doc, KeyID); v == nil && e.implicitID != "" {
		doc.Content = append([]*yaml.Node{strNode(KeyID), strNode(e.implicitID)}, doc.Content...)
	}
	text := e.Text()
	if e.origFormat == FormatJSON {
		text = e.body
	}
	if v, _ := valueOf(doc, KeySummary); v != nil || text != "" {
		insertAfter(doc, KeySummary, setScalar(v, text, "!!str"), KeyTitle, KeyDate, KeyID)
	}
	return doc
}

// JSON is the event as a JSON file, written as the collection writes them.
func (e *Event) JSON() []byte {
	doc := e.jsonDoc()
	if e.origFormat == FormatJSON && equalNode(doc, e.orig) {
		return e.origText
	}
	// Python's json.dumps escapes every non-ASCII character unless told not
	// to; follow what the file did.
	w := jsonWriter{pretty: true, ensureASCII: e.origFormat == FormatJSON && asciiOnly(e.origText) && bytes.Contains(e.origText, []byte(`\u`))}
	var b bytes.Buffer
	w.write(&b, doc, 0)
	if e.origFormat != FormatJSON || bytes.HasSuffix(e.origText, []byte("\n")) {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Object is the event as a compact JSON object (for the JSON export).
func (e *Event) Object() []byte {
	var b bytes.Buffer
	jsonWriter{}.write(&b, e.jsonDoc(), 0)
	return b.Bytes()
}

// Stored is what the store keeps for the event: its front matter text (the
// whole object for JSON events) and body. Load gives the event back.
func (e *Event) Stored() (format, frontMatter, body string) {
	if e.origFormat == FormatJSON {
		return FormatJSON, string(e.JSON()), e.body
	}
	return FormatMarkdown, string(e.FrontMatter()), e.body
}

// File is the event's file name and content in format (md or json; "" for
// the format it was read in). The name is the one it was read from when that
// is a plain name, else its id; never a path.
func (e *Event) File(format string) (string, []byte) {
	if format == "" {
		format = e.origFormat
	}
	name := e.ID()
	if st := stem(e.fileName); e.fileName == filepath.Base(e.fileName) && ValidID(st) {
		name = st
	}
	if format == FormatJSON {
		return name + ".json", e.JSON()
	}
	ext := ".md"
	if strings.EqualFold(filepath.Ext(e.fileName), ".markdown") {
		ext = filepath.Ext(e.fileName)
	}
	return name + ext, e.Markdown()
}

func asciiOnly(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
