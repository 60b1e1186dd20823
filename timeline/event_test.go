package timeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/testenv"
	"gopkg.in/yaml.v3"
)

func mustParseFile(t *testing.T, path string) (*Event, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := Parse(filepath.Base(path), data)
	if err != nil {
		t.Fatal(err)
	}
	return ev, data
}

// eventFiles lists the event files of the shared examples and of testdata.
func eventFiles(t *testing.T) []string {
	var out []string
	for _, dir := range []string{"testdata/events", testenv.SharedDir(t, "examples/events")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, de := range entries {
			if IsEventFile(de.Name()) {
				out = append(out, filepath.Join(dir, de.Name()))
			}
		}
	}
	return out
}

// The emitter is what writes whatever changed: what it writes must read back
// as the same data, for every file we have.
func TestFreshYAMLReadsBackEqual(t *testing.T) {
	for _, path := range eventFiles(t) {
		ev, _ := mustParseFile(t, path)
		doc := ev.doc
		if ev.Format() == FormatJSON {
			doc = ev.jsonDoc()
		}
		for _, em := range []emitter{{}, {seqIndent: true}} {
			text := emitMapping(doc, em)
			var back yaml.Node
			if err := yaml.Unmarshal(text, &back); err != nil {
				t.Fatalf("%s: emitted YAML does not parse: %v\n%s", path, err, text)
			}
			if !equalNode(back.Content[0], doc) {
				t.Errorf("%s: emitted YAML reads back different:\n%s", path, text)
			}
		}
	}
}

// Files written by the collection's tooling that fit on lines (no folding at
// 80 columns) come out of the emitter byte for byte, so even a rewritten key
// looks as the tool would have written it.
func TestFreshYAMLMatchesToolOutput(t *testing.T) {
	same := 0
	for _, path := range eventFiles(t) {
		ev, data := mustParseFile(t, path)
		if ev.Format() != FormatMarkdown {
			continue
		}
		got := emitMapping(ev.doc, detectEmitter(ev.orig))
		if bytes.Equal(got, ev.origText) {
			same++
		} else if !bytes.Contains(ev.origText, []byte("\n    ")) || strings.Contains(path, "testdata") {
			// Without folded lines (PyYAML's 4-space continuation) only
			// quoting may differ; say which, it is worth knowing.
			t.Logf("%s: fresh emission differs from the file:\n%s", filepath.Base(path), firstDiff(string(ev.origText), string(got)))
		}
		_ = data
	}
	if same < 8 {
		t.Errorf("only %d files emitted byte-identical from scratch", same)
	}
	t.Logf("%d markdown files re-emitted byte-identical from their data alone", same)
}

// The JSON writer writes what Python's json.dumps(indent=2) writes.
func TestJSONWriterMatchesCollection(t *testing.T) {
	n := 0
	for _, path := range eventFiles(t) {
		if filepath.Ext(path) != ".json" {
			continue
		}
		ev, data := mustParseFile(t, path)
		var b bytes.Buffer
		jsonWriter{pretty: true}.write(&b, ev.orig, 0)
		if bytes.HasSuffix(data, []byte("\n")) {
			b.WriteByte('\n')
		}
		if !bytes.Equal(b.Bytes(), data) {
			t.Errorf("%s: JSON writer differs:\n%s", path, firstDiff(string(data), b.String()))
		}
		// And an edit goes through the writer, not the original text.
		ev.SetTitle(ev.Title() + " (updated)")
		if out := ev.JSON(); bytes.Equal(out, data) || !bytes.Contains(out, []byte(`(updated)",`)) {
			t.Errorf("%s: edited title not written", path)
		}
		n++
	}
	if n < 3 {
		t.Fatalf("only %d JSON files", n)
	}
}

// A markdown event written as JSON, and back, keeps its data; the JSON file
// of an event and its markdown file say the same.
func TestMarkdownJSONEquivalence(t *testing.T) {
	dir := testenv.SharedDir(t, "examples/events")
	mdEv, _ := mustParseFile(t, filepath.Join(dir, "1999-09-01--in-q-tel-cia-venture-capital-founded.md"))
	jsEv, jsData := mustParseFile(t, filepath.Join(dir, "1999-09-01--in-q-tel-cia-venture-capital-founded.json"))
	var a, b any
	if err := json.Unmarshal(mdEv.JSON(), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(jsData, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("markdown event as JSON differs from the JSON file:\n%s", mdEv.JSON())
	}
	back, err := ParseMarkdown("x.md", jsEv.Markdown())
	if err != nil {
		t.Fatal(err)
	}
	if back.Text() != mdEv.Text() || !equalStrings(back.Tags(), mdEv.Tags()) || back.Date() != mdEv.Date() || len(back.Sources()) != 3 {
		t.Errorf("JSON event as markdown lost data:\n%s", jsEv.Markdown())
	}
}

func TestAccessors(t *testing.T) {
	ev, _ := mustParseFile(t, "testdata/events/2026-03-02--met-refuses-lfr-watchlist-request.md")
	if ev.ID() != "2026-03-02--met-refuses-lfr-watchlist-request" || ev.Date() != "2026-03-02" || ev.Importance() != 7 || ev.Status() != "reported" {
		t.Errorf("id/date/importance/status = %q %q %d %q", ev.ID(), ev.Date(), ev.Importance(), ev.Status())
	}
	if !equalStrings(ev.Tags(), []string{"facial-recognition", "met-police", "foi-refusal"}) || len(ev.Actors()) != 2 {
		t.Errorf("tags %v actors %v", ev.Tags(), ev.Actors())
	}
	src := ev.Sources()
	if len(src) != 1 || src[0].Publisher != "Example News" || src[0].Title != "Met won't say who is on its watchlists" || src[0].Tier != 2 || src[0].Date != "2026-03-03" {
		t.Errorf("sources %+v", src)
	}
	var keys []string
	for _, f := range ev.Extra() {
		keys = append(keys, f.Key)
	}
	if strings.Join(keys, ",") != "location,notes,priority_id,capture_type,connections,related,ratio,verified" {
		t.Errorf("extra keys %v", keys)
	}
	if !strings.HasPrefix(ev.Text(), "The Metropolitan Police refused") || !strings.HasSuffix(ev.Text(), "émigré accents.") {
		t.Errorf("text %q", ev.Text())
	}
	// Unknown fields survive into JSON with their types, aliases resolved.
	var obj map[string]any
	if err := json.Unmarshal(ev.Object(), &obj); err != nil {
		t.Fatalf("%v\n%s", err, ev.Object())
	}
	if obj["ratio"] != 0.75 || obj["capture_type"] != nil || !reflect.DeepEqual(obj["related"], obj["connections"]) || obj["summary"] != ev.Text() {
		t.Errorf("JSON object: %s", ev.Object())
	}
}

// An edit rewrites only what changed: the rest keeps its bytes.
func TestEditKeepsUntouchedText(t *testing.T) {
	dir := testenv.SharedDir(t, "examples/events")
	ev, data := mustParseFile(t, filepath.Join(dir, "1999-09-01--in-q-tel-cia-venture-capital-founded.md"))
	orig := string(data)

	ev.SetTitle("CIA founds In-Q-Tel")
	want := strings.Replace(orig, "title: CIA Establishes In-Q-Tel as Revolutionary Venture Capital Arm\n", "title: CIA founds In-Q-Tel\n", 1)
	if got := string(ev.Markdown()); got != want {
		t.Fatalf("title edit:\n%s", firstDiff(want, got))
	}

	// A new source: the three old ones keep their text (the folded
	// "Google\n    Earth" title included), the new one is written in the
	// file's own list style.
	if err := ev.SetSourcesYAML(ev.SourcesYAML() + "- url: https://example.org/new\n  title: A new source\n  tier: 1\n"); err != nil {
		t.Fatal(err)
	}
	want = strings.Replace(want, "  date: '2025-11-11'\n  tier: 3\n", "  date: '2025-11-11'\n  tier: 3\n- url: https://example.org/new\n  title: A new source\n  tier: 1\n", 1)
	if got := string(ev.Markdown()); got != want {
		t.Fatalf("source added:\n%s", firstDiff(want, got))
	}

	// The body keeps its blank line after the front matter.
	ev.SetBody("Short body.")
	if got := string(ev.Markdown()); !strings.HasSuffix(got, "---\n\nShort body.\n") {
		t.Errorf("body: %q", got[len(got)-40:])
	}
}

func TestEditIndentedStyleFile(t *testing.T) {
	dir := testenv.SharedDir(t, "examples/events")
	ev, data := mustParseFile(t, filepath.Join(dir, "2011-09-01--fbi-occupy-wall-street-surveillance.md"))
	ev.SetTags(append(ev.Tags(), "foia-release"))
	if err := ev.SetImportance(9); err != nil {
		t.Fatal(err)
	}
	if err := ev.SetDate("2011-09-02"); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(data), "  - domestic-spying\n", "  - domestic-spying\n  - foia-release\n", 1)
	want = strings.Replace(want, "importance: 8\n", "importance: 9\n", 1)
	want = strings.Replace(want, "date: 2011-09-01\n", "date: 2011-09-02\n", 1)
	if got := string(ev.Markdown()); got != want {
		t.Fatalf("edit:\n%s", firstDiff(want, got))
	}
}

func TestEditOwnFile(t *testing.T) {
	ev, data := mustParseFile(t, "testdata/events/2026-03-02--met-refuses-lfr-watchlist-request.md")
	ev.SetTags([]string{"facial-recognition", "foi-refusal", "s31"})
	ev.SetStatus("")
	if err := ev.SetExtraYAML("location:\n  - London\n  - \"Croydon: town centre\"\nnotes: Replaced.\npriority_id: 0042\nnew_key: 1\n"); err != nil {
		t.Fatal(err)
	}
	got := string(ev.Markdown())
	want := string(data)
	want = strings.Replace(want, "tags: [facial-recognition, met-police, foi-refusal]\n", "tags: [facial-recognition, foi-refusal, s31]\n", 1)
	want = strings.Replace(want, "status: reported\n", "", 1)
	want = strings.Replace(want, "notes: |\n  Refusal cites section 31(1)(a) and section 40(2).\n  Internal review requested the same day.\n", "notes: Replaced.\n", 1)
	want = strings.Replace(want, "capture_type: null\nconnections: &conn\n  - 2025-06-01--palantir-ice-surveillance-system\nrelated: *conn\nratio: 0.75\nverified: yes\n", "new_key: 1\n", 1)
	if got != want {
		t.Fatalf("edit:\n%s\n---- got:\n%s", firstDiff(want, got), got)
	}
	if _, err := ParseMarkdown("again.md", []byte(got)); err != nil {
		t.Fatal(err)
	}
}

func TestNewEvent(t *testing.T) {
	ev := New("2026-06-01--new", "2026-06-01", "A new: event")
	if err := ev.SetImportance(5); err != nil {
		t.Fatal(err)
	}
	ev.SetTags([]string{"a", "b"})
	ev.SetActors([]string{"Someone"})
	ev.SetBody("Text.")
	want := "---\nid: 2026-06-01--new\ndate: '2026-06-01'\ntitle: 'A new: event'\nimportance: 5\ntags:\n- a\n- b\nactors:\n- Someone\n---\n\nText.\n"
	if got := string(ev.Markdown()); got != want {
		t.Fatalf("new event:\n%s", firstDiff(want, got))
	}
	if err := ev.SetDate("2026-13-01"); err == nil {
		t.Error("month 13 accepted")
	}
	if err := ev.SetImportance(11); err == nil {
		t.Error("importance 11 accepted")
	}
}

func TestMalformedFilesReportFileAndLine(t *testing.T) {
	cases := []struct {
		name, text string
		line       int
		msg        string
	}{
		{"no-front-matter.md", "Just text.\n", 1, "no YAML front matter"},
		{"unclosed.md", "---\nid: x\ntitle: y\n", 1, "not closed"},
		{"bad-yaml.md", "---\nid: bad-yaml\ndate: 2026-01-01\ntitle: [unclosed\ntags: x\n---\n", 0, ""},
		{"missing-title.md", "---\nid: missing-title\ndate: 2026-01-01\nimportance: 3\n---\nbody\n", 0, "missing title"},
		{"bad-date.md", "---\nid: bad-date\ndate: 2026-02-30\ntitle: t\n---\n", 3, "date"},
		{"bad-importance.md", "---\nid: bad-importance\ndate: 2026-02-01\ntitle: t\nimportance: 12\n---\n", 5, "importance"},
		{"bad-source.md", "---\nid: bad-source\ndate: 2026-02-01\ntitle: t\nsources:\n- https://example.org\n---\n", 6, "source"},
		{"bad-id.md", "---\nid: ../../etc/passwd\ndate: 2026-02-01\ntitle: t\n---\n", 2, "file name"},
		{"repeated.md", "---\nid: repeated\ndate: 2026-02-01\ntitle: t\ntitle: u\n---\n", 5, "repeated"},
		{"bad.json", "{\n  \"id\": \"bad\",\n  \"date\": \"2026-01-01\",\n  \"title\": \"t\"\n  \"tags\": []\n}\n", 5, "invalid JSON"},
		{"json-no-date.json", "{\n  \"id\": \"x\",\n  \"title\": \"t\"\n}\n", 0, "missing date"},
	}
	for _, c := range cases {
		_, err := Parse(c.name, []byte(c.text))
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v is not a FileError", c.name, err)
			continue
		}
		if fe.File != c.name || (c.line > 0 && fe.Line != c.line) || (c.line == 0 && fe.Line == 0) || !strings.Contains(fe.Error(), c.msg) {
			t.Errorf("%s: got %q (line %d), want line %d and %q", c.name, fe.Error(), fe.Line, c.line, c.msg)
		}
	}
}

func TestReadDirReportsAndKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# not an event\n")
	write("a.md", "---\nid: a\ndate: 2026-01-01\ntitle: A\n---\n")
	write("b.md", "---\nid: b\ndate: 2026-01-01\ntitle: [B\n---\n")
	write("c.json", "{\"id\": \"a\", \"date\": \"2026-01-02\", \"title\": \"A again\"}")
	write("d.md", "---\ndate: 2026-01-03\ntitle: D without id\n---\n")
	write("notes.txt", "x")
	// The same event as markdown and as JSON: one event, both files kept.
	write("e.md", "---\nid: e\ndate: '2026-01-04'\ntitle: E\n---\n\nText.\n")
	write("e.json", "{\n  \"id\": \"e\",\n  \"date\": \"2026-01-04\",\n  \"title\": \"E\",\n  \"summary\": \"Text.\"\n}\n")
	res, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != 3 || res.Events[0].Event.Title() != "A again" || res.Events[1].Event.ID() != "d" {
		t.Errorf("events: %+v", res.Events)
	}
	if len(res.Twins) != 1 || res.Twins[0].File != "e.json" || res.Events[2].File != "e.md" || strings.Join(res.Events[2].Event.AlsoAs(), ",") != "e.json" {
		t.Errorf("twins: %v, event %+v", res.Twins, res.Events[2])
	}
	out := t.TempDir()
	var evs []*Event
	for _, fe := range res.Events {
		evs = append(evs, fe.Event)
	}
	if _, err := WriteDir(out, evs, ""); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"e.md", "e.json"} {
		want, _ := os.ReadFile(filepath.Join(dir, n))
		if got, err := os.ReadFile(filepath.Join(out, n)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s not written back as it was: %v\n%s", n, err, got)
		}
	}
	if len(res.Errors) != 1 || res.Errors[0].File != "b.md" || res.Errors[0].Line != 4 {
		t.Errorf("errors: %v", res.Errors)
	}
	if len(res.Duplicates) != 1 || res.Duplicates[0].File != "c.json" {
		t.Errorf("duplicates: %v", res.Duplicates)
	}
	if strings.Join(res.Skipped, ",") != "README.md,notes.txt" {
		t.Errorf("skipped: %v", res.Skipped)
	}
}

func TestLinksAddAndStrip(t *testing.T) {
	dir := testenv.SharedDir(t, "examples/events")
	ev, data := mustParseFile(t, filepath.Join(dir, "2004-06-24--supreme-court-protects-cheney-task-force-secrecy.md"))
	out := ev.WithLinks(
		[]LinkedSource{{LinkID: 3, URL: "https://foi.example.org/p/abc", Title: "Energy task force minutes", Publisher: "Department of Energy", Date: "2026-04-01", Tier: 1, Request: "Task force minutes (FT-2026-0001)", SHA256: strings.Repeat("a", 64)}},
		[]Withheld{{LinkID: 4, Title: "Attendee list", Authority: "Metropolitan Police Service", Law: "uk-foia", Exemptions: []string{"s31(1)(a)", "s40(2)"}, Date: "2026-04-02"}},
	)
	// The original is untouched; the copy has both.
	if !bytes.Equal(ev.Markdown(), data) {
		t.Fatal("WithLinks changed the original event")
	}
	md := string(out.Markdown())
	for _, want := range []string{
		"  outlet: University of Texas\n  date: '2004-06-24'\n- url: https://foi.example.org/p/abc\n  title: Energy task force minutes\n  publisher: Department of Energy\n  date: \"2026-04-01\"\n  tier: 1\n",
		"  foitrack_link: 3\nwithheld:\n- title: Attendee list\n  authority: Metropolitan Police Service\n  law: uk-foia\n  exemptions: [s31(1)(a), s40(2)]\n",
		"  statement: Metropolitan Police Service withheld this under s31(1)(a) and s40(2)\n  foitrack_link: 4\ncapture_lanes:\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("exported file lacks\n%s\n---- in:\n%s", want, md)
		}
	}
	// Re-imported into the same database: foitrack's entries go, the file is as it was.
	back, err := ParseMarkdown("x.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.LinkIDs(); len(got) != 2 || got[0] != 3 || got[1] != 4 {
		t.Errorf("link ids %v", got)
	}
	if w := back.WithheldItems(); len(w) != 1 || w[0].Authority != "Metropolitan Police Service" || len(w[0].Exemptions) != 2 {
		t.Errorf("withheld %+v", w)
	}
	if !back.StripLinks(func(id int64) bool { return id == 3 || id == 4 }) {
		t.Fatal("nothing stripped")
	}
	if got := back.Markdown(); !bytes.Equal(got, data) {
		t.Errorf("strip did not restore the file:\n%s", firstDiff(string(data), string(got)))
	}
	// Elsewhere (no such links) they stay.
	other, _ := ParseMarkdown("x.md", []byte(md))
	if other.StripLinks(func(int64) bool { return false }) || len(other.Sources()) != 4 {
		t.Error("entries of unknown links were dropped")
	}
}

func TestTimelineJSAndJSONExport(t *testing.T) {
	dir := testenv.SharedDir(t, "examples/events")
	res, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var events []*Event
	for _, fe := range res.Events {
		events = append(events, fe.Event)
	}
	w := events[0].WithLinks(nil, []Withheld{{LinkID: 1, Title: "Visitor logs <2025>", Authority: "The Met", Exemptions: []string{"s31"}}})
	events[0] = w
	raw, err := MarshalTimelineJS("Surveillance", "Events from **FOI**", events)
	if err != nil {
		t.Fatal(err)
	}
	var tjs struct {
		Title struct {
			Text struct{ Headline, Text string }
		}
		Events []struct {
			StartDate struct{ Year, Month, Day string } `json:"start_date"`
			Text      struct{ Headline, Text string }
			UniqueID  string `json:"unique_id"`
		}
	}
	if err := json.Unmarshal(raw, &tjs); err != nil {
		t.Fatal(err)
	}
	if len(tjs.Events) != len(events) || tjs.Title.Text.Text != "<p>Events from <strong>FOI</strong></p>\n" {
		t.Fatalf("%d slides, title %+v", len(tjs.Events), tjs.Title)
	}
	for i, s := range tjs.Events {
		if s.StartDate.Year == "" || s.Text.Headline == "" || s.UniqueID == "" {
			t.Errorf("slide %d incomplete: %+v", i, s)
		}
		if i > 0 && tjs.Events[i-1].UniqueID > s.UniqueID && tjs.Events[i-1].StartDate.Year == s.StartDate.Year && tjs.Events[i-1].StartDate.Month == s.StartDate.Month && tjs.Events[i-1].StartDate.Day == s.StartDate.Day {
			t.Errorf("slides out of order at %d", i)
		}
	}
	first := tjs.Events[0]
	if first.StartDate != (struct{ Year, Month, Day string }{"1999", "9", "1"}) || !strings.Contains(first.Text.Text, "The Met withheld this under s31") ||
		!strings.Contains(first.Text.Text, "Visitor logs &lt;2025&gt;") || !strings.Contains(first.Text.Text, `<a href="https://fortune.com/`) {
		t.Errorf("first slide: %+v", first)
	}
	var arr []map[string]any
	if err := json.Unmarshal(ExportJSON(events), &arr); err != nil {
		t.Fatal(err)
	}
	if len(arr) != len(events) || arr[0]["id"] != events[0].ID() || arr[0]["summary"] == "" || arr[0]["withheld"] == nil {
		t.Errorf("JSON export: %v", arr[0])
	}
}

func TestHTMLIsSafe(t *testing.T) {
	got := HTML("Hello <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org/?a=1&b=2)\n\n**bold** *em*")
	want := "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) <a href=\"https://example.org/?a=1&amp;b=2\">ok</a></p>\n<p><strong>bold</strong> <em>em</em></p>\n"
	if got != want {
		t.Errorf("HTML:\n%s\nwant\n%s", got, want)
	}
}

func TestCensoredEvent(t *testing.T) {
	ev := New("2026-03-30--jane-smith-refused", "2026-03-30", "Jane Smith refused by the Met")
	ev.SetActors([]string{"Jane Smith", "Metropolitan Police Service"})
	ev.SetBody("Jane Smith asked; the Met said no.\n")
	c := ev.Censored(func(s string) string { return strings.ReplaceAll(s, "Jane Smith", "[REDACTED]") })
	md := string(c.Markdown())
	if strings.Contains(md[strings.Index(md, "title"):], "Jane Smith") || !strings.Contains(md, "id: 2026-03-30--jane-smith-refused") {
		t.Fatalf("censored:\n%s", md)
	}
	back, err := ParseMarkdown("x.md", c.Markdown())
	if err != nil || back.Title() != "[REDACTED] refused by the Met" || back.Actors()[0] != "[REDACTED]" || !strings.Contains(back.Body(), "[REDACTED] asked") {
		t.Fatalf("censored event reads back as %q %v %q (%v)", back.Title(), back.Actors(), back.Body(), err)
	}
	if ev.Title() != "Jane Smith refused by the Met" {
		t.Error("the original was changed")
	}
}

// A YAML alias is censored as what it stands for: a value written once
// with an anchor and repeated by an alias (to a value, or to a key) never
// leaves uncensored in any export, whether the event is censored as a
// copy or in place, and the original keeps its text.
func TestCensorReachesAliases(t *testing.T) {
	const fm = "---\nid: 2026-01-02--visit\ndate: 2026-01-02\ntitle: &who Jane Smith visited\nnote: *who\n&k Jane Smith's file: kept\nfiled_as: *k\n---\nBody.\n"
	censor := func(s string) string { return strings.ReplaceAll(s, "Jane Smith", "[REDACTED]") }
	for _, inPlace := range []bool{false, true} {
		ev, err := ParseMarkdown("2026-01-02--visit.md", []byte(fm))
		if err != nil {
			t.Fatal(err)
		}
		c := ev
		if inPlace {
			c.Censor(censor)
		} else {
			c = ev.Censored(censor)
		}
		js, err := MarshalTimelineJS("T", "", []*Event{c})
		if err != nil {
			t.Fatal(err)
		}
		_, md := c.File(FormatMarkdown)
		_, jf := c.File(FormatJSON)
		for name, out := range map[string][]byte{"JSON export": ExportJSON([]*Event{c}), "TimelineJS": js, "markdown": md, "JSON file": jf} {
			// The key itself is never censored (as any key); nothing else
			// may name her.
			rest := bytes.ReplaceAll(bytes.ReplaceAll(out, []byte(`"Jane Smith's file": "kept"`), nil), []byte("Jane Smith's file: kept"), nil)
			if bytes.Contains(rest, []byte("Jane Smith")) {
				t.Errorf("in place %v: %s carries the censored name:\n%s", inPlace, name, out)
			}
		}
		if !inPlace {
			if _, orig := ev.File(""); !bytes.Equal(orig, []byte(fm)) {
				t.Errorf("the original was changed:\n%s", orig)
			}
		}
	}
}

// A front matter whose aliases nest (a "billion laughs": each list repeats
// the one before it ten times) is refused when read, with its line: the
// exports and the censor step expand every alias, so a few hundred bytes
// would become billions of values in memory. A few aliases are kept.
func TestAliasBombIsRefused(t *testing.T) {
	var fm strings.Builder
	fm.WriteString("---\nid: 2026-03-01--bomb\ndate: 2026-03-01\ntitle: Bomb\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&fm, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	fm.WriteString("---\nBody.\n")
	_, err := ParseMarkdown("bomb.md", []byte(fm.String()))
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "aliases") || fe.Line < 5 {
		t.Fatalf("alias bomb: %v, want a FileError about aliases on its line", err)
	}
	ok := "---\nid: 2026-03-01--alias\ndate: 2026-03-01\ntitle: &who Jane Smith\nactors: [*who, *who]\nnote: *who\n---\nBody.\n"
	if _, err := ParseMarkdown("alias.md", []byte(ok)); err != nil {
		t.Fatalf("a few aliases: %v", err)
	}
}
