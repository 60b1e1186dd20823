// Package extract reads the text out of a stored document so that it can be
// searched (and scanned for personal data before publishing): PDF through
// poppler's pdftotext, with the pages that are only images (a scanned
// letter, the usual shape of a released FOI document) read by OCR through
// pdftoppm and tesseract; plain text, HTML (its text only); the office
// formats .docx, .xlsx and .odt, read from the parts their standards
// document (a zip of XML files) with archive/zip and encoding/xml; and the
// older Word, Excel and RTF files authorities still send, through catdoc's
// catdoc and xls2csv (no maintained Go library reads them).
//
// Input is always a stream the caller opened (a blob of the store), never a
// path from a user. The programs run without a shell, on a temporary file
// this package creates, with a timeout and a cap on what they may write.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// States of a document's text, as the store keeps them.
const (
	StateExtracted   = "extracted"    // the text is stored and indexed
	StatePending     = "pending"      // waiting for the background worker
	StateFailed      = "failed"       // tried; the reason says why
	StateToolMissing = "tool_missing" // "text not extracted: pdftotext missing"
	StateUnsupported = "unsupported"  // no text in this kind of file (an image, an archive)
	StateNoFile      = "no_file"      // a withheld document we never received
)

var (
	// ErrToolMissing: the file needs a program that is not installed. The
	// error is a *ToolMissingError naming it (errors.Is matches both).
	ErrToolMissing = errors.New("text not extracted: a program is missing")
	// ErrUnsupported: the file is of a kind that has no text we read.
	ErrUnsupported = errors.New("no text is read from this kind of file")
	// ErrTooLarge: the file is bigger than Options.MaxInputBytes.
	ErrTooLarge = errors.New("file too large to extract text from")
)

// ToolMissingError says which program a file needed and which Debian
// package has it.
type ToolMissingError struct {
	Tool    string // "pdftotext"
	Package string // "poppler-utils"
	Scanned bool   // the PDF has no text layer: the missing program is the OCR
}

func (e *ToolMissingError) Error() string {
	if e.Scanned {
		return fmt.Sprintf("no text layer (a scanned document?): text not extracted: %s missing (install %s)", e.Tool, e.Package)
	}
	return fmt.Sprintf("text not extracted: %s missing (install %s)", e.Tool, e.Package)
}

// Is makes errors.Is(err, ErrToolMissing) true.
func (e *ToolMissingError) Is(target error) bool { return target == ErrToolMissing }

// Options bound the work done on one file. Zero values take the defaults.
type Options struct {
	MaxInputBytes int64         // files above this are not read (default 100 MiB)
	MaxTextBytes  int           // text beyond this is cut (default 4 MiB)
	Timeout       time.Duration // for each run of a program (default 60 s)
	Pdftotext     string        // program name or absolute path (default "pdftotext" on PATH)

	// OCR of the pages of a PDF that have no text layer.
	Pdftoppm    string        // default "pdftoppm" (poppler-utils)
	Tesseract   string        // default "tesseract" (tesseract-ocr)
	OCRLanguage string        // tesseract's -l (default "eng")
	MaxOCRPages int           // pages read by OCR at most, per file (default 100)
	OCRTimeout  time.Duration // for all the OCR of one file (default 15 min)

	// Older Office files and RTF (the catdoc package).
	Catdoc  string // default "catdoc"
	Xls2csv string // default "xls2csv"
}

func (o Options) withDefaults() Options {
	if o.MaxInputBytes <= 0 {
		o.MaxInputBytes = 100 << 20
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = 4 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Pdftotext == "" {
		o.Pdftotext = "pdftotext"
	}
	if o.Pdftoppm == "" {
		o.Pdftoppm = "pdftoppm"
	}
	if o.Tesseract == "" {
		o.Tesseract = "tesseract"
	}
	if o.OCRLanguage == "" {
		o.OCRLanguage = "eng"
	}
	if o.MaxOCRPages <= 0 {
		o.MaxOCRPages = 100
	}
	if o.OCRTimeout <= 0 {
		o.OCRTimeout = 15 * time.Minute
	}
	if o.Catdoc == "" {
		o.Catdoc = "catdoc"
	}
	if o.Xls2csv == "" {
		o.Xls2csv = "xls2csv"
	}
	return o
}

// Kind is the format Text reads a file as.
type Kind string

// Kinds of file Text reads.
const (
	KindPDF   Kind = "pdf"
	KindText  Kind = "text"
	KindHTML  Kind = "html"
	KindDOCX  Kind = "docx"
	KindXLSX  Kind = "xlsx"
	KindODT   Kind = "odt"
	KindDOC   Kind = "doc" // Word 97–2003
	KindXLS   Kind = "xls" // Excel 97–2003
	KindRTF   Kind = "rtf"
	KindOther Kind = ""
)

// Detect decides the format from the first bytes of the file, its declared
// media type and its file name (the bytes win: a sender's label can lie).
func Detect(head []byte, mediaType, filename string) Kind {
	mt, _, _ := mime.ParseMediaType(mediaType)
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return KindPDF
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		switch {
		case ext == ".docx" || mt == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
			return KindDOCX
		case ext == ".xlsx" || mt == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
			return KindXLSX
		case ext == ".odt" || mt == "application/vnd.oasis.opendocument.text":
			return KindODT
		case bytes.Contains(head, []byte("mimetypeapplication/vnd.oasis.opendocument.text")):
			return KindODT
		}
		return KindOther // decided from the archive's parts by Text
	case bytes.HasPrefix(head, []byte("{\\rtf")):
		return KindRTF
	case bytes.HasPrefix(head, oleMagic):
		// An OLE compound file: Word, Excel, PowerPoint, an Outlook .msg…
		// told apart by the label (their parts would need an OLE reader).
		switch {
		case ext == ".doc" || ext == ".dot" || mt == "application/msword":
			return KindDOC
		case ext == ".xls" || ext == ".xlt" || mt == "application/vnd.ms-excel":
			return KindXLS
		}
		return KindOther
	}
	if looksBinary(head) {
		return KindOther
	}
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml" || ext == ".html" || ext == ".htm":
		return KindHTML
	case strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/xml" ||
		ext == ".txt" || ext == ".csv" || ext == ".md" || ext == ".json" || ext == ".xml" || ext == ".eml":
		return KindText
	}
	lower := bytes.ToLower(head)
	if bytes.Contains(lower, []byte("<html")) || bytes.Contains(lower, []byte("<!doctype html")) {
		return KindHTML
	}
	return KindOther
}

// looksBinary: a NUL byte, or text that is not UTF-8 nor mostly printable.
func looksBinary(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	if utf8.Valid(trimPartialRune(head)) {
		return false
	}
	// Latin-1 or similar: mostly printable bytes.
	ctl := 0
	for _, b := range head {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' {
			ctl++
		}
	}
	return ctl*20 > len(head)
}

// trimPartialRune drops a multi-byte character cut at the end of a sample.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 4 && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// oleMagic starts every OLE compound file (the pre-2007 Office formats).
var oleMagic = []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

// Extracted is a file's text and, when it matters to whoever relies on it,
// how it was read.
type Extracted struct {
	Text string
	// Note is "" when the text is simply the file's; otherwise it says
	// which pages were read by OCR (words may be misread) or left unread.
	Note string
}

// Text reads the text of a file of the given size from r. mediaType and
// filename are hints (see Detect). The text is UTF-8, with control
// characters other than newlines and tabs removed, and at most
// Options.MaxTextBytes long.
func Text(ctx context.Context, r io.Reader, size int64, mediaType, filename string, opt Options) (string, error) {
	e, err := Read(ctx, r, size, mediaType, filename, opt)
	return e.Text, err
}

// Read is Text with a note on how the text was read (see Extracted).
func Read(ctx context.Context, r io.Reader, size int64, mediaType, filename string, opt Options) (Extracted, error) {
	opt = opt.withDefaults()
	if size > opt.MaxInputBytes {
		return Extracted{}, fmt.Errorf("%w (%d bytes, the limit is %d)", ErrTooLarge, size, opt.MaxInputBytes)
	}
	// Read the whole file (bounded): the office formats need random access,
	// and the sample for Detect must come from the same bytes.
	data, err := io.ReadAll(io.LimitReader(r, opt.MaxInputBytes+1))
	if err != nil {
		return Extracted{}, fmt.Errorf("extract: unable to read the file: %w", err)
	}
	if int64(len(data)) > opt.MaxInputBytes {
		return Extracted{}, fmt.Errorf("%w (the limit is %d bytes)", ErrTooLarge, opt.MaxInputBytes)
	}
	kind := Detect(data[:min(len(data), 512)], mediaType, filename)
	if kind == KindOther && bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		kind = officeKind(data)
	}
	var text, note string
	switch kind {
	case KindPDF:
		text, note, err = pdfText(ctx, data, opt)
	case KindDOC, KindRTF:
		text, err = catdocText(ctx, data, kind, opt)
	case KindXLS:
		text, err = xlsText(ctx, data, opt)
	case KindText:
		text = decodeText(data)
	case KindHTML:
		text, err = htmlText(decodeText(data))
	case KindDOCX:
		text, err = docxText(data, opt)
	case KindXLSX:
		text, err = xlsxText(data, opt)
	case KindODT:
		text, err = odtText(data, opt)
	default:
		return Extracted{}, ErrUnsupported
	}
	if err != nil {
		return Extracted{}, err
	}
	return Extracted{Text: Clean(text, opt.MaxTextBytes), Note: note}, nil
}

// decodeText reads bytes as UTF-8, or as Windows-1252 when they are not.
func decodeText(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		if c >= 0x80 && c < 0xa0 {
			sb.WriteRune(cp1252[c-0x80])
		} else {
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// ligatures are U+FB00–FB06 written out.
var ligatures = [7]string{"ff", "fi", "fl", "ffi", "ffl", "st", "st"}

// cp1252 maps Windows-1252's 0x80–0x9f to Unicode (others are Latin-1).
var cp1252 = [32]rune{'€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008d', 'Ž', '\u008f',
	'\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009d', 'ž', 'Ÿ'}

// Clean makes extracted text safe to store and show: valid UTF-8, no control
// characters but newline and tab (a form feed between pages becomes a blank
// line), runs of blank lines squeezed, cut at maxBytes on a character
// boundary.
func Clean(s string, maxBytes int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var sb strings.Builder
	sb.Grow(min(len(s), maxBytes))
	newlines := 0
	for _, r := range s {
		switch {
		case r == '\r':
			continue
		case r == '\f' || r == '\n':
			newlines++
			if newlines > 2 {
				continue
			}
			r = '\n'
		case r == '\t':
		case unicode.IsControl(r) || r == '\uFEFF' || r == '\u00AD':
			continue // a soft hyphen too: it splits the word it sits in
		case r >= 0xFB00 && r <= 0xFB06:
			// Typeset PDFs often give "ﬁ" for "fi": the index would not
			// find "financial" in "ﬁnancial".
			lig := ligatures[r-0xFB00]
			if sb.Len()+len(lig) > maxBytes {
				return strings.TrimSpace(sb.String())
			}
			sb.WriteString(lig)
			newlines = 0
			continue
		default:
			newlines = 0
		}
		if sb.Len()+utf8.RuneLen(r) > maxBytes {
			break
		}
		sb.WriteRune(r)
	}
	return strings.TrimSpace(sb.String())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// capWriter keeps at most max bytes and then pretends to take the rest, so
// that a huge output neither fills memory nor blocks the program.
type capWriter struct {
	buf  bytes.Buffer
	max  int
	full bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(len(p), room)])
	}
	if w.buf.Len() >= w.max {
		w.full = true
	}
	return len(p), nil
}

// Available reports whether PDFs can be read here (pdftotext is installed).
func Available(opt Options) bool {
	_, err := exec.LookPath(opt.withDefaults().Pdftotext)
	return err == nil
}
