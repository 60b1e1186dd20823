package timeline

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// checkStoredNodes fails t if the tree Nodes keeps of text reads back as
// anything but what yaml.v3 makes of it; it says whether there was a tree
// to keep (text parses into a mapping).
func checkStoredNodes(t *testing.T, text string) bool {
	t.Helper()
	var want yaml.Node
	parsed := yaml.Unmarshal([]byte(text), &want) == nil && len(want.Content) == 1 && want.Content[0].Kind == yaml.MappingNode
	b := Nodes(FormatMarkdown, text)
	if !parsed {
		if b != nil {
			t.Fatalf("kept a tree of %q, which yaml.v3 does not read as a mapping", text)
		}
		return false
	}
	if b == nil {
		t.Fatalf("kept no tree of %q", text)
	}
	nodes, err := decodeNodes(string(b), nil)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	got := &nodes[0]
	if !reflect.DeepEqual(got, want.Content[0]) {
		t.Fatalf("read %q back as\n%s\nyaml.v3 reads\n%s", text, dumpTree(got, 0), dumpTree(want.Content[0], 0))
	}
	return true
}

func dumpTree(n *yaml.Node, depth int) string {
	if n == nil {
		return "nil\n"
	}
	c := *n
	c.Content, c.Alias = nil, nil
	s := strings.Repeat("  ", depth) + fmt.Sprintf("%+v alias=%v\n", c, n.Alias != nil)
	for _, k := range n.Content {
		s += dumpTree(k, depth+1)
	}
	return s
}

// The tree kept of any front matter yaml.v3 reads as a mapping is its very
// tree, positions, comments, anchors and aliases included: foitrack's own,
// the collection's files, hand-picked YAML of every kind and random front
// matter made of those pieces.
func TestStoredNodesAreYAMLv3(t *testing.T) {
	texts := []string{
		"id: 2026-04-22--taser-use-rises-1\ndate: '2026-04-22'\ntitle: 'Herefordshire: Taser use rises'\nimportance: 1\ntags:\n- policing\nactors:\n- Brighton campaign\n\n",
		"id: a\ndate: 2026-04-22\ntitle: \"Met Police: refuses\"\nimportance: 10\nstatus: reported\ntags:\n  - a\n  - b c\n",
		"sources:\n- url: https://example.org/a?b=c\n  title: 'Won''t: say'\n  tier: 2\n- url: /p/x\n  date: '2026-01-01'\n",
		"", "\n", "a: b\n# comment\n", "# head\na: b # line\n\n# foot\n", "a: &x b\nc: *x\n", "a: &m {x: y}\nb: *m\n",
		"a: &s [1, 2]\nb:\n  <<: *s\n", "a: !!str 1\nb: !custom x\n", "a: |\n  text\n", "a: >\n  text\n", "a: 'b\n  c'\n",
		"a: \"b\\nc\"\n", "a: [x, y]\n", "a: {x: y}\n", "a:\n", "a: 1.5\n", "a: 0x1F\n", "a: .inf\n", "a: b\r\nc: d\r\n",
		"- a\n", "a: b\n...\n", "%YAML 1.2\n---\na: b\n", "a: \u0085\n", "\ufeffa: b\n", "? [a, b]\n: c\n", "a: b\n---\nc: d\n",
		"a:\n  - b\n  - c: d\n    e: [f, {g: h}]\n", "x: &a\n  y: *a\n", "a: b\n  c\n", "a: [}\n",
	}
	for _, text := range texts {
		checkStoredNodes(t, text)
	}
	pieces := []string{"id: x-1", "date: '2026-01-02'", "date: 2026-01-02", "title: A: b", "title: 'A: b'", "title: \"x\"",
		"importance: 7", "status: reported", "tags:\n- a\n- b", "tags:\n  - a", "tags: []", "actors:\n- 'O''Brien'",
		"sources:\n- url: https://e.org/x\n  title: t\n  tier: 1", "sources:\n  - url: u\n    title: 'T: x'", "extra: yes",
		"n: null", "b: true", "e: ''", "w: naïve", "x: #x", "x: a #b", "x: |\n  y", "x: [a]", "x:\n  y: z\n  w:\n  - 1",
		"# c", "y: &y z", "z: *y", "v: !!binary aGk="}
	rng := rand.New(rand.NewSource(1))
	kept := 0
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		seen := map[string]bool{}
		for j := rng.Intn(8); j >= 0; j-- {
			p := pieces[rng.Intn(len(pieces))]
			if k, _, _ := strings.Cut(p, ":"); !seen[k] {
				seen[k] = true
				b.WriteString(p + "\n")
				if rng.Intn(5) == 0 {
					b.WriteString("\n")
				}
			}
		}
		if checkStoredNodes(t, b.String()) {
			kept++
		}
	}
	if kept < 1500 {
		t.Errorf("kept a tree of only %d of 3000 random front matters", kept)
	}
	files, _ := filepath.Glob("testdata/events/*.md")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		e, err := ParseMarkdown(f, data)
		if err != nil {
			t.Fatal(err)
		}
		_, fm, _ := e.Stored()
		if !checkStoredNodes(t, fm) {
			t.Errorf("%s: no tree kept of its front matter", f)
		}
	}
}

// An event read back through its kept tree is the event Load parses: every
// way it is read and written gives the same bytes, edited or not.
func TestLoadStoredIsLoad(t *testing.T) {
	files, _ := filepath.Glob("testdata/events/*")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		e, err := Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		format, fm, body := e.Stored()
		want, err := Load(format, fm, body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := LoadStored(format, fm, string(Nodes(format, fm)), body)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: LoadStored made another event than Load", f)
		}
		for _, ev := range []*Event{got, want} {
			ev.SetTitle("Changed")
			if err := ev.SetSourcesYAML("- url: https://example.org/x\n  title: x\n"); err != nil {
				t.Fatal(err)
			}
		}
		if g, w := string(got.Markdown()), string(want.Markdown()); g != w {
			t.Errorf("%s: edited, written\n%s\nnot\n%s", f, g, w)
		}
		if g, w := string(ExportJSON([]*Event{got})), string(ExportJSON([]*Event{want})); g != w {
			t.Errorf("%s: exported\n%s\nnot\n%s", f, g, w)
		}
	}
}

// An event whose front matter has anchors and aliases reads back through
// its kept tree as Load makes it: the tree the setters change is its own,
// its aliases point into the original (so that links added to a list, or a
// value censored, do not show through an alias to it), and it exports the
// same bytes with links and a censor applied.
func TestLoadStoredAliasesAsLoad(t *testing.T) {
	fm := "id: a\ndate: '2026-01-02'\ntitle: &t Secret title\ntags: &g\n- x\nsources: &s\n- url: https://e.org/a\n  title: Secret\nalso: *s\nsame: *t\ngroups: *g\n"
	want, err := Load(FormatMarkdown, fm, "\nSecret body\n")
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadStored(FormatMarkdown, fm, string(Nodes(FormatMarkdown, fm)), "\nSecret body\n")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("LoadStored made another event than Load")
	}
	inOrig := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node, f func(*yaml.Node))
	walk = func(n *yaml.Node, f func(*yaml.Node)) {
		f(n)
		for _, c := range n.Content {
			walk(c, f)
		}
	}
	walk(got.orig, func(n *yaml.Node) { inOrig[n] = true })
	walk(got.doc, func(n *yaml.Node) {
		if inOrig[n] {
			t.Fatal("the tree the setters change shares a node with the original")
		}
		if n.Alias != nil && !inOrig[n.Alias] {
			t.Fatalf("alias %q points outside the original", n.Value)
		}
	})
	src := []LinkedSource{{LinkID: 3, URL: "https://e.org/p", Title: "Linked secret", Tier: 1}}
	wh := []Withheld{{LinkID: 4, Title: "Secret plan", Authority: "Council", Exemptions: []string{"s31"}}}
	redact := func(s string) string { return strings.ReplaceAll(s, "Secret", "[REDACTED]") }
	for _, e := range []*Event{got, want} {
		e.AddLinks(src, wh)
		e.Censor(redact)
	}
	if g, w := string(ExportJSON([]*Event{got})), string(ExportJSON([]*Event{want})); g != w {
		t.Errorf("exported\n%s\nnot\n%s", g, w)
	}
	g, _ := MarshalTimelineJS("T", "", []*Event{got})
	w, _ := MarshalTimelineJS("T", "", []*Event{want})
	if string(g) != string(w) {
		t.Errorf("TimelineJS\n%s\nnot\n%s", g, w)
	}
	if string(got.Markdown()) != string(want.Markdown()) {
		t.Errorf("written\n%s\nnot\n%s", got.Markdown(), want.Markdown())
	}
}

// A tree that does not decode (cut short, another version, a count out of
// bounds) is never used: the text is parsed instead.
func TestLoadStoredParsesWhenTheTreeIsNotSound(t *testing.T) {
	fm := "id: a\ndate: '2026-01-02'\ntitle: T\ntags:\n- x\n"
	b := Nodes(FormatMarkdown, fm)
	want, err := Load(FormatMarkdown, fm, "\n")
	if err != nil {
		t.Fatal(err)
	}
	bad := []string{"", "\x02" + string(b[1:]), string(b[:len(b)-1]), string(b) + "x", "\x01\xff\xff\xff\xff\x0f", "\x01\x01"}
	for i := 1; i < len(b); i += 3 {
		bad = append(bad, string(b[:i]))
	}
	for _, nodes := range bad {
		got, err := LoadStored(FormatMarkdown, fm, nodes, "\n")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("nodes %q: %v, event differs: %v", nodes, err, !reflect.DeepEqual(got, want))
		}
	}
}

func FuzzStoredNodes(f *testing.F) {
	f.Add("id: a\ndate: '2026-04-22'\ntags:\n- x\n")
	f.Add("a: &x [b, *x]\n# c\n")
	f.Add("a: |\n  b\nc: !!str 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkStoredNodes(t, text)
	})
}

// decodeNodes never fails otherwise than by an error, whatever it is given.
func FuzzDecodeNodes(f *testing.F) {
	f.Add(string(Nodes(FormatMarkdown, "a: &x [b, *x]\nc: d\n")))
	f.Fuzz(func(t *testing.T, s string) {
		if orig, err := decodeNodes(s, nil); err == nil {
			decodeNodes(s, orig)
		}
	})
}

// BenchmarkLoad reads a seeded event (dev seed's front matter) back from
// its stored text and from its kept tree.
func BenchmarkLoad(b *testing.B) {
	fm := "id: 2026-04-22--taser-use-rises-1\ndate: '2026-04-22'\ntitle: 'Herefordshire: Taser use rises'\nimportance: 1\ntags:\n- policing\nactors:\n- Brighton campaign\n"
	body := "\n\nHerefordshire: Taser use rises. What the released documents show, and what was withheld.\n"
	nodes := string(Nodes(FormatMarkdown, fm))
	b.Run("text", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Load(FormatMarkdown, fm, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("nodes", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := LoadStored(FormatMarkdown, fm, nodes, body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
