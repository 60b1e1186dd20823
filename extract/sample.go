package extract

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"strings"
	"time"
)

// SamplePDF builds a one-page PDF showing text (ASCII), with a correct
// cross-reference table: for tests (here and in other packages) that need a
// real PDF without a binary fixture.
func SamplePDF(text string) []byte {
	return SamplePDFPages(SamplePage{Text: text})
}

// SamplePage is one page of SamplePDFPages: a line of text in its text
// layer, or (Gray set) a grey image of W×H pixels filling the page and no
// text layer, the shape of a scanned letter.
type SamplePage struct {
	Text string
	Gray []byte // W*H pixels, one byte each, rows from the top
	W, H int
}

// SamplePDFPages builds a PDF of the given pages (see SamplePDF).
func SamplePDFPages(pages ...SamplePage) []byte {
	// Objects: 1 catalog, 2 pages, 3 font, then per page: page, contents
	// and, for a scan, its image.
	objs := []string{"", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
	var kids []string
	for _, p := range pages {
		pageN := len(objs) + 1
		kids = append(kids, fmt.Sprintf("%d 0 R", pageN))
		var stream, resources, image string
		if p.Gray != nil {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(p.Gray)
			zw.Close()
			image = fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream",
				p.W, p.H, z.Len(), z.String())
			stream = "q 612 0 0 792 0 0 cm /Im1 Do Q"
			resources = fmt.Sprintf("<< /XObject << /Im1 %d 0 R >> >>", pageN+2)
		} else {
			stream = fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(p.Text))
			resources = "<< /Font << /F1 3 0 R >> >>"
		}
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources %s >>", pageN+1, resources),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
		if image != "" {
			objs = append(objs, image)
		}
	}
	objs[0] = "<< /Type /Catalog /Pages 2 0 R >>"
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// SampleScanPage draws SamplePDF(text) as a grey image at 150 dpi with
// pdftoppm (poppler-utils), the way a scanner would: a page with no text
// layer, for tests of OCR.
func SampleScanPage(text string) (SamplePage, error) {
	pdf, _, cleanup, err := tempCopy(SamplePDF(text), ".pdf")
	if err != nil {
		return SamplePage{}, err
	}
	defer cleanup()
	out, err := tool{name: "pdftoppm", prog: "pdftoppm", pkg: "poppler-utils", args: []string{"-q", "-gray", "-r", "150", pdf},
		maxOut: 64 << 20, timeout: time.Minute}.run(context.Background())
	if err != nil {
		return SamplePage{}, err
	}
	pix, w, h, err := pgmPixels([]byte(out))
	if err != nil {
		return SamplePage{}, err
	}
	return SamplePage{Gray: pix, W: w, H: h}, nil
}
