package mailsync

import (
	"encoding/binary"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Outlook keeps the body of a rich-text message as compressed RTF
// (PR_RTF_COMPRESSED, MS-OXRTFCP) inside winmail.dat. No maintained Go module
// reads it, so this file does: decompressRTF undoes the compression, and
// rtfToText reads the RTF as text, including the HTML that Outlook wraps in
// RTF (\fromhtml1) for a message written as HTML.

// rtfPrebuf is the dictionary every compressed RTF stream starts from
// (MS-OXRTFCP 2.1.3.1.1): 207 bytes.
const rtfPrebuf = "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"

const (
	rtfCompressed   = 0x75465A4C // "LZFu"
	rtfUncompressed = 0x414C454D // "MELA"
	maxRTFBytes     = 32 << 20   // a body larger than this is not a letter
)

// decompressRTF undoes MS-OXRTFCP compression. A damaged stream returns
// what was decompressed before the damage and an error.
func decompressRTF(b []byte) ([]byte, error) {
	if len(b) < 16 {
		return nil, errors.New("compressed RTF: header is truncated")
	}
	compSize := binary.LittleEndian.Uint32(b[0:])
	rawSize := binary.LittleEndian.Uint32(b[4:])
	compType := binary.LittleEndian.Uint32(b[8:])
	if rawSize > maxRTFBytes {
		return nil, fmt.Errorf("compressed RTF: %d bytes once decompressed, over the limit", rawSize)
	}
	data := b[16:]
	if uint64(compSize) >= 12 && uint64(compSize)-12 < uint64(len(data)) {
		data = data[:compSize-12]
	}
	switch compType {
	case rtfUncompressed:
		if uint64(rawSize) > uint64(len(data)) {
			return data, errors.New("uncompressed RTF is truncated")
		}
		return data[:rawSize], nil
	case rtfCompressed:
	default:
		return nil, fmt.Errorf("compressed RTF: unknown compression type 0x%08x", compType)
	}
	var dict [4096]byte
	copy(dict[:], rtfPrebuf)
	wp := len(rtfPrebuf)
	out := make([]byte, 0, rawSize)
	emit := func(c byte) {
		out = append(out, c)
		dict[wp] = c
		wp = (wp + 1) % len(dict)
	}
	for i := 0; i < len(data); {
		control := data[i]
		i++
		for bit := 0; bit < 8; bit++ {
			if control&(1<<bit) == 0 {
				if i >= len(data) {
					return out, nil // the last run ends with the data
				}
				emit(data[i])
				i++
				continue
			}
			if i+1 >= len(data) {
				return out, errors.New("compressed RTF is truncated")
			}
			ref := int(data[i])<<8 | int(data[i+1])
			i += 2
			offset, length := ref>>4, ref&0xF+2
			if offset == wp {
				return out, nil // the end marker
			}
			if len(out)+length > maxRTFBytes {
				return out, errors.New("compressed RTF: over the size limit")
			}
			for k := 0; k < length; k++ {
				emit(dict[(offset+k)%len(dict)])
			}
		}
	}
	return out, errors.New("compressed RTF has no end marker")
}

// rtfSkipped are destinations whose text is not the message: tables of
// fonts, colours and styles, document information, pictures and objects.
var rtfSkipped = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "info": true, "pict": true, "object": true,
	"header": true, "footer": true, "headerl": true, "headerr": true, "footerl": true, "footerr": true,
	"listtable": true, "listoverridetable": true, "rsidtbl": true, "generator": true, "xmlnstbl": true,
	"themedata": true, "colorschememapping": true, "latentstyles": true, "datastore": true, "fldinst": true,
	"filetbl": true, "revtbl": true, "mmathPr": true, "pgdsctbl": true,
}

// rtfSymbols are control words that stand for a character.
var rtfSymbols = map[string]string{
	"par": "\n", "line": "\n", "sect": "\n\n", "page": "\n\n", "row": "\n", "cell": "\t", "tab": "\t",
	"emdash": "—", "endash": "–", "bullet": "•", "lquote": "‘", "rquote": "’", "ldblquote": "“", "rdblquote": "”",
	"emspace": " ", "enspace": " ", "qmspace": " ",
}

type rtfGroup struct {
	skip    bool
	htmltag bool // inside {\*\htmltag…}: HTML that Outlook wrapped in RTF
	uc      int  // characters to skip after \uN
}

// rtfToText reads RTF as text. For RTF that wraps HTML (\fromhtml1) it
// rebuilds the HTML (the \htmltag destinations and the text outside
// \htmlrtf) and returns it as HTML too, so the caller can show it like an
// HTML part; text is then derived from that HTML.
func rtfToText(rtf []byte) (text, htmlBody string) {
	s := string(rtf)
	var out strings.Builder
	var pendingBytes []byte // \'hh bytes, decoded together in the code page
	codepage := "windows-1252"
	fromHTML := strings.Contains(s[:min(len(s), 512)], "\\fromhtml")
	stack := []rtfGroup{{uc: 1}}
	htmlrtf := false // text between \htmlrtf and \htmlrtf0 is the RTF rendering only
	skipChars := 0   // after \uN, the fallback characters
	flush := func() {
		if len(pendingBytes) > 0 {
			t, _ := decodeCharset(pendingBytes, codepage, "")
			pendingBytes = pendingBytes[:0]
			out.WriteString(t)
		}
	}
	visible := func() bool {
		g := stack[len(stack)-1]
		if g.skip {
			return false
		}
		if fromHTML {
			return g.htmltag || !htmlrtf
		}
		return true
	}
	write := func(t string, literal bool) {
		if !visible() {
			return
		}
		flush()
		if fromHTML && !stack[len(stack)-1].htmltag && literal {
			t = html.EscapeString(t)
		}
		out.WriteString(t)
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '{':
			flush()
			stack = append(stack, stack[len(stack)-1])
			i++
		case '}':
			flush()
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			i++
		case '\r', '\n', 0: // line breaks in RTF source are not text; Outlook ends the stream with a NUL
			i++
		case '\\':
			i++
			if i >= len(s) {
				break
			}
			d := s[i]
			switch {
			case d == '\'' && i+2 < len(s):
				if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
					if skipChars > 0 {
						skipChars--
					} else if visible() {
						pendingBytes = append(pendingBytes, byte(v))
					}
				}
				i += 3
			case d == '*':
				stack[len(stack)-1].skip = true // an optional destination: skipped unless known below
				i++
			case isASCIILetter(d):
				j := i
				for j < len(s) && isASCIILetter(s[j]) {
					j++
				}
				word := s[i:j]
				k := j
				if k < len(s) && (s[k] == '-' || s[k] >= '0' && s[k] <= '9') {
					k++
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
				}
				param, hasParam := 0, k > j
				if hasParam {
					param, _ = strconv.Atoi(s[j:k])
				}
				if k < len(s) && s[k] == ' ' {
					k++ // the delimiter space belongs to the control word
				}
				i = k
				g := &stack[len(stack)-1]
				switch {
				case word == "htmltag" && fromHTML:
					g.skip, g.htmltag = false, true
				case word == "htmlrtf":
					flush()
					htmlrtf = !hasParam || param != 0
				case rtfSkipped[word]:
					g.skip = true
				case word == "ansicpg" && hasParam:
					codepage = "windows-" + strconv.Itoa(param)
				case word == "uc" && hasParam:
					g.uc = param
				case word == "u" && hasParam:
					if param < 0 {
						param += 65536
					}
					if visible() {
						write(string(rune(param)), true)
					}
					skipChars = g.uc
				case rtfSymbols[word] != "":
					if !fromHTML || g.htmltag { // in HTML mode the HTML says where lines break
						write(rtfSymbols[word], false)
					} else if !htmlrtf && (word == "par" || word == "line") {
						write("\n", false)
					}
				}
			default: // an escaped character: \\ \{ \} \~ \- \_
				switch d {
				case '\\', '{', '}':
					write(string(d), true)
				case '~':
					write("\u00a0", true)
				case '_':
					write("-", true)
				}
				i++
			}
		default:
			r, w := utf8.DecodeRuneInString(s[i:])
			i += w
			if skipChars > 0 {
				skipChars--
				continue
			}
			write(string(r), true)
		}
	}
	flush()
	if fromHTML {
		htmlBody = out.String()
		return HTMLToText(htmlBody), htmlBody
	}
	return strings.TrimSpace(collapseBlankLines(out.String())), ""
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// collapseBlankLines keeps at most one blank line in a row and trims the
// ends of lines.
func collapseBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
