package outbound_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/mail"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/foitrack/foitrack/internal/smtptest"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

var clock = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC) // Mon 2 Mar 2026

type fixture struct {
	st     *store.Store
	srv    *smtptest.Server
	sender *outbound.Sender
	auth   tracker.Authority
	req    tracker.Request
}

func newFixture(t *testing.T, opts ...smtptest.Option) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.Now = func() time.Time { return clock }
	f := &fixture{st: st, srv: smtptest.Start(t, opts...)}
	f.auth = tracker.Authority{Name: "Kent Police", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@kent.police.uk"}
	if err := st.CreateAuthority(ctx, &f.auth); err != nil {
		t.Fatal(err)
	}
	f.req = tracker.Request{Title: "Drone flights over Canterbury", Body: "Please send…", AuthorityID: f.auth.ID}
	if err := st.CreateRequest(ctx, &f.req, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	s := outbound.Settings{Host: f.srv.Host, Port: f.srv.Port, TLS: outbound.TLSNone, From: "foi@campaign.example", FromName: "Open Data Campaign"}
	cfg, err := s.Resolve(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReplyBase = "foi@replies.campaign.example"
	f.sender = &outbound.Sender{Store: st, Mailer: &outbound.SMTPMailer{Config: cfg}, Config: cfg,
		Now: func() time.Time { return clock }, Location: time.UTC}
	return f
}

func (f *fixture) blob(t *testing.T, sum string) []byte {
	t.Helper()
	r, err := f.st.OpenBlob(sum)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The body has what trips mail up: non-ASCII, a line over 78 characters, a
// line that is a lone dot (SMTP's end of data), trailing spaces.
const letterBody = "Dear Kent Police,\n\nPlease provide the number of drone flights in 2025 – by month.\n.\n" +
	"A line that is much longer than seventy-eight characters, so that quoted-printable has to wrap it softly.   \n\nYours faithfully,\nZoë"

func TestSendRequestArrivesByteForByte(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m, err := f.sender.Send(ctx, outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeRequest,
		Subject: "Freedom of Information request – drone flights [" + f.req.OurRef + "]", Body: letterBody})
	if err != nil {
		t.Fatal(err)
	}
	got := f.srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	rcv := got[0]
	if rcv.From != "foi@campaign.example" || len(rcv.To) != 1 || rcv.To[0] != "foi@kent.police.uk" {
		t.Fatalf("envelope: from %q to %q", rcv.From, rcv.To)
	}
	// What arrived is exactly what is kept in the request's history.
	stored := f.blob(t, m.RawSHA256)
	if !bytes.Equal(rcv.Data, stored) {
		t.Fatalf("received message differs from the stored copy:\n--- received\n%s\n--- stored\n%s", rcv.Data, stored)
	}
	reply := "foi+" + f.req.ReplyToken + "@replies.campaign.example"
	wantHeader := "Date: Mon, 02 Mar 2026 10:30:00 +0000\r\n" +
		"From: \"Open Data Campaign\" <foi@campaign.example>\r\n" +
		"To: \"Kent Police\" <foi@kent.police.uk>\r\n" +
		"Reply-To: \"Open Data Campaign\"\r\n <" + reply + ">\r\n" + // folded at 78 characters
		"Subject: =?utf-8?q?Freedom_of_Information_request_=E2=80=93_drone_flights_[FT-2026?= =?utf-8?q?-0001]?=\r\n" +
		"Message-Id: <" + m.MessageID + ">\r\n" +
		"Mime-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	if !strings.HasPrefix(string(rcv.Data), wantHeader) {
		t.Fatalf("header block:\n%s\nwant:\n%s", rcv.Data[:min(len(rcv.Data), len(wantHeader)+200)], wantHeader)
	}
	wantBody := "Dear Kent Police,\r\n\r\nPlease provide the number of drone flights in 2025 =E2=80=93 by month.\r\n.\r\n" +
		"A line that is much longer than seventy-eight characters, so that quoted-pr=\r\n" +
		"intable has to wrap it softly.  =20\r\n\r\nYours faithfully,\r\nZo=C3=AB\r\n"
	if body := string(rcv.Data[len(wantHeader):]); body != wantBody {
		t.Fatalf("body:\n%q\nwant:\n%q", body, wantBody)
	}
	if !strings.HasSuffix(m.MessageID, "@campaign.example") || !strings.HasPrefix(m.MessageID, "foitrack.") {
		t.Fatalf("Message-ID %q", m.MessageID)
	}

	// A mail parser reads the same letter back.
	mr, err := gomail.CreateReader(bytes.NewReader(rcv.Data))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := mr.Header.Subject()
	if subj != "Freedom of Information request – drone flights ["+f.req.OurRef+"]" {
		t.Fatalf("subject %q", subj)
	}
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(p.Body)
	if want := strings.ReplaceAll(letterBody, "\n", "\r\n") + "\r\n"; string(text) != want {
		t.Fatalf("decoded body %q, want %q", text, want)
	}

	// Recorded: the outgoing message as sent, the request sent today.
	out, err := f.st.Outgoing(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out.State != store.OutSent || out.Error != "" || !out.SentAt.Equal(clock) || out.Attempts != 1 || out.EventID == 0 {
		t.Fatalf("outgoing row: %+v", out)
	}
	r, _ := f.st.RequestByID(ctx, f.req.ID)
	if r.Status != tracker.StatusAwaitingResponse || r.SentOn.String() != "2026-03-02" {
		t.Fatalf("request after sending: status %s sent %s", r.Status, r.SentOn)
	}
	events, _ := f.st.Events(ctx, f.req.ID)
	last := events[len(events)-1]
	if last.Kind != tracker.EventSent || last.Date.String() != "2026-03-02" || last.MessageID != m.ID || last.ID != out.EventID {
		t.Fatalf("event: %+v", last)
	}
}

func TestRejectedSendIsNotMarkedSentAndCanBeRetried(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.srv.Reject(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relaying denied"})
	m, err := f.sender.Send(ctx, outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeRequest, Subject: "FOI request", Body: "Please."})
	var se *outbound.SendError
	if !errors.As(err, &se) || se.Code != 550 || !strings.Contains(se.Error(), "5.7.1 Relaying denied") {
		t.Fatalf("error = %v, want the server's 550 5.7.1 reply", err)
	}
	if f.srv.Attempts() != 1 || len(f.srv.Messages()) != 0 {
		t.Fatalf("server: %d attempts, %d accepted", f.srv.Attempts(), len(f.srv.Messages()))
	}
	out, _ := f.st.Outgoing(ctx, m.ID)
	if out.State != store.OutSendFailed || !strings.Contains(out.Error, "550 5.7.1 Relaying denied") || !out.SentAt.IsZero() || out.EventID != 0 {
		t.Fatalf("failed message recorded as %+v", out)
	}
	r, _ := f.st.RequestByID(ctx, f.req.ID)
	if r.Status != tracker.StatusDraft {
		t.Fatalf("a refused request is %s, want still draft", r.Status)
	}
	// Retrying while the server still refuses keeps it failed.
	if _, err := f.sender.Retry(ctx, m.ID); !errors.As(err, &se) {
		t.Fatalf("retry against a refusing server: %v", err)
	}
	// The server accepts now: the same bytes (same Message-ID) go out once.
	f.srv.Reject(nil)
	m2, err := f.sender.Retry(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if msgs := f.srv.Messages(); len(msgs) != 1 || !bytes.Equal(msgs[0].Data, f.blob(t, m.RawSHA256)) {
		t.Fatalf("after retry the server has %d messages (or other bytes than stored)", len(msgs))
	}
	out, _ = f.st.Outgoing(ctx, m.ID)
	if out.State != store.OutSent || out.Error != "" || out.Attempts != 3 || m2.MessageID != m.MessageID {
		t.Fatalf("after retry: %+v", out)
	}
	r, _ = f.st.RequestByID(ctx, f.req.ID)
	if r.Status != tracker.StatusAwaitingResponse {
		t.Fatalf("status after the accepted retry: %s", r.Status)
	}
	// A sent message is not retried.
	if _, err := f.sender.Retry(ctx, m.ID); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("retrying a sent message: %v, want a conflict", err)
	}
	if len(f.srv.Messages()) != 1 {
		t.Fatal("a sent message went out twice")
	}
}

func TestUnreachableServerKeepsTheMessageFailed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.srv.Close()
	m, err := f.sender.Send(ctx, outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeRequest, Subject: "FOI request", Body: "Please."})
	var se *outbound.SendError
	if !errors.As(err, &se) || se.Stage != "connect" || !se.Temporary {
		t.Fatalf("error = %#v", err)
	}
	out, _ := f.st.Outgoing(ctx, m.ID)
	if out.State != store.OutSendFailed || out.Error == "" {
		t.Fatalf("%+v", out)
	}
	if r, _ := f.st.RequestByID(ctx, f.req.ID); r.Status != tracker.StatusDraft {
		t.Fatalf("status %s", r.Status)
	}
}

func TestLetterTheLifecycleRefusesIsNotSent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A chaser for a request never sent.
	_, err := f.sender.Send(ctx, outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeChaser, Subject: "Chaser", Body: "Where is it?"})
	if tracker.ErrorCode(err) != tracker.ECONFLICT || !strings.Contains(tracker.ErrorMessage(err), "cannot send a chaser now") {
		t.Fatalf("err = %v", err)
	}
	if f.srv.Attempts() != 0 {
		t.Fatal("the server was contacted")
	}
	if l, _ := f.st.OutgoingMessages(ctx, store.OutgoingFilter{RequestID: f.req.ID}); len(l) != 0 {
		t.Fatalf("%d outgoing rows", len(l))
	}
}

func TestChaserThreadsUnderTheRequest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.sender.Send(ctx, outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeRequest, Subject: "FOI request", Body: "Please."})
	if err != nil {
		t.Fatal(err)
	}
	clock2 := clock.AddDate(0, 1, 0)
	f.sender.Now = func() time.Time { return clock2 }
	chaser, err := f.sender.Send(ctx, outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeChaser, Subject: "Re: FOI request", Body: "Overdue.",
		To: []mail.Address{{Address: "complaints@kent.police.uk"}}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := f.srv.Messages()
	if len(msgs) != 2 || msgs[1].To[0] != "complaints@kent.police.uk" {
		t.Fatalf("messages: %+v", msgs)
	}
	mr, err := gomail.CreateReader(bytes.NewReader(msgs[1].Data))
	if err != nil {
		t.Fatal(err)
	}
	irt, _ := mr.Header.MsgIDList("In-Reply-To")
	refs, _ := mr.Header.MsgIDList("References")
	if len(irt) != 1 || irt[0] != first.MessageID || len(refs) != 1 || refs[0] != first.MessageID || chaser.InReplyTo != first.MessageID {
		t.Fatalf("In-Reply-To %v References %v, want %s", irt, refs, first.MessageID)
	}
	events, _ := f.st.Events(ctx, f.req.ID)
	if last := events[len(events)-1]; last.Kind != tracker.EventChaserSent || last.Date.String() != "2026-04-02" {
		t.Fatalf("last event %+v", last)
	}
}

func TestStartTLSWithAuthentication(t *testing.T) {
	f := newFixture(t, smtptest.WithTLS(t), smtptest.WithAuth("campaign", "s3cret-pass"))
	ctx := context.Background()
	s := outbound.Settings{Host: f.srv.Host, Port: f.srv.Port, TLS: outbound.TLSStartTLS, Username: "campaign",
		PasswordEnv: "TEST_SMTP_PW", From: "foi@campaign.example"}
	cfg, err := s.Resolve(func(k string) string {
		if k == "TEST_SMTP_PW" {
			return "s3cret-pass"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	f.sender.Config = cfg
	f.sender.Mailer = &outbound.SMTPMailer{Config: cfg, TLSConfig: f.srv.ClientTLS}
	if _, err := f.sender.Send(ctx, outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeRequest, Subject: "FOI", Body: "Please."}); err != nil {
		t.Fatal(err)
	}
	msgs := f.srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].Auth != "campaign" {
		t.Fatalf("messages: %+v", msgs)
	}

	// A wrong password: refused at AUTH, nothing sent.
	bad := &outbound.SMTPMailer{Config: cfg, TLSConfig: f.srv.ClientTLS}
	bad.Config.Password = "wrong"
	err = bad.Send(ctx, "foi@campaign.example", []string{"x@example.org"}, []byte("Subject: x\r\n\r\nx\r\n"))
	var se *outbound.SendError
	if !errors.As(err, &se) || se.Stage != "auth" || se.Code != 535 {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestStartTLSRequiredIsNeverDowngraded(t *testing.T) {
	f := newFixture(t) // this server offers no STARTTLS
	cfg := f.sender.Config
	cfg.TLS = outbound.TLSStartTLS
	err := (&outbound.SMTPMailer{Config: cfg}).Send(context.Background(), "foi@campaign.example", []string{"x@example.org"}, []byte("Subject: x\r\n\r\nx\r\n"))
	var se *outbound.SendError
	if !errors.As(err, &se) || se.Stage != "tls" {
		t.Fatalf("err = %v, want a TLS failure", err)
	}
	if f.srv.Attempts() != 0 {
		t.Fatal("the message was sent in clear")
	}
}

func TestSettingsValidation(t *testing.T) {
	s := outbound.Settings{Host: "smtp.example.org", TLS: outbound.TLSNone, From: "foi@example.org"}
	if err := s.Validate(); err == nil || !strings.Contains(tracker.ErrorMessage(err), "only allowed to a server on this machine") {
		t.Fatalf("clear text to a remote host: %v", err)
	}
	s = outbound.Settings{Host: "smtp.example.org", From: "not an address"}
	if err := s.Validate(); err == nil {
		t.Fatal("a bad From was accepted")
	}
	s = outbound.Settings{Host: "smtp.example.org", From: "foi@example.org"}
	if err := s.Validate(); err != nil || s.TLS != outbound.TLSStartTLS || s.Port != 587 || s.HeloName != "example.org" {
		t.Fatalf("defaults: %+v %v", s, err)
	}
	if _, err := (outbound.Settings{Host: "h", From: "a@b.c", Username: "u", PasswordEnv: "NOPE"}).Resolve(func(string) string { return "" }); err == nil {
		t.Fatal("an unset password variable was accepted")
	}
	if got := outbound.PlusAddress("foi+old@example.org", "ABC"); got != "foi+abc@example.org" {
		t.Fatal(got)
	}
}
