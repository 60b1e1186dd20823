package server

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// The request list of the API is written by hand, not by encoding/json:
// reflection over each row's fields and its dozens of small allocations
// were a quarter of the list's CPU and much of its garbage. Every append
// below writes exactly what encoding/json writes for the same value (HTML
// escaped, as echo's c.JSON does; fields in declaration order; omitempty
// and omitzero as tagged); TestAPIRequestJSONIsEncodingJSONs holds them to
// it byte for byte.

// apiJSONBuffers keeps the buffers the lists are written into.
var apiJSONBuffers = sync.Pool{New: func() any { return new([]byte) }}

// apiJSONBufferKept is the largest buffer put back for reuse: a list of a
// thousand requests with long bodies is rare, and is not worth holding.
const apiJSONBufferKept = 4 << 20

// writeAPIList writes the JSON of a page of an API list (apiList's: the
// rows under name, "next" when there is a page after) as c.JSON would,
// each row appended by appendRow. appendRow reports false for a row it
// cannot write (a time encoding/json refuses, a field it does not know):
// then, and for ?pretty or a debugging server, slow writes the page
// through c.JSON.
func writeAPIList[T any](s *Server, c echo.Context, name string, p keysetPage[T], appendRow func([]byte, *T) ([]byte, bool), slow func() error) error {
	if _, pretty := c.QueryParams()["pretty"]; pretty || c.Echo().Debug {
		return slow()
	}
	bp := apiJSONBuffers.Get().(*[]byte)
	b, ok := appendAPIList(s, c, (*bp)[:0], name, p, appendRow)
	var err error
	if ok {
		err = c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
	}
	if cap(b) <= apiJSONBufferKept {
		*bp = b
		apiJSONBuffers.Put(bp)
	}
	if !ok {
		return slow()
	}
	return err
}

// appendAPIList appends the JSON (with its closing newline, as
// json.Encoder writes it) of apiList(s, c, name, p): an object whose keys
// encoding/json writes sorted, the rows under name and "next" when there
// is a page after.
func appendAPIList[T any](s *Server, c echo.Context, b []byte, name string, p keysetPage[T], appendRow func([]byte, *T) ([]byte, bool)) ([]byte, bool) {
	next := ""
	if p.After != "" {
		q := c.Request().URL.Query()
		q.Del("before")
		q.Set("after", p.After)
		next = s.absURL(withQuery(c.Request().URL.Path, q))
	}
	appendNext := func(b []byte) []byte {
		b = append(b, `"next":`...)
		return appendJSONString(b, next)
	}
	b = append(b, '{')
	if p.After != "" && "next" < name {
		b = appendNext(b)
		b = append(b, ',')
	}
	b = appendJSONString(b, name)
	b = append(b, ':', '[')
	for i := range p.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendRow(b, &p.Rows[i]); !ok {
			return b, false
		}
	}
	b = append(b, ']')
	if p.After != "" && "next" > name {
		b = append(b, ',')
		b = appendNext(b)
	}
	return append(b, '}', '\n'), true
}

// appendAPIRequest appends r as encoding/json writes it; false when it
// cannot (a time outside what RFC 3339 writes, or a request's deadlines,
// which only the page of one request has and which go through
// encoding/json).
func appendAPIRequest(b []byte, r *apiRequest) ([]byte, bool) {
	return appendAPIRequestOf(b, &r.Request, r.Due, &r.Standing, &r.Deadlines, &r.NextAction, r.PublicURL)
}

// appendRequestRow appends the apiRequest of r (apiRequestOf) without
// making it: a list's rows are wide (their Deadlines, unused, included),
// and a copy of each was a fifth of the bytes a response allocated.
func appendRequestRow(b []byte, r *requestRow) ([]byte, bool) {
	return appendAPIRequestOf(b, &r.Request, r.DueDate, &r.StandingNow, &r.Deadlines, &r.Next, "")
}

// appendAPIRequestOf appends the apiRequest of these fields.
func appendAPIRequestOf(b []byte, q *tracker.Request, due tracker.Date, standing *tracker.Standing, deadlines *tracker.Deadlines,
	next *tracker.NextAction, publicURL string) ([]byte, bool) {
	if !allZeroBytes(deadlines) {
		return b, false
	}
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, q.ID, 10)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, q.Title)
	b = append(b, `,"body":`...)
	b = appendJSONString(b, q.Body)
	b = append(b, `,"authority_id":`...)
	b = strconv.AppendInt(b, q.AuthorityID, 10)
	b = append(b, `,"law":`...)
	b = appendJSONString(b, q.Law)
	b = append(b, `,"tags":`...)
	b = appendJSONStrings(b, q.Tags)
	b = append(b, `,"our_ref":`...)
	b = appendJSONString(b, q.OurRef)
	b = append(b, `,"their_ref":`...)
	b = appendJSONString(b, q.TheirRef)
	b = append(b, `,"visibility":`...)
	b = appendJSONString(b, q.Visibility)
	if q.ReplyToken != "" {
		b = append(b, `,"reply_token":`...)
		b = appendJSONString(b, q.ReplyToken)
	}
	if q.OwnerID != 0 {
		b = append(b, `,"owner_id":`...)
		b = strconv.AppendInt(b, q.OwnerID, 10)
	}
	if q.BatchID != 0 {
		b = append(b, `,"batch_id":`...)
		b = strconv.AppendInt(b, q.BatchID, 10)
	}
	if q.Notes != "" {
		b = append(b, `,"notes":`...)
		b = appendJSONString(b, q.Notes)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, q.Status)
	if q.Outcome != "" {
		b = append(b, `,"outcome":`...)
		b = appendJSONString(b, q.Outcome)
	}
	b = append(b, `,"sent_on":`...)
	b = appendJSONDate(b, q.SentOn)
	b = append(b, `,"due_date":`...)
	b = appendJSONDate(b, q.DueDate)
	var ok bool
	b = append(b, `,"created_at":`...)
	if b, ok = appendJSONTime(b, q.CreatedAt); !ok {
		return b, false
	}
	b = append(b, `,"updated_at":`...)
	if b, ok = appendJSONTime(b, q.UpdatedAt); !ok {
		return b, false
	}
	if q.AuthorityName != "" {
		b = append(b, `,"authority_name":`...)
		b = appendJSONString(b, q.AuthorityName)
	}
	b = append(b, `,"due":`...)
	b = appendJSONDate(b, due)
	b = append(b, `,"standing":{"code":`...)
	b = appendJSONString(b, standing.Code)
	if !standing.Date.IsZero() {
		b = append(b, `,"date":`...)
		b = appendJSONDate(b, standing.Date)
	}
	if standing.WorkingDays != 0 {
		b = append(b, `,"working_days":`...)
		b = strconv.AppendInt(b, int64(standing.WorkingDays), 10)
	}
	b = append(b, `,"text":`...)
	b = appendJSONString(b, standing.Text)
	b = append(b, `},"next_action":`...)
	b = appendJSONNextAction(b, next)
	if publicURL != "" {
		b = append(b, `,"public_url":`...)
		b = appendJSONString(b, publicURL)
	}
	return append(b, '}'), true
}

// allZeroBytes reports whether every byte of *v is zero: then v is its
// type's zero value (what omitzero leaves out). The converse may fail (an
// empty string with a pointer, padding): false then only sends the row to
// encoding/json, which writes it the same. reflect.Value.IsZero walked the
// Deadlines' every field, 6% of the list's CPU.
func allZeroBytes[T any](v *T) bool {
	var zero T
	n := int(unsafe.Sizeof(zero))
	return unsafe.String((*byte)(unsafe.Pointer(v)), n) == unsafe.String((*byte)(unsafe.Pointer(&zero)), n)
}

// appendJSONNextAction appends n as encoding/json writes it.
func appendJSONNextAction(b []byte, n *tracker.NextAction) []byte {
	b = append(b, `{"status":`...)
	b = appendJSONString(b, n.Status)
	b = append(b, `,"who":`...)
	b = appendJSONString(b, n.Who)
	b = append(b, `,"action":`...)
	b = appendJSONString(b, n.Action)
	b = append(b, `,"by":`...)
	b = appendJSONDate(b, n.By)
	b = append(b, `,"overdue":`...)
	b = strconv.AppendBool(b, n.Overdue)
	b = append(b, `,"explanation":`...)
	b = appendJSONString(b, n.Explanation)
	b = append(b, `,"windows":`...)
	if n.Windows == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range n.Windows {
			if i > 0 {
				b = append(b, ',')
			}
			w := &n.Windows[i]
			b = append(b, `{"kind":`...)
			b = appendJSONString(b, w.Kind)
			b = append(b, `,"who":`...)
			b = appendJSONString(b, w.Who)
			b = append(b, `,"label":`...)
			b = appendJSONString(b, w.Label)
			b = append(b, `,"date":`...)
			b = appendJSONDate(b, w.Date)
			b = append(b, `,"state":`...)
			b = appendJSONString(b, w.State)
			b = append(b, `,"optional":`...)
			b = strconv.AppendBool(b, w.Optional)
			b = append(b, `,"explanation":`...)
			b = appendJSONString(b, w.Explanation)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendJSONDate appends d as its MarshalJSON writes it: null for no date.
func appendJSONDate(b []byte, d tracker.Date) []byte {
	if d.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = d.AppendISO(b)
	return append(b, '"')
}

// appendJSONTime appends t as its MarshalJSON writes it (RFC 3339 with
// nanoseconds, the text AppendText writes, quoted); false where
// MarshalJSON fails (a year outside 0-9999).
func appendJSONTime(b []byte, t time.Time) ([]byte, bool) {
	n := len(b)
	b = append(b, '"')
	out, err := t.AppendText(b)
	if err != nil {
		return b[:n], false
	}
	return append(out, '"'), true
}

// appendJSONStrings appends l as encoding/json writes a []string: null
// when nil.
func appendJSONStrings(b []byte, l []string) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// jsonHTMLSafe[c] is whether encoding/json, escaping HTML, writes the
// ASCII byte c as it is: printable characters but ", \, <, > and &.
var jsonHTMLSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = !bytes.ContainsRune([]byte(`"\<>&`), c)
	}
	return t
}()

// appendJSONString appends s quoted as encoding/json writes a string with
// HTML escaping on (its appendString): \" \\ \b \f \n \r \t, other control
// characters and < > & as \u00XX, each byte of invalid UTF-8 as \ufffd,
// and U+2028 and U+2029 as \u2028 and \u2029.
func appendJSONString[S ~string](b []byte, s S) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonHTMLSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:]))
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
