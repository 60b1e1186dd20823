package timeline

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/testenv"
)

// roundTrip parses every event file of dir and checks that writing it back
// in its own format gives the same bytes.
func roundTrip(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, de := range entries {
		if !IsEventFile(de.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Parse(de.Name(), data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		// Through the store's representation, as an import then export does.
		format, fm, body := ev.Stored()
		back, err := Load(format, fm, body)
		if err != nil {
			t.Fatalf("%s: %v", de.Name(), err)
		}
		_, out := back.File("")
		if !bytes.Equal(out, data) {
			t.Errorf("%s: round trip changed the file:\n%s", de.Name(), firstDiff(string(data), string(out)))
		}
		n++
	}
	return n
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n  want " + x + "\n  got  " + y
		}
	}
	return "(same lines, different bytes)"
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestRoundTripSharedExamples(t *testing.T) {
	dir := testenv.SharedDir(t, "examples/events")
	if n := roundTrip(t, dir); n < 20 {
		t.Fatalf("only %d event files round-tripped", n)
	}
}

func TestRoundTripTestdata(t *testing.T) {
	if n := roundTrip(t, "testdata/events"); n < 3 {
		t.Fatalf("only %d event files round-tripped", n)
	}
}
