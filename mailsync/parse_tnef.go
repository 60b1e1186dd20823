package mailsync

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// TNEF (winmail.dat, application/ms-tnef) is how Outlook wraps the files of
// a rich-text message, and often its body too. The winmail.dat part is always
// kept as it is; the files inside are extracted as extra attachments with
// Source SourceTNEF, and the body (attBody, or PR_BODY, PR_HTML or
// PR_RTF_COMPRESSED in attMsgProps) becomes the message's text when the MIME
// parts did not already hold it.
//
// This is a small reader of the attributes of MS-OXTNEF written
// here rather than taken from github.com/teamwork/tnef: that library is
// unmaintained and indexes its input without bounds checks, so a truncated
// winmail.dat would panic. Every read here is bounds-checked; a damaged
// stream yields the files read before the damage and an error.

// TNEF attribute IDs (the low 16 bits of the attribute; the high bits hold
// the type) and MAPI property tags used for attachments.
const (
	tnefLevelMessage    = 0x01
	tnefLevelAttachment = 0x02

	attBody     = 0x800C
	attMsgProps = 0x9003

	prBody          = 0x1000
	prRTFCompressed = 0x1009
	prHTML          = 0x1013
	ptBinary        = 0x0102

	attAttachData     = 0x800F
	attAttachTitle    = 0x8010
	attAttachRendData = 0x9002
	attAttachment     = 0x9005

	prAttachLongFilename = 0x3707
	prAttachMimeTag      = 0x370E

	ptString8 = 0x001E
	ptUnicode = 0x001F
)

type tnefFile struct {
	name     string
	mimeType string
	data     []byte
}

// tnefBody is the message body a TNEF stream carries, in whichever forms it
// has it.
type tnefBody struct {
	plain string
	html  []byte
	rtf   []byte // compressed (MS-OXRTFCP)
}

// text returns the body as text (and as HTML when it was written as HTML):
// the plain body when there is one, else the HTML, else the RTF read as
// text. A problem decompressing the RTF is returned as a warning.
func (b tnefBody) text() (text, htmlBody, warn string) {
	if t := strings.TrimSpace(b.plain); t != "" {
		return t, "", ""
	}
	if len(b.html) > 0 {
		h, _ := decodeCharset(b.html, "", "")
		return HTMLToText(h), h, ""
	}
	if len(b.rtf) > 0 {
		raw, err := decompressRTF(b.rtf)
		if err != nil {
			warn = err.Error()
		}
		text, htmlBody = rtfToText(raw)
		return text, htmlBody, warn
	}
	return "", "", ""
}

func isTNEF(mediaType, filename string, content []byte) bool {
	return mediaType == "application/ms-tnef" || mediaType == "application/vnd.ms-tnef" ||
		strings.EqualFold(filename, "winmail.dat") || bytes.HasPrefix(content, tnefMagic)
}

// extractTNEF adds the files inside the winmail.dat at Attachments[idx],
// and its body to acc when the message's own parts did not hold it.
func (p *parser) extractTNEF(idx int, nested bool, acc *bodyAcc) {
	w := p.pm.Attachments[idx]
	if w.Content == nil {
		if w.LimitExceeded != "" {
			p.errorf("part %s: winmail.dat is over the attachment limit; the files inside it were not extracted", w.PartPath)
		}
		return
	}
	files, body, err := parseTNEF(w.Content)
	if err != nil {
		p.errorf("part %s: winmail.dat: %v", w.PartPath, err)
	}
	text, htmlBody, warn := body.text()
	if warn != "" {
		p.warnf("part %s: winmail.dat body: %s", w.PartPath, warn)
	}
	if text = strings.TrimSpace(normalizeNewlines(text)); text != "" && acc != nil && !acc.holds(text) {
		acc.texts = append(acc.texts, text)
		if htmlBody != "" && len(acc.htmls) == 0 {
			acc.htmls = append(acc.htmls, SanitizeHTML(htmlBody))
		}
	}
	for i, f := range files {
		pt := part{filename: SanitizeFilename(f.name), mediaType: strings.ToLower(f.mimeType)}
		p.addAttachment(pt, f.data, fmt.Sprintf("%s.t%d", w.PartPath, i+1), nested, false, SourceTNEF, "")
	}
}

// tnefReader reads little-endian values; after the first short read every
// read fails, so callers check ok once at the end of a step.
type tnefReader struct {
	b   []byte
	pos int
	ok  bool
}

func (r *tnefReader) bytes(n uint32) []byte {
	if !r.ok || uint64(n) > uint64(len(r.b)-r.pos) {
		r.ok = false
		return nil
	}
	out := r.b[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return out
}

func (r *tnefReader) u16() uint16 {
	if b := r.bytes(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *tnefReader) u32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// parseTNEF returns the attachments and the message body of a TNEF stream.
func parseTNEF(b []byte) ([]tnefFile, tnefBody, error) {
	var body tnefBody
	if !bytes.HasPrefix(b, tnefMagic) || len(b) < 6 {
		return nil, body, errors.New("not a TNEF stream (bad signature)")
	}
	r := &tnefReader{b: b, pos: 6, ok: true} // signature, legacy key
	var files []tnefFile
	var err error
	for r.ok && r.pos < len(b) {
		if allZero(b[r.pos:]) {
			break // padding after the last attribute, as some gateways add: the stream is complete
		}
		level := r.bytes(1)
		id := r.u32()
		length := r.u32()
		data := r.bytes(length)
		r.u16() // checksum, not verified: a wrong one costs nothing here
		if !r.ok {
			err = fmt.Errorf("attribute 0x%08x is truncated at byte %d", id, r.pos)
			break
		}
		if level[0] == tnefLevelMessage {
			switch id & 0xFFFF {
			case attBody:
				body.plain = tnefString8(data)
			case attMsgProps:
				tnefProps(data, func(id, typ uint16, v []byte) {
					switch {
					case id == prBody && typ == ptUnicode && body.plain == "":
						body.plain = tnefUTF16(v)
					case id == prBody && typ == ptString8 && body.plain == "":
						body.plain = tnefString8(v)
					case id == prHTML && (typ == ptBinary || typ == ptString8):
						body.html = v
					case id == prRTFCompressed && typ == ptBinary:
						body.rtf = v
					}
				})
			}
			continue
		}
		if level[0] != tnefLevelAttachment {
			continue
		}
		if id&0xFFFF == attAttachRendData {
			files = append(files, tnefFile{})
			continue
		}
		if len(files) == 0 {
			continue
		}
		f := &files[len(files)-1]
		switch id & 0xFFFF {
		case attAttachTitle:
			if f.name == "" {
				f.name = tnefString8(data)
			}
		case attAttachData:
			f.data = data
		case attAttachment:
			long, mimeType := tnefAttachProps(data)
			if long != "" {
				f.name = long
			}
			if mimeType != "" {
				f.mimeType = mimeType
			}
		}
	}
	kept := files[:0]
	for _, f := range files {
		if f.name != "" || len(f.data) > 0 {
			kept = append(kept, f)
		}
	}
	return kept, body, err
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// tnefAttachProps reads the long file name and MIME type from the MAPI
// property list of an attAttachment attribute.
func tnefAttachProps(b []byte) (longName, mimeType string) {
	tnefProps(b, func(id, typ uint16, data []byte) {
		switch {
		case id == prAttachLongFilename && typ == ptUnicode:
			longName = tnefUTF16(data)
		case id == prAttachLongFilename && typ == ptString8:
			longName = tnefString8(data)
		case id == prAttachMimeTag && typ == ptUnicode:
			mimeType = tnefUTF16(data)
		case id == prAttachMimeTag && typ == ptString8:
			mimeType = tnefString8(data)
		}
	})
	return longName, mimeType
}

// tnefProps walks a MAPI property list (attMsgProps, attAttachment) and
// calls found with each variable-size value (strings, binaries). It stops at
// the first property it cannot size.
func tnefProps(b []byte, found func(id, typ uint16, data []byte)) {
	r := &tnefReader{b: b, ok: true}
	count := r.u32()
	for i := uint32(0); i < count && r.ok; i++ {
		typ := r.u16()
		id := r.u16()
		if id >= 0x8000 { // named property: GUID, kind, then an ID or a name
			r.bytes(16)
			if kind := r.u32(); kind == 0 {
				r.u32()
			} else {
				n := r.u32()
				r.bytes(pad4(n))
			}
		}
		multi := typ&0x1000 != 0
		typ &^= 0x1000
		values := uint32(1)
		if multi {
			values = r.u32()
		}
		for v := uint32(0); v < values && r.ok; v++ {
			switch typ {
			case 0x0002, 0x000B, 0x0003, 0x0004, 0x000A: // short, bool (padded), long, float, error
				r.bytes(4)
			case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040: // double, currency, apptime, int64, systime
				r.bytes(8)
			case 0x0048: // CLSID
				r.bytes(16)
			case ptString8, ptUnicode, 0x0102, 0x000D: // variable size: a count, then size+data+padding each
				n := uint32(1)
				if !multi {
					n = r.u32()
				}
				for k := uint32(0); k < n && r.ok; k++ {
					size := r.u32()
					data := r.bytes(size)
					r.bytes(pad4(size) - size)
					if !r.ok {
						break
					}
					found(id, typ, data)
				}
			default:
				return
			}
		}
	}
}

func pad4(n uint32) uint32 {
	if n > 0xFFFFFFFF-3 {
		return n // a size this large fails the read anyway
	}
	return (n + 3) &^ 3
}

// tnefString8 decodes a NUL-terminated 8-bit string (in the sender's ANSI
// code page, which TNEF does not always record: read like unlabelled text).
func tnefString8(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	s, _ := decodeCharset(b, "", "")
	return s
}

func tnefUTF16(b []byte) string {
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u := binary.LittleEndian.Uint16(b[i:])
		if u == 0 {
			break
		}
		units = append(units, u)
	}
	return string(utf16.Decode(units))
}
