package mailsync

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"log"
	"net"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// MemServer is go-imap's in-process IMAP server on a loopback port, with one
// user: the demo's inbox, and the server the unit tests sync from.
type MemServer struct {
	Addr     string // 127.0.0.1:port
	Username string
	Password string

	user *imapmemserver.User
	srv  *imapserver.Server
	ln   net.Listener

	mu    sync.Mutex
	conns []*imapserver.Conn
}

// StartMemServer starts an in-process IMAP server on 127.0.0.1 with an
// empty INBOX for username.
func StartMemServer(username, password string) (*MemServer, error) {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(username, password)
	if err := user.Create("INBOX", nil); err != nil {
		return nil, err
	}
	mem.AddUser(user)
	ms := &MemServer{Username: username, Password: password, user: user}
	ms.srv = imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			ms.mu.Lock()
			ms.conns = append(ms.conns, c)
			ms.mu.Unlock()
			return mem.NewSession(), nil, nil
		},
		Caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		// Plain-text login is fine on loopback, and only there.
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mailsync: unable to listen for the in-process IMAP server: %w", err)
	}
	ms.ln, ms.Addr = ln, ln.Addr().String()
	go ms.srv.Serve(ln)
	return ms, nil
}

// Config is a sync configuration for this server (the password in the
// environment variable passwordEnv, which the caller sets).
func (ms *MemServer) Config(passwordEnv string) Config {
	host, port, _ := net.SplitHostPort(ms.Addr)
	p, _ := strconv.Atoi(port)
	return Config{Host: host, Port: p, TLS: TLSModePlain, Username: ms.Username, PasswordEnv: passwordEnv, Mailbox: "INBOX"}
}

// Append adds a raw message to mailbox (line ends made CRLF) and returns its UID.
func (ms *MemServer) Append(mailbox string, raw []byte) (uint32, error) {
	raw = crlf(raw)
	data, err := ms.user.Append(mailbox, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{})
	if err != nil {
		return 0, err
	}
	return uint32(data.UID), nil
}

// Recreate deletes mailbox and creates it again empty: the server gives it
// a new UIDVALIDITY, as a real server does after a mailbox is rebuilt.
func (ms *MemServer) Recreate(mailbox string) error {
	if err := ms.user.Delete(mailbox); err != nil {
		return err
	}
	return ms.user.Create(mailbox, nil)
}

// Create adds an empty mailbox.
func (ms *MemServer) Create(mailbox string) error { return ms.user.Create(mailbox, nil) }

// Count is how many messages mailbox holds.
func (ms *MemServer) Count(mailbox string) (int, error) {
	st, err := ms.user.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return 0, err
	}
	return int(*st.NumMessages), nil
}

// DropConnections closes every client connection, as a crashed or
// restarted server would.
func (ms *MemServer) DropConnections() {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for _, c := range ms.conns {
		c.NetConn().Close()
	}
	ms.conns = nil
}

// Close stops the server.
func (ms *MemServer) Close() error {
	ms.DropConnections()
	return ms.srv.Close()
}

type literal struct {
	*bytes.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// crlf makes every line end CRLF, as RFC 5322 (and IMAP) want.
func crlf(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

//go:embed testdata/demo/*.eml
var demoMail embed.FS

// demoPasswordEnv holds the demo inbox's password (set by StartDemo).
const demoPasswordEnv = "FOITRACK_DEMO_IMAP_PASSWORD"

// Demo is the running demo: its IMAP server and what was seeded.
type Demo struct {
	IMAP     *MemServer
	Requests map[string]tracker.Request // by demo key: council, police, department
	Summary  Summary                    // of the first sync
}

// Close stops the demo's IMAP server.
func (d *Demo) Close() error { return d.IMAP.Close() }

// StartDemo seeds a fresh store with a few authorities and requests, starts
// an in-process IMAP server holding replies to them (an acknowledgement, a
// section 31 refusal, a partial release with a PDF, an extension notice,
// and a message about nothing), points the mail settings at it and runs a
// first sync, so that requests, documents and the holding pen fill at once.
// setenv sets the password variable (os.Setenv in the program).
func StartDemo(ctx context.Context, st *store.Store, setenv func(k, v string) error) (*Demo, error) {
	now := st.Now()
	d := &Demo{Requests: map[string]tracker.Request{}}
	day := func(offset int) tracker.Date { return tracker.DateOf(now.AddDate(0, 0, offset)) }

	authorities := []struct {
		key string
		a   tracker.Authority
	}{
		{"council", tracker.Authority{Name: "Borsetshire County Council", ShortName: "Borsetshire CC", Jurisdiction: tracker.JurisdictionEngland,
			Email: "foi@borsetshire.gov.uk", Website: "https://www.borsetshire.gov.uk", Tags: []string{"council", "demo"}}},
		{"police", tracker.Authority{Name: "Ambridge Constabulary", Jurisdiction: tracker.JurisdictionEngland,
			Email: "disclosure@ambridge.police.uk", Tags: []string{"police", "demo"}}},
		{"department", tracker.Authority{Name: "Department for Rural Affairs", ShortName: "DRA", Jurisdiction: tracker.JurisdictionUK,
			Email: "information.rights@rural-affairs.gov.uk", Tags: []string{"central government", "demo"}}},
	}
	requests := []struct {
		key, title, body string
		sent             int
	}{
		{"council", "Pothole repair contracts and inspection schedules 2025",
			"Please provide the contracts for pothole repairs let in 2025 and the road inspection schedules for the same year.", -20},
		{"police", "Stop and search records 2025",
			"Please provide the number of stop and search encounters in 2025 by month and by outcome.", -19},
		{"department", "Flood defence spending by county",
			"Please provide the department's spending on flood defences in each county for the last five financial years.", -21},
	}
	for i, a := range authorities {
		if err := st.CreateAuthority(ctx, &authorities[i].a); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		r := tracker.Request{Title: requests[i].title, Body: requests[i].body, AuthorityID: authorities[i].a.ID, Tags: []string{"demo"}}
		if err := st.CreateRequest(ctx, &r, day(requests[i].sent)); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		d.Requests[a.key] = r
	}
	// The police request was sent by mail: its reply threads onto our
	// Message-ID (the In-Reply-To rule).
	police := d.Requests["police"]
	policeMsgID := fmt.Sprintf("request-%s@demo.foitrack.test", strings.ToLower(police.OurRef))
	if err := recordDemoOutgoing(ctx, st, police, policeMsgID, now.AddDate(0, 0, -19)); err != nil {
		return nil, err
	}

	ms, err := StartMemServer("demo", "demo-"+store.NewReplyToken())
	if err != nil {
		return nil, err
	}
	d.IMAP = ms
	fail := func(err error) (*Demo, error) {
		ms.Close()
		return nil, err
	}
	if err := setenv(demoPasswordEnv, ms.Password); err != nil {
		return fail(err)
	}
	names, _ := demoMail.ReadDir("testdata/demo")
	sort.Slice(names, func(i, j int) bool { return names[i].Name() < names[j].Name() })
	vars := demoVars{now: now, requests: d.Requests, msgIDs: map[string]string{"police": policeMsgID}}
	for _, n := range names {
		tmpl, err := demoMail.ReadFile(path.Join("testdata/demo", n.Name()))
		if err != nil {
			return fail(err)
		}
		raw, err := vars.expand(tmpl)
		if err != nil {
			return fail(fmt.Errorf("demo message %s: %w", n.Name(), err))
		}
		if _, err := ms.Append("INBOX", raw); err != nil {
			return fail(err)
		}
	}
	cfg := ms.Config(demoPasswordEnv)
	cfg.ReplyAddress = "foi@demo.foitrack.test"
	if err := SaveConfig(ctx, st, cfg); err != nil {
		return fail(err)
	}
	cfg, err = LoadConfig(ctx, st)
	if err != nil {
		return fail(err)
	}
	syncer := &Syncer{Store: st, Config: cfg}
	if d.Summary, err = syncer.Run(ctx); err != nil {
		return fail(fmt.Errorf("demo: first sync: %w", err))
	}
	return d, nil
}

// recordDemoOutgoing stores the request as sent by mail from foitrack.
func recordDemoOutgoing(ctx context.Context, st *store.Store, r tracker.Request, msgID string, sent time.Time) error {
	raw := crlf([]byte(fmt.Sprintf("From: Demo Requester <foi+%s@demo.foitrack.test>\nTo: disclosure@ambridge.police.uk\n"+
		"Subject: Freedom of Information request - %s [%s]\nDate: %s\nMessage-ID: <%s>\n\n%s\n",
		r.ReplyToken, r.Title, r.OurRef, sent.Format(time.RFC1123Z), msgID, r.Body)))
	sum, size, err := st.WriteBlob(bytes.NewReader(raw), 0)
	if err != nil {
		return err
	}
	out := store.OutgoingMessage{RequestID: r.ID, Purpose: "request", MessageID: msgID, Subject: "Freedom of Information request - " + r.Title,
		From: "foi+" + r.ReplyToken + "@demo.foitrack.test", To: []string{"disclosure@ambridge.police.uk"},
		EnvelopeFrom: "foi@demo.foitrack.test", Recipients: []string{"disclosure@ambridge.police.uk"},
		RawSHA256: sum, RawSize: size, TextBody: r.Body}
	if err := st.CreateOutgoing(ctx, &out); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	_, err = st.MarkOutgoingSent(ctx, out.ID, sent, nil)
	return err
}

// demoVars fills the placeholders of the demo messages: {{date -3}} (an
// RFC 5322 date three days ago), {{day +15}} (a long date), {{token key}}
// (a request's reply token), {{ourref key}}, {{msgid key}} (the Message-ID
// of our mail for the request).
type demoVars struct {
	now      time.Time
	requests map[string]tracker.Request
	msgIDs   map[string]string
}

var placeholderRe = regexp.MustCompile(`\{\{(\w+) ([+\-]?\w+)\}\}`)

func (v demoVars) expand(tmpl []byte) ([]byte, error) {
	var firstErr error
	out := placeholderRe.ReplaceAllFunc(tmpl, func(m []byte) []byte {
		sub := placeholderRe.FindSubmatch(m)
		name, arg := string(sub[1]), string(sub[2])
		val, err := v.value(name, arg)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return []byte(val)
	})
	return out, firstErr
}

func (v demoVars) value(name, arg string) (string, error) {
	switch name {
	case "date", "day":
		n, err := strconv.Atoi(arg)
		if err != nil {
			return "", fmt.Errorf("bad day offset %q", arg)
		}
		y, m, d := v.now.AddDate(0, 0, n).Date()
		t := time.Date(y, m, d, 10, 30, 0, 0, time.UTC)
		if name == "day" {
			return t.Format("Monday 2 January 2006"), nil
		}
		return t.Format(time.RFC1123Z), nil
	case "token", "ourref":
		r, ok := v.requests[arg]
		if !ok {
			return "", fmt.Errorf("no demo request %q", arg)
		}
		if name == "token" {
			return r.ReplyToken, nil
		}
		return r.OurRef, nil
	case "msgid":
		id, ok := v.msgIDs[arg]
		if !ok {
			return "", fmt.Errorf("no demo message %q", arg)
		}
		return id, nil
	}
	return "", fmt.Errorf("unknown placeholder %q", name)
}
