package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"gopkg.in/yaml.v3"
)

// streamEvents are events of every shape an export meets: with and without
// sources, withheld items, tags and markup that JSON escapes.
func streamEvents() []*Event {
	var out []*Event
	for i := 0; i < 7; i++ {
		e := New(fmt.Sprintf("2026-0%d-1%d--event-%d", i%3+1, i, i), fmt.Sprintf("2026-0%d-1%d", i%3+1, i), fmt.Sprintf("Event <%d> & \"more\"", i))
		if i%2 == 0 {
			e.SetTags([]string{"foi", "s31 & <b>"})
		}
		e.SetBody(fmt.Sprintf("Body **%d** with [a link](https://example.org/?a=%d&b=2)\n\nand a second paragraph.", i, i))
		if i%3 == 0 {
			e = e.WithLinks([]LinkedSource{{LinkID: int64(i + 1), URL: "https://example.org/doc", Title: "Released <doc>", Publisher: "The Met", Date: "2026-01-02"}},
				[]Withheld{{LinkID: int64(i + 100), Title: "Visitor logs", Authority: "Home Office", Exemptions: []string{"s31", "s40(2)"}}})
		}
		out = append(out, e)
	}
	return out
}

// The streamed JSON export is byte for byte the array the export made in
// one piece before it was streamed (one YAML tree of every event, written
// at once), for none, one and many events.
func TestJSONExportStreamsTheSameBytes(t *testing.T) {
	for _, n := range []int{0, 1, 7} {
		events := streamEvents()[:n]
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range events {
			seq.Content = append(seq.Content, e.jsonDoc())
		}
		var want bytes.Buffer
		jsonWriter{pretty: true}.write(&want, seq, 0)
		want.WriteByte('\n')
		var got bytes.Buffer
		x := NewJSONExport(&got)
		for _, e := range events {
			if err := x.Add(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d events: streamed\n%s\nwant\n%s", n, got.String(), want.String())
		}
		if !bytes.Equal(ExportJSON(events), want.Bytes()) {
			t.Errorf("%d events: ExportJSON differs", n)
		}
	}
}

// The streamed TimelineJS document is byte for byte what encoding the whole
// document at once gives, with and without a title slide.
func TestTimelineJSExportStreamsTheSameBytes(t *testing.T) {
	for _, n := range []int{0, 1, 7} {
		for _, title := range []string{"", "Surveillance <in> & out"} {
			events := streamEvents()[:n]
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(ToTimelineJS(title, "Events from **FOI**", events)); err != nil {
				t.Fatal(err)
			}
			got, err := MarshalTimelineJS(title, "Events from **FOI**", events)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want.String() {
				t.Errorf("%d events, title %q: streamed\n%s\nwant\n%s", n, title, got, want.String())
			}
		}
	}
}

// Exporting an event changes nothing of it (the export copies only the
// pairs it adds to, not the whole tree): events with a summary beside
// their body and one without an id in its front matter are exported the
// same twice, and their files are as read.
func TestExportLeavesTheEventAsItWas(t *testing.T) {
	md, err := ParseMarkdown("2026-01-02--visit.md", []byte("---\ndate: 2026-01-02\ntitle: A visit\ntags: [foi]\n---\nThe body.\n"))
	if err != nil {
		t.Fatal(err)
	}
	md.SetImplicitID("2026-01-02--visit")
	js, err := ParseJSON("2026-01-03--letter.json", []byte("{\n  \"id\": \"2026-01-03--letter\",\n  \"date\": \"2026-01-03\",\n  \"title\": \"A letter\",\n  \"summary\": \"Old summary\",\n  \"tags\": [\n    \"foi\"\n  ]\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	js.SetBody("New summary")
	summed, err := ParseMarkdown("2026-01-04--call.md", []byte("---\nid: 2026-01-04--call\ndate: 2026-01-04\ntitle: A call\nsummary: The front matter's summary\n---\nThe body.\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*Event{md, js, summed} {
		_, before := e.File("")
		_, beforeOther := e.File(map[string]string{FormatJSON: FormatMarkdown, FormatMarkdown: FormatJSON}[e.Format()])
		first, second := ExportJSON([]*Event{e}), ExportJSON([]*Event{e})
		if !bytes.Equal(first, second) {
			t.Errorf("%s: the second export differs:\n%s\n%s", e.ID(), first, second)
		}
		if _, after := e.File(""); !bytes.Equal(after, before) {
			t.Errorf("%s: the export changed its file:\n%s\nnow\n%s", e.ID(), before, after)
		}
		if _, after := e.File(map[string]string{FormatJSON: FormatMarkdown, FormatMarkdown: FormatJSON}[e.Format()]); !bytes.Equal(after, beforeOther) {
			t.Errorf("%s: the export changed its file in the other format:\n%s\nnow\n%s", e.ID(), beforeOther, after)
		}
	}
}
