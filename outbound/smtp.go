package outbound

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mailer hands a finished message to a mail server. The raw bytes are sent
// exactly as given (CRLF line endings), so what is stored is what was sent.
type Mailer interface {
	Send(ctx context.Context, envelopeFrom string, recipients []string, raw []byte) error
}

// SMTPMailer is the Mailer that talks SMTP to the configured server.
type SMTPMailer struct {
	Config Config
	// TLSConfig overrides the TLS settings (tests trust their own CA with it).
	TLSConfig *tls.Config
}

// SendError is a failed delivery attempt with what the server said, for the
// user to read (and act on: a wrong address is not worth retrying).
type SendError struct {
	Stage     string // connect, tls, auth, mail, rcpt, data
	Code      int    // the SMTP reply code, 0 when there was none
	Message   string // the server's text, or the network error
	Temporary bool   // a 4xx reply or a network error: retrying may work
}

func (e *SendError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("the mail server refused the message at %s: %d %s", e.Stage, e.Code, e.Message)
	}
	return fmt.Sprintf("sending failed at %s: %s", e.Stage, e.Message)
}

func sendErr(stage string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		msg := se.Message
		if se.EnhancedCode != (smtp.EnhancedCode{}) && se.EnhancedCode != smtp.NoEnhancedCode {
			msg = fmt.Sprintf("%d.%d.%d %s", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], msg)
		}
		return &SendError{Stage: stage, Code: se.Code, Message: msg, Temporary: se.Temporary()}
	}
	return &SendError{Stage: stage, Message: err.Error(), Temporary: true}
}

// Send connects, secures the connection as configured, authenticates when a
// username is set, and delivers raw. It returns nil only when the server
// accepted the message (250 after DATA).
func (m *SMTPMailer) Send(ctx context.Context, envelopeFrom string, recipients []string, raw []byte) error {
	c := m.Config
	if c.Host == "" {
		return ErrNotConfigured
	}
	if len(recipients) == 0 {
		return &SendError{Stage: "rcpt", Message: "no recipients"}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tlsConf := m.TLSConfig
	if tlsConf == nil {
		tlsConf = &tls.Config{}
	}
	tlsConf = tlsConf.Clone()
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = c.Host
	}
	tlsConf.MinVersion = max(tlsConf.MinVersion, tls.VersionTLS12)

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr())
	if err != nil {
		return sendErr("connect", err)
	}
	// The deadline bounds the whole conversation; cancelling ctx closes it.
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	var client *smtp.Client
	switch c.TLS {
	case TLSImplicit:
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return sendErr("tls", err)
		}
		client = smtp.NewClient(tc)
	case TLSStartTLS:
		// NewClientStartTLS refuses a server that does not offer STARTTLS:
		// a downgrade to clear text is never silent.
		client, err = smtp.NewClientStartTLS(conn, tlsConf)
		if err != nil {
			conn.Close()
			return sendErr("tls", err)
		}
	case TLSNone:
		if !isLoopback(c.Host) {
			conn.Close()
			return &SendError{Stage: "connect", Message: "refusing an unencrypted connection to a server that is not on this machine"}
		}
		client = smtp.NewClient(conn)
	default:
		conn.Close()
		return &SendError{Stage: "connect", Message: fmt.Sprintf("unknown TLS mode %q", c.TLS)}
	}
	defer client.Close()
	if c.HeloName != "" {
		if err := client.Hello(c.HeloName); err != nil {
			return sendErr("helo", err)
		}
	}
	if c.Username != "" {
		if ok, _ := client.Extension("AUTH"); !ok {
			return &SendError{Stage: "auth", Message: "the server does not offer authentication (AUTH), but a username is configured"}
		}
		var a sasl.Client
		if client.SupportsAuth("PLAIN") {
			a = sasl.NewPlainClient("", c.Username, c.Password)
		} else if client.SupportsAuth("LOGIN") {
			a = sasl.NewLoginClient(c.Username, c.Password)
		} else {
			return &SendError{Stage: "auth", Message: "the server offers neither PLAIN nor LOGIN authentication"}
		}
		if err := client.Auth(a); err != nil {
			return sendErr("auth", err)
		}
	}
	var opts *smtp.MailOptions
	if !isASCII(envelopeFrom) || !isASCII(strings.Join(recipients, "")) {
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := client.Mail(envelopeFrom, opts); err != nil {
		return sendErr("mail", err)
	}
	for _, r := range recipients {
		if err := client.Rcpt(r, nil); err != nil {
			return sendErr("rcpt "+r, err)
		}
	}
	w, err := client.Data()
	if err != nil {
		return sendErr("data", err)
	}
	if _, err := w.Write(raw); err != nil {
		return sendErr("data", err)
	}
	if err := w.Close(); err != nil {
		return sendErr("data", err)
	}
	// The message is accepted; a failed QUIT changes nothing.
	_ = client.Quit()
	return nil
}

func isASCII(s string) bool {
	return !bytes.ContainsFunc([]byte(s), func(r rune) bool { return r >= 0x80 })
}
