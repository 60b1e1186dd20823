package mailsync

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/tracker"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustParse(t *testing.T, raw []byte, lim Limits) *ParsedMessage {
	t.Helper()
	pm, err := ParseMessage(raw, lim)
	if err != nil {
		t.Fatalf("ParseMessage: %v (errors: %q)", err, pm.Errors)
	}
	return pm
}

func TestParsePlainReply(t *testing.T) {
	pm := mustParse(t, readFixture(t, "plain-reply.eml"), Limits{})

	if pm.MessageID != "reply-1@council.example.gov.uk" {
		t.Errorf("MessageID = %q", pm.MessageID)
	}
	if want := time.Date(2026, 3, 3, 10, 14, 58, 0, time.UTC); !pm.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", pm.Date, want)
	}
	if pm.DateRaw != "Tue, 3 Mar 2026 10:14:58 +0000" {
		t.Errorf("DateRaw = %q", pm.DateRaw)
	}
	if want := (Address{Name: "Information Governance, Example Council", Address: "foi@council.example.gov.uk"}); pm.From != want {
		t.Errorf("From = %+v, want %+v", pm.From, want)
	}
	if len(pm.To) != 1 || pm.To[0] != (Address{Name: "Jane Requester", Address: "foi+k7d2q9@foitrack.example.org"}) {
		t.Errorf("To = %+v", pm.To)
	}
	if len(pm.Cc) != 1 || pm.Cc[0].Address != "records@council.example.gov.uk" {
		t.Errorf("Cc = %+v", pm.Cc)
	}
	if pm.Subject != "RE: FOI request – library opening hours" {
		t.Errorf("Subject = %q", pm.Subject)
	}
	if !slices.Equal(pm.InReplyTo, []string{"ft-2026-0001.1@foitrack.example.org"}) {
		t.Errorf("InReplyTo = %q", pm.InReplyTo)
	}
	if !slices.Equal(pm.References, []string{"ft-2026-0001.0@foitrack.example.org", "ft-2026-0001.1@foitrack.example.org"}) {
		t.Errorf("References = %q", pm.References)
	}
	if len(pm.Received) != 2 || !strings.Contains(pm.Received[0], "by imap.example.org") || !strings.Contains(pm.Received[1], "by mx.example.org") {
		t.Errorf("Received = %q, want the two hops, last hop first", pm.Received)
	}
	if got := pm.Header.Get("return-path"); got != "<foi@council.example.gov.uk>" {
		t.Errorf(`Header.Get("return-path") = %q`, got)
	}
	if pm.AutoSubmitted != "" {
		t.Errorf("AutoSubmitted = %q, want none", pm.AutoSubmitted)
	}
	if !strings.Contains(pm.TextBody, "Our reference is FOI/2026/1234.") {
		t.Errorf("quoted-printable soft break not joined: %q", pm.TextBody)
	}
	if strings.Contains(pm.TextBody, "\r") {
		t.Error("TextBody keeps CR line endings")
	}
	if len(pm.Attachments) != 0 || pm.HTMLBody != "" {
		t.Errorf("unexpected attachments %v or HTML %q", pm.Attachments, pm.HTMLBody)
	}
	if len(pm.Warnings)+len(pm.Errors) != 0 {
		t.Errorf("a well-formed message gave warnings %q, errors %q", pm.Warnings, pm.Errors)
	}

	reply, quoted := QuotedFolded(pm.TextBody)
	if !strings.HasSuffix(reply, "Information Governance Team") {
		t.Errorf("reply = %q", reply)
	}
	if !strings.HasPrefix(quoted, "On Mon, 2 Mar 2026 at 09:00, Jane Requester") || !strings.Contains(quoted, "> Please send me") {
		t.Errorf("quoted = %q", quoted)
	}
}

// tinyPDFSHA256 is the SHA-256 of the PDF in testdata/multipart-pdf.eml.
const tinyPDFSHA256 = "ad8cc6d1e3d46bf37ec67353e21beabb311a233a0c2bb1ed23a65a67c14d9495"

func TestParseMultipartPDF(t *testing.T) {
	pm := mustParse(t, readFixture(t, "multipart-pdf.eml"), Limits{})

	if !strings.Contains(pm.TextBody, "section 31(1)(a). The fee is £0.") {
		t.Errorf("TextBody = %q", pm.TextBody)
	}
	if len(pm.Attachments) != 1 {
		t.Fatalf("got %d attachments, want 1", len(pm.Attachments))
	}
	a := pm.Attachments[0]
	if a.Filename != "response.pdf" || a.DeclaredType != "application/pdf" || a.SniffedType != "application/pdf" {
		t.Errorf("attachment = %q %q %q", a.Filename, a.DeclaredType, a.SniffedType)
	}
	if a.Disposition != "attachment" || a.Inline || a.FromNested || a.Source != SourceMIME || a.PartPath != "2" {
		t.Errorf("attachment metadata = %+v", a)
	}
	if a.SHA256 != tinyPDFSHA256 || a.Size != int64(len(a.Content)) {
		t.Errorf("SHA256 = %s, Size = %d, len(Content) = %d", a.SHA256, a.Size, len(a.Content))
	}
	if !bytes.HasPrefix(a.Content, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(a.Content, []byte("%%EOF\n")) {
		t.Errorf("content is not the PDF: %q…", a.Content[:min(20, len(a.Content))])
	}
	if a.LimitExceeded != "" || a.Error != "" {
		t.Errorf("LimitExceeded %q, Error %q", a.LimitExceeded, a.Error)
	}
}

func TestParseHTMLOnlyIsSanitised(t *testing.T) {
	pm := mustParse(t, readFixture(t, "html-only-xss.eml"), Limits{})

	for _, bad := range []string{"<script", "document.cookie", "onerror", "onload", "javascript:", "tracker.example.com",
		"<iframe", "evil.example.com", "<style", "style=", "<svg", `src="x"`} {
		if strings.Contains(strings.ToLower(pm.HTMLBody), strings.ToLower(bad)) {
			t.Errorf("HTMLBody still contains %q:\n%s", bad, pm.HTMLBody)
		}
	}
	for _, good := range []string{`<b>REF-9981</b>`, `src="cid:logo@portal.example.com"`, `alt="Portal logo"`,
		`href="https://portal.example.com/requests/9981"`, "nofollow", "noreferrer", "Styled &amp; escaped"} {
		if !strings.Contains(pm.HTMLBody, good) {
			t.Errorf("HTMLBody lacks %q:\n%s", good, pm.HTMLBody)
		}
	}
	for _, want := range []string{"Your request REF-9981 has been logged.", "View your request", "Styled & escaped"} {
		if !strings.Contains(pm.TextBody, want) {
			t.Errorf("TextBody lacks %q:\n%s", want, pm.TextBody)
		}
	}
	for _, bad := range []string{"document.cookie", "Receipt", "background"} {
		if strings.Contains(pm.TextBody, bad) {
			t.Errorf("TextBody contains %q from a script, title or style:\n%s", bad, pm.TextBody)
		}
	}
}

func TestSanitizeHTMLDropsEveryRemoteImage(t *testing.T) {
	for _, in := range []string{
		`<img src="https://t.example.com/p.gif">`,
		`<img src="//t.example.com/p.gif">`,
		`<img src="data:image/png;base64,iVBORw0KGgo=">`,
		`<img src=" cid:x" onerror=alert(1)>`,
		`<IMG SRC="HTTP://T.EXAMPLE.COM/P.GIF">`,
		`<img srcset="https://t.example.com/p.gif 1x">`,
		`<input type="image" src="https://t.example.com/p.gif">`,
		`<table background="https://t.example.com/p.gif"><tr><td>x</td></tr></table>`,
	} {
		out := SanitizeHTML(in)
		if strings.Contains(strings.ToLower(out), "t.example.com") || strings.Contains(out, "data:") || strings.Contains(out, "onerror") {
			t.Errorf("SanitizeHTML(%q) = %q: a remote resource survived", in, out)
		}
	}
	if out := SanitizeHTML(`<img src="cid:part1.abc@example.com">`); !strings.Contains(out, `src="cid:part1.abc@example.com"`) {
		t.Errorf("cid: image dropped: %q", out)
	}
}

func TestParseNestedMessage(t *testing.T) {
	pm := mustParse(t, readFixture(t, "nested-rfc822.eml"), Limits{})

	if len(pm.Attachments) != 2 {
		t.Fatalf("got %d attachments, want the .eml and the CSV inside it: %+v", len(pm.Attachments), pm.Attachments)
	}
	eml, csv := pm.Attachments[0], pm.Attachments[1]
	if eml.Filename != "Library data.eml" || eml.DeclaredType != "message/rfc822" || eml.FromNested {
		t.Errorf("the .eml attachment = %+v", eml)
	}
	if !bytes.HasPrefix(eml.Content, []byte("From: Libraries <libraries@council.example.gov.uk>")) || !bytes.Contains(eml.Content, []byte("Central,09:00,20:00")) {
		t.Errorf("the .eml content is not the whole attached message: %q", eml.Content)
	}
	if csv.Filename != "hours.csv" || !csv.FromNested || csv.SniffedType != "text/csv" || csv.PartPath != "2.2" {
		t.Errorf("the CSV = %+v", csv)
	}
	if string(csv.Content) != "library,opens,closes\nCentral,09:00,20:00\nNorth,10:00,17:00\n" {
		t.Errorf("CSV content = %q", csv.Content)
	}
	if len(pm.Nested) != 1 {
		t.Fatalf("Nested = %+v", pm.Nested)
	}
	n := pm.Nested[0]
	if n.Subject != "Library data" || n.From.Address != "libraries@council.example.gov.uk" || n.MessageID != "libdata-1@council.example.gov.uk" {
		t.Errorf("nested envelope = %+v", n.Envelope)
	}
	if n.TextBody != "Hours attached." || n.AttachmentIndex != 0 || n.PartPath != "2" {
		t.Errorf("nested = %q, index %d, path %q", n.TextBody, n.AttachmentIndex, n.PartPath)
	}
	if pm.TextBody != "Forwarding the data the libraries team sent us." {
		t.Errorf("the attached message's text leaked into TextBody: %q", pm.TextBody)
	}
}

func TestParseBrokenCharset(t *testing.T) {
	pm := mustParse(t, readFixture(t, "broken-charset.eml"), Limits{})

	if pm.From != (Address{Name: "Café Owner", Address: "cafe@example.com"}) {
		t.Errorf("From = %+v", pm.From)
	}
	if pm.Subject != "Re: réponse – café “quoted”" {
		t.Errorf("Subject = %q", pm.Subject)
	}
	if pm.TextBody != "The café costs €5 – see the résumé." {
		t.Errorf("TextBody = %q", pm.TextBody)
	}
	if !containsSubstring(pm.Warnings, `unknown charset "x-no-such-charset"`) {
		t.Errorf("no warning about the unknown charset: %q", pm.Warnings)
	}
	for _, s := range append([]string{pm.Subject, pm.TextBody, pm.From.Name}, pm.Warnings...) {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 in %q", s)
		}
	}
}

func TestParseMissingHeaders(t *testing.T) {
	pm := mustParse(t, readFixture(t, "missing-headers.eml"), Limits{})

	if pm.From != (Address{}) || !pm.Date.IsZero() || pm.DateRaw != "" || pm.MessageID != "" {
		t.Errorf("absent headers were filled in: %+v", pm.Envelope)
	}
	if pm.Subject != "no sender, no date, no id" || len(pm.To) != 1 || pm.To[0].Address != "foi+zz9@foitrack.example.org" {
		t.Errorf("the fields after the malformed line were lost: %+v", pm.Envelope)
	}
	if !containsSubstring(pm.Warnings, `skipped a malformed line: "this line is not a header field"`) {
		t.Errorf("Warnings = %q", pm.Warnings)
	}
	if pm.TextBody != "Somebody sent this with half a header." {
		t.Errorf("TextBody = %q", pm.TextBody)
	}
}

func TestParseWithoutHeaderOrBlankLine(t *testing.T) {
	pm, err := ParseMessage([]byte("Subject: short\nX-Priority: 1\nHello there,\nthe letter.\n"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if pm.Subject != "short" || pm.Header.Get("X-Priority") != "1" || pm.TextBody != "Hello there,\nthe letter." {
		t.Errorf("a body without a blank line before it: subject %q, body %q", pm.Subject, pm.TextBody)
	}

	pm, err = ParseMessage([]byte("just some text\nwith no header\n"), Limits{})
	if tracker.ErrorCode(err) != tracker.EINVALID {
		t.Errorf("no header: err = %v, want EINVALID", err)
	}
	if pm == nil || pm.TextBody != "just some text\nwith no header" || len(pm.Errors) == 0 {
		t.Errorf("no header: the text must still be returned, with an error: %+v", pm)
	}

	for _, raw := range [][]byte{nil, []byte("\r\n\r\n")} {
		pm, err = ParseMessage(raw, Limits{})
		if tracker.ErrorCode(err) != tracker.EINVALID || pm == nil {
			t.Errorf("ParseMessage(%q) = %v, %v; want a message and EINVALID", raw, pm, err)
		}
	}
}

func TestParseEvilFilenames(t *testing.T) {
	pm := mustParse(t, readFixture(t, "evil-filenames.eml"), Limits{})

	var names []string
	for _, a := range pm.Attachments {
		names = append(names, a.Filename)
		for _, n := range []string{a.Filename, a.DisplayName()} {
			if strings.ContainsAny(n, `/\`) || strings.HasPrefix(n, ".") || filepath.Base(n) != n || strings.ContainsRune(n, '\u202e') {
				t.Errorf("filename %q is not a harmless display name", n)
			}
		}
	}
	if want := []string{"passwd", "win.ini", "report.fdp.exe"}; !slices.Equal(names, want) {
		t.Errorf("filenames = %q, want %q", names, want)
	}
	if string(pm.Attachments[0].Content) != "root:x:0:0:root:/root:/bin/bash\n" {
		t.Errorf("content = %q", pm.Attachments[0].Content)
	}
}

func TestSanitizeFilename(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\x\Desktop\Reply.docx`, "Reply.docx"},
		{"..", ""},
		{"/", ""},
		{".htaccess", "htaccess"},
		{"a\x00b\nc.txt", "abc.txt"},
		{"  many   spaces .pdf ", "many spaces .pdf"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{strings.Repeat("ü", 200) + ".pdf", strings.Repeat("ü", 125) + ".pdf"},
	} {
		if got := SanitizeFilename(tc.in); got != tc.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	raw := readFixture(t, "multipart-pdf.eml")

	t.Run("message over the limit keeps its header", func(t *testing.T) {
		pm, err := ParseMessage(raw, Limits{MaxMessageBytes: 500})
		if tracker.ErrorCode(err) != tracker.ETOOLARGE {
			t.Fatalf("err = %v, want ETOOLARGE", err)
		}
		if pm.Subject != "Partial release - FOI 2026/77" || pm.MessageID != "partial-77@police.example.gov.uk" {
			t.Errorf("header not parsed: %+v", pm.Envelope)
		}
		if !strings.Contains(pm.LimitExceeded, fmt.Sprintf("message is %d bytes, over the limit of 500 bytes", len(raw))) {
			t.Errorf("LimitExceeded = %q", pm.LimitExceeded)
		}
		if pm.TextBody != "" || len(pm.Attachments) != 0 {
			t.Error("the body of an over-limit message was parsed")
		}
	})

	t.Run("attachment over the limit is listed without content", func(t *testing.T) {
		pm := mustParse(t, raw, Limits{MaxAttachmentBytes: 100})
		if len(pm.Attachments) != 1 {
			t.Fatalf("got %d attachments, want 1", len(pm.Attachments))
		}
		a := pm.Attachments[0]
		if a.Content != nil || !strings.Contains(a.LimitExceeded, "over the limit of 100 bytes") {
			t.Errorf("Content kept (%d bytes) or LimitExceeded = %q", len(a.Content), a.LimitExceeded)
		}
		if a.SHA256 != tinyPDFSHA256 || a.Size < 100 || a.SniffedType != "application/pdf" || a.Filename != "response.pdf" {
			t.Errorf("an over-limit attachment must keep its metadata: %+v", a)
		}
		if pm.LimitExceeded != "" {
			t.Errorf("message LimitExceeded = %q for an attachment limit", pm.LimitExceeded)
		}
	})

	t.Run("attachments past the count limit are counted", func(t *testing.T) {
		pm := mustParse(t, readFixture(t, "nested-rfc822.eml"), Limits{MaxAttachments: 1})
		if len(pm.Attachments) != 1 || pm.Attachments[0].Filename != "Library data.eml" {
			t.Errorf("attachments = %+v", pm.Attachments)
		}
		if !strings.Contains(pm.LimitExceeded, "1 more attachments than the limit of 1") {
			t.Errorf("LimitExceeded = %q", pm.LimitExceeded)
		}
	})
}

func TestParseBoundsHostileNesting(t *testing.T) {
	// 200 nested multiparts: parsed to the depth bound, without a panic
	// or a stack blow-up, and with an error saying so.
	var b strings.Builder
	b.WriteString("From: a@example.com\nSubject: deep\n")
	for i := range 200 {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\n\ndeepest\n")
	pm, err := ParseMessage([]byte(b.String()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !containsSubstring(pm.Errors, "nested more than") {
		t.Errorf("Errors = %q", pm.Errors)
	}
}

// uuencode encodes data like uuencode(1), for the tests.
func uuencode(name string, data []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "begin 644 %s\n", name)
	enc := func(v byte) byte {
		if v == 0 {
			return '`'
		}
		return v + 32
	}
	for len(data) > 0 {
		n := min(45, len(data))
		line := data[:n]
		data = data[n:]
		b.WriteByte(byte(n) + 32)
		for i := 0; i < n; i += 3 {
			var c [3]byte
			copy(c[:], line[i:min(i+3, n)])
			b.WriteByte(enc(c[0] >> 2))
			b.WriteByte(enc((c[0]<<4 | c[1]>>4) & 63))
			b.WriteByte(enc((c[1]<<2 | c[2]>>6) & 63))
			b.WriteByte(enc(c[2] & 63))
		}
		b.WriteByte('\n')
	}
	b.WriteString("`\nend\n")
	return b.String()
}

func TestParseUUEncoded(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	doc := make([]byte, 1000)
	for i := range doc {
		doc[i] = byte(rng.IntN(256))
	}
	small := []byte("Happy today, for to be one of peace and serene time.\n")
	raw := "From: foi@example.gov.uk\nSubject: response\n\nPlease see attached.\n\n" +
		uuencode("Response 12.doc", doc) + "\nRegards,\nFOI\n" + uuencode("../notes.txt", small)

	pm := mustParse(t, []byte(raw), Limits{})
	if len(pm.Attachments) != 2 {
		t.Fatalf("got %d attachments, want 2: %+v", len(pm.Attachments), pm.Attachments)
	}
	for i, want := range []struct {
		name string
		data []byte
	}{{"Response 12.doc", doc}, {"notes.txt", small}} {
		a := pm.Attachments[i]
		if a.Filename != want.name || !bytes.Equal(a.Content, want.data) || a.Source != SourceUUEncode || a.Error != "" {
			t.Errorf("attachment %d = %q (%d bytes, source %s, error %q), want %q (%d bytes)", i, a.Filename, len(a.Content), a.Source, a.Error, want.name, len(want.data))
		}
	}
	if pm.TextBody != "Please see attached.\n\n\nRegards,\nFOI" {
		t.Errorf("uuencoded blocks not cut out of the text: %q", pm.TextBody)
	}

	// Lines shorter than declared and a missing end line are decoded as far
	// as they go and reported.
	broken := "From: a@example.com\n\nbegin 644 cut.bin\n" + "M" + strings.Repeat("!", 40) + "\n"
	pm = mustParse(t, []byte(broken), Limits{})
	if len(pm.Attachments) != 1 || pm.Attachments[0].Size != 45 || !strings.Contains(pm.Attachments[0].Error, "no end line") ||
		!strings.Contains(pm.Attachments[0].Error, "shorter than declared") {
		t.Errorf("broken uuencode: %+v", pm.Attachments)
	}
}

// tnefAttr encodes one TNEF attribute.
func tnefAttr(level byte, id uint32, data []byte) []byte {
	b := []byte{level}
	b = binary.LittleEndian.AppendUint32(b, id)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	var sum uint16
	for _, c := range data {
		sum += uint16(c)
	}
	return binary.LittleEndian.AppendUint16(b, sum)
}

// tnefLongName encodes an attAttachment MAPI property list holding
// PR_ATTACH_LONG_FILENAME as a Unicode string, after a PT_LONG property.
func tnefLongName(name string) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, 2) // two properties
	b = binary.LittleEndian.AppendUint16(b, 0x0003)
	b = binary.LittleEndian.AppendUint16(b, 0x0E21) // PR_ATTACH_NUM, PT_LONG
	b = binary.LittleEndian.AppendUint32(b, 7)
	b = binary.LittleEndian.AppendUint16(b, ptUnicode)
	b = binary.LittleEndian.AppendUint16(b, prAttachLongFilename)
	b = binary.LittleEndian.AppendUint32(b, 1) // one value
	var s []byte
	for _, u := range utf16.Encode([]rune(name + "\x00")) {
		s = binary.LittleEndian.AppendUint16(s, u)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	b = append(b, s...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func buildTNEF(doc, sheet []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x223E9F78)
	b = binary.LittleEndian.AppendUint16(b, 0x0001)
	b = append(b, tnefAttr(0x01, 0x00089006, []byte{0, 0, 1, 0})...) // TNEF version, message level
	b = append(b, tnefAttr(0x02, 0x00069002, make([]byte, 14))...)
	b = append(b, tnefAttr(0x02, 0x00018010, []byte("REFUSA~1.DOC\x00"))...)
	b = append(b, tnefAttr(0x02, 0x0006800F, doc)...)
	b = append(b, tnefAttr(0x02, 0x00069005, tnefLongName("Refusal notice – FOI 77.doc"))...)
	b = append(b, tnefAttr(0x02, 0x00069002, make([]byte, 14))...)
	b = append(b, tnefAttr(0x02, 0x00018010, []byte("data.xls\x00"))...)
	b = append(b, tnefAttr(0x02, 0x0006800F, sheet)...)
	return b
}

func TestParseTNEF(t *testing.T) {
	doc := append(slices.Clone(oleMagic), []byte("a word document")...)
	sheet := append(slices.Clone(oleMagic), []byte("a spreadsheet")...)
	winmail := buildTNEF(doc, sheet)
	raw := "From: foi@example.gov.uk\nSubject: refusal\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n" +
		"--x\nContent-Type: text/plain\n\nSee attached.\n--x\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n" +
		"Content-Transfer-Encoding: base64\n\n" + base64.StdEncoding.EncodeToString(winmail) + "\n--x--\n"

	pm := mustParse(t, []byte(raw), Limits{})
	if len(pm.Attachments) != 3 {
		t.Fatalf("got %d attachments, want winmail.dat and the 2 files in it: %+v", len(pm.Attachments), pm.Attachments)
	}
	w := pm.Attachments[0]
	if w.Filename != "winmail.dat" || !bytes.Equal(w.Content, winmail) || w.SniffedType != "application/vnd.ms-tnef" {
		t.Errorf("winmail.dat = %+v", w)
	}
	for i, want := range []struct {
		name, sniffed string
		data          []byte
	}{{"Refusal notice – FOI 77.doc", "application/msword", doc}, {"data.xls", "application/vnd.ms-excel", sheet}} {
		a := pm.Attachments[i+1]
		if a.Filename != want.name || a.SniffedType != want.sniffed || !bytes.Equal(a.Content, want.data) || a.Source != SourceTNEF {
			t.Errorf("TNEF file %d = %q %s %q (%s), want %q %s %q", i, a.Filename, a.SniffedType, a.Content, a.Source, want.name, want.sniffed, want.data)
		}
	}

	// A truncated stream yields the files before the damage and an error.
	files, _, err := parseTNEF(winmail[:len(winmail)-10])
	if err == nil || len(files) != 2 || files[0].name != "Refusal notice – FOI 77.doc" || files[1].data != nil {
		t.Errorf("truncated TNEF: %v, %+v", err, files)
	}
	for n := range len(winmail) {
		parseTNEF(winmail[:n]) // must not panic at any cut
	}
}

func TestQuotedFolded(t *testing.T) {
	for _, tc := range []struct {
		name, text, reply string
	}{
		{"on wrote", "Thanks.\n\nOn Mon, 2 Mar 2026, Jane <j@example.org> wrote:\n> hi", "Thanks."},
		{"on wrote wrapped", "Thanks.\n\nOn Mon, 2 Mar 2026 at 09:00, Jane Requester\n<j@example.org> wrote:\n> hi", "Thanks."},
		{"original message", "See below.\n\n-----Original Message-----\nFrom: x\nquestion", "See below."},
		{"outlook block", "Answer.\n\nFrom: Jane [mailto:j@example.org]\nSent: 02 March 2026 09:00\nTo: FOI\nSubject: Request\n\nquestion", "Answer."},
		{"outlook rule", "Answer.\n________________________________\nFrom: Jane\nSent: Monday\nquestion", "Answer."},
		{"lotus notes", "Regards\n\n\nJane Requester <j@example.org>\n02/03/2026 09:00\nPlease respond to\nquestion", "Regards"},
		{"trailing quote block", "Yes.\n\nJane wrote:\n> question\n>\n> more", "Yes."},
		{"trailing quote, no attribution", "Yes.\n> question", "Yes."},
	} {
		reply, quoted := QuotedFolded(tc.text)
		if reply != tc.reply || quoted == "" {
			t.Errorf("%s: reply = %q, quoted = %q; want reply %q", tc.name, reply, quoted, tc.reply)
		}
		if !strings.HasPrefix(tc.text, reply) || !strings.HasSuffix(tc.text, quoted) {
			t.Errorf("%s: reply and quoted must be the text's head and tail", tc.name)
		}
	}
	for _, text := range []string{
		"Dear Jane,\n\nNo history here.\n\nRegards",
		"> q1\nanswer 1\n> q2\nanswer 2", // interleaved answers stay visible
		"The form asks: From: and Sent: dates.\nNothing quoted.",
	} {
		if reply, quoted := QuotedFolded(text); reply != text || quoted != "" {
			t.Errorf("QuotedFolded(%q) folded %q", text, quoted)
		}
	}
}

func TestDecodeHeaderText(t *testing.T) {
	for _, tc := range []struct{ in, hint, want string }{
		{"plain", "", "plain"},
		{"=?ISO-8859-1?Q?Caf=E9_cr=E8me?=", "", "Café crème"},
		{"=?utf-8?B?4oCc?= =?utf-8?B?aGk=?=", "", "“hi"},                  // white space between words is dropped
		{"=?UTF-8?B?w6k=?= x", "", "é x"},                                 // but not between a word and text
		{"=?UTF-8?B?4oC=?= =?UTF-8?B?mA==?=", "", "‘"},                    // a character split across two words
		{"=?UTF-8?Q?hello=F0=?=", "", "hello\uFFFD"},                      // broken trailing quoted-printable
		{"=?utf-7?b?VmErQVdFLWUgcCtBVmstZXZ6YXRh?=", "", "Vaše převzata"}, // UTF-7
		{"=?x-bogus?Q?na=EFve?=", "", "naïve"},                            // unknown charset: windows-1252
		{"caf\xe9", "", "café"},                                           // raw 8-bit
		{"\xc8\xce\xc0\xd6", "gb2312", "任乐"},                              // raw 8-bit in the hinted charset
		{"=?GB2312?B?yM7A1svJ?=", "", "任乐松"},
	} {
		if got := decodeHeaderText(tc.in, tc.hint); got != tc.want {
			t.Errorf("decodeHeaderText(%q, %q) = %q, want %q", tc.in, tc.hint, got, tc.want)
		}
	}
}

func TestDecodeCharset(t *testing.T) {
	for _, tc := range []struct {
		in, label, want string
		warns           bool
	}{
		{"na\xefve \x96 \x93q\x94", "iso-8859-1", "naïve – “q”", false}, // Latin-1 read as windows-1252
		{"na\xc3\xafve", "iso-8859-1", "naïve", true},                   // mislabelled UTF-8
		{"\xe4\xf6\xfc", "", "äöü", true},                               // unlabelled 8-bit
		{"ok \xff", "utf-8", "ok \uFFFD", true},                         // invalid UTF-8
		{"Hi +AKM-1 +- 2", "unicode-1-1-utf-7", "Hi £1 + 2", false},     // UTF-7
		{"\xd0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "привет", false},         // a real single-byte charset
		{"text", "no-such-charset", "text", true},
	} {
		got, warn := decodeCharset([]byte(tc.in), tc.label, "")
		if got != tc.want || (warn != "") != tc.warns {
			t.Errorf("decodeCharset(%q, %q) = %q, %q; want %q (warning: %v)", tc.in, tc.label, got, warn, tc.want, tc.warns)
		}
	}
}

func TestDecodeTransferLenient(t *testing.T) {
	got, problem := decodeTransfer("base64", []byte("aGVs\nbG8g\r\nd29y bGQ"))
	if string(got) != "hello world" || problem != "" {
		t.Errorf("base64 without padding = %q, %q", got, problem)
	}
	got, problem = decodeTransfer("BASE64", []byte("aGVs*bG8="))
	if string(got) != "hello" || !strings.Contains(problem, "outside the alphabet") {
		t.Errorf("base64 with junk = %q, %q", got, problem)
	}
	got, problem = decodeTransfer("quoted-printable", []byte("caf=E9=\r\nbar =3D x=ZZ y= \nz="))
	if string(got) != "caf\xe9bar = x=ZZ yz" || problem != "" {
		t.Errorf("quoted-printable = %q, %q", got, problem)
	}
	got, problem = decodeTransfer("x-gzip64", []byte("data"))
	if string(got) != "data" || !strings.Contains(problem, "unknown Content-Transfer-Encoding") {
		t.Errorf("unknown encoding = %q, %q", got, problem)
	}
}

func TestSniffType(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
	for _, tc := range []struct {
		content        []byte
		filename, want string
	}{
		{[]byte("%PDF-1.7\n"), "reply.pdf", "application/pdf"},
		{[]byte("%PDF-1.7\n"), "reply.doc", "application/pdf"}, // the bytes win over the name
		{append(slices.Clone(oleMagic), 0, 0), "old.doc", "application/msword"},
		{append(slices.Clone(oleMagic), 0, 0), "old.xls", "application/vnd.ms-excel"},
		{append(slices.Clone(oleMagic), 0, 0), "old.pdf", "application/x-ole-storage"},
		{zip, "data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{zip, "archive.zip", "application/zip"},
		{[]byte("a,b\n1,2\n"), "data.csv", "text/csv"},
		{[]byte("a,b\n1,2\n"), "data.exe", "text/plain"},
		{nil, "empty.txt", ""},
	} {
		if got := SniffType(tc.content, tc.filename); got != tc.want {
			t.Errorf("SniffType(%q, %q) = %q, want %q", tc.content, tc.filename, got, tc.want)
		}
	}
}

func containsSubstring(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// corpusAttachment is what TestParseSharedCorpus expects of one attachment:
// its display name, and where it was found.
type corpusAttachment struct {
	name   string
	source string // "" for SourceMIME
	nested bool
}

// corpusAttachments lists, for every message of the shared corpus
// (../shared/fixtures/emails), the attachments it holds, in order. It was
// built by reading the messages (their Content-Type/Content-Disposition
// headers, "begin 644" lines and winmail.dat parts), not from the parser's
// output: a message missing here fails the test, so the table grows with
// the corpus.
var corpusAttachments = map[string][]corpusAttachment{
	"apple-mail-with-attachments.eml":                   {{name: "2013-040 Decision.pdf"}, {name: "2013-040 Decision.pdf.zip"}, {name: "FOI Review Rights.pdf"}},
	"autoresponse-header.eml":                           nil,
	"document-pdf.eml":                                  {{name: "tiny-example.pdf"}},
	"dos-linebreaks.eml":                                nil,
	"empty-return-path.eml":                             nil,
	"forward-quoting-example-2.eml":                     nil,
	"humberside-police-odd-mime-type.eml":               {{name: "1LIPu0-0004fc-FM"}},
	"incoming-request-attach-attachments.eml":           {{name: "incoming-request-two-same-name.email"}, {name: "hello.txt", nested: true}, {name: "hello.txt", nested: true}},
	"incoming-request-attachment-unknown-extension.eml": {{name: "hello.qwglhm"}},
	"incoming-request-bad-uuencoding-2.eml":             {{name: "ResponseT5741 15.doc", source: SourceUUEncode}},
	"incoming-request-empty.eml":                        nil,
	"incoming-request-oft-attachments.eml":              {{name: "test.oft"}},
	"incoming-request-plain.eml":                        nil,
	"incoming-request-tnef-attachments.eml":             {{name: "attachment-2.dat"}, {name: "FOI 09-02976i.doc", source: SourceTNEF}, {name: "FOI 09-02976iii.doc", source: SourceTNEF}},
	"incoming-request-two-same-name.eml":                {{name: "hello-world.txt"}, {name: "hello-world.txt"}},
	"inline-uuencode.eml":                               {{name: "ResponseT7363 9.doc", source: SourceUUEncode}},
	"iso8859_2_raw_email.eml":                           nil,
	"lotus-notes-quoting.eml":                           nil,
	"many-attachments-date-header.eml": {
		{name: "attachment-2.eml"},
		{name: "attachment-3.eml"}, {name: "image001.gif", nested: true}, {name: "participant list.xls", nested: true},
		{name: "attachment-4.eml"},
		{name: "attachment-5.eml"}, {name: "image001.gif", nested: true}, {name: "Participant List.doc", nested: true}, {name: "Information & Booking Form.doc", nested: true},
		{name: "attachment-6.eml"},
		{name: "attachment-7.eml"}, {name: "image001.gif", nested: true},
		{name: "attachment-8.eml"},
		{name: "attachment-9.eml"}, {name: "Information Pack.pdf", nested: true},
		{name: "attachment-10.eml"},
	},
	"mislabelled-as-iso-8859-1.eml":                   nil,
	"multipart-unicode-unix-endings.eml":              nil,
	"multiple-unquoted-display-names.eml":             nil,
	"no-body.eml":                                     {{name: "test.xlsx"}},
	"no-part-charset-bad-utf8.eml":                    nil,
	"non-utf8-filename.eml":                           {{name: "RV %A312000 or more.xls"}, {name: "other.xls"}},
	"normal-contact-reply.eml":                        nil,
	"pro-contact-reply.eml":                           nil,
	"quoted-subject-iso8859-1.eml":                    {{name: "image001.png"}},
	"raw_email_2.eml":                                 nil,
	"raw_email_3.eml":                                 nil,
	"raw_email_5.eml":                                 nil,
	"rfc822-attachment.eml":                           {{name: "attachment-2.eml"}},
	"simple-uuencoded-attachment.eml":                 {{name: "Happy.txt", source: SourceUUEncode}},
	"space-boundary.eml":                              {{name: "Mr Gradwick.pdf"}},
	"subject-bad-utf-8-trailing-quoted-printable.eml": nil,
	"tnef-attachment-empty.eml":                       {{name: "winmail.dat"}},
	"track-response-abcmail-oof.eml":                  nil,
	"track-response-exchange-oof-1.eml":               nil,
	"track-response-generic-oof.eml":                  nil,
	"track-response-lotus-oof-1.eml":                  nil,
	"track-response-messagelabs-oof-1.eml":            nil,
	"track-response-ms-bounce.eml":                    {{name: "attachment-1-2.txt"}, {name: "attachment-1-3.eml"}, {name: "AVG certification.txt", nested: true}, {name: "AVG certification.txt"}},
	"track-response-outlook-oof.eml":                  nil,
	"track-response-webshield-bounce.eml":             nil,
	"utf-7-conversion.eml":                            {{name: "attachment-2.txt"}, {name: "attachment-3.eml"}},
	"utf-7-subject.eml":                               {{name: "smime.p7s"}},
}

// corpusSubjects checks the decoding of a few corpus subjects and bodies
// that exercise charsets.
var corpusText = map[string]struct{ subject, bodyContains string }{
	"utf-7-subject.eml":                               {"Vaše emailová zpráva byla převzata", "Evidenn slo: 16-8959/NKU"},
	"mislabelled-as-iso-8859-1.eml":                   {"some FOI request", "DASH NEXT – REQUEST"},
	"no-part-charset-bad-utf8.eml":                    {"任乐松", "贵公司负责人"},
	"quoted-subject-iso8859-1.eml":                    {"Câmara Responde:  Banco de ideias", "Documentação"},
	"subject-bad-utf-8-trailing-quoted-printable.eml": {"hello\uFFFD", "Hello, this is the text of the email."},
	"iso8859_2_raw_email.eml":                         {"RE: Freedom of Information request - Sasia e pulave të importuara gjatë vitit 2010", "Faleminderit"},
	"multipart-unicode-unix-endings.eml":              {"", "The ellipsis is unicode…"},
}

func TestParseSharedCorpus(t *testing.T) {
	dir := testenv.SharedDir(t, "fixtures/emails")
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .eml files in %s (%v)", dir, err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			pm, err := ParseMessage(raw, Limits{})
			if tracker.ErrorCode(err) == tracker.EINTERNAL || containsSubstring(pm.Errors, "internal parser error") {
				t.Fatalf("the parser failed: %v %q", err, pm.Errors)
			}
			var got []corpusAttachment
			for _, a := range pm.Attachments {
				src := a.Source
				if src == SourceMIME {
					src = ""
				}
				got = append(got, corpusAttachment{name: a.DisplayName(), source: src, nested: a.FromNested})
				if len(a.SHA256) != 64 {
					t.Errorf("%s: SHA256 %q", a.DisplayName(), a.SHA256)
				}
				if want := sha256.Sum256(a.Content); a.LimitExceeded == "" && (a.Size != int64(len(a.Content)) || a.SHA256 != hex.EncodeToString(want[:])) {
					t.Errorf("%s: Size/SHA256 do not describe Content", a.DisplayName())
				}
			}
			want, known := corpusAttachments[name]
			if !known {
				t.Fatalf("%s is not in corpusAttachments; read the message and add what it holds (the parser found %+v)", name, got)
			}
			if !slices.Equal(got, want) {
				t.Errorf("attachments:\n got  %+v\n want %+v", got, want)
			}
			if tc, ok := corpusText[name]; ok {
				if pm.Subject != tc.subject {
					t.Errorf("Subject = %q, want %q", pm.Subject, tc.subject)
				}
				if !strings.Contains(pm.TextBody, tc.bodyContains) {
					t.Errorf("TextBody lacks %q:\n%s", tc.bodyContains, pm.TextBody)
				}
			}
			for _, s := range append([]string{pm.Subject, pm.TextBody, pm.HTMLBody, pm.From.Name}, pm.Warnings...) {
				if !utf8.ValidString(s) {
					t.Errorf("invalid UTF-8: %q", truncate(s, 60))
				}
			}
		})
	}
}

// Sanitised HTML is balanced: what it opens it closes, and closing tags it
// never opened are dropped, so inline in a page it cannot swallow or close
// what comes after it.
func TestSanitizeHTMLBalances(t *testing.T) {
	for in, want := range map[string]string{
		"<table><tr><td><b>open":                 "<table><tbody><tr><td><b>open</b></td></tr></tbody></table>",
		"<p>x</p></div></div></section></main>y": "<p>x</p>y",
		"<b>bold <i>both</b> italic":             "<b>bold <i>both</i></b><i> italic</i>",
		"<ul><li>one<li>two":                     "<ul><li>one</li><li>two</li></ul>",
	} {
		if got := SanitizeHTML(in); got != want {
			t.Errorf("SanitizeHTML(%q) = %q, want %q", in, got, want)
		}
	}
}
