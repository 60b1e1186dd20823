package mailsync

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Text decoding: charsets, RFC 2047 header words, HTML to text and safe
// HTML, quoted history, uuencoded files inside text.

var (
	utf8Labels   = map[string]bool{"utf-8": true, "utf8": true, "x-utf_8j": true}
	asciiLabels  = map[string]bool{"us-ascii": true, "ascii": true, "ansi_x3.4-1968": true, "iso646-us": true, "x-unknown": true, "unknown-8bit": true, "unknown": true, "default": true}
	utf7Labels   = map[string]bool{"utf-7": true, "utf7": true, "unicode-1-1-utf-7": true, "x-unicode-1-1-utf-7": true, "x-unicode-2-0-utf-7": true, "csunicode11utf7": true}
	latin1Labels = map[string]bool{"iso-8859-1": true, "iso8859-1": true, "iso_8859-1": true, "latin1": true, "latin-1": true, "l1": true, "cp819": true, "ibm819": true, "windows-1252": true, "cp1252": true, "x-cp1252": true, "cp-1252": true}
)

// decodeCharset converts text in the charset called label to valid UTF-8,
// best effort. It returns a warning when it had to guess. Guesses, in order:
// text labelled Latin-1 is read as windows-1252 (as browsers do: mailers put
// curly quotes and dashes in bytes 0x80-0x9F), unless it is valid UTF-8 with
// non-ASCII characters (then the label is wrong); unlabelled or unknown-charset
// 8-bit text is read in hint (the charset of the header's encoded words) or
// else windows-1252; invalid UTF-8 is replaced with U+FFFD.
func decodeCharset(b []byte, label, hint string) (string, string) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch {
	case label == "" || asciiLabels[label] || utf8Labels[label]:
		if utf8.Valid(b) {
			return string(b), ""
		}
		if utf8Labels[label] {
			return strings.ToValidUTF8(string(b), "\uFFFD"), "text labelled UTF-8 has invalid byte sequences; they were replaced with U+FFFD"
		}
		guess := hint
		if guess == "" || utf8Labels[guess] || asciiLabels[guess] {
			guess = "windows-1252"
		}
		s, err := convertCharset(b, guess)
		if err != nil {
			guess = "windows-1252"
			s, _ = convertCharset(b, guess)
		}
		return s, fmt.Sprintf("text is not UTF-8 and has no usable charset label; read as %s", guess)
	case utf7Labels[label]:
		return decodeUTF7(b), ""
	case latin1Labels[label]:
		if utf8.Valid(b) && hasNonASCII(b) {
			return string(b), fmt.Sprintf("text labelled %s is valid UTF-8; read as UTF-8", label)
		}
		s, _ := convertCharset(b, "windows-1252")
		return s, ""
	}
	s, err := convertCharset(b, label)
	if err != nil {
		fallbackHint := hint
		if fallbackHint == label {
			fallbackHint = ""
		}
		s, warn := decodeCharset(b, "", fallbackHint)
		if warn == "" {
			warn = "read as UTF-8"
		}
		return s, fmt.Sprintf("unknown charset %q; %s", truncate(label, 40), warn)
	}
	return s, ""
}

func convertCharset(b []byte, label string) (string, error) {
	r, err := charset.Reader(label, bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	// x/text decoders replace what they cannot map; a read error can only
	// come mid-stream, and what was converted until then is kept.
	out, _ := io.ReadAll(r)
	return strings.ToValidUTF8(string(out), "\uFFFD"), nil
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// decodeUTF7 decodes RFC 2152 UTF-7, which x/text does not support and
// Exchange still sends (bounce texts, subjects).
func decodeUTF7(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '+' {
			if c < 0x80 {
				sb.WriteByte(c)
			} else {
				sb.WriteRune(utf8.RuneError)
			}
			continue
		}
		j := i + 1
		for j < len(b) && base64Value(b[j]) >= 0 {
			j++
		}
		if j == i+1 {
			// "+-" is a literal plus; a lone "+" is kept as written.
			sb.WriteByte('+')
			if j < len(b) && b[j] == '-' {
				i = j
			}
			continue
		}
		var units []uint16
		var acc uint32
		bits := 0
		var pending []byte
		for _, ch := range b[i+1 : j] {
			acc = acc<<6 | uint32(base64Value(ch))
			bits += 6
			if bits >= 8 {
				bits -= 8
				pending = append(pending, byte(acc>>uint(bits)))
				if len(pending) == 2 {
					units = append(units, uint16(pending[0])<<8|uint16(pending[1]))
					pending = pending[:0]
				}
			}
		}
		sb.WriteString(string(utf16.Decode(units)))
		if j < len(b) && b[j] == '-' {
			j++
		}
		i = j - 1
	}
	return strings.ToValidUTF8(sb.String(), "\uFFFD")
}

func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

var (
	encodedWordRe  = regexp.MustCompile(`=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=`)
	encodedWordsRe = regexp.MustCompile(`=\?([^?\s]+)\?[bBqQ]\?`)
)

// headerCharsetHint returns the first non-UTF-8 charset of the encoded words
// in the From and Subject headers: mailers that omit a body charset usually
// wrote the body in the charset they used there.
func headerCharsetHint(h Header) string {
	for _, key := range []string{"Subject", "From", "To"} {
		for _, m := range encodedWordsRe.FindAllStringSubmatch(h.Get(key), -1) {
			cs := strings.ToLower(strings.SplitN(m[1], "*", 2)[0])
			if !utf8Labels[cs] && !asciiLabels[cs] {
				return cs
			}
		}
	}
	return ""
}

func (p *parser) decodeText(s string) string { return decodeHeaderText(s, p.charsetHint) }

// decodeHeaderText decodes RFC 2047 encoded words leniently (broken
// quoted-printable or base64, unknown charsets, multi-byte characters split
// across adjacent words) and reads raw 8-bit text like an unlabelled body.
func decodeHeaderText(s, hint string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	var pending []byte
	pendingCharset := ""
	flush := func() {
		if len(pending) > 0 {
			t, _ := decodeCharset(pending, pendingCharset, hint)
			b.WriteString(t)
			pending = nil
		}
	}
	last := 0
	for i, m := range encodedWordRe.FindAllStringSubmatchIndex(s, -1) {
		between := s[last:m[0]]
		cs := strings.ToLower(strings.SplitN(s[m[2]:m[3]], "*", 2)[0])
		// White space between two encoded words is not displayed, and
		// their bytes are joined: mailers split multi-byte characters
		// across words.
		adjacent := i > 0 && strings.TrimSpace(between) == ""
		if !adjacent || cs != pendingCharset {
			flush()
		}
		if !adjacent {
			t, _ := decodeCharset([]byte(between), "", hint)
			b.WriteString(t)
		}
		var raw []byte
		if text := s[m[6]:m[7]]; strings.EqualFold(s[m[4]:m[5]], "b") {
			raw, _ = decodeBase64Lenient([]byte(text))
		} else {
			raw = decodeQEncoding(text)
		}
		pending = append(pending, raw...)
		pendingCharset = cs
		last = m[1]
	}
	flush()
	t, _ := decodeCharset([]byte(s[last:]), "", hint)
	b.WriteString(t)
	return b.String()
}

// decodeQEncoding decodes the RFC 2047 "Q" encoding; a dangling "=" is
// dropped.
func decodeQEncoding(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '=':
		default:
			out = append(out, c)
		}
	}
	return out
}

// htmlPolicy is bluemonday's UGCPolicy (no scripts, event handlers, styles,
// forms, iframes or javascript: URLs) with two changes for mail:
//
//   - an <img> src that is not a cid: reference to a part of the same message
//     is rewritten to "" (src="" makes no request; the alt text shows), because
//     a remote image is a tracking beacon telling the sender when and where
//     the mail was read, and a relative one would hit our own server. The UI
//     resolves cid: to the attachment with that Content-ID.
//   - links get rel="nofollow noreferrer noopener" and target="_blank".
var htmlPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("cid")
	p.RewriteSrc(func(u *url.URL) {
		if u != nil && !strings.EqualFold(u.Scheme, "cid") {
			*u = url.URL{}
		}
	})
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// SanitizeHTML returns html made safe to embed in a page: see htmlPolicy.
// It is also balanced: parsed as the content of a <div>, the way a browser
// would, and written out again, so every element it opens it also closes.
// Sanitising alone leaves an unclosed <table> or <b> open, and inline in a
// page that swallows whatever comes after it.
func SanitizeHTML(s string) string {
	return strings.TrimSpace(balanceHTML(htmlPolicy.Sanitize(s)))
}

// balanceHTML parses s as a fragment inside a <div> and renders it again.
func balanceHTML(s string) string {
	context := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), context)
	if err != nil {
		return html.EscapeString(s) // not reached for a strings.Reader; never emit unparsed markup
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return html.EscapeString(s)
		}
	}
	return b.String()
}

var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "tr": true, "li": true, "ul": true, "ol": true,
	"table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"blockquote": true, "pre": true, "hr": true, "section": true, "article": true,
	"header": true, "footer": true, "address": true, "dl": true, "dt": true, "dd": true,
}

var hiddenElements = map[string]bool{"script": true, "style": true, "title": true, "head": true, "noscript": true, "template": true}

var blankLinesRe = regexp.MustCompile(`\n{3,}`)

// HTMLToText returns the readable text of an HTML document: block elements
// become line breaks, scripts, styles and the head are dropped, entities are
// decoded.
func HTMLToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	hidden := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidyText(b.String())
		case html.TextToken:
			if hidden == 0 {
				// Runs of white space are one space, also across elements
				// ("<b>REF-1</b> has").
				text := string(z.Text())
				if words := strings.Fields(text); len(words) > 0 {
					if unicode.IsSpace(rune(text[0])) {
						b.WriteByte(' ')
					}
					b.WriteString(strings.Join(words, " "))
					if unicode.IsSpace(rune(text[len(text)-1])) {
						b.WriteByte(' ')
					}
				} else if text != "" {
					b.WriteByte(' ')
				}
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if hiddenElements[tag] {
				switch {
				case tt == html.StartTagToken:
					hidden++
				case tt == html.EndTagToken && hidden > 0:
					hidden--
				}
				continue
			}
			if blockElements[tag] {
				b.WriteByte('\n')
			} else if tag == "td" || tag == "th" {
				b.WriteByte(' ')
			}
		}
	}
}

func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(blankLinesRe.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

var (
	originalMessageRe = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|forwarded message|message d'origine|ursprüngliche nachricht)\s*-{2,}\s*$`)
	outlookRuleRe     = regexp.MustCompile(`^\s*_{10,}\s*$`)
	outlookFromRe     = regexp.MustCompile(`(?i)^\s*\*?from:\*?\s+\S`)
	outlookSentRe     = regexp.MustCompile(`(?i)^\s*\*?(sent|date):\*?\s+\S`)
	outlookToSubjRe   = regexp.MustCompile(`(?i)^\s*\*?(to|subject|cc):\*?\s*`)
	onWroteRe         = regexp.MustCompile(`(?i)^\s*on\b.{0,200}\bwrote:\s*$`)
	onStartRe         = regexp.MustCompile(`(?i)^\s*on\s+\S`)
	wroteEndRe        = regexp.MustCompile(`(?i)\bwrote:\s*$`)
	lotusFromRe       = regexp.MustCompile(`^\S.{0,100}<?[^\s<>@]+@[^\s<>@]+>?\s*$`)
	lotusNextRe       = regexp.MustCompile(`(?i)^\s*(sent by:|\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2})`)
)

// QuotedFolded splits the text of a reply into what the sender wrote and
// the quoted history below it, so the UI can fold the history away. It
// recognises "On … wrote:" lines, "-----Original Message-----", Outlook
// "From: … Sent: …" blocks and their underscore rule, Lotus Notes "Name
// <address> / Sent by: / date" blocks, and a trailing block of lines
// starting with ">". quoted is "" when no history was found; reply+quoted
// hold every line of text.
func QuotedFolded(text string) (reply, quoted string) {
	lines := strings.Split(text, "\n")
	start := quoteStart(lines)
	if start < 0 {
		return text, ""
	}
	return strings.TrimRight(strings.Join(lines[:start], "\n"), " \t\r\n"), strings.Join(lines[start:], "\n")
}

func quoteStart(lines []string) int {
	trailing := trailingQuoteBlock(lines)
	for i, l := range lines {
		if trailing >= 0 && i >= trailing {
			return trailing
		}
		switch {
		case originalMessageRe.MatchString(l):
			return i
		case outlookRuleRe.MatchString(l) && nextNonBlankMatches(lines, i+1, 2, outlookFromRe):
			return i
		case outlookFromRe.MatchString(l) && isOutlookHeaderBlock(lines, i):
			return i
		case onWroteRe.MatchString(l):
			return i
		case onStartRe.MatchString(l) && len(l) < 200 && wrappedWrote(lines, i):
			return i
		case lotusFromRe.MatchString(l) && nextNonBlankMatches(lines, i+1, 2, lotusNextRe):
			return i
		}
	}
	return trailing
}

// isOutlookHeaderBlock says whether the From: line at i starts a quoted
// header: a Sent:/Date: line and a To:/Subject: line within the next lines.
func isOutlookHeaderBlock(lines []string, i int) bool {
	sent, toSubj := false, false
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		if outlookSentRe.MatchString(lines[j]) {
			sent = true
		} else if outlookToSubjRe.MatchString(lines[j]) {
			toSubj = true
		}
	}
	return sent && toSubj
}

// wrappedWrote matches an "On <date>, <name>" line wrapped before "wrote:".
func wrappedWrote(lines []string, i int) bool {
	for j := i + 1; j < len(lines) && j <= i+2; j++ {
		if wroteEndRe.MatchString(lines[j]) {
			return true
		}
		if strings.TrimSpace(lines[j]) == "" {
			return false
		}
	}
	return false
}

func nextNonBlankMatches(lines []string, from, within int, re *regexp.Regexp) bool {
	seen := 0
	for j := from; j < len(lines) && seen < within; j++ {
		if strings.TrimSpace(lines[j]) == "" {
			continue
		}
		seen++
		if re.MatchString(lines[j]) {
			return true
		}
	}
	return false
}

// trailingQuoteBlock returns the first line of a block of ">" lines that
// runs to the end of the text (blank lines allowed), including an
// attribution line ending in ":" just above it; -1 if there is none.
// Quotes interleaved with answers are not folded.
func trailingQuoteBlock(lines []string) int {
	start := -1
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "":
		case strings.HasPrefix(l, ">"):
			start = i
		default:
			if start >= 0 && strings.HasSuffix(l, ":") {
				return i
			}
			return start
		}
	}
	return start
}

// uuFile is a uuencoded file found in text.
type uuFile struct {
	name       string
	data       []byte
	err        string
	start, end int // byte range of the block in the text, "begin" to "end" line included
}

var uuBeginRe = regexp.MustCompile(`(?m)^begin [0-7]{3,4} ([^\r\n]+?)\r?$`)

// findUUEncoded finds the first "begin <mode> <name>" … "end" block in text
// and decodes it leniently (short lines are zero-padded, characters outside
// the alphabet read modulo 64, a missing "end" runs to the first line that
// cannot be uuencoded data).
func findUUEncoded(text string) (uuFile, bool) {
	m := uuBeginRe.FindStringSubmatchIndex(text)
	if m == nil {
		return uuFile{}, false
	}
	f := uuFile{name: text[m[2]:m[3]], start: m[0]}
	pos := m[1]
	if pos < len(text) && text[pos] == '\n' {
		pos++
	}
	var data bytes.Buffer
	done, short := false, 0
	for pos < len(text) {
		eol := strings.IndexByte(text[pos:], '\n')
		next := len(text)
		line := text[pos:]
		if eol >= 0 {
			line = text[pos : pos+eol]
			next = pos + eol + 1
		}
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "end" {
			f.end = next
			return f.finish(data.Bytes(), short, false), true
		}
		if line == "" || line[0] < 32 || line[0] > 96 {
			if line == "" && !done {
				pos = next
				continue
			}
			break
		}
		n := int(line[0]-32) & 63
		if n == 0 {
			done = true
		} else if !done {
			if decodeUULine(&data, line[1:], n) {
				short++
			}
		}
		pos = next
	}
	f.end = pos
	return f.finish(data.Bytes(), short, true), true
}

func (f uuFile) finish(data []byte, short int, noEnd bool) uuFile {
	f.data = data
	var problems []string
	if short > 0 {
		problems = append(problems, fmt.Sprintf("%d uuencoded lines were shorter than declared and were zero-padded", short))
	}
	if noEnd {
		problems = append(problems, "uuencoded block has no end line")
	}
	f.err = strings.Join(problems, "; ")
	return f
}

// decodeUULine appends the n bytes encoded in one uuencoded line; it
// reports whether the line was too short.
func decodeUULine(w *bytes.Buffer, enc string, n int) bool {
	need := (n + 2) / 3 * 4
	short := len(enc) < need
	val := func(i int) byte {
		if i >= len(enc) {
			return 0
		}
		return (enc[i] - 32) & 63
	}
	for i, got := 0, 0; got < n; i += 4 {
		b := [3]byte{
			val(i)<<2 | val(i+1)>>4,
			val(i+1)<<4 | val(i+2)>>2,
			val(i+2)<<6 | val(i+3),
		}
		for k := 0; k < 3 && got < n; k++ {
			w.WriteByte(b[k])
			got++
		}
	}
	return short
}

// extractUUEncoded cuts the uuencoded files out of a text body, records
// them as attachments and returns the remaining text.
func (p *parser) extractUUEncoded(text, path string, nested bool) string {
	n := 0
	var kept strings.Builder
	rest := text
	for {
		f, ok := findUUEncoded(rest)
		if !ok {
			break
		}
		n++
		kept.WriteString(rest[:f.start])
		rest = rest[f.end:]
		if f.err != "" {
			p.errorf("part %s: uuencoded file %q: %s", pathOr(path), truncate(f.name, 80), f.err)
		}
		pt := part{filename: SanitizeFilename(f.name), mediaType: "application/octet-stream"}
		p.addAttachment(pt, f.data, fmt.Sprintf("%s.u%d", pathOr(path), n), nested, false, SourceUUEncode, f.err)
	}
	if n == 0 {
		return text
	}
	kept.WriteString(rest)
	return kept.String()
}
