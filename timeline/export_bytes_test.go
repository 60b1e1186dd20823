package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// str writes runs of plain characters at once: the same bytes as writing
// each character by itself (strByRune, as it was), invalid UTF-8 and all.
func TestJSONStringByRuns(t *testing.T) {
	strByRune := func(w jsonWriter, s string) string {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range s {
			switch {
			case r == '"':
				b.WriteString(`\"`)
			case r == '\\':
				b.WriteString(`\\`)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\r':
				b.WriteString(`\r`)
			case r == '\t':
				b.WriteString(`\t`)
			case r == '\b':
				b.WriteString(`\b`)
			case r == '\f':
				b.WriteString(`\f`)
			case r < 0x20 || r == 0x7f && w.ensureASCII:
				fmt.Fprintf(&b, `\u%04x`, r)
			case r >= 0x80 && w.ensureASCII:
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(&b, `\u%04x`, r)
				}
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		return b.String()
	}
	alphabet := []string{"a", " ", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\x01", "\x7f", "é", "—", "😀", "\xff", "\xe2\x80", "\ufffd", "/"}
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 5000; i++ {
		var s strings.Builder
		for j := rng.Intn(12); j > 0; j-- {
			s.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		for _, w := range []jsonWriter{{}, {ensureASCII: true}} {
			var b bytes.Buffer
			w.str(&b, s.String())
			if want := strByRune(w, s.String()); b.String() != want {
				t.Fatalf("%q (ascii %v): %q, want %q", s.String(), w.ensureASCII, b.String(), want)
			}
		}
	}
}

// A TimelineJS slide is written as json.MarshalIndent wrote it, every
// field empty or not, strings of every kind.
func TestSlideJSONIsMarshalIndent(t *testing.T) {
	alphabet := []string{"a", " ", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\x01", "\x7f", "<", ">", "&", "é", "—",
		"\u2028", "\u2029", "😀", "\xff", "\xe2\x80", "\ufffd", "/", "'"}
	rng := rand.New(rand.NewSource(3))
	str := func() string {
		if rng.Intn(3) == 0 {
			return ""
		}
		var s strings.Builder
		for j := rng.Intn(10); j >= 0; j-- {
			s.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		return s.String()
	}
	for i := 0; i < 3000; i++ {
		s := TJSSlide{Text: TJSText{Headline: str(), Text: str()}, Group: str(), UniqueID: str(), DisplayDate: str(),
			Importance: rng.Intn(3) - 1, FoitrackLink: str()}
		if rng.Intn(4) > 0 {
			s.StartDate = &TJSDate{Year: str(), Month: str(), Day: str()}
		}
		for j := rng.Intn(3); j > 0; j-- {
			s.Tags = append(s.Tags, str())
		}
		if rng.Intn(5) == 0 {
			s.Tags = []string{}
		}
		want, err := json.MarshalIndent(s, "    ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := s.appendIndented(nil); string(got) != string(want) {
			t.Fatalf("%#v:\n%s\nwant\n%s", s, got, want)
		}
	}
}
