// Package mailsync reads FOI replies from an IMAP mailbox and turns them into
// something the tracker can store: parsed messages (this file), DKIM
// provenance (dkim.go) and the IMAP client (imapclient.go).
package mailsync

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	netmail "net/mail"
	nettextproto "net/textproto"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/foitrack/foitrack/tracker"
)

// Limits bound what ParseMessage keeps in memory. A zero field takes its value
// from DefaultLimits.
type Limits struct {
	// MaxMessageBytes is the largest raw message whose body is parsed. A
	// bigger message yields its header only, with LimitExceeded set.
	MaxMessageBytes int64
	// MaxAttachmentBytes is the largest decoded attachment whose content is
	// kept. A bigger attachment is still listed, with its size, hash and
	// sniffed type, but without Content, and with LimitExceeded set.
	MaxAttachmentBytes int64
	// MaxAttachments is how many attachments (MIME parts, nested messages,
	// uuencoded files and files inside winmail.dat, all counted together) are
	// extracted from one message. The rest are counted in LimitExceeded.
	MaxAttachments int
}

// DefaultLimits are the limits used for zero Limits fields.
var DefaultLimits = Limits{
	MaxMessageBytes:    50 << 20,
	MaxAttachmentBytes: 25 << 20,
	MaxAttachments:     200,
}

func (l Limits) withDefaults() Limits {
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = DefaultLimits.MaxMessageBytes
	}
	if l.MaxAttachmentBytes <= 0 {
		l.MaxAttachmentBytes = DefaultLimits.MaxAttachmentBytes
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = DefaultLimits.MaxAttachments
	}
	return l
}

// Structural bounds that no configuration needs to change: they only stop
// hostile input (a MIME bomb of nested multiparts) from costing unbounded
// work. Parts past them are reported in Errors.
const (
	maxPartDepth = 30
	maxParts     = 5000
	// maxHeaderBytes bounds the header read from an over-limit message.
	maxHeaderBytes = 1 << 20
)

// Address is one mailbox from an address header.
type Address struct {
	Name    string // display name, decoded; may be empty
	Address string // addr-spec; may be empty when the header is unparseable
}

// String formats the address for display.
func (a Address) String() string {
	switch {
	case a.Name == "":
		return a.Address
	case a.Address == "":
		return a.Name
	}
	return a.Name + " <" + a.Address + ">"
}

// HeaderField is one header field as it appeared, unfolded but not decoded.
type HeaderField struct {
	Key   string // canonical form, e.g. "Auto-Submitted"
	Value string
}

// Header is a message header in its original order, duplicates included.
type Header []HeaderField

// Get returns the first value of key (case-insensitive), or "".
func (h Header) Get(key string) string {
	for _, f := range h {
		if strings.EqualFold(f.Key, key) {
			return f.Value
		}
	}
	return ""
}

// Values returns every value of key (case-insensitive), in order.
func (h Header) Values(key string) []string {
	var vs []string
	for _, f := range h {
		if strings.EqualFold(f.Key, key) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Envelope holds the header fields the tracker uses for matching and
// provenance. Everything else stays available in the full Header.
type Envelope struct {
	MessageID  string    // without angle brackets; "" when missing
	Date       time.Time // zero when missing or unparseable (see DateRaw)
	DateRaw    string
	From       Address
	To         []Address
	Cc         []Address
	Subject    string   // decoded, valid UTF-8
	InReplyTo  []string // message IDs without angle brackets
	References []string
	// Received holds the raw Received header values, topmost (the last hop)
	// first, as they appear in the message.
	Received      []string
	AutoSubmitted string // RFC 3834 Auto-Submitted value, lower-case; "" when absent
}

// Attachment sources: where in the message an attachment was found.
const (
	SourceMIME     = "mime"     // a MIME part
	SourceUUEncode = "uuencode" // a "begin 644 name" block inside a text body
	SourceTNEF     = "tnef"     // a file inside a winmail.dat (application/ms-tnef) part
)

// Attachment is one file found in a message. Filename is for display only and
// must never be used to build a path.
type Attachment struct {
	// Filename is the declared name, decoded and reduced to a harmless display
	// name: no directories, no control or bidi characters, at most 255 bytes.
	// It is "" when the part declared none; DisplayName then makes one up.
	Filename     string
	DeclaredType string // media type from Content-Type, lower-case, without parameters
	SniffedType  string // from the content (http.DetectContentType), refined by extension
	Size         int64  // decoded size, also when Content was not kept
	SHA256       string // hex SHA-256 of the decoded content, also when Content was not kept
	// Content is the decoded content; nil when LimitExceeded is set.
	Content     []byte
	Inline      bool   // Content-Disposition inline, or an unnamed part inside multipart/related
	ContentID   string // without angle brackets, for cid: references from HTMLBody
	Disposition string // "attachment", "inline" or "" as declared
	FromNested  bool   // found inside a message/rfc822 part
	Source      string // SourceMIME, SourceUUEncode or SourceTNEF
	PartPath    string // position in the MIME tree, e.g. "2.1"; uuencoded and TNEF files add ".u1", ".t1"
	// LimitExceeded says why Content was not kept; "" when it was.
	LimitExceeded string
	// Error describes a decoding problem (corrupt base64, truncated
	// uuencode...): the content is what could be decoded.
	Error string
}

// DisplayName returns Filename, or a made-up name when the part had none.
func (a Attachment) DisplayName() string {
	if a.Filename != "" {
		return a.Filename
	}
	t := a.DeclaredType
	if t == "" || t == "application/octet-stream" {
		t = a.SniffedType
	}
	return "attachment-" + strings.ReplaceAll(a.PartPath, ".", "-") + extensionFor(t)
}

// NestedMessage is a message/rfc822 part (a forwarded message, the original
// of a bounce). Its own attachments are listed in ParsedMessage.Attachments
// with FromNested set; the .eml itself is Attachments[AttachmentIndex].
type NestedMessage struct {
	Envelope
	TextBody        string
	HTMLBody        string // sanitised like ParsedMessage.HTMLBody
	PartPath        string
	AttachmentIndex int // -1 when the attachment limit left it out
}

// ParsedMessage is what ParseMessage could read from a raw RFC 5322 message.
type ParsedMessage struct {
	Envelope
	Header Header // every header field, in order
	// TextBody is the text of the message: its text/plain parts, or text
	// derived from its HTML parts when a part has no plain alternative.
	// uuencoded blocks are cut out of it and listed as attachments.
	TextBody string
	// HTMLBody is the HTML parts, sanitised for display (see SanitizeHTML).
	HTMLBody    string
	Attachments []Attachment
	Nested      []NestedMessage
	// LimitExceeded says what was not kept because of Limits: the message
	// body (message too big) or attachments past MaxAttachments. "" when
	// nothing was cut.
	LimitExceeded string
	// Warnings are defects worked around without loss: a guessed charset, a
	// malformed header line skipped.
	Warnings []string
	// Errors are parts of the message that could not be read completely.
	Errors []string
}

// ParseMessage parses a raw RFC 5322 message. It never panics and always
// returns a ParsedMessage holding as much as could be read.
//
// The error is non-nil only when the message as a whole was not parsed: it is
// a *tracker.Error with code ETOOLARGE when raw exceeds lim.MaxMessageBytes
// (the header is parsed, the body is not), and EINVALID when raw has no
// header at all. Defects in parts of a message are reported in Warnings and
// Errors, not as an error.
func ParseMessage(raw []byte, lim Limits) (pm *ParsedMessage, err error) {
	pm = &ParsedMessage{}
	defer func() {
		// A panic here is a bug, but the caller must still get the message
		// (stored raw) and an error rather than a crashed sync.
		if r := recover(); r != nil {
			pm.Errors = append(pm.Errors, fmt.Sprintf("internal parser error: %v", r))
			err = tracker.Errorf(tracker.EINTERNAL, "mailsync: parser failed: %v", r)
		}
	}()
	lim = lim.withDefaults()
	p := &parser{lim: lim, pm: pm}

	tooBig := int64(len(raw)) > lim.MaxMessageBytes
	headerBytes := raw
	if tooBig && len(headerBytes) > maxHeaderBytes {
		headerBytes = headerBytes[:maxHeaderBytes]
	}
	hdr, body, warns := readHeader(headerBytes)
	pm.Warnings = append(pm.Warnings, warns...)
	if len(hdr) == 0 {
		if len(bytes.TrimSpace(raw)) == 0 {
			pm.Errors = append(pm.Errors, "empty message")
			return pm, tracker.Errorf(tracker.EINVALID, "mailsync: the message is empty")
		}
		pm.Errors = append(pm.Errors, "no header fields found; the whole message is treated as a text body")
		err = tracker.Errorf(tracker.EINVALID, "mailsync: the message has no header")
	}
	pm.Header = hdr
	p.charsetHint = headerCharsetHint(hdr)
	pm.Envelope = p.envelope(hdr)

	if tooBig {
		pm.LimitExceeded = fmt.Sprintf("message is %d bytes, over the limit of %d bytes: only its header was parsed", len(raw), lim.MaxMessageBytes)
		return pm, tracker.Errorf(tracker.ETOOLARGE, "mailsync: the message is %d bytes, over the limit of %d bytes", len(raw), lim.MaxMessageBytes)
	}

	top := &bodyAcc{}
	p.walkEntity(hdr, body, "", 0, false, false, "", top)
	pm.TextBody = top.text()
	pm.HTMLBody = top.html()
	if p.skippedAttachments > 0 {
		pm.LimitExceeded = fmt.Sprintf("message has %d more attachments than the limit of %d: they were not extracted", p.skippedAttachments, lim.MaxAttachments)
	}
	return pm, err
}

// parser carries the state of one ParseMessage call.
type parser struct {
	lim                Limits
	pm                 *ParsedMessage
	charsetHint        string // charset of the header's encoded words, to guess unlabelled 8-bit text
	parts              int
	skippedAttachments int
}

func (p *parser) warnf(format string, args ...any) {
	p.pm.Warnings = append(p.pm.Warnings, fmt.Sprintf(format, args...))
}

func (p *parser) errorf(format string, args ...any) {
	p.pm.Errors = append(p.pm.Errors, fmt.Sprintf(format, args...))
}

// bodyAcc accumulates the text and HTML bodies of one message (the top-level
// one or a nested one).
type bodyAcc struct {
	texts, htmls []string
}

func (b *bodyAcc) text() string { return strings.Join(b.texts, "\n\n") }

// holds reports whether the text is already in the body (whitespace aside):
// Outlook often sends the same body as a text part and inside winmail.dat.
func (b *bodyAcc) holds(text string) bool {
	want := strings.Join(strings.Fields(text), " ")
	for _, t := range b.texts {
		if strings.Contains(strings.Join(strings.Fields(t), " "), want) {
			return true
		}
	}
	return false
}
func (b *bodyAcc) html() string { return strings.Join(b.htmls, "\n") }

// readHeader splits raw into header fields and body. It tolerates what real
// mail does: an mbox "From " line first, LF line endings, lines without a
// colon (skipped when more header fields follow, else taken as the start of a
// body that lacks its blank line), and a missing body.
func readHeader(raw []byte) (Header, []byte, []string) {
	var (
		h       Header
		warns   []string
		pending []string // malformed lines since the last good field
		pos     int
		first   = true
		prevOK  bool
		bodyAt  = -1
		pendAt  = -1
	)
	for pos < len(raw) {
		end := bytes.IndexByte(raw[pos:], '\n')
		next := len(raw)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(raw)
		}
		line := string(bytes.TrimSuffix(raw[pos:end], []byte("\r")))
		lineStart := pos
		pos = next
		if line == "" {
			bodyAt = pos
			break
		}
		if first && strings.HasPrefix(line, "From ") {
			first = false
			continue // mbox separator line
		}
		first = false
		if line[0] == ' ' || line[0] == '\t' {
			if prevOK {
				v := strings.TrimSpace(line)
				if v != "" {
					if h[len(h)-1].Value != "" {
						h[len(h)-1].Value += " "
					}
					h[len(h)-1].Value += v
				}
			} else if len(pending) > 0 {
				pending = append(pending, line)
			} else {
				warns = append(warns, fmt.Sprintf("header: skipped a continuation line with no field before it: %q", truncate(line, 80)))
			}
			continue
		}
		key, value, ok := splitHeaderLine(line)
		if !ok {
			if len(pending) == 0 {
				pendAt = lineStart
			}
			pending = append(pending, line)
			prevOK = false
			continue
		}
		for _, l := range pending {
			warns = append(warns, fmt.Sprintf("header: skipped a malformed line: %q", truncate(l, 80)))
		}
		pending = nil
		h = append(h, HeaderField{Key: key, Value: value})
		prevOK = true
	}
	if len(pending) > 0 {
		// No header field follows the malformed lines: they are the body of
		// a message that lacks the blank line after its header.
		warns = append(warns, "header: no blank line after the header; the body starts at the first line that is not a header field")
		return h, raw[pendAt:], warns
	}
	if bodyAt < 0 {
		return h, nil, warns
	}
	return h, raw[bodyAt:], warns
}

func splitHeaderLine(line string) (key, value string, ok bool) {
	i := strings.IndexByte(line, ':')
	if i <= 0 {
		return "", "", false
	}
	k := strings.TrimRight(line[:i], " \t")
	if k == "" {
		return "", "", false
	}
	for j := 0; j < len(k); j++ {
		if c := k[j]; c < 33 || c > 126 {
			return "", "", false
		}
	}
	return nettextproto.CanonicalMIMEHeaderKey(k), strings.TrimSpace(line[i+1:]), true
}

// goMessageHeader rebuilds a go-message mail.Header from h, to use its
// parsers for dates, message IDs and address lists.
func goMessageHeader(h Header) mail.Header {
	var b bytes.Buffer
	for _, f := range h {
		b.WriteString(f.Key)
		b.WriteString(": ")
		b.WriteString(f.Value)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	th, err := textproto.ReadHeader(bufio.NewReader(&b))
	if err != nil {
		// Cannot happen for fields that splitHeaderLine accepted; an empty
		// header only costs the envelope fields.
		return mail.Header{}
	}
	var mh mail.Header
	mh.Header.Header = th
	return mh
}

func (p *parser) envelope(h Header) Envelope {
	var e Envelope
	mh := goMessageHeader(h)

	if v := h.Get("Message-Id"); v != "" {
		id, err := mh.MessageID()
		if err != nil || id == "" {
			id = strings.Trim(strings.TrimSpace(v), "<>")
			p.warnf("Message-ID %q is malformed; kept as written", truncate(v, 80))
		}
		e.MessageID = id
	}

	e.DateRaw = h.Get("Date")
	if e.DateRaw != "" {
		if t, err := mh.Date(); err == nil {
			e.Date = t
		} else if t, ok := parseLooseDate(e.DateRaw); ok {
			e.Date = t
			p.warnf("Date %q is malformed; read as %s", truncate(e.DateRaw, 80), t.Format(time.RFC3339))
		} else {
			p.warnf("Date %q could not be parsed", truncate(e.DateRaw, 80))
		}
	}

	if from := p.addresses(h, "From"); len(from) > 0 {
		e.From = from[0]
	}
	e.To = p.addresses(h, "To")
	e.Cc = p.addresses(h, "Cc")
	e.Subject = p.decodeText(h.Get("Subject"))
	e.InReplyTo = msgIDList(h.Get("In-Reply-To"))
	e.References = msgIDList(h.Get("References"))
	e.Received = h.Values("Received")
	e.AutoSubmitted = strings.ToLower(strings.TrimSpace(strings.SplitN(h.Get("Auto-Submitted"), ";", 2)[0]))
	return e
}

// looseDateLayouts are Date formats seen in the wild that net/mail rejects.
var looseDateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"2 January 2006 15:04",
	"2 January 2006 15:04:05",
	time.RFC3339,
}

func parseLooseDate(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	for _, layout := range looseDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var msgIDRe = regexp.MustCompile(`<([^<>\s]+)>`)

// msgIDList extracts message IDs from In-Reply-To/References. It is lenient
// on purpose: a reference matching our outgoing Message-ID is worth finding
// even in a header with comments or missing brackets.
func msgIDList(v string) []string {
	if v == "" {
		return nil
	}
	var ids []string
	for _, m := range msgIDRe.FindAllStringSubmatch(v, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				ids = append(ids, strings.Trim(f, "<>,;"))
			}
		}
	}
	return ids
}

var bareAddrRe = regexp.MustCompile(`[^\s<>"(),;:]+@[^\s<>"(),;:]+`)

// addresses parses an address header, falling back to picking out what
// looks like addresses when the header is not RFC 5322 (unquoted commas in
// names, placeholders, raw 8-bit names).
func (p *parser) addresses(h Header, key string) []Address {
	v := h.Get(key)
	if strings.TrimSpace(v) == "" {
		return nil
	}
	ap := netmail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: p.wordCharsetReader}}
	if list, err := ap.ParseList(v); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: a.Name, Address: a.Address})
		}
		return out
	}
	var out []Address
	for _, part := range splitAddressList(v) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if a, err := ap.Parse(part); err == nil {
			out = append(out, Address{Name: a.Name, Address: a.Address})
			continue
		}
		var a Address
		if lt := strings.IndexByte(part, '<'); lt >= 0 {
			inside := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part[lt+1:]), ">"))
			a.Address = bareAddrRe.FindString(inside)
			a.Name = part[:lt]
		} else if addr := bareAddrRe.FindString(part); addr != "" {
			a.Address = addr
			a.Name = strings.Replace(part, addr, "", 1)
		} else {
			a.Name = part // a placeholder or a bare name: keep it readable
		}
		a.Name = strings.NewReplacer("<", "", ">", "").Replace(a.Name)
		a.Name = p.decodeText(strings.TrimSpace(strings.Trim(strings.TrimSpace(a.Name), `"'`)))
		out = append(out, a)
	}
	p.warnf("%s header %q is not a valid address list; addresses were picked out of it", key, truncate(v, 120))
	return out
}

// wordCharsetReader lets mime.WordDecoder use decodeCharset, with its
// fallbacks and UTF-7, for the names in address headers.
func (p *parser) wordCharsetReader(label string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	s, _ := decodeCharset(b, label, p.charsetHint)
	return strings.NewReader(s), nil
}

// splitAddressList splits on commas outside quotes and angle brackets, and
// also after a closing '>' so that "A <a@x>, B C <b@x>" with unquoted commas
// in names keeps names and addresses together.
func splitAddressList(v string) []string {
	var parts []string
	var b strings.Builder
	inQuote, inAngle := false, false
	for _, r := range v {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == '<' && !inQuote:
			inAngle = true
		case r == '>' && !inQuote:
			inAngle = false
		case r == ',' && !inQuote && !inAngle:
			parts = append(parts, b.String())
			b.Reset()
			continue
		}
		b.WriteRune(r)
	}
	return append(parts, b.String())
}

// part describes one MIME entity while walking the tree.
type part struct {
	header      Header
	mediaType   string
	params      map[string]string
	disposition string
	dispParams  map[string]string
	filename    string
}

func (p *parser) describe(h Header, defaultType string) part {
	pt := part{header: h}
	ct := h.Get("Content-Type")
	if strings.TrimSpace(ct) == "" {
		pt.mediaType, pt.params = defaultType, map[string]string{}
	} else {
		mt, params, ok := parseParamHeader(ct)
		if !ok {
			p.warnf("Content-Type %q is malformed; parameters were read leniently", truncate(ct, 100))
		}
		if !strings.Contains(mt, "/") {
			p.warnf("Content-Type %q has no valid media type; treated as %s", truncate(ct, 100), defaultType)
			mt = defaultType
		}
		pt.mediaType, pt.params = mt, params
	}
	if cd := h.Get("Content-Disposition"); strings.TrimSpace(cd) != "" {
		d, params, _ := parseParamHeader(cd)
		pt.disposition, pt.dispParams = d, params
	}
	name := pt.dispParams["filename"]
	if name == "" {
		name = pt.params["name"]
	}
	pt.filename = SanitizeFilename(p.decodeText(name))
	return pt
}

// walkEntity handles one entity (header + raw body) of the MIME tree.
// inRelated marks parts of multipart/related (unnamed parts there are inline
// resources of the HTML); hasPlainAlt marks text/html parts that have a
// text/plain alternative (so their text is not added twice).
func (p *parser) walkEntity(h Header, body []byte, path string, depth int, nested, hasPlainAlt bool, defaultType string, acc *bodyAcc) {
	p.parts++
	if p.parts > maxParts {
		if p.parts == maxParts+1 {
			p.errorf("message has more than %d MIME parts; the rest were not read", maxParts)
		}
		return
	}
	if defaultType == "" {
		defaultType = "text/plain"
	}
	pt := p.describe(h, defaultType)
	if depth > maxPartDepth {
		p.errorf("part %s: MIME parts nested more than %d deep; kept as an opaque attachment", pathOr(path), maxPartDepth)
		p.addAttachment(pt, body, path, nested, false, SourceMIME, "not decoded: nested too deep")
		return
	}

	switch {
	case strings.HasPrefix(pt.mediaType, "multipart/"):
		p.walkMultipart(pt, body, path, depth, nested, hasPlainAlt, acc)
	case pt.mediaType == "message/rfc822" || pt.mediaType == "message/global":
		p.walkNested(pt, body, path, depth, nested)
	case isBodyText(pt):
		p.addBodyText(pt, body, path, nested, hasPlainAlt, acc)
	default:
		p.addPart(pt, body, path, depth, nested, false, acc)
	}
}

// isBodyText says whether a part is message text rather than an attachment:
// a text/plain or text/html part that is not marked as an attachment and has
// no file name.
func isBodyText(pt part) bool {
	if pt.mediaType != "text/plain" && pt.mediaType != "text/html" {
		return false
	}
	return pt.disposition != "attachment" && pt.filename == ""
}

func (p *parser) walkMultipart(pt part, body []byte, path string, depth int, nested, hasPlainAlt bool, acc *bodyAcc) {
	boundary := strings.TrimSpace(pt.params["boundary"])
	if boundary == "" {
		p.errorf("part %s: %s without a boundary; its body is kept as text", pathOr(path), pt.mediaType)
		p.addBodyText(part{mediaType: "text/plain"}, body, path, nested, false, acc)
		return
	}
	parts, closed := splitMultipart(body, boundary)
	if len(parts) == 0 {
		p.errorf("part %s: %s has no part with boundary %q; its body is kept as text", pathOr(path), pt.mediaType, truncate(boundary, 70))
		p.addBodyText(part{mediaType: "text/plain"}, body, path, nested, false, acc)
		return
	}
	if !closed {
		p.warnf("part %s: %s lacks its closing boundary; the last part runs to the end", pathOr(path), pt.mediaType)
	}
	childDefault := "text/plain"
	if pt.mediaType == "multipart/digest" {
		childDefault = "message/rfc822"
	}
	type child struct {
		h    Header
		body []byte
	}
	children := make([]child, 0, len(parts))
	hasPlain := hasPlainAlt
	for _, raw := range parts {
		ch, cb, warns := readHeader(raw)
		for _, w := range warns {
			p.warnf("part %s: %s", pathOr(path), w)
		}
		children = append(children, child{ch, cb})
		if pt.mediaType == "multipart/alternative" {
			if c := p.describeQuiet(ch, childDefault); c.mediaType == "text/plain" && isBodyText(c) {
				hasPlain = true
			}
		}
	}
	related := pt.mediaType == "multipart/related"
	for i, c := range children {
		childPath := strconv.Itoa(i + 1)
		if path != "" {
			childPath = path + "." + childPath
		}
		if related && i > 0 {
			// Resources of an HTML page (images referenced by cid:).
			cpt := p.describeQuiet(c.h, childDefault)
			if !strings.HasPrefix(cpt.mediaType, "multipart/") && !isBodyText(cpt) {
				p.parts++
				p.addPart(p.describe(c.h, childDefault), c.body, childPath, depth+1, nested, true, acc)
				continue
			}
		}
		p.walkEntity(c.h, c.body, childPath, depth+1, nested, hasPlain, childDefault, acc)
	}
}

// describeQuiet is describe without recording warnings, for peeking at a
// part that will be described (and warned about) when it is walked.
func (p *parser) describeQuiet(h Header, defaultType string) part {
	nw := len(p.pm.Warnings)
	pt := p.describe(h, defaultType)
	p.pm.Warnings = p.pm.Warnings[:nw]
	return pt
}

// splitMultipart returns the bodies of the parts between boundary
// delimiters, and whether the closing delimiter was seen. A delimiter line is
// "--boundary" (or "--boundary--") followed only by white space, whatever the
// line ending; the line break before it belongs to the delimiter.
func splitMultipart(body []byte, boundary string) (parts [][]byte, closed bool) {
	delim := []byte("--" + boundary)
	start := -1
	pos := 0
	for pos <= len(body) {
		end := bytes.IndexByte(body[pos:], '\n')
		next := len(body) + 1
		lineEnd := len(body)
		if end >= 0 {
			lineEnd = pos + end
			next = lineEnd + 1
		}
		line := bytes.TrimRight(body[pos:lineEnd], " \t\r")
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			isClose := bytes.Equal(rest, []byte("--"))
			if len(rest) == 0 || isClose {
				if start >= 0 {
					parts = append(parts, trimLineBreak(body[start:pos]))
				}
				if isClose {
					return parts, true
				}
				start = next
				if start > len(body) {
					start = len(body)
				}
			}
		}
		pos = next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts, false
}

func trimLineBreak(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// walkNested handles a message/rfc822 part: it is kept as an .eml attachment
// and parsed, its attachments joining the message's with FromNested set.
func (p *parser) walkNested(pt part, body []byte, path string, depth int, nested bool) {
	raw, decErr := decodeTransfer(pt.header.Get("Content-Transfer-Encoding"), body)
	if decErr != "" {
		p.errorf("part %s: %s", pathOr(path), decErr)
	}
	p.addNested(pt, raw, path, depth, nested, decErr)
}

func (p *parser) addNested(pt part, raw []byte, path string, depth int, nested bool, decErr string) {
	idx := p.addAttachment(pt, raw, path, nested, false, SourceMIME, decErr)

	h, nbody, warns := readHeader(raw)
	if onlyContentFields(h) {
		// Some MTAs (Karoo's, in a bounce) end the part header too early:
		// the attached message then starts after a few stray Content-*
		// lines. Read it from there.
		if h2, b2, w2 := readHeader(nbody); len(h2) > 0 && !onlyContentFields(h2) {
			warns = append(warns, w2...)
			h, nbody, warns = h2, b2, append(warns, "stray Content-* lines before the attached message were skipped")
		}
	}
	for _, w := range warns {
		p.warnf("part %s (attached message): %s", pathOr(path), w)
	}
	acc := &bodyAcc{}
	nm := NestedMessage{Envelope: p.envelope(h), PartPath: pathOr(path), AttachmentIndex: idx}
	p.walkEntity(h, nbody, path, depth+1, true, false, "", acc)
	nm.TextBody, nm.HTMLBody = acc.text(), acc.html()
	p.pm.Nested = append(p.pm.Nested, nm)
}

// onlyContentFields reports whether h has no field a message header would
// have (everything is Content-* or MIME-Version).
func onlyContentFields(h Header) bool {
	for _, f := range h {
		if !strings.HasPrefix(f.Key, "Content-") && f.Key != "Mime-Version" {
			return false
		}
	}
	return true
}

// isAttachedMessage says whether a part declared as something else (usually
// application/octet-stream) is a saved message: named .eml or .email, and
// starting with a header that has a From, Subject or Message-ID.
func isAttachedMessage(filename string, content []byte) bool {
	ext := strings.ToLower(path.Ext(filename))
	if ext != ".eml" && ext != ".email" {
		return false
	}
	h, _, _ := readHeader(content)
	return h.Get("From") != "" || h.Get("Subject") != "" || h.Get("Message-Id") != ""
}

// addBodyText decodes a text part into the body accumulator. uuencoded
// files in plain text are cut out and become attachments.
func (p *parser) addBodyText(pt part, body []byte, path string, nested, hasPlainAlt bool, acc *bodyAcc) {
	decoded, decErr := decodeTransfer(pt.header.Get("Content-Transfer-Encoding"), body)
	if decErr != "" {
		p.errorf("part %s: %s", pathOr(path), decErr)
	}
	text, warn := decodeCharset(decoded, pt.params["charset"], p.charsetHint)
	if warn != "" {
		p.warnf("part %s: %s", pathOr(path), warn)
	}
	text = normalizeNewlines(text)
	if pt.mediaType == "text/html" {
		acc.htmls = append(acc.htmls, SanitizeHTML(text))
		if !hasPlainAlt {
			if t := HTMLToText(text); t != "" {
				acc.texts = append(acc.texts, t)
			}
		}
		return
	}
	text = p.extractUUEncoded(text, path, nested)
	if strings.TrimSpace(text) != "" {
		acc.texts = append(acc.texts, strings.TrimRight(text, "\r\n\t "))
	}
}

// addPart decodes a leaf part and records it as an attachment. A saved
// message (.eml) is also parsed like a message/rfc822 part, and the files
// inside a winmail.dat are extracted.
func (p *parser) addPart(pt part, body []byte, path string, depth int, nested, relatedResource bool, acc *bodyAcc) {
	content, decErr := decodeTransfer(pt.header.Get("Content-Transfer-Encoding"), body)
	if decErr != "" {
		p.errorf("part %s: %s", pathOr(path), decErr)
	}
	if isAttachedMessage(pt.filename, content) {
		p.addNested(pt, content, path, depth, nested, decErr)
		return
	}
	idx := p.addAttachment(pt, content, path, nested, relatedResource, SourceMIME, decErr)
	if idx >= 0 && isTNEF(pt.mediaType, pt.filename, content) {
		p.extractTNEF(idx, nested, acc)
	}
}

// addAttachment records an attachment and returns its index in
// pm.Attachments, or -1 when MaxAttachments was reached.
func (p *parser) addAttachment(pt part, content []byte, path string, nested, relatedResource bool, source, decErr string) int {
	if len(p.pm.Attachments) >= p.lim.MaxAttachments {
		p.skippedAttachments++
		return -1
	}
	disp := pt.disposition
	if disp != "attachment" && disp != "inline" {
		disp = ""
	}
	a := Attachment{
		Filename:     pt.filename,
		DeclaredType: pt.mediaType,
		Disposition:  disp,
		Inline:       disp == "inline" || (disp == "" && relatedResource),
		ContentID:    strings.Trim(strings.TrimSpace(pt.header.Get("Content-Id")), "<>"),
		FromNested:   nested,
		Source:       source,
		PartPath:     pathOr(path),
		Error:        decErr,
	}
	p.fillContent(&a, content)
	p.pm.Attachments = append(p.pm.Attachments, a)
	return len(p.pm.Attachments) - 1
}

// fillContent sets size, hash, sniffed type and (within the limit) content.
func (p *parser) fillContent(a *Attachment, content []byte) {
	sum := sha256.Sum256(content)
	a.SHA256 = hex.EncodeToString(sum[:])
	a.Size = int64(len(content))
	a.SniffedType = SniffType(content, a.Filename)
	if a.Size > p.lim.MaxAttachmentBytes {
		a.LimitExceeded = fmt.Sprintf("attachment is %d bytes, over the limit of %d bytes: its content was not kept", a.Size, p.lim.MaxAttachmentBytes)
		return
	}
	a.Content = content
}

// normalizeNewlines turns CRLF and lone CR line endings into LF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func pathOr(path string) string {
	if path == "" {
		return "1"
	}
	return path
}

// decodeTransfer undoes a Content-Transfer-Encoding, leniently: corrupt
// base64 or quoted-printable yields what could be decoded and a description
// of the problem ("" when there was none).
func decodeTransfer(enc string, body []byte) ([]byte, string) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(enc), `"'`)) {
	case "base64":
		return decodeBase64Lenient(body)
	case "quoted-printable":
		return decodeQuotedPrintable(body), ""
	case "x-uuencode", "x-uue", "uuencode", "uue":
		if f, ok := findUUEncoded(string(body)); ok {
			return f.data, f.err
		}
		return body, "uuencoded part without a begin line; kept undecoded"
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return body, ""
	default:
		return body, fmt.Sprintf("unknown Content-Transfer-Encoding %q; kept undecoded", truncate(enc, 40))
	}
}

// decodeBase64Lenient decodes base64 ignoring characters outside the
// alphabet and a missing or broken padding.
func decodeBase64Lenient(body []byte) ([]byte, string) {
	clean := make([]byte, 0, len(body))
	junk := 0
	for _, c := range body {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '=':
			// Padding ends the data; anything after it would be a second
			// concatenated encoding, which no mailer produces on purpose.
			goto done
		case c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			junk++
		}
	}
done:
	problem := ""
	if junk > 0 {
		problem = fmt.Sprintf("base64 body contains %d characters outside the alphabet; they were ignored", junk)
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
		if problem == "" {
			problem = "base64 body is truncated; the last incomplete byte was dropped"
		}
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil && problem == "" {
		problem = "base64 body is corrupt: " + err.Error()
	}
	return out[:n], problem
}

// decodeQuotedPrintable decodes quoted-printable without ever failing: a
// malformed escape is kept as written.
func decodeQuotedPrintable(body []byte) []byte {
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		rest := body[i+1:]
		switch {
		case len(rest) >= 2 && isHex(rest[0]) && isHex(rest[1]):
			out = append(out, unhex(rest[0])<<4|unhex(rest[1]))
			i += 2
		case len(rest) == 0:
			// a soft line break at the very end
		case rest[0] == '\n':
			i++ // soft line break
		case len(rest) >= 2 && rest[0] == '\r' && rest[1] == '\n':
			i += 2
		default:
			// "=" followed by white space up to the line end is a soft
			// break with trailing blanks; anything else is kept.
			j := 0
			for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
				j++
			}
			if j > 0 && (j == len(rest) || rest[j] == '\n' || rest[j] == '\r') {
				i += j
				if i+1 < len(body) && body[i+1] == '\r' {
					i++
				}
				if i+1 < len(body) && body[i+1] == '\n' {
					i++
				}
				continue
			}
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

var paramRe = regexp.MustCompile(`(?s);\s*([^\s=;"]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)`)

// parseParamHeader parses a Content-Type or Content-Disposition value. It
// uses mime.ParseMediaType and falls back to a lenient reading of the
// parameters (unterminated quotes, spaces around "=", duplicates) when that
// fails; ok reports whether the strict parse succeeded. Parameter values are
// RFC 2047-decoded later, by the caller that needs them.
func parseParamHeader(v string) (value string, params map[string]string, ok bool) {
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		return mt, params, true
	}
	value = strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]))
	params = map[string]string{}
	cont := map[string]map[int]string{}
	for _, m := range paramRe.FindAllStringSubmatch(v, -1) {
		key := strings.ToLower(m[1])
		val := strings.TrimSpace(m[2])
		if strings.HasPrefix(val, `"`) {
			val = strings.TrimSuffix(strings.TrimPrefix(val, `"`), `"`)
			val = strings.ReplaceAll(val, `\"`, `"`)
		}
		// RFC 2231: name*=charset'lang'pct-encoded, name*0=..., name*1*=...
		extended := strings.HasSuffix(key, "*")
		key = strings.TrimSuffix(key, "*")
		if extended {
			val = decodeRFC2231Value(val)
		}
		if base, idx, isCont := strings.Cut(key, "*"); isCont {
			if n, err := strconv.Atoi(idx); err == nil && n < 100 {
				if cont[base] == nil {
					cont[base] = map[int]string{}
				}
				cont[base][n] = val
				continue
			}
		}
		if _, dup := params[key]; !dup {
			params[key] = val
		}
	}
	for base, pieces := range cont {
		var b strings.Builder
		for i := 0; i < len(pieces); i++ {
			s, ok := pieces[i]
			if !ok {
				break
			}
			b.WriteString(s)
		}
		if _, dup := params[base]; !dup {
			params[base] = b.String()
		}
	}
	return value, params, false
}

func decodeRFC2231Value(v string) string {
	charsetName, rest, ok := strings.Cut(v, "'")
	if !ok {
		return pctDecode(v)
	}
	_, rest, ok = strings.Cut(rest, "'")
	if !ok {
		return pctDecode(v)
	}
	s, _ := decodeCharset([]byte(pctDecode(rest)), charsetName, "")
	return s
}

func pctDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// SanitizeFilename reduces a declared file name to a display name that is
// safe anywhere it is shown or offered as a download name: the last path
// element only (both / and \), no control, format (bidi override) or
// invalid characters, no leading dots, at most 255 bytes with the extension
// kept. It returns "" when nothing is left. The result is still never to be
// used as a path.
func SanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return -1
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	if len(name) > 255 {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		stem := name[:255-len(ext)]
		for !utf8.ValidString(stem) {
			stem = stem[:len(stem)-1]
		}
		name = stem + ext
	}
	return name
}

// Media types that http.DetectContentType reports only as a generic
// container, refined by the file extension when it agrees with the content.
var (
	oleTypes = map[string]string{
		".doc": "application/msword",
		".dot": "application/msword",
		".xls": "application/vnd.ms-excel",
		".xlt": "application/vnd.ms-excel",
		".ppt": "application/vnd.ms-powerpoint",
		".msg": "application/vnd.ms-outlook",
		".oft": "application/vnd.ms-outlook",
	}
	zipTypes = map[string]string{
		".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		".odt":  "application/vnd.oasis.opendocument.text",
		".ods":  "application/vnd.oasis.opendocument.spreadsheet",
		".odp":  "application/vnd.oasis.opendocument.presentation",
	}
	textTypes = map[string]string{
		".csv": "text/csv",
		".eml": "message/rfc822",
		".ics": "text/calendar",
		".rtf": "application/rtf",
	}
	oleMagic  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	tnefMagic = []byte{0x78, 0x9F, 0x3E, 0x22}
)

// SniffType returns the media type of content as seen from its bytes
// (http.DetectContentType), refined by the extension of filename where the
// bytes only say "a container" (an OLE2 file is a .doc or a .xls, a zip is a
// .docx...). The extension never overrides what the bytes clearly are: a
// PDF named "x.doc" is application/pdf. Empty content has no type ("").
func SniffType(content []byte, filename string) string {
	if len(content) == 0 {
		return ""
	}
	ext := strings.ToLower(path.Ext(filename))
	switch {
	case bytes.HasPrefix(content, oleMagic):
		if t, ok := oleTypes[ext]; ok {
			return t
		}
		return "application/x-ole-storage"
	case bytes.HasPrefix(content, tnefMagic):
		return "application/vnd.ms-tnef"
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(content), ";")
	switch sniffed {
	case "application/zip":
		if t, ok := zipTypes[ext]; ok {
			return t
		}
	case "text/plain":
		if t, ok := textTypes[ext]; ok {
			return t
		}
	}
	return sniffed
}

var extensions = map[string]string{
	"message/rfc822":           ".eml",
	"message/global":           ".eml",
	"message/delivery-status":  ".txt",
	"text/rfc822-headers":      ".txt",
	"text/plain":               ".txt",
	"text/html":                ".html",
	"text/csv":                 ".csv",
	"text/calendar":            ".ics",
	"application/pdf":          ".pdf",
	"application/zip":          ".zip",
	"application/msword":       ".doc",
	"application/vnd.ms-excel": ".xls",
	"application/ms-tnef":      ".dat",
	"application/vnd.ms-tnef":  ".dat",
	"image/png":                ".png",
	"image/jpeg":               ".jpg",
	"image/gif":                ".gif",
}

func extensionFor(mediaType string) string {
	if ext, ok := extensions[mediaType]; ok {
		return ext
	}
	if ext, ok := zipTypesByType[mediaType]; ok {
		return ext
	}
	return ".bin"
}

var zipTypesByType = func() map[string]string {
	m := map[string]string{}
	for ext, t := range zipTypes {
		m[t] = ext
	}
	return m
}()

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	for !utf8.ValidString(cut) && len(cut) > 0 {
		cut = cut[:len(cut)-1]
	}
	return cut + "…"
}
