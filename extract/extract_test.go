package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/testenv"
)

func zipOf(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func extractBytes(t *testing.T, data []byte, mediaType, name string, opt Options) (string, error) {
	t.Helper()
	return Text(context.Background(), bytes.NewReader(data), int64(len(data)), mediaType, name, opt)
}

func TestPDFTextWithPdftotext(t *testing.T) {
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftotext")
	got, err := extractBytes(t, SamplePDF("Automatic number plate recognition (ANPR) retention"), "application/pdf", "reply.pdf", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Automatic number plate recognition (ANPR) retention") {
		t.Fatalf("text = %q", got)
	}
	// The label lies: the bytes say PDF.
	if got, err := extractBytes(t, SamplePDF("zebra crossing"), "text/plain", "notes.txt", Options{}); err != nil || !strings.Contains(got, "zebra crossing") {
		t.Fatalf("mislabelled PDF: %q, %v", got, err)
	}
}

func TestPDFDamagedFailsWithReason(t *testing.T) {
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftotext")
	_, err := extractBytes(t, []byte("%PDF-1.4\nthis is not really a pdf\n"), "application/pdf", "x.pdf", Options{})
	if err == nil || !strings.Contains(err.Error(), "pdftotext") {
		t.Fatalf("err = %v, want a pdftotext failure", err)
	}
}

func TestPDFToolMissing(t *testing.T) {
	_, err := extractBytes(t, SamplePDF("x"), "application/pdf", "x.pdf", Options{Pdftotext: "foitrack-no-such-pdftotext"})
	if !errors.Is(err, ErrToolMissing) {
		t.Fatalf("err = %v, want ErrToolMissing", err)
	}
	if !strings.Contains(err.Error(), "text not extracted: pdftotext missing") {
		t.Fatalf("message = %q", err)
	}
}

func TestPlainTextAndLatin1(t *testing.T) {
	got, err := extractBytes(t, []byte("Caf\xe9 \x93quoted\x94\r\nline\x00two"), "text/plain", "a.txt", Options{})
	// A NUL makes it binary: unsupported.
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("binary: %q, %v", got, err)
	}
	got, err = extractBytes(t, []byte("Caf\xe9 \x93quoted\x94\r\nline two\x07"), "text/plain", "a.txt", Options{})
	if err != nil || got != "Café “quoted”\nline two" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestHTMLTextOnly(t *testing.T) {
	page := `<html><head><title>T</title><style>p{}</style></head><body><p>Data &amp; sharing</p><script>alert("x")</script><p>with <b>police</b></p></body></html>`
	got, err := extractBytes(t, []byte(page), "text/html", "a.html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got != "Data & sharing\n\nwith police" {
		t.Fatalf("got %q", got)
	}
}

func TestDOCX(t *testing.T) {
	doc := zipOf(t, map[string]string{
		"[Content_Types].xml": `<Types/>`,
		"word/document.xml": `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Section 31</w:t></w:r><w:r><w:t xml:space="preserve"> law enforcement</w:t></w:r></w:p>
<w:p><w:r><w:t>Second</w:t><w:tab/><w:t>para</w:t></w:r></w:p></w:body></w:document>`,
		"word/footnotes.xml": `<w:footnotes xmlns:w="x"><w:footnote><w:p><w:r><w:t>A footnote</w:t></w:r></w:p></w:footnote></w:footnotes>`,
	})
	got, err := extractBytes(t, doc, "application/octet-stream", "reply.docx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got != "Section 31 law enforcement\nSecond\tpara\nA footnote" {
		t.Fatalf("got %q", got)
	}
	// Without a telling name the parts decide.
	if got2, err := extractBytes(t, doc, "application/zip", "attachment", Options{}); err != nil || got2 != got {
		t.Fatalf("by parts: %q, %v", got2, err)
	}
}

func TestXLSX(t *testing.T) {
	wb := zipOf(t, map[string]string{
		"xl/workbook.xml":      `<workbook/>`,
		"xl/sharedStrings.xml": `<sst><si><t>Force</t></si><si><r><t>Stops</t></r><r><t xml:space="preserve"> total</t></r></si><si><t>Kent</t><rPh><t>KENTO</t></rPh></si></sst>`,
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData>
<row><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>
<row><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1234</v></c><c t="inlineStr"><is><t>inline note</t></is></c></row>
</sheetData></worksheet>`,
		"xl/worksheets/sheet10.xml": `<worksheet><sheetData><row><c t="s"><v>99</v></c><c><v>last</v></c></row></sheetData></worksheet>`,
		"xl/worksheets/sheet2.xml":  `<worksheet><sheetData><row><c t="inlineStr"><is><t>second sheet</t></is></c></row></sheetData></worksheet>`,
	})
	got, err := extractBytes(t, wb, "", "stats.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Force\tStops total\nKent\t1234\tinline note\n\nsecond sheet\n\nlast"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestODT(t *testing.T) {
	doc := zipOf(t, map[string]string{
		"mimetype": "application/vnd.oasis.opendocument.text",
		"content.xml": `<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
<text:h>Heading</text:h><text:p>Body <text:span>with span</text:span><text:line-break/>next</text:p></office:text></office:body></office:document-content>`,
	})
	got, err := extractBytes(t, doc, "", "letter.odt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got != "Heading\nBody with span\nnext" {
		t.Fatalf("got %q", got)
	}
}

func TestLimits(t *testing.T) {
	// A file over the input limit is not read.
	if _, err := extractBytes(t, []byte(strings.Repeat("a", 100)), "text/plain", "a.txt", Options{MaxInputBytes: 10}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("input limit: %v", err)
	}
	// Text is cut at the text limit, on a character boundary.
	got, err := extractBytes(t, []byte(strings.Repeat("é", 100)), "text/plain", "a.txt", Options{MaxTextBytes: 11})
	if err != nil || got != strings.Repeat("é", 5) {
		t.Fatalf("text limit: %q, %v", got, err)
	}
	// A part that unpacks beyond its cap (a zip bomb) is refused, not read.
	bomb := zipOf(t, map[string]string{"word/document.xml": "<w:t>" + strings.Repeat("x", 10000) + "</w:t>"})
	if _, err := extractBytes(t, bomb, "", "b.docx", Options{MaxTextBytes: 100}); err == nil || !strings.Contains(err.Error(), "unpacks to more than") {
		t.Fatalf("zip bomb: %v", err)
	}
	// Images and unknown binaries have no text.
	if _, err := extractBytes(t, []byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png", "a.png", Options{}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("png: %v", err)
	}
	// A damaged office file fails with a reason.
	if _, err := extractBytes(t, []byte("PK\x03\x04garbage"), "", "x.docx", Options{}); err == nil || errors.Is(err, ErrUnsupported) {
		t.Fatalf("damaged docx: %v", err)
	}
}

// scanOf is SampleScanPage, failing the test when it cannot draw.
func scanOf(t *testing.T, text string) SamplePage {
	t.Helper()
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftoppm")
	p, err := SampleScanPage(text)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func readBytes(t *testing.T, data []byte, mediaType, name string, opt Options) (Extracted, error) {
	t.Helper()
	return Read(context.Background(), bytes.NewReader(data), int64(len(data)), mediaType, name, opt)
}

func hasWords(text string, words ...string) bool {
	low := strings.ToLower(text)
	for _, w := range words {
		if !strings.Contains(low, w) {
			return false
		}
	}
	return true
}

// A released document is often a scan: its pages have no text layer. They
// are read by OCR, and the note says which pages were.
func TestScannedPagesReadByOCR(t *testing.T) {
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftotext")
	testenv.LookPath(t, "apt-get install tesseract-ocr", "tesseract")
	pdf := SamplePDFPages(
		SamplePage{Text: "Covering letter from the records manager"},
		scanOf(t, "Operation Nightjar surveillance budget"),
		SamplePage{}, // a blank page: nothing to read, not a scan
	)
	got, err := readBytes(t, pdf, "application/pdf", "release.pdf", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasWords(got.Text, "covering letter from the records manager", "nightjar", "surveillance", "budget") {
		t.Fatalf("text = %q", got.Text)
	}
	if got.Note != "page 2 read by OCR (words may be misread)" {
		t.Fatalf("note = %q", got.Note)
	}

	// A document with a text layer on every page is not touched by OCR.
	got, err = readBytes(t, SamplePDFPages(SamplePage{Text: "Minutes of the Kestrel board meeting"}, SamplePage{}), "application/pdf", "minutes.pdf", Options{})
	if err != nil || got.Note != "" || !strings.Contains(got.Text, "Kestrel board") {
		t.Fatalf("text layer only: %+v, %v", got, err)
	}
}

// Without tesseract a scan cannot be read: a wholly scanned PDF gets the
// "missing" state naming the program, and a partly scanned one keeps the
// text it has with a note naming the pages left unread.
func TestScannedPagesWithoutTesseract(t *testing.T) {
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftotext")
	noOCR := Options{Tesseract: "foitrack-no-such-tesseract"}
	scan := scanOf(t, "Operation Nightjar surveillance budget")

	_, err := readBytes(t, SamplePDFPages(scan, scan), "application/pdf", "scan.pdf", noOCR)
	if !errors.Is(err, ErrToolMissing) {
		t.Fatalf("err = %v, want ErrToolMissing", err)
	}
	if want := "no text layer (a scanned document?): text not extracted: tesseract missing (install tesseract-ocr)"; err.Error() != want {
		t.Fatalf("message = %q, want %q", err, want)
	}

	got, err := readBytes(t, SamplePDFPages(SamplePage{Text: "Covering letter from the records manager"}, scan, scan), "application/pdf", "release.pdf", noOCR)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "Covering letter") || strings.Contains(strings.ToLower(got.Text), "nightjar") {
		t.Fatalf("text = %q", got.Text)
	}
	if want := "pages 2–3 not read: no text layer (a scan?) and tesseract missing (install tesseract-ocr)"; got.Note != want {
		t.Fatalf("note = %q, want %q", got.Note, want)
	}
}

// OCR is slow: a file gets at most MaxOCRPages pages of it.
func TestOCRPageLimit(t *testing.T) {
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftotext")
	testenv.LookPath(t, "apt-get install tesseract-ocr", "tesseract")
	pdf := SamplePDFPages(scanOf(t, "Operation Nightjar surveillance budget"), scanOf(t, "Kestrel review of retention"))
	got, err := readBytes(t, pdf, "application/pdf", "scan.pdf", Options{MaxOCRPages: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !hasWords(got.Text, "nightjar") || hasWords(got.Text, "kestrel") {
		t.Fatalf("text = %q", got.Text)
	}
	if want := "page 1 read by OCR (words may be misread); page 2 not read: no text layer (a scan?) and OCR reads at most 1 pages of a file"; got.Note != want {
		t.Fatalf("note = %q, want %q", got.Note, want)
	}
}

// Authorities still send Word 97–2003, Excel 97–2003 and RTF files.
func TestOlderOfficeFilesAndRTF(t *testing.T) {
	testenv.LookPath(t, "apt-get install catdoc", "catdoc")
	for _, c := range []struct{ file, mediaType string }{
		{"testdata/standardized_text.doc", "application/msword"},
		{"testdata/standardized_text.xls", "application/vnd.ms-excel"},
		{"testdata/standardized_text.doc", "application/octet-stream"}, // the name says
	} {
		data, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := extractBytes(t, data, c.mediaType, filepath.Base(c.file), Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if !hasWords(got, "quick", "brown", "fox", "lazy", "dog") {
			t.Fatalf("%s: text = %q", c.file, got)
		}
	}
	rtf := []byte(`{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}{\info{\author Records Office}}` +
		`\f0 Caf\'e9 licensing: the {\b Kestrel} review of retention\par Second line\par}`)
	got, err := extractBytes(t, rtf, "application/rtf", "reply.rtf", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "Café licensing: the Kestrel review of retention") || !strings.Contains(got, "Second line") ||
		strings.Contains(got, "Times New Roman") || strings.Contains(got, "Records Office") {
		t.Fatalf("rtf text = %q", got)
	}
	// The program missing is a state naming it, not a failure.
	data, _ := os.ReadFile("testdata/standardized_text.doc")
	_, err = extractBytes(t, data, "application/msword", "a.doc", Options{Catdoc: "foitrack-no-such-catdoc"})
	if !errors.Is(err, ErrToolMissing) || err.Error() != "text not extracted: catdoc missing (install catdoc)" {
		t.Fatalf("err = %v", err)
	}
	// An OLE file that is none of these (an Outlook .msg, say) is not guessed at.
	if _, err := extractBytes(t, data, "application/vnd.ms-outlook", "mail.msg", Options{}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("msg: err = %v, want ErrUnsupported", err)
	}
}

// Typeset PDFs give ligatures ("ﬁ") and soft hyphens, which would hide words
// from the index.
func TestCleanWritesOutLigatures(t *testing.T) {
	got := Clean("ﬁnancial eﬀect of the ﬂood; infor\u00admation", 1000)
	if got != "financial effect of the flood; information" {
		t.Fatalf("got %q", got)
	}
}

// A page with a few words of text layer and nothing else keeps its text, and
// no "read by OCR" note, though OCR looks at it.
func TestShortTextPageKeepsItsText(t *testing.T) {
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftotext")
	testenv.LookPath(t, "apt-get install tesseract-ocr", "tesseract")
	got, err := readBytes(t, SamplePDFPages(SamplePage{Text: "Annex B, 2025"}), "application/pdf", "annex.pdf", Options{})
	if err != nil || got.Note != "" || got.Text != "Annex B, 2025" {
		t.Fatalf("got %+v, %v", got, err)
	}
}
