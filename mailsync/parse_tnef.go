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
// a rich-text message. The winmail.dat part is always kept as it is; the
// files inside are extracted as extra attachments with Source SourceTNEF.
//
// This is a small reader of the attachment attributes of MS-OXTNEF written
// here rather than taken from github.com/teamwork/tnef: that library is
// unmaintained and indexes its input without bounds checks, so a truncated
// winmail.dat would panic. Every read here is bounds-checked; a damaged
// stream yields the files read before the damage and an error.

// TNEF attribute IDs (the low 16 bits of the attribute; the high bits hold
// the type) and MAPI property tags used for attachments.
const (
	tnefLevelAttachment = 0x02

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

func isTNEF(mediaType, filename string, content []byte) bool {
	return mediaType == "application/ms-tnef" || mediaType == "application/vnd.ms-tnef" ||
		strings.EqualFold(filename, "winmail.dat") || bytes.HasPrefix(content, tnefMagic)
}

// extractTNEF adds the files inside the winmail.dat at Attachments[idx].
func (p *parser) extractTNEF(idx int, nested bool) {
	w := p.pm.Attachments[idx]
	if w.Content == nil {
		if w.LimitExceeded != "" {
			p.errorf("part %s: winmail.dat is over the attachment limit; the files inside it were not extracted", w.PartPath)
		}
		return
	}
	files, err := parseTNEF(w.Content)
	if err != nil {
		p.errorf("part %s: winmail.dat: %v", w.PartPath, err)
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

// parseTNEF returns the attachments of a TNEF stream.
func parseTNEF(b []byte) ([]tnefFile, error) {
	if !bytes.HasPrefix(b, tnefMagic) || len(b) < 6 {
		return nil, errors.New("not a TNEF stream (bad signature)")
	}
	r := &tnefReader{b: b, pos: 6, ok: true} // signature, legacy key
	var files []tnefFile
	var err error
	for r.ok && r.pos < len(b) {
		level := r.bytes(1)
		id := r.u32()
		length := r.u32()
		data := r.bytes(length)
		r.u16() // checksum, not verified: a wrong one costs nothing here
		if !r.ok {
			err = fmt.Errorf("attribute 0x%08x is truncated at byte %d", id, r.pos)
			break
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
	return kept, err
}

// tnefAttachProps reads the long file name and MIME type from the MAPI
// property list of an attAttachment attribute. It stops at the first
// property it cannot size and returns what it found before.
func tnefAttachProps(b []byte) (longName, mimeType string) {
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
				}
			default:
				return longName, mimeType
			}
		}
	}
	return longName, mimeType
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
