package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// The office formats are zip archives of XML parts. Only the parts that
// carry the text are read, each through a size cap (a zip bomb stops at the
// cap), and with encoding/xml, which fetches no external entity.

// officeKind tells the office formats apart by the parts the archive holds.
func officeKind(data []byte) Kind {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return KindOther
	}
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			return KindDOCX
		case "xl/workbook.xml":
			return KindXLSX
		case "content.xml":
			return KindODT
		}
	}
	return KindOther
}

// zipPart reads one part of the archive, at most limit bytes once unpacked.
func zipPart(zr *zip.Reader, name string, limit int64) ([]byte, error) {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("unable to open %s in the file: %w", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, limit+1))
		if err != nil {
			return nil, fmt.Errorf("unable to read %s in the file: %w", name, err)
		}
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("%s unpacks to more than %d bytes", name, limit)
		}
		return b, nil
	}
	return nil, errNoPart
}

var errNoPart = errors.New("part not found")

func openZip(data []byte) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("the file is not a readable zip archive: %w", err)
	}
	return zr, nil
}

// partLimit is how much XML one part may unpack to: generous for the text
// cap (markup is most of an office part), bounded against zip bombs.
func partLimit(opt Options) int64 { return int64(opt.MaxTextBytes) * 16 }

// xmlText walks an XML part and writes the character data of the elements
// named in textTags (by local name), a tab for tabs and a newline after each
// element named in breakTags.
func xmlText(part []byte, textTags, breakTags map[string]bool, tab string, sb *strings.Builder, max int) error {
	dec := xml.NewDecoder(bytes.NewReader(part))
	dec.Strict = false
	depth := 0 // inside how many text elements
	for sb.Len() < max {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("the document's XML is damaged: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if textTags[t.Name.Local] {
				depth++
			}
			if t.Name.Local == tab {
				sb.WriteByte('\t')
			}
		case xml.EndElement:
			if textTags[t.Name.Local] && depth > 0 {
				depth--
			}
			if breakTags[t.Name.Local] {
				sb.WriteByte('\n')
			}
		case xml.CharData:
			if depth > 0 {
				sb.Write(t)
			}
		}
	}
	return nil
}

// docxText reads word/document.xml (ECMA-376 part 1: w:t runs in w:p
// paragraphs), then footnotes and endnotes when present.
func docxText(data []byte, opt Options) (string, error) {
	zr, err := openZip(data)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	text := map[string]bool{"t": true}
	breaks := map[string]bool{"p": true, "br": true, "tr": true}
	for i, name := range []string{"word/document.xml", "word/footnotes.xml", "word/endnotes.xml"} {
		part, err := zipPart(zr, name, partLimit(opt))
		if errors.Is(err, errNoPart) && i > 0 {
			continue
		} else if err != nil {
			return "", err
		}
		if err := xmlText(part, text, breaks, "tab", &sb, opt.MaxTextBytes); err != nil {
			return "", err
		}
	}
	return sb.String(), nil
}

// odtText reads content.xml (OpenDocument: text:p and text:h paragraphs).
func odtText(data []byte, opt Options) (string, error) {
	zr, err := openZip(data)
	if err != nil {
		return "", err
	}
	part, err := zipPart(zr, "content.xml", partLimit(opt))
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	// Character data anywhere inside the body's paragraphs and headings;
	// text:s is a space, text:line-break a newline.
	text := map[string]bool{"p": true, "h": true, "span": true, "a": true}
	breaks := map[string]bool{"p": true, "h": true, "line-break": true}
	if err := xmlText(part, text, breaks, "tab", &sb, opt.MaxTextBytes); err != nil {
		return "", err
	}
	return sb.String(), nil
}

// xlsxText reads the shared strings (xl/sharedStrings.xml) and each sheet's
// cells in sheet order: a shared string by its index, an inline string, or
// a number as written. One line per row, cells separated by tabs.
func xlsxText(data []byte, opt Options) (string, error) {
	zr, err := openZip(data)
	if err != nil {
		return "", err
	}
	var shared []string
	if part, err := zipPart(zr, "xl/sharedStrings.xml", partLimit(opt)); err == nil {
		if shared, err = sharedStrings(part); err != nil {
			return "", err
		}
	} else if !errors.Is(err, errNoPart) {
		return "", err
	}
	var sheets []string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") && path.Ext(f.Name) == ".xml" && !strings.Contains(f.Name[len("xl/worksheets/"):], "/") {
			sheets = append(sheets, f.Name)
		}
	}
	sort.Slice(sheets, func(i, j int) bool { return sheetNumber(sheets[i]) < sheetNumber(sheets[j]) })
	if len(sheets) == 0 {
		return "", errors.New("the workbook has no sheets")
	}
	var sb strings.Builder
	for _, name := range sheets {
		part, err := zipPart(zr, name, partLimit(opt))
		if err != nil {
			return "", err
		}
		if err := sheetText(part, shared, &sb, opt.MaxTextBytes); err != nil {
			return "", err
		}
		sb.WriteByte('\n')
	}
	return sb.String(), nil
}

func sheetNumber(name string) int {
	base := strings.TrimSuffix(path.Base(name), ".xml")
	n, _ := strconv.Atoi(strings.TrimLeft(base, "sheet"))
	return n
}

// sharedStrings lists the <si> items of the shared string table, each the
// concatenation of its <t> texts (rich text has several runs).
func sharedStrings(part []byte) ([]string, error) {
	dec := xml.NewDecoder(bytes.NewReader(part))
	dec.Strict = false
	var out []string
	var cur strings.Builder
	inT, inSI, inRPh := false, false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("the workbook's shared strings are damaged: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				cur.Reset()
			case "t":
				inT = true
			case "rPh": // phonetic reading: not part of the text
				inRPh = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				out = append(out, cur.String())
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			}
		case xml.CharData:
			if inSI && inT && !inRPh {
				cur.Write(t)
			}
		}
	}
}

// sheetText writes a sheet's cell values (<c t="s"><v>index</v>, <c
// t="inlineStr"><is><t>…, or <v> as written).
func sheetText(part []byte, shared []string, sb *strings.Builder, max int) error {
	dec := xml.NewDecoder(bytes.NewReader(part))
	dec.Strict = false
	cellType := ""
	inV, inT := false, false
	var val strings.Builder
	cells := 0
	for sb.Len() < max {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("a sheet of the workbook is damaged: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				cells = 0
			case "c":
				cellType = ""
				for _, a := range t.Attr {
					if a.Name.Local == "t" {
						cellType = a.Value
					}
				}
				val.Reset()
			case "v":
				inV = true
			case "t":
				inT = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "t":
				inT = false
			case "c":
				v := val.String()
				if cellType == "s" {
					if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && i >= 0 && i < len(shared) {
						v = shared[i]
					} else {
						v = ""
					}
				}
				if v != "" {
					if cells > 0 {
						sb.WriteByte('\t')
					}
					sb.WriteString(v)
					cells++
				}
			case "row":
				if cells > 0 {
					sb.WriteByte('\n')
				}
			}
		case xml.CharData:
			if inV || (inT && cellType == "inlineStr") {
				val.Write(t)
			}
		}
	}
	return nil
}
