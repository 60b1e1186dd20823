package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
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
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, e := range events {
		seq.Content = append(seq.Content, e.jsonDoc())
	}
	var b bytes.Buffer
	jsonWriter{pretty: true}.write(&b, seq, 0)
	b.WriteByte('\n')
	return b.Bytes()
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
	out := TimelineJS{Events: []TJSSlide{}}
	if title != "" {
		out.Title = &TJSSlide{Text: TJSText{Headline: html.EscapeString(title), Text: HTML(description)}}
	}
	for _, e := range sorted {
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
		out.Events = append(out.Events, slide)
	}
	return out
}

// MarshalTimelineJS is ToTimelineJS as indented JSON.
func MarshalTimelineJS(title, description string, events []*Event) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ToTimelineJS(title, description, events)); err != nil {
		return nil, fmt.Errorf("timeline: unable to encode TimelineJS: %w", err)
	}
	return b.Bytes(), nil
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
)

// emphasis turns **strong** and *em* of escaped text into markup.
func emphasis(s string) string {
	s = mdStrong.ReplaceAllString(s, "<strong>$1</strong>")
	return mdEm.ReplaceAllString(s, "$1<em>$2</em>")
}

// HTML renders the markdown of an event body as safe HTML: paragraphs,
// line breaks, **strong**, *emphasis* and [links](http…). Everything else is
// shown as text; nothing in the input can inject markup.
func HTML(md string) string {
	var b strings.Builder
	for _, para := range regexp.MustCompile(`\n[ \t]*\n`).Split(strings.ReplaceAll(strings.TrimSpace(md), "\r\n", "\n"), -1) {
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
