package mailsync

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/foitrack/foitrack/tracker"
)

// memIMAP is go-imap's in-process IMAP server on 127.0.0.1:0, with one
// user whose INBOX the test fills.
type memIMAP struct {
	mem  *imapmemserver.Server
	user *imapmemserver.User
	srv  *imapserver.Server
	cfg  MailboxConfig // ready to Dial
}

type memIMAPOptions struct {
	tlsMode string
	caps    imap.CapSet // nil: IMAP4rev1 + MOVE + UIDPLUS
	// wrap, when set, wraps each session (to make the server misbehave).
	wrap func(imapserver.Session) imapserver.Session
}

func startMemIMAP(t *testing.T, o memIMAPOptions) *memIMAP {
	t.Helper()
	m := &memIMAP{mem: imapmemserver.New(), user: imapmemserver.NewUser("alice", "s3cret")}
	if err := m.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	m.mem.AddUser(m.user)
	if o.caps == nil {
		o.caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}}
	}
	if o.tlsMode == "" {
		o.tlsMode = TLSModePlain
	}
	cert := selfSignedCert(t)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			s := m.mem.NewSession()
			if o.wrap != nil {
				s = o.wrap(s)
			}
			return s, nil, nil
		},
		Caps:         o.caps,
		InsecureAuth: o.tlsMode == TLSModePlain,
		Logger:       log.New(io.Discard, "", 0),
	}
	if o.tlsMode == TLSModeSTARTTLS {
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	m.srv = imapserver.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.tlsMode == TLSModeImplicit {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	}
	go m.srv.Serve(ln)
	t.Cleanup(func() { m.srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	m.cfg = MailboxConfig{Host: "127.0.0.1", Port: port, TLSMode: o.tlsMode, Username: "alice", Password: "s3cret",
		InsecureSkipVerify: o.tlsMode != TLSModePlain}
	return m
}

func selfSignedCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// deliver appends messages to a mailbox of the in-process server and
// returns them.
func (m *memIMAP) deliver(t *testing.T, mailbox string, n int) [][]byte {
	t.Helper()
	var msgs [][]byte
	for i := range n {
		raw := []byte(fmt.Sprintf("From: foi@council.example.gov.uk\r\nSubject: Reply %d\r\nMessage-ID: <reply-%d-%d@council.example.gov.uk>\r\n\r\nBody of reply %d.\r\n", i, i, time.Now().UnixNano(), i))
		when := time.Date(2026, 3, 1+i, 9, 30, 0, 0, time.UTC)
		if _, err := m.user.Append(mailbox, bytes.NewReader(raw), &imap.AppendOptions{Time: when}); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, raw)
	}
	return msgs
}

func dialT(t *testing.T, cfg MailboxConfig) *Conn {
	t.Helper()
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

type fetched struct {
	uid  uint32
	raw  []byte
	date time.Time
}

func fetchAll(t *testing.T, c *Conn, after uint32, batch int) []fetched {
	t.Helper()
	var got []fetched
	err := c.FetchSince(t.Context(), after, batch, func(uid uint32, raw []byte, date time.Time) error {
		got = append(got, fetched{uid, raw, date})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func uidsOf(fs []fetched) []uint32 {
	var uids []uint32
	for _, f := range fs {
		uids = append(uids, f.uid)
	}
	return uids
}

func TestDialTLSModes(t *testing.T) {
	for _, mode := range []string{TLSModeImplicit, TLSModeSTARTTLS, TLSModePlain} {
		t.Run(mode, func(t *testing.T) {
			m := startMemIMAP(t, memIMAPOptions{tlsMode: mode})
			m.deliver(t, "INBOX", 2)
			c := dialT(t, m.cfg)
			validity, next, n, err := c.Select("INBOX")
			if err != nil {
				t.Fatal(err)
			}
			if validity == 0 || next != 3 || n != 2 {
				t.Errorf("Select = %d, %d, %d; want a UIDVALIDITY, UIDNEXT 3, 2 messages", validity, next, n)
			}
			if err := c.Logout(); err != nil {
				t.Errorf("Logout: %v", err)
			}

			bad := m.cfg
			bad.Password = "wrong"
			if _, err := Dial(bad); err == nil || !strings.Contains(err.Error(), `unable to log in to 127.0.0.1:`) || strings.Contains(err.Error(), "wrong") {
				t.Errorf("wrong password: %v", err)
			}
			if mode != TLSModePlain {
				strict := m.cfg
				strict.InsecureSkipVerify = false
				if _, err := Dial(strict); err == nil || !strings.Contains(err.Error(), "certificate") {
					t.Errorf("a self-signed certificate was accepted without InsecureSkipVerify: %v", err)
				}
			}
		})
	}
}

func TestDialRefusesPlainToRemoteHost(t *testing.T) {
	for _, host := range []string{"imap.example.org", "192.0.2.10", "10.0.0.1"} {
		_, err := Dial(MailboxConfig{Host: host, TLSMode: "plain", Username: "u", Password: "p"})
		if tracker.ErrorCode(err) != tracker.EINVALID {
			t.Fatalf("plain to %s: %v, want EINVALID before any connection", host, err)
		}
		var e *tracker.Error
		if errors.As(err, &e); !strings.Contains(e.Fields["tls_mode"], "only allowed to a loopback host") {
			t.Errorf("plain to %s: fields %v", host, e.Fields)
		}
	}
	for _, host := range []string{"127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"} {
		cfg := MailboxConfig{Host: host, TLSMode: "plain", Username: "u"}
		if err := cfg.Validate(); err != nil {
			t.Errorf("plain to %s refused: %v", host, err)
		}
	}
	cfg := MailboxConfig{Host: "imap.example.org", Username: "u"}
	if err := cfg.Validate(); err != nil || cfg.Port != 993 || cfg.TLSMode != TLSModeImplicit || cfg.Mailbox != "INBOX" {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
	cfg = MailboxConfig{Host: "imap.example.org", Username: "u", TLSMode: "STARTTLS"}
	if err := cfg.Validate(); err != nil || cfg.Port != 143 || cfg.TLSMode != TLSModeSTARTTLS {
		t.Errorf("starttls defaults: %+v, %v", cfg, err)
	}
	cfg = MailboxConfig{Host: "imap.example.org", Username: "u", TLSMode: "ssl"}
	if tracker.ErrorCode(cfg.Validate()) != tracker.EINVALID {
		t.Error("unknown TLS mode accepted")
	}
}

func TestFetchSince(t *testing.T) {
	m := startMemIMAP(t, memIMAPOptions{})
	sent := m.deliver(t, "INBOX", 5)
	c := dialT(t, m.cfg)
	if _, _, _, err := c.Select("INBOX"); err != nil {
		t.Fatal(err)
	}

	got := fetchAll(t, c, 0, 2)
	if !slices.Equal(uidsOf(got), []uint32{1, 2, 3, 4, 5}) {
		t.Fatalf("UIDs = %v, want 1..5 in order", uidsOf(got))
	}
	for i, f := range got {
		if !bytes.Equal(f.raw, sent[i]) {
			t.Errorf("UID %d: raw = %q, want %q", f.uid, f.raw, sent[i])
		}
		if want := time.Date(2026, 3, 1+i, 9, 30, 0, 0, time.UTC); !f.date.Equal(want) {
			t.Errorf("UID %d: internal date %v, want %v", f.uid, f.date, want)
		}
	}

	if got := fetchAll(t, c, 3, 10); !slices.Equal(uidsOf(got), []uint32{4, 5}) {
		t.Errorf("after 3: UIDs = %v, want 4, 5", uidsOf(got))
	}
	// "6:*" matches UID 5 in IMAP; it is not a new message.
	if got := fetchAll(t, c, 5, 10); len(got) != 0 {
		t.Errorf("after the last UID: %v, want nothing", uidsOf(got))
	}
	if got := fetchAll(t, c, ^uint32(0), 10); len(got) != 0 {
		t.Errorf("after the largest UID: %v", uidsOf(got))
	}

	// BODY.PEEK[]: fetching must not mark the replies read.
	bufs, err := c.client.Fetch(imap.UIDSetNum(1, 2, 3, 4, 5), &imap.FetchOptions{Flags: true, UID: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bufs {
		if slices.Contains(b.Flags, imap.FlagSeen) {
			t.Errorf("UID %d is \\Seen after FetchSince", b.UID)
		}
	}
}

var errStore = errors.New("store is down")

func TestFetchSinceResumesFromCheckpoint(t *testing.T) {
	m := startMemIMAP(t, memIMAPOptions{})
	m.deliver(t, "INBOX", 7)
	c := dialT(t, m.cfg)
	validity, _, _, err := c.Select("INBOX")
	if err != nil {
		t.Fatal(err)
	}

	// The caller checkpoints each UID it stored; storing UID 4 fails.
	var checkpoint uint32
	err = c.FetchSince(t.Context(), 0, 3, func(uid uint32, raw []byte, _ time.Time) error {
		if uid == 4 {
			return errStore
		}
		checkpoint = uid
		return nil
	})
	if !errors.Is(err, errStore) || !strings.Contains(err.Error(), "UID 4") {
		t.Fatalf("err = %v, want the callback's error for UID 4", err)
	}
	if checkpoint != 3 {
		t.Fatalf("checkpoint = %d, want 3", checkpoint)
	}

	// The connection drops in the middle of the next run (after UID 5 of a
	// batch of 4,5 was handed over)...
	err = c.FetchSince(t.Context(), checkpoint, 2, func(uid uint32, _ []byte, _ time.Time) error {
		checkpoint = uid
		if uid == 5 {
			c.Close()
		}
		return nil
	})
	if err == nil || checkpoint != 5 {
		t.Fatalf("after the drop: err = %v, checkpoint = %d; want an error and checkpoint 5", err, checkpoint)
	}

	// ...and the next connection resumes after the checkpoint: every
	// message exactly once over the three runs.
	c2 := dialT(t, m.cfg)
	v2, _, _, err := c2.Select("INBOX")
	if err != nil || v2 != validity {
		t.Fatalf("reselect: %d, %v", v2, err)
	}
	if got := fetchAll(t, c2, checkpoint, 2); !slices.Equal(uidsOf(got), []uint32{6, 7}) {
		t.Errorf("resumed UIDs = %v, want 6, 7", uidsOf(got))
	}
}

func TestFetchSinceStopsWhenCancelled(t *testing.T) {
	m := startMemIMAP(t, memIMAPOptions{})
	m.deliver(t, "INBOX", 4)
	c := dialT(t, m.cfg)
	if _, _, _, err := c.Select("INBOX"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var seen []uint32
	err := c.FetchSince(ctx, 0, 1, func(uid uint32, _ []byte, _ time.Time) error {
		seen = append(seen, uid)
		if uid == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || !slices.Equal(seen, []uint32{1, 2}) {
		t.Errorf("err = %v, seen %v; want context.Canceled after 1, 2", err, seen)
	}
}

func TestFetchSinceRequiresSelect(t *testing.T) {
	m := startMemIMAP(t, memIMAPOptions{})
	c := dialT(t, m.cfg)
	if err := c.FetchSince(t.Context(), 0, 10, func(uint32, []byte, time.Time) error { return nil }); err == nil {
		t.Error("FetchSince without Select succeeded")
	}
	if _, _, _, err := c.Select("No such folder"); err == nil {
		t.Error("Select of a missing mailbox succeeded")
	}
}

func TestSelectReportsNewUIDValidity(t *testing.T) {
	m := startMemIMAP(t, memIMAPOptions{})
	c := dialT(t, m.cfg)
	v1, _, _, err := c.Select("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	// Deleting and re-creating a mailbox gives it a new UIDVALIDITY.
	if err := m.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := m.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	v2, _, _, err := dialT(t, m.cfg).Select("INBOX")
	if err != nil || v2 == v1 {
		t.Errorf("UIDVALIDITY %d then %d (%v); want a change", v1, v2, err)
	}
}

// noCopySession is a session whose COPY fails, to check that the MOVE
// fallback deletes nothing then. Embedding the interface also hides the
// session's MOVE support.
type noCopySession struct{ imapserver.Session }

func (noCopySession) Copy(imap.NumSet, string) (*imap.CopyData, error) {
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "quota exceeded"}
}

// plainSession hides MOVE (and the other extensions) of a memserver session.
type plainSession struct{ imapserver.Session }

func TestMove(t *testing.T) {
	for _, tc := range []struct {
		name string
		caps imap.CapSet
		wrap func(imapserver.Session) imapserver.Session
	}{
		{"MOVE", nil, nil},
		{"COPY with UIDPLUS", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}, func(s imapserver.Session) imapserver.Session { return plainSession{s} }},
		{"COPY without UIDPLUS", imap.CapSet{imap.CapIMAP4rev1: {}}, func(s imapserver.Session) imapserver.Session { return plainSession{s} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := startMemIMAP(t, memIMAPOptions{caps: tc.caps, wrap: tc.wrap})
			sent := m.deliver(t, "INBOX", 5)
			c := dialT(t, m.cfg)
			if _, _, _, err := c.Select("INBOX"); err != nil {
				t.Fatal(err)
			}
			// The folder does not exist yet: the server says TRYCREATE.
			if err := c.Move([]uint32{1, 3}, "FOI/Processed"); err != nil {
				t.Fatal(err)
			}
			if got := fetchAll(t, c, 0, 10); !slices.Equal(uidsOf(got), []uint32{2, 4, 5}) {
				t.Errorf("INBOX keeps UIDs %v, want 2, 4, 5", uidsOf(got))
			}
			if _, _, n, err := c.Select("FOI/Processed"); err != nil || n != 2 {
				t.Fatalf("FOI/Processed: %d messages, %v", n, err)
			}
			moved := fetchAll(t, c, 0, 10)
			if len(moved) != 2 || !bytes.Equal(moved[0].raw, sent[0]) || !bytes.Equal(moved[1].raw, sent[2]) {
				t.Errorf("moved messages = %v", moved)
			}
			if err := c.Move(nil, "FOI/Processed"); err != nil {
				t.Errorf("moving nothing: %v", err)
			}
		})
	}

	t.Run("failed COPY deletes nothing", func(t *testing.T) {
		m := startMemIMAP(t, memIMAPOptions{
			caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}},
			wrap: func(s imapserver.Session) imapserver.Session { return noCopySession{s} },
		})
		m.deliver(t, "INBOX", 3)
		c := dialT(t, m.cfg)
		if _, _, _, err := c.Select("INBOX"); err != nil {
			t.Fatal(err)
		}
		if err := c.Move([]uint32{1, 2}, "Processed"); err == nil || !strings.Contains(err.Error(), "quota exceeded") {
			t.Fatalf("Move = %v, want the COPY error", err)
		}
		bufs, err := c.client.Fetch(imap.UIDSetNum(1, 2, 3), &imap.FetchOptions{Flags: true, UID: true}).Collect()
		if err != nil || len(bufs) != 3 {
			t.Fatalf("INBOX after a failed move: %d messages, %v", len(bufs), err)
		}
		for _, b := range bufs {
			if slices.Contains(b.Flags, imap.FlagDeleted) {
				t.Errorf("UID %d flagged \\Deleted although COPY failed", b.UID)
			}
		}
	})
}

func TestFetchSinceManyMessages(t *testing.T) {
	m := startMemIMAP(t, memIMAPOptions{})
	sent := m.deliver(t, "INBOX", 120)
	c := dialT(t, m.cfg)
	if _, _, _, err := c.Select("INBOX"); err != nil {
		t.Fatal(err)
	}
	got := fetchAll(t, c, 0, 0) // default batch size
	if len(got) != len(sent) {
		t.Fatalf("got %d messages, want %d", len(got), len(sent))
	}
	for i, f := range got {
		if f.uid != uint32(i+1) || !bytes.Equal(f.raw, sent[i]) {
			t.Fatalf("message %d: UID %d, %q", i, f.uid, f.raw)
		}
	}
}
