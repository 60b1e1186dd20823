package mailsync

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/tracker"
)

// FuzzParseMessage checks that ParseMessage never panics (its recover turns
// a panic into EINTERNAL, which fails here) and that what it returns keeps
// its promises whatever the input: valid UTF-8 text, harmless file names,
// attachment metadata that describes the content, limits respected,
// sanitised HTML.
//
// Seeds: testdata/*.eml and, when it is beside the repository, the shared
// real-world corpus (../shared/fixtures/emails). Run it with
//
//	go test -run='^$' -fuzz=FuzzParseMessage -fuzztime=3m ./mailsync/
//
// unsafeHTML returns the first piece of markup that sanitised HTML must not
// contain: a script, style or embedding element, an event handler attribute,
// a javascript: URL, an image source other than cid:. It tokenizes rather
// than matching text, so an attribute value that merely looks like markup
// is not mistaken for it.
func unsafeHTML(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "iframe", "object", "embed", "frame", "svg", "math", "form", "input", "link", "meta", "base":
				return tok.String()
			}
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"), a.Key == "style", a.Key == "srcset", a.Key == "background":
					return tok.String()
				case (a.Key == "href" || a.Key == "src") && strings.HasPrefix(v, "javascript:"):
					return tok.String()
				case tok.Data == "img" && a.Key == "src" && v != "" && !strings.HasPrefix(v, "cid:"):
					return tok.String()
				}
			}
		}
	}
}

const maxFuzzSeedBytes = 64 << 10

func FuzzParseMessage(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	shared := filepath.Join(testenv.RepoRoot(), "..", "shared", "fixtures", "emails")
	if env := os.Getenv("FOITRACK_SHARED"); env != "" {
		shared = filepath.Join(env, "fixtures", "emails")
	}
	// Seeding from the shared corpus is optional: the fuzz target must run
	// (and replay its own corpus) without it.
	if more, err := filepath.Glob(filepath.Join(shared, "*.eml")); err == nil {
		seeds = append(seeds, more...)
	}
	for _, s := range seeds {
		raw, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		// Big seeds (a 1 MB message with PDFs) add no coverage the
		// small ones lack, and make every mutation and minimisation of
		// them slow.
		if len(raw) <= maxFuzzSeedBytes {
			f.Add(raw)
		}
	}
	f.Add([]byte("From: a@b\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\n--x--\n"))
	f.Add([]byte("Subject: =?utf-7?B?K0FLTS0=?=\n\nbegin 644 x\n#86)C\n`\nend\n"))

	lim := Limits{MaxMessageBytes: 1 << 20, MaxAttachmentBytes: 1 << 16, MaxAttachments: 20}
	f.Fuzz(func(t *testing.T, raw []byte) {
		pm, err := ParseMessage(raw, lim)
		if pm == nil {
			t.Fatal("nil ParsedMessage")
		}
		if tracker.ErrorCode(err) == tracker.EINTERNAL {
			t.Fatalf("parser failure: %v %q", err, pm.Errors)
		}
		texts := []string{pm.Subject, pm.TextBody, pm.HTMLBody, pm.From.Name, pm.LimitExceeded}
		texts = append(texts, pm.Warnings...)
		texts = append(texts, pm.Errors...)
		for _, n := range pm.Nested {
			texts = append(texts, n.Subject, n.TextBody, n.HTMLBody)
		}
		for _, s := range texts {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
		}
		if strings.Contains(pm.TextBody, "\r") {
			t.Fatalf("CR left in TextBody %q", pm.TextBody)
		}
		if len(pm.Attachments) > lim.MaxAttachments {
			t.Fatalf("%d attachments over the limit of %d", len(pm.Attachments), lim.MaxAttachments)
		}
		for _, a := range pm.Attachments {
			for _, name := range []string{a.Filename, a.DisplayName()} {
				if strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") || !utf8.ValidString(name) || len(name) > 255 {
					t.Fatalf("unsafe file name %q", name)
				}
			}
			if len(a.SHA256) != 64 {
				t.Fatalf("SHA256 %q", a.SHA256)
			}
			if a.Content != nil && a.Size != int64(len(a.Content)) {
				t.Fatalf("Size %d for %d bytes of content", a.Size, len(a.Content))
			}
			if a.Content == nil && a.Size > 0 && a.LimitExceeded == "" {
				t.Fatalf("content of %q dropped without a reason", a.DisplayName())
			}
			if a.Size > lim.MaxAttachmentBytes && a.Content != nil {
				t.Fatalf("content over the limit kept")
			}
		}
		if m := unsafeHTML(pm.HTMLBody); m != "" {
			t.Fatalf("HTMLBody contains %q: %s", m, pm.HTMLBody)
		}
		reply, quoted := QuotedFolded(pm.TextBody)
		if !strings.HasPrefix(pm.TextBody, reply) || !strings.HasSuffix(pm.TextBody, quoted) {
			t.Fatalf("QuotedFolded lost text: %q + %q from %q", reply, quoted, pm.TextBody)
		}
	})
}

// TestUnsafeHTML checks the fuzz oracle itself: it must flag what the
// sanitiser removes, and pass what the sanitiser keeps.
func TestUnsafeHTML(t *testing.T) {
	for _, bad := range []string{`<script>x</script>`, `<img src="http://t.example/p.gif">`, `<a href=" JavaScript:alert(1)">x</a>`,
		`<p onclick="x">`, `<div style="x">`, `<iframe src="x">`} {
		if unsafeHTML(bad) == "" {
			t.Errorf("unsafeHTML(%q) found nothing", bad)
		}
	}
	for _, ok := range []string{`<img id=" srC=">`, `<img src="" alt="x">`, `<img src="cid:a@b">`, `<p>&lt;script&gt; onload=</p>`,
		`<a href="https://example.org" rel="nofollow">x</a>`} {
		if m := unsafeHTML(ok); m != "" {
			t.Errorf("unsafeHTML(%q) = %q", ok, m)
		}
	}
}

// FuzzClassify checks that reading a reply never panics and that what it
// proposes is well-formed whatever the text: a known kind, and exemptions
// that are in their law's catalogue, found at offsets inside the text.
// Seeds: the labelled replies. Run it with
//
//	go test -run='^$' -fuzz=FuzzClassify -fuzztime=3m ./mailsync/
func FuzzClassify(f *testing.F) {
	for _, r := range readLabelledReplies(f) {
		f.Add(r.subject, r.body, uint8(slices.IndexFunc(tracker.Laws, func(l tracker.Law) bool { return l.Code == r.law })))
	}
	known := map[ReplyKind]bool{ReplyUnknown: true}
	for _, k := range ReplyKinds {
		known[k.Kind] = true
	}
	f.Fuzz(func(t *testing.T, subject, text string, lawIndex uint8) {
		law := tracker.Laws[int(lawIndex)%len(tracker.Laws)].Code
		c := Classify(nil, subject, text, law)
		if !known[c.Kind] {
			t.Fatalf("unknown kind %q", c.Kind)
		}
		for _, e := range c.Exemptions {
			if _, ok := tracker.ExemptionByCode(e.Law, e.Code); !ok {
				t.Fatalf("proposed %s:%s, not in the catalogue", e.Law, e.Code)
			}
		}
		for _, e := range tracker.DetectExemptions(law, text) {
			if _, ok := tracker.ExemptionByCode(e.Law, e.Code); !ok || e.Offset < 0 || e.Offset >= len(text) {
				t.Fatalf("detected %s:%s at %d of %d bytes", e.Law, e.Code, e.Offset, len(text))
			}
		}
	})
}
