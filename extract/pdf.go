package extract

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// minPageLetters: a page of a PDF whose text layer has fewer letters than
// this, and ink on it, is taken for a scan and read by OCR. A scanned
// letter often has a few words of text layer stamped on by the redaction
// software ("Page 1 of 3"); a page of prose has hundreds.
const minPageLetters = 20

// ocrGain is how many more letters than its text layer OCR must find on a
// page for its text to be taken instead.
const ocrGain = 10

// ocrLongSide is the size in pixels of a page's longer side when it is
// drawn for OCR: about 200 dpi for A4 or Letter, what tesseract reads well,
// and a bound on memory for an A0 plan.
const ocrLongSide = "2400"

// pdfText reads a PDF's text layer with pdftotext, then the pages that have
// none but show something (a scanned page) by OCR: pdftoppm draws the page,
// tesseract reads it. note says which pages were read by OCR, or left
// unread and why; "" when every page had its text.
func pdfText(ctx context.Context, data []byte, opt Options) (text, note string, err error) {
	path, dir, cleanup, err := tempCopy(data, ".pdf")
	if err != nil {
		return "", "", err
	}
	defer cleanup()
	// -q: no messages on stderr for recoverable damage; "-" writes to stdout.
	maxOut := opt.MaxTextBytes * 2
	out, err := tool{name: "pdftotext", prog: opt.Pdftotext, pkg: "poppler-utils", args: []string{"-q", "-enc", "UTF-8", "-eol", "unix", path, "-"},
		maxOut: maxOut, timeout: opt.Timeout}.run(ctx)
	if err != nil {
		return "", "", err
	}
	if len(out) >= maxOut {
		return out, "", nil // more text than is kept: no page needs reading again
	}
	// pdftotext ends each page with a form feed; no form feed, no page.
	if !strings.Contains(out, "\f") {
		return out, "", nil
	}
	pages := strings.Split(out, "\f")
	if len(pages) > 1 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	var bare []int // 1-based page numbers
	for i, p := range pages {
		if letters(p) < minPageLetters {
			bare = append(bare, i+1)
		}
	}
	if len(bare) == 0 {
		return out, "", nil
	}
	var scans []int
	for _, n := range bare {
		ink, err := pageHasInk(ctx, path, n, opt)
		if err != nil {
			if ctx.Err() != nil {
				return "", "", ctx.Err()
			}
			// pdftoppm missing: OCR needs it too, so take the page for a
			// scan and let ocrPages say why it was not read. A page it
			// cannot draw, OCR cannot read either: leave it.
			ink = errors.Is(err, ErrToolMissing)
		}
		if ink {
			scans = append(scans, n)
		}
	}
	if len(scans) == 0 {
		return out, "", nil // blank pages, or pages of figures with short captions
	}
	read, unread, why, err := ocrPages(ctx, path, dir, scans, pages, opt)
	if err != nil {
		return "", "", err
	}
	var missing *ToolMissingError
	if len(read) == 0 && errors.As(why, &missing) && letters(out) < minPageLetters {
		// Nothing at all could be read: say so as the state, not as a note
		// on an empty text, so the document is listed as not searchable.
		missing.Scanned = true
		return "", "", missing
	}
	var notes []string
	var worded, wordless []int
	for _, n := range read {
		if letters(pages[n-1]) > 0 {
			worded = append(worded, n)
		} else {
			wordless = append(wordless, n)
		}
	}
	if len(worded) > 0 {
		notes = append(notes, pageList(worded)+" read by OCR (words may be misread)")
	}
	if len(wordless) > 0 {
		notes = append(notes, pageList(wordless)+": no words found by OCR (a picture?)")
	}
	if len(unread) > 0 {
		notes = append(notes, pageList(unread)+" not read: no text layer (a scan?) and "+whyUnread(why))
	}
	return strings.Join(pages, "\f"), strings.Join(notes, "; "), nil
}

// ocrPages reads the given pages by OCR, replacing pages[n-1] when OCR
// finds clearly more than the text layer had. It returns the pages so read,
// those left unread and the first reason one was left unread; err only for
// the caller stopping.
func ocrPages(ctx context.Context, path, dir string, scans []int, pages []string, opt Options) (read, unread []int, why error, err error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, opt.OCRTimeout)
	defer cancel()
	png := filepath.Join(dir, "page")
	for i, n := range scans {
		if i >= opt.MaxOCRPages {
			unread = append(unread, scans[i:]...)
			if why == nil {
				why = fmt.Errorf("OCR reads at most %d pages of a file", opt.MaxOCRPages)
			}
			break
		}
		num := strconv.Itoa(n)
		_, e := tool{name: "pdftoppm", prog: opt.Pdftoppm, pkg: "poppler-utils",
			args:   []string{"-q", "-gray", "-png", "-scale-to", ocrLongSide, "-f", num, "-l", num, "-singlefile", path, png},
			maxOut: 4096, timeout: opt.Timeout}.run(ctx)
		var text string
		if e == nil {
			// One thread: the server's two cores are not all the OCR's.
			text, e = tool{name: "tesseract", prog: opt.Tesseract, pkg: "tesseract-ocr",
				args:   []string{png + ".png", "-", "-l", opt.OCRLanguage},
				env:    []string{"OMP_THREAD_LIMIT=1"},
				maxOut: opt.MaxTextBytes, timeout: opt.Timeout}.run(ctx)
		}
		if e != nil {
			if parent.Err() != nil {
				return nil, nil, nil, parent.Err() // stopping
			}
			if ctx.Err() == context.DeadlineExceeded {
				e = fmt.Errorf("OCR took longer than %s", opt.OCRTimeout)
				unread = append(unread, scans[i:]...)
				if why == nil {
					why = e
				}
				break
			}
			unread = append(unread, n)
			if why == nil {
				why = e
			}
			var missing *ToolMissingError
			if errors.As(e, &missing) {
				unread = append(unread, scans[i+1:]...)
				break
			}
			continue
		}
		// OCR's text replaces the layer only when it clearly holds more:
		// a short page ("Annex B") is read again the same, and keeps its
		// exact text and no "read by OCR" note.
		if had := letters(pages[n-1]); had == 0 || letters(text) >= had+ocrGain {
			pages[n-1] = text
			read = append(read, n)
		}
	}
	return read, unread, why, nil
}

// whyUnread says in a few words why OCR did not read a page.
func whyUnread(why error) string {
	var missing *ToolMissingError
	if errors.As(why, &missing) {
		return missing.Tool + " missing (install " + missing.Package + ")"
	}
	if why == nil {
		return "OCR failed"
	}
	return why.Error()
}

// pageHasInk draws page n small and reports whether anything is drawn on
// it: a scan shows, a blank page (or one left blank on purpose) does not.
// Drawing beats listing the page's images, which misses scans a PDF paints
// as inline images or patterns.
func pageHasInk(ctx context.Context, path string, n int, opt Options) (bool, error) {
	num := strconv.Itoa(n)
	out, err := tool{name: "pdftoppm", prog: opt.Pdftoppm, pkg: "poppler-utils",
		args:   []string{"-q", "-gray", "-scale-to", "400", "-f", num, "-l", num, path},
		maxOut: 1 << 20, timeout: opt.Timeout}.run(ctx)
	if err != nil {
		return false, err
	}
	pix, _, _, err := pgmPixels([]byte(out))
	if err != nil {
		return false, err
	}
	dark := 0
	for _, p := range pix {
		if p < 230 {
			dark++
		}
	}
	return dark*1000 >= len(pix), nil // at least 0.1% of the page
}

// pgmPixels returns the pixels of a binary PGM (P5, 8 bits), what
// pdftoppm -gray writes.
func pgmPixels(b []byte) (pix []byte, w, h int, err error) {
	var fields []string
	i := 0
	for len(fields) < 4 && i < len(b) {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
			i++
		}
		if i < len(b) && b[i] == '#' {
			for i < len(b) && b[i] != '\n' {
				i++
			}
			continue
		}
		j := i
		for j < len(b) && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
			j++
		}
		fields = append(fields, string(b[i:j]))
		i = j
	}
	if len(fields) < 4 || fields[0] != "P5" || fields[3] != "255" || i >= len(b) {
		return nil, 0, 0, errors.New("pdftoppm wrote no page image")
	}
	w, err1 := strconv.Atoi(fields[1])
	h, err2 := strconv.Atoi(fields[2])
	pix = b[i+1:]
	if err1 != nil || err2 != nil || w <= 0 || h <= 0 || len(pix) < w*h {
		return nil, 0, 0, errors.New("pdftoppm wrote a truncated page image")
	}
	return pix[:w*h], w, h, nil
}

// letters counts the letters in s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// pageList writes page numbers as people do: "page 3", "pages 1, 3–5".
func pageList(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d–%d", ns[i], ns[j]))
		} else {
			parts = append(parts, strconv.Itoa(ns[i]))
		}
		i = j + 1
	}
	if len(ns) == 1 {
		return "page " + parts[0]
	}
	return "pages " + strings.Join(parts, ", ")
}
