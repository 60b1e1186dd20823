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

// checkSimpleYAML fails t if parseSimpleYAML reads text into anything but
// what yaml.Unmarshal makes of it; it says whether it read it.
func checkSimpleYAML(t *testing.T, text string) bool {
	t.Helper()
	got, ok := parseSimpleYAML(text)
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal([]byte(text), &want); err != nil {
		t.Fatalf("read %q, which yaml.v3 does not: %v", text, err)
	}
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("read %q as\n%s\nyaml.v3 reads\n%s", text, dumpNode(got, 0), dumpNode(&want, 0))
	}
	return true
}

func dumpNode(n *yaml.Node, depth int) string {
	if n == nil {
		return "nil\n"
	}
	c := *n
	c.Content = nil
	s := strings.Repeat("  ", depth) + fmt.Sprintf("%+v\n", c)
	for _, k := range n.Content {
		s += dumpNode(k, depth+1)
	}
	return s
}

// The front matter the fast path reads, and what it must leave to yaml.v3,
// each held to yaml.v3's own tree.
func TestSimpleYAMLIsYAMLv3(t *testing.T) {
	read := []string{
		"id: 2026-04-22--taser-use-rises-1\ndate: '2026-04-22'\ntitle: 'Herefordshire: Taser use rises'\nimportance: 1\ntags:\n- policing\nactors:\n- Brighton campaign\n\n",
		"id: a\ndate: 2026-04-22\ntitle: \"Met Police: refuses\"\nimportance: 10\nstatus: reported\ntags:\n  - a\n  - b c\n",
		"title: it's 'quoted'\nx: 'it''s'\ny: \"\"\nz: ''\nsources: []\nextra: {}\n",
		"sources:\n- url: https://example.org/a?b=c\n  title: 'Won''t: say'\n  tier: 2\n- url: /p/x\n  date: '2026-01-01'\n",
		"sources:\n    - url: https://example.org/a\n      title: x\n    - title: y\nwithheld:\n  - title: z\n    exemptions:\n    - s31\n    - s40(2)\n",
		"a: true\nb: False\nc: null\nd: ~\ne: yes\nf: on\ng: 0\nh: 123456789012345678\ni: 2026-4-5\nj: naïve — émigré ’quotes’\n",
		"true: 1\nnull: 2\non: 3\nkey_1: x\nkey-2: y\n",
		"list:\n- - a\n  - b\n- c\n",
		"a:   spaced\nb: x:y\nc: a[b]{c},d\nd: 'x' \n",
		"m:\n  n:\n    o: p\n  q: r\ns: t\n",
	}
	for _, text := range read {
		if !checkSimpleYAML(t, text) && !strings.Contains(text, "' \n") {
			t.Errorf("left %q to yaml.v3", text)
		}
	}
	left := []string{
		"", "\n", "  a: b\n", "a: b\n# comment\n", "a: b # comment\n", "a: &x b\nc: *x\n", "a: !!str 1\n",
		"a: |\n  text\n", "a: >\n  text\n", "a: b\n  c\n", "a: 'b\n  c'\n", "a: \"b\\nc\"\n", "a: [x, y]\n", "a: {x: y}\n",
		"a:\n", "a:\nb: c\n", "a: b\na: c\n", "a: 1.5\n", "a: 007\n", "a: 0x1F\n", "a: 1_000\n", "a: -1\n", "a: .inf\n",
		"a: 2026-02-30\n", "a: b\r\n", "a:\tb\n", "a: b\tc\n", "a: <<\n", "<<: x\n", "- a\n", "a: b\n- c\n", "a: -b\n",
		"a: b: c\n", "a: b:\n", "---\na: b\n", "a: b\n...\n", "%YAML 1.2\n---\na: b\n", "a: \u0085\n", "a: \u2028\n",
		"a: \ufeffb\n", "\ufeffa: b\n", "a: \x7f\n", "a: \xff\n", "a: ? b\n", "a: 1st\n", "1: a\n", "a b: c\n", "\"a\": b\n",
		"a:\n  - b\n - c\n", "a:\n - b\n  c: d\n", "a:\n  b: c\n   d: e\n",
	}
	for _, text := range left {
		checkSimpleYAML(t, text) // read or not, never otherwise than yaml.v3
	}

	// Random front matter made of the pieces above, and of every file in
	// testdata.
	pieces := []string{"id: x-1", "date: '2026-01-02'", "date: 2026-01-02", "title: A: b", "title: 'A: b'", "title: \"x\"",
		"importance: 7", "status: reported", "tags:\n- a\n- b", "tags:\n  - a", "tags: []", "actors:\n- 'O''Brien'",
		"sources:\n- url: https://e.org/x\n  title: t\n  tier: 1", "sources:\n  - url: u\n    title: 'T: x'", "extra: yes",
		"n: null", "b: true", "e: ''", "w: naïve", "x: #x", "x: a #b", "x: |\n  y", "x: [a]", "x:\n  y: z\n  w:\n  - 1"}
	rng := rand.New(rand.NewSource(1))
	readN := 0
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		seen := map[string]bool{}
		for j := rng.Intn(8); j >= 0; j-- {
			p := pieces[rng.Intn(len(pieces))]
			if k := p[:strings.IndexByte(p, ':')]; !seen[k] {
				seen[k] = true
				b.WriteString(p + "\n")
				if rng.Intn(5) == 0 {
					b.WriteString("\n")
				}
			}
		}
		if checkSimpleYAML(t, b.String()) {
			readN++
		}
	}
	if readN < 300 {
		t.Errorf("read only %d of 3000 random front matters", readN)
	}
	files, _ := filepath.Glob("testdata/events/*")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if fm, _, ok := strings.Cut(strings.TrimPrefix(string(data), "---\n"), "\n---"); ok {
			checkSimpleYAML(t, fm+"\n")
		}
	}
}

// What Load makes of a front matter is the same whether the fast path reads
// it or yaml.v3 does: an event stored by foitrack reads back through it.
func TestLoadReadsStoredFrontMatterWithoutYAMLv3(t *testing.T) {
	e := New("", "2026-04-22", "Herefordshire: Taser use rises")
	e.SetTags([]string{"policing"})
	e.SetActors([]string{"Brighton campaign", "O'Brien: \"x\""})
	if err := e.SetImportance(3); err != nil {
		t.Fatal(err)
	}
	if err := e.SetSourcesYAML("- url: https://example.org/a\n  title: 'Won''t say'\n  tier: 2\n"); err != nil {
		t.Fatal(err)
	}
	_, fm, _ := e.Stored()
	if !checkSimpleYAML(t, fm) {
		t.Fatalf("the fast path leaves foitrack's own front matter to yaml.v3:\n%s", fm)
	}
}

func FuzzSimpleYAML(f *testing.F) {
	f.Add("id: a\ndate: '2026-04-22'\ntags:\n- x\n")
	f.Add("sources:\n- url: u\n  title: 'a''b'\n")
	f.Add("a:\n  b: c\nd: 12\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkSimpleYAML(t, text)
	})
}
