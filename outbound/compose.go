package outbound

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// Message is a plain-text mail to compose.
type Message struct {
	From       mail.Address
	To         []mail.Address
	Cc         []mail.Address
	ReplyTo    *mail.Address
	Subject    string
	Body       string
	Date       time.Time
	MessageID  string   // without <>; NewMessageID makes one
	InReplyTo  string   // without <>
	References []string // without <>
	// AutoSubmitted marks machine-made mail (reminders) per RFC 3834, so
	// that auto-responders do not answer it.
	AutoSubmitted bool
}

// NewMessageID returns a globally unique Message-ID (without <>) under the
// given domain: the sending time and 80 random bits.
func NewMessageID(now time.Time, domain string) string {
	b := make([]byte, 10)
	rand.Read(b)
	r := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	if domain == "" {
		domain = "foitrack.invalid"
	}
	return fmt.Sprintf("foitrack.%d.%s@%s", now.Unix(), r, domain)
}

// Compose renders m as an RFC 5322 message with CRLF line endings: a single
// text/plain UTF-8 part, quoted-printable (so long lines and non-ASCII letters
// survive any relay), with encoded-word headers where needed.
func Compose(m Message) ([]byte, error) {
	if m.MessageID == "" {
		return nil, fmt.Errorf("outbound: a Message-ID is required")
	}
	if len(m.To) == 0 {
		return nil, fmt.Errorf("outbound: no recipient")
	}
	var h gomail.Header
	// go-message writes header fields in the reverse order they were added:
	// add them last field first so the message reads in the usual order.
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	h.Set("MIME-Version", "1.0")
	if m.AutoSubmitted {
		h.Set("Auto-Submitted", "auto-generated")
	}
	if len(m.References) > 0 {
		h.SetMsgIDList("References", m.References)
	}
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	h.SetMessageID(m.MessageID)
	h.SetSubject(oneLine(m.Subject))
	if m.ReplyTo != nil {
		h.SetAddressList("Reply-To", []*gomail.Address{{Name: m.ReplyTo.Name, Address: m.ReplyTo.Address}})
	}
	if len(m.Cc) > 0 {
		h.SetAddressList("Cc", addrs(m.Cc))
	}
	h.SetAddressList("To", addrs(m.To))
	h.SetAddressList("From", []*gomail.Address{{Name: m.From.Name, Address: m.From.Address}})
	h.SetDate(m.Date)

	var buf bytes.Buffer
	w, err := gomail.CreateSingleInlineWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("outbound: unable to compose message: %w", err)
	}
	if _, err := io.WriteString(w, crlf(m.Body)); err != nil {
		return nil, fmt.Errorf("outbound: unable to compose message: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("outbound: unable to compose message: %w", err)
	}
	return buf.Bytes(), nil
}

func addrs(l []mail.Address) []*gomail.Address {
	out := make([]*gomail.Address, len(l))
	for i, a := range l {
		out[i] = &gomail.Address{Name: a.Name, Address: a.Address}
	}
	return out
}

// oneLine keeps a header value on one logical line (no header injection).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// crlf normalises line endings to CRLF and ends the text with one.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// ParseAddressList parses a comma-separated list of addresses typed by a user.
func ParseAddressList(s string) ([]mail.Address, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	l, err := mail.ParseAddressList(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a list of email addresses", s)
	}
	out := make([]mail.Address, len(l))
	for i, a := range l {
		out[i] = *a
	}
	return out, nil
}
