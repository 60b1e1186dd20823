package mailsync

import (
	"encoding/base64"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/tracker"
)

// The two examples of MS-OXRTFCP section 3.1: one with a back-reference into
// the initial dictionary, one with a run that overlaps what it copies.
func TestDecompressRTFSpecExamples(t *testing.T) {
	for _, tc := range []struct {
		comp []byte
		want string
	}{
		{[]byte{0x2d, 0, 0, 0, 0x2b, 0, 0, 0, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70,
			0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64,
			0x7d, 0x0a, 0x80, 0x0f, 0xa0}, "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"},
		{[]byte{0x1a, 0, 0, 0, 0x1c, 0, 0, 0, 0x4c, 0x5a, 0x46, 0x75, 0xe2, 0xd4, 0x4b, 0x51, 0x41, 0x00, 0x04, 0x20, 0x57, 0x58, 0x59,
			0x5a, 0x0d, 0x6e, 0x7d, 0x01, 0x0e, 0xb0}, "{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}"},
	} {
		got, err := decompressRTF(tc.comp)
		if err != nil || string(got) != tc.want {
			t.Errorf("decompressRTF = %q, %v; want %q", got, err, tc.want)
		}
		for n := range len(tc.comp) {
			decompressRTF(tc.comp[:n]) // must not panic at any cut
		}
	}
	if _, err := decompressRTF([]byte{0x10, 0, 0, 0, 0x20, 0, 0, 0, 'X', 'X', 'X', 'X', 0, 0, 0, 0}); err == nil {
		t.Error("an unknown compression type must be an error")
	}
}

func TestRTFToText(t *testing.T) {
	text, html := rtfToText([]byte("{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}{\\colortbl;\\red0\\green0\\blue0;}" +
		"\\pard Dear Ms O\\'92Brien,\\par\\par The names are exempt under section 40(2) \\u8211? personal data.\\par{\\*\\generator Riched20;}Regards\\par}"))
	if want := "Dear Ms O’Brien,\n\nThe names are exempt under section 40(2) – personal data.\nRegards"; text != want || html != "" {
		t.Errorf("rtfToText = %q (html %q), want %q", text, html, want)
	}
	// Outlook's HTML wrapped in RTF: the HTML comes back, and text read from it.
	text, html = rtfToText([]byte("{\\rtf1\\ansi\\fbidis\\ansicpg1252\\deff0\\fromhtml1{\\fonttbl{\\f0 Arial;}}" +
		"{\\*\\htmltag19 <html>}{\\*\\htmltag50 <body>}\\htmlrtf {\\htmlrtf0 {\\*\\htmltag64 <p>}Withheld under s.43(2).\\htmlrtf\\par\\htmlrtf0{\\*\\htmltag72 </p>}\\htmlrtf }\\htmlrtf0 {\\*\\htmltag58 </body>}}"))
	if !strings.Contains(text, "Withheld under s.43(2).") || strings.Contains(text, "htmltag") || !strings.Contains(html, "<p>Withheld under s.43(2).") {
		t.Errorf("HTML in RTF: text %q, html %q", text, html)
	}
}

// buildTNEFOnlyReply makes a reply whose only part is winmail.dat, its body
// in PR_RTF_COMPRESSED (compressed with literal runs only, which MS-OXRTFCP
// allows), as Outlook sends when set to rich text.
func buildTNEFOnlyReply(rtf string) []byte {
	comp := lzfuLiterals([]byte(rtf))
	var props []byte
	props = binary.LittleEndian.AppendUint32(props, 1)
	props = binary.LittleEndian.AppendUint16(props, ptBinary)
	props = binary.LittleEndian.AppendUint16(props, prRTFCompressed)
	props = binary.LittleEndian.AppendUint32(props, 1)
	props = binary.LittleEndian.AppendUint32(props, uint32(len(comp)))
	props = append(props, comp...)
	for len(props)%4 != 0 {
		props = append(props, 0)
	}
	b := binary.LittleEndian.AppendUint32(nil, 0x223E9F78)
	b = binary.LittleEndian.AppendUint16(b, 0x0001)
	b = append(b, tnefAttr(0x01, 0x00089006, []byte{0, 0, 1, 0})...)
	b = append(b, tnefAttr(0x01, 0x00069003, props)...)
	enc := base64.StdEncoding.EncodeToString(b)
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	lines = append(lines, enc)
	return []byte("From: Information Rights <foi@fenwick.police.uk>\r\nTo: foi+r9t1@foitrack.example.org\r\n" +
		"Subject: FOI 2026/0091 - response\r\nDate: Tue, 31 Mar 2026 10:12:00 +0100\r\nMessage-ID: <tnef-only-1@fenwick.police.uk>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n" +
		"Content-Disposition: attachment; filename=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		strings.Join(lines, "\r\n") + "\r\n")
}

// lzfuLiterals compresses data with MS-OXRTFCP using literal runs only, then
// the end marker (a reference to the write position).
func lzfuLiterals(data []byte) []byte {
	var body []byte
	wp := len(rtfPrebuf)
	for i := 0; i < len(data); i += 8 {
		end := min(i+8, len(data))
		control := byte(0)
		if end-i < 8 {
			control = 1 << (end - i) // the end marker follows the last literal
		}
		body = append(body, control)
		body = append(body, data[i:end]...)
		wp = (wp + end - i) % 4096
		if end-i < 8 {
			body = append(body, byte(wp>>4), byte(wp<<4))
		}
	}
	if len(data)%8 == 0 {
		body = append(body, 1)
		body = append(body, byte(wp>>4), byte(wp<<4))
	}
	h := binary.LittleEndian.AppendUint32(nil, uint32(len(body)+12))
	h = binary.LittleEndian.AppendUint32(h, uint32(len(data)))
	h = binary.LittleEndian.AppendUint32(h, rtfCompressed)
	h = binary.LittleEndian.AppendUint32(h, 0) // CRC, not checked on reading
	return append(h, body...)
}

const tnefRefusalRTF = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}{\\colortbl;\\red0\\green0\\blue0;}" +
	"\\pard\\f0\\fs20 Our ref: FOI 2026/0091\\par\\par Dear Requester,\\par\\par " +
	"Fenwick Police holds the information you asked for. It is withheld in full, as sections 31(1)(a) (law enforcement) and 40(2) (personal information) of the Act apply. " +
	"Disclosing the deployment plans would prejudice the prevention of crime, and the names are the officers\\rquote  personal data.\\par\\par " +
	"This letter is a refusal notice under section 17 of the Act.\\par\\par Yours sincerely,\\par Information Rights Officer\\par}"

// The fixture in testdata is what buildTNEFOnlyReply makes; rewrite it with
// FOITRACK_WRITE_FIXTURES=1.
const tnefFixture = "testdata/tnef-only-rtf-refusal.eml"

func TestTNEFOnlyReplyIsReadAndClassified(t *testing.T) {
	built := buildTNEFOnlyReply(tnefRefusalRTF)
	if os.Getenv("FOITRACK_WRITE_FIXTURES") == "1" {
		if err := os.WriteFile(tnefFixture, built, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(tnefFixture)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != string(built) {
		t.Fatalf("%s is not what buildTNEFOnlyReply makes: rewrite it with FOITRACK_WRITE_FIXTURES=1", tnefFixture)
	}
	pm := mustParse(t, raw, Limits{})
	if len(pm.Errors)+len(pm.Warnings) > 0 {
		t.Errorf("a complete TNEF stream: errors %v, warnings %v", pm.Errors, pm.Warnings)
	}
	if !strings.Contains(pm.TextBody, "It is withheld in full, as sections 31(1)(a) (law enforcement) and 40(2)") ||
		!strings.Contains(pm.TextBody, "officers’ personal data") || strings.Contains(pm.TextBody, "fonttbl") {
		t.Fatalf("TNEF body not read as text: %q", pm.TextBody)
	}
	c := Classify(nil, pm.Subject, pm.TextBody, tracker.UKFOIA)
	var codes []string
	for _, e := range c.Exemptions {
		codes = append(codes, e.Code)
	}
	if c.Kind != ReplyRefusal || strings.Join(codes, ",") != "s31(1)(a),s40(2)" {
		t.Errorf("classified %s %v (%s), want a refusal under s31(1)(a), s40(2)", c.Kind, codes, c.Reason)
	}
}

// A text part and the same body inside winmail.dat are read once; a plain
// attBody is read when there is nothing else; zero padding after the last
// attribute is not a truncated stream.
func TestTNEFBodyForms(t *testing.T) {
	b := binary.LittleEndian.AppendUint32(nil, 0x223E9F78)
	b = binary.LittleEndian.AppendUint16(b, 0x0001)
	b = append(b, tnefAttr(0x01, 0x0001800C, []byte("The information is not held.\x00"))...)
	b = append(b, 0, 0, 0, 0)
	files, body, err := parseTNEF(b)
	if err != nil || len(files) != 0 || body.plain != "The information is not held." {
		t.Fatalf("parseTNEF = %v, %+v, %v", files, body, err)
	}
	if _, _, err := parseTNEF(b[:len(b)-7]); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("a cut stream must say it is truncated: %v", err)
	}
	raw := "From: foi@example.gov.uk\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n" +
		"--x\nContent-Type: text/plain\n\nThe information is not held.\n--x\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n" +
		"Content-Transfer-Encoding: base64\n\n" + base64.StdEncoding.EncodeToString(b) + "\n--x--\n"
	pm := mustParse(t, []byte(raw), Limits{})
	if pm.TextBody != "The information is not held." || len(pm.Errors)+len(pm.Warnings) > 0 {
		t.Errorf("body %q, errors %v, warnings %v", pm.TextBody, pm.Errors, pm.Warnings)
	}
}

// The TNEF messages of the shared corpus: their bodies (compressed RTF, HTML)
// are read, and no complete stream is reported damaged.
func TestTNEFSharedCorpus(t *testing.T) {
	dir := testenv.SharedDir(t, "fixtures/emails")
	for name, want := range map[string]string{
		"incoming-request-tnef-attachments.eml": "Thank you for your request for information dated 03 November, 2009",
		"tnef-attachment-empty.eml":             "THE BILL OF RIGHTS",
	} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		pm := mustParse(t, raw, Limits{})
		if !strings.Contains(pm.TextBody, want) || strings.ContainsRune(pm.TextBody, 0) {
			t.Errorf("%s: body %.200q does not hold %q", name, pm.TextBody, want)
		}
		for _, e := range append(pm.Errors, pm.Warnings...) {
			if strings.Contains(e, "winmail") {
				t.Errorf("%s: %s", name, e)
			}
		}
	}
}
