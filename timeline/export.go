package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// SortEvents orders events chronologically (then by id), the order of a timeline.
func SortEvents(events []*Event) {
	sort.SliceStable(events, func(i, j int) bool {
		if a, b := events[i].Date(), events[j].Date(); a != b {
			return a < b
		}
		return events[i].ID() < events[j].ID()
	})
}

// ExportJSON is the events as one JSON array of objects in the JSON event
// file layout (the body as "summary"), in the order given.
func ExportJSON(events []*Event) []byte {
	var b bytes.Buffer
	x := NewJSONExport(&b)
	for _, e := range events {
		x.Add(e) // a bytes.Buffer never fails
	}
	x.Close()
	return b.Bytes()
}

// JSONExport writes ExportJSON's array to w one event at a time, so that a
// download of a timeline of any size holds one event, not all of them and
// the whole file: the same bytes as ExportJSON.
type JSONExport struct {
	w   io.Writer
	n   int
	buf bytes.Buffer
}

// NewJSONExport starts an export to w; Add each event, then Close.
func NewJSONExport(w io.Writer) *JSONExport { return &JSONExport{w: w} }

// Add writes one event.
func (x *JSONExport) Add(e *Event) error {
	x.buf.Reset()
	if x.n == 0 {
		x.buf.WriteByte('[')
	} else {
		x.buf.WriteByte(',')
	}
	x.buf.WriteString("\n  ")
	jsonWriter{pretty: true}.write(&x.buf, e.jsonDoc(), 2)
	x.n++
	_, err := x.w.Write(x.buf.Bytes())
	return err
}

// Close ends the array.
func (x *JSONExport) Close() error {
	end := "\n]\n"
	if x.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(x.w, end)
	return err
}

// TimelineJS is the JSON that Knight Lab's TimelineJS (timeline.knightlab.com)
// reads: a title slide and one slide per event.
type TimelineJS struct {
	Title  *TJSSlide  `json:"title,omitempty"`
	Events []TJSSlide `json:"events"`
}

// TJSSlide is one TimelineJS slide.
type TJSSlide struct {
	StartDate    *TJSDate `json:"start_date,omitempty"`
	Text         TJSText  `json:"text"`
	Group        string   `json:"group,omitempty"`
	UniqueID     string   `json:"unique_id,omitempty"`
	DisplayDate  string   `json:"display_date,omitempty"`
	Importance   int      `json:"importance,omitempty"` // not read by TimelineJS; kept for filtering
	Tags         []string `json:"tags,omitempty"`       // idem
	FoitrackLink string   `json:"foitrack_url,omitempty"`
}

// TJSDate is a TimelineJS date: year, and month and day when known.
type TJSDate struct {
	Year  string `json:"year"`
	Month string `json:"month,omitempty"`
	Day   string `json:"day,omitempty"`
}

// TJSText is a slide's headline and HTML text.
type TJSText struct {
	Headline string `json:"headline"`
	Text     string `json:"text,omitempty"`
}

// ToTimelineJS converts events (sorted chronologically) into a TimelineJS
// document. The slide text is the body as HTML, then the sources as links,
// then what was withheld ("… withheld this under s31").
func ToTimelineJS(title, description string, events []*Event) TimelineJS {
	sorted := append([]*Event(nil), events...)
	SortEvents(sorted)
	out := TimelineJS{Title: titleSlide(title, description), Events: []TJSSlide{}}
	for _, e := range sorted {
		out.Events = append(out.Events, slideOf(e))
	}
	return out
}

// titleSlide is a TimelineJS document's title slide (none without a title).
func titleSlide(title, description string) *TJSSlide {
	if title == "" {
		return nil
	}
	return &TJSSlide{Text: TJSText{Headline: html.EscapeString(title), Text: HTML(description)}}
}

// slideOf is an event's TimelineJS slide.
func slideOf(e *Event) TJSSlide {
	var b strings.Builder
	b.WriteString(HTML(e.Text()))
	if src := e.Sources(); len(src) > 0 {
		b.WriteString("<p>Sources:</p><ul>")
		for _, s := range src {
			label := s.Title
			if label == "" {
				label = s.URL
			}
			b.WriteString("<li>")
			if safeURL(s.URL) {
				fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(s.URL), html.EscapeString(label))
			} else {
				b.WriteString(html.EscapeString(label))
			}
			if s.Publisher != "" {
				b.WriteString(", " + html.EscapeString(s.Publisher))
			}
			if s.Date != "" {
				b.WriteString(" (" + html.EscapeString(s.Date) + ")")
			}
			b.WriteString("</li>")
		}
		b.WriteString("</ul>")
	}
	for _, w := range e.WithheldItems() {
		fmt.Fprintf(&b, "<p><strong>Withheld:</strong> %s", html.EscapeString(w.Title))
		fmt.Fprintf(&b, " — %s", html.EscapeString(w.Statement()))
		if safeURL(w.URL) {
			fmt.Fprintf(&b, ` (<a href="%s">request</a>)`, html.EscapeString(w.URL))
		}
		b.WriteString(".</p>")
	}
	slide := TJSSlide{
		StartDate:  tjsDate(e.Date()),
		Text:       TJSText{Headline: html.EscapeString(e.Title()), Text: b.String()},
		UniqueID:   e.ID(),
		Importance: e.Importance(),
		Tags:       e.Tags(),
	}
	if tags := e.Tags(); len(tags) > 0 {
		slide.Group = html.EscapeString(tags[0]) // TimelineJS shows the group as HTML
	}
	return slide
}

// MarshalTimelineJS is ToTimelineJS as indented JSON.
func MarshalTimelineJS(title, description string, events []*Event) ([]byte, error) {
	sorted := append([]*Event(nil), events...)
	SortEvents(sorted)
	var b bytes.Buffer
	x, err := NewTimelineJSExport(&b, title, description)
	if err != nil {
		return nil, err
	}
	for _, e := range sorted {
		if err := x.Add(e); err != nil {
			return nil, err
		}
	}
	if err := x.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// TimelineJSExport writes MarshalTimelineJS's document to w one slide at a
// time, for events given in the timeline's order (SortEvents): the same
// bytes, holding one event at a time.
type TimelineJSExport struct {
	w   io.Writer
	n   int
	buf []byte
}

// NewTimelineJSExport starts a TimelineJS document on w with its title
// slide; Add each event in order, then Close.
func NewTimelineJSExport(w io.Writer, title, description string) (*TimelineJSExport, error) {
	head := "{\n"
	if t := titleSlide(title, description); t != nil {
		b, err := json.MarshalIndent(t, "  ", "  ")
		if err != nil {
			return nil, fmt.Errorf("timeline: unable to encode TimelineJS: %w", err)
		}
		head += `  "title": ` + string(b) + ",\n"
	}
	if _, err := io.WriteString(w, head+`  "events": [`); err != nil {
		return nil, err
	}
	return &TimelineJSExport{w: w}, nil
}

// Add writes one event's slide.
func (x *TimelineJSExport) Add(e *Event) error {
	b := x.buf[:0]
	if x.n == 0 {
		b = append(b, "\n    "...)
	} else {
		b = append(b, ",\n    "...)
	}
	b = slideOf(e).appendIndented(b)
	x.buf = b
	x.n++
	_, err := x.w.Write(b)
	return err
}

// appendIndented appends the slide as json.MarshalIndent(s, "    ", "  ")
// writes it (TestSlideJSONIsMarshalIndent), without its reflection and
// second pass: they were a fifth of a TimelineJS download's writing.
func (s TJSSlide) appendIndented(b []byte) []byte {
	const in1, in2 = "\n      ", "\n        "
	b = append(b, '{')
	sep := in1
	field := func(name string) {
		b = append(b, sep...)
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `": `...)
		sep = "," + in1
	}
	if d := s.StartDate; d != nil {
		field("start_date")
		b = append(b, "{"+in2+`"year": `...)
		b = appendJSONString(b, d.Year)
		if d.Month != "" {
			b = append(b, ","+in2+`"month": `...)
			b = appendJSONString(b, d.Month)
		}
		if d.Day != "" {
			b = append(b, ","+in2+`"day": `...)
			b = appendJSONString(b, d.Day)
		}
		b = append(b, in1+"}"...)
	}
	field("text")
	b = append(b, "{"+in2+`"headline": `...)
	b = appendJSONString(b, s.Text.Headline)
	if s.Text.Text != "" {
		b = append(b, ","+in2+`"text": `...)
		b = appendJSONString(b, s.Text.Text)
	}
	b = append(b, in1+"}"...)
	for _, f := range []struct{ name, v string }{{"group", s.Group}, {"unique_id", s.UniqueID}, {"display_date", s.DisplayDate}} {
		if f.v != "" {
			field(f.name)
			b = appendJSONString(b, f.v)
		}
	}
	if s.Importance != 0 {
		field("importance")
		b = strconv.AppendInt(b, int64(s.Importance), 10)
	}
	if len(s.Tags) > 0 {
		field("tags")
		b = append(b, '[')
		for i, t := range s.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, in2...)
			b = appendJSONString(b, t)
		}
		b = append(b, in1+"]"...)
	}
	if s.FoitrackLink != "" {
		field("foitrack_url")
		b = appendJSONString(b, s.FoitrackLink)
	}
	return append(b, "\n    }"...)
}

// appendJSONString appends s as json.MarshalIndent writes a string field
// (<, > and & escaped for HTML, U+2028 and U+2029 escaped, invalid UTF-8 as
// U+FFFD): encoding/json's own escaping, without the reflection over the
// whole slide.
func appendJSONString(b []byte, s string) []byte {
	q, err := json.Marshal(s)
	if err != nil {
		panic(err) // a string always encodes
	}
	return append(b, q...)
}

// Close ends the document.
func (x *TimelineJSExport) Close() error {
	end := "\n  ]\n}\n"
	if x.n == 0 {
		end = "]\n}\n"
	}
	_, err := io.WriteString(x.w, end)
	return err
}

func tjsDate(d string) *TJSDate {
	parts := strings.Split(d, "-")
	out := &TJSDate{Year: parts[0]}
	if len(parts) > 1 {
		m, _ := strconv.Atoi(parts[1])
		out.Month = strconv.Itoa(m)
	}
	if len(parts) > 2 {
		day, _ := strconv.Atoi(parts[2])
		out.Day = strconv.Itoa(day)
	}
	return out
}

func safeURL(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "/")
}

var (
	mdLink   = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)
	mdStrong = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
	mdEm     = regexp.MustCompile(`(^|[^*\w])\*([^*\n]+)\*`)
	// blankLine separates paragraphs (compiled once: compiling it for
	// every event was a fortieth of a TimelineJS download's work).
	blankLine = regexp.MustCompile(`\n[ \t]*\n`)
)

// emphasis turns **strong** and *em* of escaped text into markup.
func emphasis(s string) string {
	if !strings.Contains(s, "*") {
		return s // most text has none: the regexps are a twentieth of a TimelineJS download's work
	}
	s = mdStrong.ReplaceAllString(s, "<strong>$1</strong>")
	return mdEm.ReplaceAllString(s, "$1<em>$2</em>")
}

// HTML renders the markdown of an event body as safe HTML: paragraphs,
// line breaks, **strong**, *emphasis* and [links](http…). Everything else is
// shown as text; nothing in the input can inject markup.
func HTML(md string) string {
	var b strings.Builder
	for _, para := range blankLine.Split(strings.ReplaceAll(strings.TrimSpace(md), "\r\n", "\n"), -1) {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		// Links first; emphasis applies to the text between them and to a
		// link's own text, never inside its address.
		esc := html.EscapeString(para)
		var out strings.Builder
		last := 0
		for _, m := range mdLink.FindAllStringSubmatchIndex(esc, -1) {
			u := html.UnescapeString(esc[m[4]:m[5]])
			if !safeURL(u) {
				continue // shown as text, emphasis and all
			}
			out.WriteString(emphasis(esc[last:m[0]]))
			out.WriteString(`<a href="` + html.EscapeString(u) + `">` + emphasis(esc[m[2]:m[3]]) + `</a>`)
			last = m[1]
		}
		out.WriteString(emphasis(esc[last:]))
		s := out.String()
		s = strings.ReplaceAll(s, "\n", "<br>\n")
		b.WriteString("<p>" + s + "</p>\n")
	}
	return b.String()
}
