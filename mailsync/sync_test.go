package mailsync

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// noDNS answers every DKIM key lookup with "no such host": tests never
// reach the network.
type noDNS struct{}

func (noDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

const testPasswordEnv = "FOITRACK_TEST_IMAP_PASSWORD"

// fixture is a store with a council, a police force and requests to them,
// and an in-process IMAP server to sync from.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	st      *store.Store
	ms      *MemServer
	cfg     Config
	council tracker.Authority
	police  tracker.Authority
	roads   tracker.Request // to the council, sent
	parks   tracker.Request // to the council, sent (so the council's domain alone is ambiguous)
	stops   tracker.Request // to the police, sent: the police's only open request
	// sameContentOK: the mailbox holds byte-identical messages (each is
	// still stored, once per UID).
	sameContentOK bool
}

// newFixture syncs from go-imap's in-process server.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ms, err := StartMemServer("alice", "secret-"+store.NewReplyToken())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	f := newFixtureFor(t, ms.Config(testPasswordEnv), ms.Password)
	f.ms = ms
	return f
}

// newFixtureFor syncs from the server cfg names, logging in with password.
func newFixtureFor(t *testing.T, cfg Config, password string) *fixture {
	t.Helper()
	ctx := store.WithActor(context.Background(), "test")
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	t.Setenv(testPasswordEnv, password)
	cfg.PasswordEnv = testPasswordEnv
	f := &fixture{t: t, ctx: ctx, st: st, cfg: cfg}
	f.cfg.applyDefaults()
	f.council = tracker.Authority{Name: "Borsetshire County Council", Email: "foi@borsetshire.gov.uk"}
	f.police = tracker.Authority{Name: "Ambridge Constabulary", Email: "disclosure@ambridge.police.uk"}
	for _, a := range []*tracker.Authority{&f.council, &f.police} {
		if err := st.CreateAuthority(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	sent := tracker.MustParseDate("2026-03-02")
	f.roads = f.request("Pothole contracts", f.council.ID, sent)
	f.parks = f.request("Park maintenance", f.council.ID, sent)
	f.stops = f.request("Stop and search 2025", f.police.ID, sent)
	return f
}

func (f *fixture) request(title string, authorityID int64, sent tracker.Date) tracker.Request {
	f.t.Helper()
	r := tracker.Request{Title: title, AuthorityID: authorityID}
	if err := f.st.CreateRequest(f.ctx, &r, sent); err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) syncer() *Syncer {
	return &Syncer{Store: f.st, Config: f.cfg, Ingest: Ingester{Resolver: noDNS{}}, Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
}

func (f *fixture) sync() Summary {
	f.t.Helper()
	sum, err := f.syncer().Run(f.ctx)
	if err != nil {
		f.t.Fatalf("sync: %v (summary %+v)", err, sum)
	}
	return sum
}

func (f *fixture) append(raw string) uint32 {
	f.t.Helper()
	uid, err := f.ms.Append("INBOX", []byte(raw))
	if err != nil {
		f.t.Fatal(err)
	}
	return uid
}

// byMessageID returns the stored incoming message with the Message-ID.
func (f *fixture) byMessageID(id string) store.MailMessage {
	f.t.Helper()
	list, err := f.st.MailMessages(f.ctx, store.MailFilter{Direction: "in"})
	if err != nil {
		f.t.Fatal(err)
	}
	var found []store.MailMessage
	for _, m := range list {
		if m.MessageID == id {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		f.t.Fatalf("%d stored messages with Message-ID %s, want 1", len(found), id)
	}
	return found[0]
}

// assertStoredOnce checks that every message of the mailbox is stored,
// once: as many rows as messages, no UID twice, no content twice, every raw
// blob intact, and nothing left half-processed.
func (f *fixture) assertStoredOnce(mailboxCount int) {
	f.t.Helper()
	list, err := f.st.MailMessages(f.ctx, store.MailFilter{Direction: "in"})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(list) != mailboxCount {
		f.t.Fatalf("%d messages stored, the mailbox holds %d", len(list), mailboxCount)
	}
	seen := map[string]bool{}
	for _, m := range list {
		uid := fmt.Sprintf("uid %d/%d", m.UIDValidity, m.UID)
		content := "content " + m.MessageID + "/" + m.RawSHA256
		if seen[uid] || seen[content] && !f.sameContentOK {
			f.t.Fatalf("message %s (%s) stored twice", uid, content)
		}
		seen[uid], seen[content] = true, true
		if m.RawSHA256 != "" {
			if err := f.st.VerifyBlob(m.RawSHA256); err != nil {
				f.t.Fatalf("message %d: %v", m.ID, err)
			}
		}
		if m.State == store.MailNew {
			f.t.Fatalf("message %d was never processed", m.ID)
		}
	}
}

// textMail builds a message; extra header lines go before the body.
func textMail(from, to, subject, msgID, body string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Tue, 10 Mar 2026 09:30:00 +0000\r\nMessage-ID: <%s>\r\n", from, to, subject, msgID)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n") + "\r\n")
	return b.String()
}

// mailWithPDF is a reply with a small PDF attached.
func mailWithPDF(from, to, subject, msgID, body string, extra ...string) string {
	pdf := "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Tue, 10 Mar 2026 09:30:00 +0000\r\nMessage-ID: <%s>\r\n", from, to, subject, msgID)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	b.WriteString("\r\n--XX\r\nContent-Type: application/pdf; name=\"../../etc/passwd.pdf\"\r\nContent-Disposition: attachment; filename=\"../../etc/passwd.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(base64.StdEncoding.EncodeToString([]byte(pdf)) + "\r\n--XX--\r\n")
	return b.String()
}

func TestSyncStoresFilesAndRerunsWithoutDuplicates(t *testing.T) {
	f := newFixture(t)
	f.append(textMail("FOI Team <foi@borsetshire.gov.uk>", "foi+"+f.roads.ReplyToken+"@example.org",
		"Acknowledgement of your request", "ack-1@borsetshire.gov.uk",
		"We acknowledge receipt of your request for information.\nOur ref: FOI/2026/0412"))
	f.append(mailWithPDF("Disclosure <disclosure@ambridge.police.uk>", "requests@example.org",
		"Your request", "rel-1@ambridge.police.uk",
		"Please find attached the information we are able to release. Some information is withheld under section 40(2)."))
	f.append(textMail("Fete <editor@parish.example>", "requests@example.org", "Volunteers wanted", "fete@parish.example",
		"Can you help at the fete?"))

	sum := f.sync()
	if sum.Fetched != 3 || sum.Matched != 2 || sum.Unmatched != 1 || sum.Failed != 0 || sum.Duplicates != 0 || sum.RunID == 0 {
		t.Fatalf("first pass: %+v", sum)
	}
	f.assertStoredOnce(3)

	ack := f.byMessageID("ack-1@borsetshire.gov.uk")
	if ack.State != store.MailMatched || ack.RequestID != f.roads.ID || ack.MatchRule != store.MatchReplyAddress {
		t.Fatalf("acknowledgement: state %s request %d rule %s", ack.State, ack.RequestID, ack.MatchRule)
	}
	if ack.UIDValidity == 0 || ack.UID == 0 || ack.Mailbox != "INBOX" || ack.FetchedAt.IsZero() || ack.RawSHA256 == "" ||
		!strings.Contains(ack.RawHeaders, "Message-ID: <ack-1@borsetshire.gov.uk>") || ack.Subject != "Acknowledgement of your request" ||
		ack.FromAddr != "foi@borsetshire.gov.uk" || ack.SentAt.IsZero() || !strings.Contains(string(ack.DKIM), "none") {
		t.Fatalf("provenance not kept: %+v", ack)
	}
	if err := f.st.VerifyBlob(ack.RawSHA256); err != nil {
		t.Fatal(err)
	}
	// The acknowledgement was applied, and the authority's reference learned.
	roads, _ := f.st.RequestByID(f.ctx, f.roads.ID)
	if roads.TheirRef != "FOI/2026/0412" {
		t.Fatalf("their ref = %q, want it learned from the acknowledgement", roads.TheirRef)
	}
	events, _ := f.st.Events(f.ctx, f.roads.ID)
	if last := events[len(events)-1]; last.Kind != tracker.EventAcknowledged || last.MessageID != ack.ID || ack.ProposalState != store.ProposalApplied {
		t.Fatalf("acknowledgement not applied: last event %+v, proposal %q", last, ack.ProposalState)
	}

	rel := f.byMessageID("rel-1@ambridge.police.uk")
	if rel.RequestID != f.stops.ID || rel.MatchRule != store.MatchSenderDomain {
		t.Fatalf("release: request %d rule %s", rel.RequestID, rel.MatchRule)
	}
	docs, err := f.st.Documents(f.ctx, store.DocumentFilter{MessageID: rel.ID})
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents of the release: %v %v", docs, err)
	}
	d := docs[0]
	if d.RequestID != f.stops.ID || d.Disposition != tracker.DispositionReleased || d.MediaType != "application/pdf" ||
		strings.Contains(d.Filename, "/") || !strings.HasSuffix(d.Filename, "passwd.pdf") {
		t.Fatalf("document %+v", d)
	}
	if err := f.st.VerifyBlob(d.SHA256); err != nil {
		t.Fatal(err)
	}
	// A release is proposed, not applied: an editor confirms it.
	p, ok := ReadProposal(rel)
	if !ok || p.Kind != ReplyPartialRelease || p.State != store.ProposalProposed || len(p.Exemptions) == 0 || p.Exemptions[0].Code != "s40(2)" {
		t.Fatalf("release proposal: %+v", p)
	}
	if st, _ := f.st.RequestByID(f.ctx, f.stops.ID); st.Status != tracker.StatusAwaitingResponse {
		t.Fatalf("a release changed the status to %s before anyone confirmed it", st.Status)
	}

	fete := f.byMessageID("fete@parish.example")
	if fete.State != store.MailUnmatched || fete.RequestID != 0 {
		t.Fatalf("unmatched message: %+v", fete)
	}

	// Rerun: nothing new, nothing twice.
	sum = f.sync()
	if sum.Fetched != 0 || sum.Duplicates != 0 {
		t.Fatalf("second pass: %+v", sum)
	}
	f.assertStoredOnce(3)
	runs, _ := f.st.MailSyncRuns(f.ctx, 10)
	if len(runs) != 2 || runs[1].Fetched != 3 || runs[1].Matched != 2 || runs[0].FinishedAt.IsZero() {
		t.Fatalf("sync runs: %+v", runs)
	}
	// More mail later: only that is fetched.
	f.append(textMail("foi@borsetshire.gov.uk", "requests@example.org", "Re: FOI/2026/0412", "later@borsetshire.gov.uk", "More to follow."))
	if sum = f.sync(); sum.Fetched != 1 || sum.Matched != 1 {
		t.Fatalf("third pass: %+v", sum)
	}
	f.assertStoredOnce(4)
}

func TestMatchRules(t *testing.T) {
	f := newFixture(t)
	// Our outgoing request to the police, whose Message-ID replies thread onto.
	out := store.OutgoingMessage{RequestID: f.stops.ID, Purpose: "request", MessageID: "req-77@foitrack.example",
		Subject: "FOI request", From: "foi@example.org", To: []string{"disclosure@ambridge.police.uk"},
		EnvelopeFrom: "foi@example.org", Recipients: []string{"disclosure@ambridge.police.uk"}}
	sum, size, err := f.st.WriteBlob(strings.NewReader("Message-ID: <req-77@foitrack.example>\r\n\r\nplease\r\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	out.RawSHA256, out.RawSize = sum, size
	if err := f.st.CreateOutgoing(f.ctx, &out); err != nil {
		t.Fatal(err)
	}
	parks := f.parks
	parks.TheirRef = "BCC-2026-77"
	if err := f.st.UpdateRequest(f.ctx, &parks); err != nil {
		t.Fatal(err)
	}
	other := tracker.Authority{Name: "Unrelated Body", Email: "info@unrelated.example"}
	if err := f.st.CreateAuthority(f.ctx, &other); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, raw string
		request   int64
		rule      string
	}{
		{"reply address in To", textMail("someone@anywhere.example", "Foi+"+strings.ToUpper(f.parks.ReplyToken)+"@example.org", "Hello", "m1@x", "text"),
			f.parks.ID, store.MatchReplyAddress},
		{"reply address only in Delivered-To (Bcc)", textMail("someone@anywhere.example", "undisclosed-recipients:;", "Hello", "m2@x", "text",
			"Delivered-To: foi+"+f.roads.ReplyToken+"@example.org"), f.roads.ID, store.MatchReplyAddress},
		{"reply address in X-Original-To", textMail("someone@anywhere.example", "list@lists.example", "Hello", "m3@x", "text",
			"X-Original-To: foi+"+f.stops.ReplyToken+"@example.org"), f.stops.ID, store.MatchReplyAddress},
		{"In-Reply-To our request", textMail("someone@gmail.example", "foi@example.org", "Re: FOI request", "m4@x", "text",
			"In-Reply-To: <req-77@foitrack.example>"), f.stops.ID, store.MatchInReplyTo},
		{"References our request", textMail("someone@gmail.example", "foi@example.org", "Re: FOI request", "m5@x", "text",
			"References: <unknown@x> <req-77@foitrack.example>"), f.stops.ID, store.MatchInReplyTo},
		{"our reference in the subject", textMail("foi@borsetshire.gov.uk", "foi@example.org", "Your request "+f.roads.OurRef, "m6@x", "text"),
			f.roads.ID, store.MatchReference},
		{"their reference in the body", textMail("foi@borsetshire.gov.uk", "foi@example.org", "Response", "m7@x", "Dear requester,\nYour request BCC-2026-77 has been answered."),
			f.parks.ID, store.MatchReference},
		{"sender domain with one open request", textMail("officer@ambridge.police.uk", "foi@example.org", "Response", "m8@x", "text"),
			f.stops.ID, store.MatchSenderDomain},
		{"sender subdomain with one open request", textMail("noreply@mail.ambridge.police.uk", "foi@example.org", "Response", "m9@x", "text"),
			f.stops.ID, store.MatchSenderDomain},
		{"sender domain with two open requests", textMail("foi@borsetshire.gov.uk", "foi@example.org", "Response", "m10@x", "text"), 0, ""},
		{"sender domain of an authority without requests", textMail("info@unrelated.example", "foi@example.org", "News", "m11@x", "text"), 0, ""},
		{"a reference glued to more digits", textMail("x@y.example", "foi@example.org", "BCC-2026-770", "m12@x", "text"), 0, ""},
		{"an unknown plus token", textMail("x@y.example", "foi+nosuchtoken@example.org", "Hi", "m13@x", "text"), 0, ""},
	}
	for _, c := range cases {
		f.append(c.raw)
	}
	f.sync()
	for i, c := range cases {
		m := f.byMessageID(fmt.Sprintf("m%d@x", i+1))
		if m.RequestID != c.request || m.MatchRule != c.rule {
			t.Errorf("%s: request %d rule %q, want %d %q", c.name, m.RequestID, m.MatchRule, c.request, c.rule)
		}
		wantState := store.MailMatched
		if c.request == 0 {
			wantState = store.MailUnmatched
		}
		if m.State != wantState {
			t.Errorf("%s: state %s, want %s", c.name, m.State, wantState)
		}
	}
}

func TestReplyAddressBeatsWeakerRules(t *testing.T) {
	f := newFixture(t)
	// The body quotes the roads request's reference and the sender's domain
	// is the police's, but the reply address names the parks request.
	f.append(textMail("officer@ambridge.police.uk", "foi+"+f.parks.ReplyToken+"@example.org", "Re: "+f.roads.OurRef, "strong@x", "About "+f.roads.OurRef))
	f.sync()
	if m := f.byMessageID("strong@x"); m.RequestID != f.parks.ID || m.MatchRule != store.MatchReplyAddress {
		t.Fatalf("matched request %d by %s, want the reply address's request %d", m.RequestID, m.MatchRule, f.parks.ID)
	}
}

func TestOverLimitMessageRecordedWithHeaders(t *testing.T) {
	f := newFixture(t)
	f.cfg.MaxMessageBytes = 2048
	big := textMail("foi@borsetshire.gov.uk", "foi+"+f.roads.ReplyToken+"@example.org", "Huge attachment", "big@x", strings.Repeat("All the records. ", 400))
	f.append(big)
	f.append(textMail("foi@borsetshire.gov.uk", "foi+"+f.roads.ReplyToken+"@example.org", "Small", "small@x", "short"))
	sum := f.sync()
	if sum.Fetched != 2 || sum.Failed != 1 || len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].Reason, "over the limit") {
		t.Fatalf("summary %+v", sum)
	}
	m := f.byMessageID("big@x")
	if m.State != store.MailOverLimit || m.RawSHA256 != "" || m.RawSize != int64(len(big)) || !strings.Contains(m.Error, "2048") ||
		!strings.Contains(m.RawHeaders, "Subject: Huge attachment") || m.Subject != "Huge attachment" {
		t.Fatalf("over-limit message: %+v", m)
	}
	// Its header still says whose it is.
	if m.RequestID != f.roads.ID || m.MatchRule != store.MatchReplyAddress {
		t.Fatalf("over-limit message filed on %d by %q", m.RequestID, m.MatchRule)
	}
	if small := f.byMessageID("small@x"); small.State != store.MailMatched {
		t.Fatalf("the next message: %s", small.State)
	}
	if sum := f.sync(); sum.Fetched != 0 {
		t.Fatalf("rerun fetched %d", sum.Fetched)
	}
	f.assertStoredOnce(2)
}

// A bounce of our request to the police, sent back to the request's reply
// address: it is filed on the request as a delivery failure, but its parts
// (the server's report, our own request returned) are not documents the
// authority released. A reply with a PDF beside it still gets its document.
func TestBounceMakesNoDocuments(t *testing.T) {
	f := newFixture(t)
	to := "foi+" + f.stops.ReplyToken + "@example.org"
	f.append("From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: " + to + "\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\nDate: Tue, 10 Mar 2026 09:30:00 +0000\r\nMessage-ID: <bounce-1@mx.example.org>\r\n" +
		"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n" +
		"Final-Recipient: rfc822; disclosure@ambridge.police.uk\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n" +
		"--B\r\nContent-Type: message/rfc822\r\n\r\n" + mailWithPDF(to, "disclosure@ambridge.police.uk", "FOI request", "req-1@example.org", "Please send me the data.") +
		"\r\n--B--\r\n")
	f.append(mailWithPDF("Disclosure <disclosure@ambridge.police.uk>", to, "Your request", "rel-1@ambridge.police.uk", "Please find attached the data."))
	f.sync()

	bounce := f.byMessageID("bounce-1@mx.example.org")
	if bounce.State != store.MailMatched || bounce.RequestID != f.stops.ID || !strings.Contains(string(bounce.Classification), string(ReplyDeliveryFailure)) {
		t.Fatalf("bounce: %s on %d, %s", bounce.State, bounce.RequestID, bounce.Classification)
	}
	for id, want := range map[int64]int{bounce.ID: 0, f.byMessageID("rel-1@ambridge.police.uk").ID: 1} {
		docs, err := f.st.Documents(f.ctx, store.DocumentFilter{MessageID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != want {
			t.Errorf("message %d: %d documents, want %d: %+v", id, len(docs), want, docs)
		}
	}
}

func TestUnparseableMessageKeptRaw(t *testing.T) {
	f := newFixture(t)
	raw := "\r\nthis has no header at all, just text\r\n"
	f.append(raw)
	f.append(textMail("x@y.example", "foi@example.org", "After", "after@x", "fine"))
	sum := f.sync()
	if sum.Fetched != 2 || sum.Failed != 1 {
		t.Fatalf("summary %+v", sum)
	}
	list, _ := f.st.MailMessages(f.ctx, store.MailFilter{State: store.MailFailed})
	if len(list) != 1 {
		t.Fatalf("%d failed messages, want 1", len(list))
	}
	m := list[0]
	if m.RawSHA256 == "" || m.Error == "" || !strings.Contains(m.Error, "header") {
		t.Fatalf("failed message %+v", m)
	}
	blob, err := f.st.OpenBlob(m.RawSHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	buf := make([]byte, 100)
	n, _ := blob.Read(buf)
	if string(buf[:n]) != raw {
		t.Fatalf("raw kept as %q, want %q", buf[:n], raw)
	}
	if n, _ := f.st.UnmatchedMailCount(f.ctx); n != 1 {
		t.Fatalf("unmatched %d (the readable one)", n)
	}
}

// droppingSource is a Source whose connection is dropped, as by a server
// going away, during chosen FETCH commands of whole messages (numbered from
// 1 over every connection of the pass): once the first half of the batch
// has come in, so that the pipeline holds a part of a batch when the fetch
// fails (for a batch of one, before it).
type droppingSource struct {
	Source
	fetches *int
	at      map[int]bool
	drop    func()
}

func (d droppingSource) FetchRaw(ctx context.Context, uids []uint32, fn func(uint32, []byte) error) error {
	*d.fetches++
	if !d.at[*d.fetches] {
		return d.Source.FetchRaw(ctx, uids, fn)
	}
	half := len(uids) / 2
	if half > 0 {
		if err := d.Source.FetchRaw(ctx, uids[:half], fn); err != nil {
			return err
		}
	}
	d.drop()
	return d.Source.FetchRaw(ctx, uids[half:], fn)
}

// droppingDial dials the real server and drops the connection during the
// FETCH commands numbered in at.
func droppingDial(drop func(), at ...int) func(context.Context, Config) (Source, error) {
	fetches, set := new(int), map[int]bool{}
	for _, n := range at {
		set[n] = true
	}
	return func(ctx context.Context, cfg Config) (Source, error) {
		src, err := DialSource(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return droppingSource{Source: src, fetches: fetches, at: set, drop: drop}, nil
	}
}

// watchCheckpoint checks, over and over until stop is called, that every
// UID up to the checkpoint is stored (the mailbox holds UIDs 1…n): the
// checkpoint never passes a message whose row is not committed. It reads
// both in one read transaction, a snapshot.
func watchCheckpoint(t *testing.T, st *store.Store) (stop func() (checks int)) {
	t.Helper()
	done := make(chan struct{})
	result := make(chan int)
	go func() {
		checks := 0
		defer func() { result <- checks }()
		for {
			select {
			case <-done:
				return
			default:
			}
			tx, err := st.Reader().BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
			if err != nil {
				t.Error(err)
				return
			}
			var last uint32
			if err := tx.QueryRow(`SELECT COALESCE(MAX(last_uid), 0) FROM mail_checkpoints`).Scan(&last); err != nil {
				tx.Rollback()
				t.Error(err)
				return
			}
			var stored int
			if err := tx.QueryRow(`SELECT count(DISTINCT uid) FROM mail_messages WHERE direction = 'in' AND uid <= ?`, last).Scan(&stored); err != nil {
				tx.Rollback()
				t.Error(err)
				return
			}
			tx.Rollback()
			if uint32(stored) != last {
				t.Errorf("checkpoint at UID %d with only %d messages up to it stored", last, stored)
				return
			}
			if last > 0 {
				checks++
			}
		}
	}()
	return func() int {
		close(done)
		return <-result
	}
}

// The connection drops in the middle of a batch, twice: the part of the
// batch that came in is stored, the pass reconnects and resumes after it,
// and every message is stored exactly once; meanwhile the checkpoint never
// passes a message not stored.
func TestConnectionDroppedMidFetchResumes(t *testing.T) {
	f := newFixture(t)
	const total = 40
	for i := 0; i < total; i++ {
		f.append(textMail("x@y.example", "foi@example.org", fmt.Sprintf("Message %d", i), fmt.Sprintf("drop-%d@x", i), "text"))
	}
	s := f.syncer()
	s.BatchBytes = 2000 // several FETCH commands, so the drops land in different batches
	dropped := 0
	s.Dial = droppingDial(func() { dropped++; f.ms.DropConnections() }, 3, 5)
	stop := watchCheckpoint(t, f.st)
	sum, err := s.Run(f.ctx)
	checks := stop()
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if dropped != 2 || sum.Retries < 2 || sum.Fetched != total || sum.Duplicates != 0 || !sum.AddsUp() {
		t.Fatalf("dropped %d times; summary %+v", dropped, sum)
	}
	f.assertStoredOnce(total)
	cp, _, _ := f.st.MailCheckpoint(f.ctx, "INBOX")
	if cp.LastUID != total {
		t.Fatalf("checkpoint %d, want %d", cp.LastUID, total)
	}
	if checks == 0 {
		t.Fatal("the checkpoint was never seen moving")
	}
}

func TestConnectionFailureGivesUpWithError(t *testing.T) {
	f := newFixture(t)
	f.ms.Close()
	s := f.syncer()
	s.MaxAttempts = 3
	sum, err := s.Run(f.ctx)
	if err == nil || sum.Retries != 2 {
		t.Fatalf("err %v retries %d, want an error after 3 attempts", err, sum.Retries)
	}
	last, _, _ := f.st.LastMailSyncRun(f.ctx)
	if last.Error == "" || last.FinishedAt.IsZero() {
		t.Fatalf("the failed run was not recorded: %+v", last)
	}
}

func TestWrongPasswordIsNotRetried(t *testing.T) {
	f := newFixture(t)
	t.Setenv(testPasswordEnv, "wrong")
	s := f.syncer()
	s.Backoff = time.Hour // a retry would hang the test
	if _, err := s.Run(f.ctx); err == nil || !strings.Contains(err.Error(), "log in") {
		t.Fatalf("err = %v, want a login error", err)
	}
}

func TestUIDValidityChangeRescansWithoutDuplicates(t *testing.T) {
	f := newFixture(t)
	var raws []string
	for i := 0; i < 5; i++ {
		raws = append(raws, textMail("x@y.example", "foi@example.org", fmt.Sprintf("M%d", i), fmt.Sprintf("uv-%d@x", i), "text"))
		f.append(raws[i])
	}
	if sum := f.sync(); sum.Fetched != 5 {
		t.Fatalf("first pass %+v", sum)
	}
	before, _, _ := f.st.MailCheckpoint(f.ctx, "INBOX")
	// The server rebuilds the mailbox: same messages, new UIDVALIDITY, new
	// UIDs; and two new messages arrive.
	if err := f.ms.Recreate("INBOX"); err != nil {
		t.Fatal(err)
	}
	f.append(textMail("x@y.example", "foi@example.org", "New A", "uv-new-a@x", "text"))
	for _, r := range raws {
		f.append(r)
	}
	f.append(textMail("x@y.example", "foi@example.org", "New B", "uv-new-b@x", "text"))
	sum := f.sync()
	if !sum.Rescan || sum.Fetched != 2 || sum.Duplicates != 5 {
		t.Fatalf("rescan: %+v", sum)
	}
	after, _, _ := f.st.MailCheckpoint(f.ctx, "INBOX")
	if after.UIDValidity == before.UIDValidity || after.LastUID != 7 {
		t.Fatalf("checkpoint %+v after the rescan (was %+v)", after, before)
	}
	f.assertStoredOnce(7)
	if sum := f.sync(); sum.Fetched != 0 || sum.Duplicates != 0 || sum.Rescan {
		t.Fatalf("after the rescan: %+v", sum)
	}
}

func TestInterruptedRescanContinuesWithoutDuplicates(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 6; i++ {
		f.append(textMail("x@y.example", "foi@example.org", "M", fmt.Sprintf("ir-%d@x", i), "text"))
	}
	f.sync()
	if err := f.ms.Recreate("INBOX"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		f.append(textMail("x@y.example", "foi@example.org", "M", fmt.Sprintf("ir-%d@x", i), "text"))
	}
	// The rescan stops after three messages (the process is stopped).
	ctx, cancel := context.WithCancel(f.ctx)
	s := f.syncer()
	s.BatchBytes = 1 // a batch per message: the pass stops between batches
	s.Progress = func(p Progress) {
		if p.Done == 3 {
			cancel()
		}
	}
	if _, err := s.Run(ctx); err == nil {
		t.Fatal("the cancelled pass reported success")
	}
	// The next pass sees the new UIDVALIDITY in its checkpoint, and still
	// recognises the rest as stored.
	sum := f.sync()
	if sum.Fetched != 0 || sum.Duplicates != 3 {
		t.Fatalf("continued rescan: %+v", sum)
	}
	f.assertStoredOnce(6)
}

func TestCrashBetweenStoreAndProcessIsFinishedNextPass(t *testing.T) {
	f := newFixture(t)
	raw := textMail("foi@borsetshire.gov.uk", "foi+"+f.roads.ReplyToken+"@example.org", "Ack", "crash@x", "We acknowledge receipt of your request.")
	uid := f.append(raw)
	// Store it as a pass does, and "crash" before processing.
	s := f.syncer()
	if err := s.Store.StartMailSyncRun(f.ctx, &store.MailSyncRun{}); err != nil {
		t.Fatal(err)
	}
	sum, size, err := f.st.WriteBlob(strings.NewReader(raw), 0)
	if err != nil {
		t.Fatal(err)
	}
	m := store.MailMessage{RawSHA256: sum, RawSize: size, MessageID: "crash@x", Mailbox: "INBOX", UIDValidity: f.uidValidity(), UID: uid, State: store.MailNew}
	if _, err := s.insert(f.ctx, &m, newCursor([]MessageInfo{{UID: uid}}, 0)); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.MailMessageByID(f.ctx, m.ID); got.State != store.MailNew {
		t.Fatalf("state %s", got.State)
	}
	res := f.sync()
	if res.Fetched != 0 || res.Resumed != 1 || res.Matched != 1 || !res.AddsUp() {
		t.Fatalf("next pass: %+v", res)
	}
	if got := f.byMessageID("crash@x"); got.State != store.MailMatched || got.RequestID != f.roads.ID {
		t.Fatalf("after the next pass: %+v", got)
	}
	f.assertStoredOnce(1)
}

func (f *fixture) uidValidity() uint32 {
	f.t.Helper()
	src, err := DialSource(f.ctx, f.cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	defer src.Close()
	uv, err := src.Select(f.ctx, "INBOX")
	if err != nil {
		f.t.Fatal(err)
	}
	return uv
}

func TestProcessedMailIsMovedAfterCommit(t *testing.T) {
	f := newFixture(t)
	f.cfg.ProcessedFolder = "Processed"
	for i := 0; i < 3; i++ {
		f.append(textMail("x@y.example", "foi@example.org", "M", fmt.Sprintf("mv-%d@x", i), "text"))
	}
	if sum := f.sync(); sum.Fetched != 3 {
		t.Fatalf("%+v", sum)
	}
	if n, _ := f.ms.Count("INBOX"); n != 0 {
		t.Fatalf("%d messages left in INBOX", n)
	}
	if n, err := f.ms.Count("Processed"); err != nil || n != 3 {
		t.Fatalf("%d messages in Processed (%v)", n, err)
	}
	f.append(textMail("x@y.example", "foi@example.org", "M", "mv-new@x", "text"))
	if sum := f.sync(); sum.Fetched != 1 {
		t.Fatalf("%+v", sum)
	}
	f.assertStoredOnce(4)
}

func TestHoldingPenAssignAndNotFOI(t *testing.T) {
	f := newFixture(t)
	f.append(mailWithPDF("clerk@somewhere.example", "requests@example.org", "The contracts you asked for", "pen-1@x",
		"Please find attached the contracts. We are releasing the information in full."))
	f.append(textMail("spam@somewhere.example", "requests@example.org", "Offer", "pen-2@x", "Buy now"))
	f.sync()
	if n, _ := f.st.UnmatchedMailCount(f.ctx); n != 2 {
		t.Fatalf("%d in the holding pen", n)
	}
	m := f.byMessageID("pen-1@x")
	if docs, _ := f.st.Documents(f.ctx, store.DocumentFilter{MessageID: m.ID}); len(docs) != 0 {
		t.Fatal("an unmatched message made documents")
	}
	in := Ingester{Store: f.st, Resolver: noDNS{}}
	res, err := in.Assign(f.ctx, m.ID, f.roads.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != 1 || res.State != store.MailMatched || res.Rule != store.MatchManual {
		t.Fatalf("assign: %+v", res)
	}
	m = f.byMessageID("pen-1@x")
	if m.RequestID != f.roads.ID || m.MatchRule != store.MatchManual || m.State != store.MailMatched || m.ProposalState != store.ProposalProposed {
		t.Fatalf("assigned message %+v", m)
	}
	if _, err := in.Assign(f.ctx, m.ID, f.parks.ID); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("assigning twice: %v", err)
	}
	docs, _ := f.st.Documents(f.ctx, store.DocumentFilter{RequestID: f.roads.ID})
	if len(docs) != 1 || docs[0].MessageID != m.ID {
		t.Fatalf("documents of the request %+v", docs)
	}
	spam := f.byMessageID("pen-2@x")
	if err := f.st.MarkMailNotFOI(f.ctx, spam.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.st.UnmatchedMailCount(f.ctx); n != 0 {
		t.Fatalf("%d still in the holding pen", n)
	}
	// Confirm the release proposal: the event is recorded, linked to the mail.
	p, _ := ReadProposal(m)
	e, err := ConfirmProposal(f.ctx, f.st, m.ID, Confirmation{Kind: p.ProposedEvent, Date: p.Date, Outcome: p.ProposedOutcome})
	if err != nil {
		t.Fatal(err)
	}
	if e.MessageID != m.ID || e.Kind != tracker.EventResponseReceived || e.Outcome != tracker.OutcomeReleasedInFull {
		t.Fatalf("event %+v", e)
	}
	if r, _ := f.st.RequestByID(f.ctx, f.roads.ID); r.Status != tracker.StatusAnswered {
		t.Fatalf("status %s after confirming", r.Status)
	}
	if _, err := ConfirmProposal(f.ctx, f.st, m.ID, Confirmation{Kind: p.ProposedEvent, Date: p.Date, Outcome: p.ProposedOutcome}); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("confirming twice: %v", err)
	}
}

func TestRefusalProposalConfirmedWithExemptions(t *testing.T) {
	f := newFixture(t)
	f.append(textMail("foi@borsetshire.gov.uk", "foi+"+f.roads.ReplyToken+"@example.org", "Response", "refusal@x",
		"We are refusing your request. The information is exempt under section 31(1)(a) of the Freedom of Information Act."))
	f.sync()
	m := f.byMessageID("refusal@x")
	p, ok := ReadProposal(m)
	if !ok || p.Kind != ReplyRefusal || p.ProposedEvent != tracker.EventResponseReceived || p.ProposedOutcome != tracker.OutcomeRefused ||
		p.State != store.ProposalProposed || len(p.Exemptions) != 1 || p.Exemptions[0].Code != "s31(1)(a)" || !strings.Contains(p.Exemptions[0].Sentence, "section 31(1)(a)") {
		t.Fatalf("proposal %+v", p)
	}
	if r, _ := f.st.RequestByID(f.ctx, f.roads.ID); r.Status != tracker.StatusAwaitingResponse {
		t.Fatalf("status %s before confirming", r.Status)
	}
	e, err := ConfirmProposal(f.ctx, f.st, m.ID, Confirmation{Kind: p.ProposedEvent, Date: p.Date, Outcome: p.ProposedOutcome, Exemptions: []string{"s31(1)(a)"}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.st.RequestByID(f.ctx, f.roads.ID)
	if r.Status != tracker.StatusAnswered || r.Outcome != tracker.OutcomeRefused || len(e.Exemptions) != 1 {
		t.Fatalf("after confirming: %s %s %v", r.Status, r.Outcome, e.Exemptions)
	}
	if m = f.byMessageID("refusal@x"); m.ProposalState != store.ProposalConfirmed {
		t.Fatalf("proposal state %s", m.ProposalState)
	}
	// Dismissing is only for open proposals.
	if err := DismissProposal(f.ctx, f.st, m.ID); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("dismissing a confirmed proposal: %v", err)
	}
}

func TestAcknowledgementNotAllowedStaysProposed(t *testing.T) {
	f := newFixture(t)
	// A draft cannot be acknowledged: the event is refused, the proposal stays.
	draft := tracker.Request{Title: "Draft", AuthorityID: f.council.ID}
	if err := f.st.CreateRequest(f.ctx, &draft, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	f.append(textMail("foi@borsetshire.gov.uk", "foi+"+draft.ReplyToken+"@example.org", "Ack", "ack-draft@x", "We acknowledge receipt of your request."))
	f.sync()
	m := f.byMessageID("ack-draft@x")
	p, _ := ReadProposal(m)
	if m.ProposalState != store.ProposalProposed || !strings.Contains(p.Note, "not recorded automatically") {
		t.Fatalf("proposal %q note %q", m.ProposalState, p.Note)
	}
	if events, _ := f.st.Events(f.ctx, draft.ID); len(events) != 0 {
		t.Fatalf("events recorded on a draft: %+v", events)
	}
}

func TestMessageThatKeepsStoppingTheProgramIsKeptRawAsFailed(t *testing.T) {
	f := newFixture(t)
	raw := textMail("x@y.example", "foi@example.org", "Poison", "poison@x", "text")
	uid := f.append(raw)
	s := f.syncer()
	sum, size, err := f.st.WriteBlob(strings.NewReader(raw), 0)
	if err != nil {
		t.Fatal(err)
	}
	m := store.MailMessage{RawSHA256: sum, RawSize: size, MessageID: "poison@x", Mailbox: "INBOX", UIDValidity: f.uidValidity(), UID: uid, State: store.MailNew}
	if _, err := s.insert(f.ctx, &m, newCursor([]MessageInfo{{UID: uid}}, 0)); err != nil {
		t.Fatal(err)
	}
	// Three passes died while processing it.
	for i := 1; i <= maxProcessAttempts; i++ {
		if n, err := f.st.NoteMailProcessAttempt(f.ctx, m.ID); err != nil || n != i {
			t.Fatalf("attempt %d: %d %v", i, n, err)
		}
	}
	res := f.sync()
	if res.Failed != 1 || len(res.Failures) != 1 || !strings.Contains(res.Failures[0].Reason, "kept raw") {
		t.Fatalf("summary %+v", res)
	}
	got := f.byMessageID("poison@x")
	if got.State != store.MailFailed || got.RawSHA256 != sum || len(got.Warnings) != maxProcessAttempts+1 {
		t.Fatalf("message %+v", got)
	}
	f.assertStoredOnce(1)
}

func TestOnePassAtATime(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		f.append(textMail("x@y.example", "foi@example.org", "M", fmt.Sprintf("once-%d@x", i), "text"))
	}
	s := f.syncer()
	var second error
	s.Progress = func(p Progress) {
		if p.Done == 1 {
			_, second = f.syncer().Run(f.ctx)
		}
	}
	if _, err := s.Run(f.ctx); err != nil {
		t.Fatal(err)
	}
	if tracker.ErrorCode(second) != tracker.ECONFLICT {
		t.Fatalf("a second pass during the first: %v", second)
	}
	f.assertStoredOnce(3)
}

// A message filed on the wrong request moves to the right one with its
// documents and its proposal; the event confirmed from it leaves the old
// request's history; back in the holding pen its documents are gone (made
// again when it is filed), and every step keeps the audit log and the rows
// in agreement.
func TestFileMovesAMessageWithItsDocumentsAndProposal(t *testing.T) {
	f := newFixture(t)
	f.append(mailWithPDF("clerk@somewhere.example", "requests@example.org", "The contracts you asked for", "mv-1@x",
		"Please find attached the contracts. We are releasing the information in full."))
	f.sync()
	m := f.byMessageID("mv-1@x")
	in := Ingester{Store: f.st, Resolver: noDNS{}}
	if _, err := in.File(f.ctx, m.ID, f.roads.ID); err != nil {
		t.Fatal(err)
	}
	m = f.byMessageID("mv-1@x")
	p, _ := ReadProposal(m)
	e, err := ConfirmProposal(f.ctx, f.st, m.ID, Confirmation{Kind: p.ProposedEvent, Date: p.Date, Outcome: p.ProposedOutcome})
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := f.st.Documents(f.ctx, store.DocumentFilter{MessageID: m.ID})
	if len(docs) != 1 || docs[0].RequestID != f.roads.ID {
		t.Fatalf("documents before the move: %+v", docs)
	}

	// To the parks request: the document follows, the confirmed event leaves
	// the roads history and the proposal waits on parks.
	res, err := in.File(f.ctx, m.ID, f.parks.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != 1 || res.RequestID != f.parks.ID || res.State != store.MailMatched {
		t.Fatalf("move: %+v", res)
	}
	m = f.byMessageID("mv-1@x")
	if m.RequestID != f.parks.ID || m.MatchRule != store.MatchManual || m.ProposalState != store.ProposalProposed {
		t.Fatalf("moved message %+v", m)
	}
	if d, _ := f.st.DocumentByID(f.ctx, docs[0].ID); d.RequestID != f.parks.ID {
		t.Fatalf("document %d is on request %d", d.ID, d.RequestID)
	}
	events, _ := f.st.Events(f.ctx, f.roads.ID)
	for _, ev := range events {
		if ev.ID == e.ID || ev.MessageID == m.ID {
			t.Fatalf("the event from the moved message is still on the old request: %+v", ev)
		}
	}
	if r, _ := f.st.RequestByID(f.ctx, f.roads.ID); r.Status == tracker.StatusAnswered {
		t.Fatal("the old request is still answered by the moved reply")
	}
	if _, err := in.File(f.ctx, m.ID, f.parks.ID); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("moving to the request it is on: %v", err)
	}

	// Back to the holding pen: no request, no documents.
	if _, err := in.File(f.ctx, m.ID, 0); err != nil {
		t.Fatal(err)
	}
	m = f.byMessageID("mv-1@x")
	if m.RequestID != 0 || m.State != store.MailUnmatched || m.ProposalState != "" {
		t.Fatalf("back in the pen: %+v", m)
	}
	if docs, _ := f.st.Documents(f.ctx, store.DocumentFilter{MessageID: m.ID}); len(docs) != 0 {
		t.Fatalf("documents left after going back to the holding pen: %+v", docs)
	}
	if _, err := in.File(f.ctx, m.ID, 0); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("to the holding pen twice: %v", err)
	}
	// Filed again: its documents are made anew.
	if res, err := in.File(f.ctx, m.ID, f.roads.ID); err != nil || res.Documents != 1 {
		t.Fatalf("filed again: %+v, %v", res, err)
	}
	if _, problems, err := f.st.VerifyRows(f.ctx); err != nil || len(problems) > 0 {
		t.Fatalf("audit log and rows disagree: %v, %v", problems, err)
	}
}

// cancellingResolver stops the pass when the DKIM key of the n-th signed
// message is looked up: that message is stored but not processed.
type cancellingResolver struct {
	cancel func()
	n      *atomic.Int32
	at     int32
}

func (r cancellingResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if r.n.Add(1) == r.at {
		r.cancel()
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// An interrupted pass still adds up (fetched = matched + unmatched + failed
// + pending), in its summary and in its recorded run; the next pass takes
// up what it left (resumed) and adds up too; together they account for
// every message exactly once.
func TestInterruptedPassAddsUp(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 6; i++ {
		to := "foi+" + f.roads.ReplyToken + "@example.org"
		if i%2 == 1 {
			to = "someone@example.org" // the holding pen
		}
		raw := textMail("foi@borsetshire.gov.uk", to, fmt.Sprintf("M%d", i), fmt.Sprintf("int-%d@x", i), "We acknowledge receipt of your request.")
		// Signed (badly): verifying it looks its key up.
		raw = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=borsetshire.gov.uk; s=sel; h=from:subject; bh=AAAA; b=AAAA\r\n" + raw
		f.append(raw)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	var n atomic.Int32
	s := f.syncer()
	s.BatchBytes = 1 // a batch per message: the pass stops between batches
	s.Ingest.Resolver = cancellingResolver{cancel: cancel, n: &n, at: 4}
	first, err := s.Run(ctx)
	if err == nil {
		t.Fatal("the pass was not interrupted")
	}
	// The first three are processed; the fourth, and any the pipeline
	// stored after it, are left pending.
	if !first.AddsUp() || first.Pending < 1 || first.Fetched-first.Pending != 3 {
		t.Fatalf("interrupted pass: %+v", first)
	}
	runs, _ := f.st.MailSyncRuns(f.ctx, 1)
	if r := runs[0]; r.Fetched+r.Resumed != r.Matched+r.Unmatched+r.Failed+r.Pending || r.Pending != first.Pending || r.Error == "" {
		t.Fatalf("recorded run: %+v", r)
	}
	second := f.sync()
	if !second.AddsUp() || second.Resumed != first.Pending || second.Fetched != 6-first.Fetched || second.Pending != 0 {
		t.Fatalf("next pass: %+v", second)
	}
	if got := first.Fetched + second.Fetched; got != 6 {
		t.Fatalf("fetched %d in all, want 6", got)
	}
	if m, u := first.Matched+second.Matched, first.Unmatched+second.Unmatched; m != 3 || u != 3 {
		t.Fatalf("matched %d, unmatched %d in all", m, u)
	}
	f.assertStoredOnce(6)
}

func TestSummaryCount(t *testing.T) {
	var s Summary
	s.count(Result{RequestID: 1}, false)
	s.count(Result{}, false)
	s.count(Result{Failure: "bad"}, false)
	s.count(Result{pending: true}, false)
	s.count(Result{Duplicate: true}, false)
	s.count(Result{RequestID: 2}, true)
	want := Summary{Fetched: 4, Resumed: 1, Matched: 2, Unmatched: 1, Failed: 1, Pending: 1, Duplicates: 1,
		Failures: []Failure{{Reason: "bad"}}}
	if !reflect.DeepEqual(s, want) || !s.AddsUp() {
		t.Fatalf("count: %+v", s)
	}
}

// failOnLookup fails the test on any DNS lookup.
type failOnLookup struct{ t *testing.T }

func (r failOnLookup) LookupTXT(_ context.Context, name string) ([]string, error) {
	r.t.Errorf("DNS lookup of %s with DKIM turned off", name)
	return nil, errors.New("no lookups")
}

// FOITRACK_DKIM=off (or the setting): signatures are recorded "not
// checked" with their domain and selector, never "fail", and nothing asks
// DNS; an unsigned message is "none" as always.
func TestDKIMOff(t *testing.T) {
	t.Setenv("FOITRACK_DKIM", "off")
	f := newFixture(t)
	cfg, err := LoadConfig(f.ctx, f.st)
	if err != nil || cfg.DKIMChecked() || cfg.DKIM != "off" {
		t.Fatalf("FOITRACK_DKIM=off read as %q (%v)", cfg.DKIM, err)
	}
	f.cfg.DKIM = cfg.DKIM
	signed := "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=borsetshire.gov.uk; s=sel1; h=from:subject; bh=AAAA; b=AAAA\r\n" +
		textMail("foi@borsetshire.gov.uk", "foi+"+f.roads.ReplyToken+"@example.org", "Signed", "dkim-off-1@x", "We acknowledge receipt of your request.")
	f.append(signed)
	f.append(textMail("foi@borsetshire.gov.uk", "foi+"+f.roads.ReplyToken+"@example.org", "Unsigned", "dkim-off-2@x", "Thank you."))
	s := f.syncer()
	s.Ingest.Resolver = failOnLookup{t}
	if _, err := s.Run(f.ctx); err != nil {
		t.Fatal(err)
	}
	var got []DKIMResult
	json.Unmarshal(f.byMessageID("dkim-off-1@x").DKIM, &got)
	if len(got) != 1 || got[0].Status != DKIMNotChecked || got[0].Domain != "borsetshire.gov.uk" || got[0].Selector != "sel1" {
		t.Fatalf("signed message with DKIM off: %+v", got)
	}
	json.Unmarshal(f.byMessageID("dkim-off-2@x").DKIM, &got)
	if len(got) != 1 || got[0].Status != DKIMNone {
		t.Fatalf("unsigned message: %+v", got)
	}
	// The setting, without the variable; and only on/off are taken.
	t.Setenv("FOITRACK_DKIM", "")
	c := Config{DKIM: "off"}
	c.applyDefaults()
	if c.DKIMChecked() || c.Ingester(f.st, nil).NoDKIM != true {
		t.Error("the dkim setting off does not turn verification off")
	}
	c.DKIM = "maybe"
	if err := c.Validate(); err == nil || !strings.Contains(tracker.ErrorMessage(err), "on") {
		t.Errorf("dkim %q accepted: %v", c.DKIM, err)
	}
}

// Mail in the holding pen is read under the law its sender's authority
// implies (by the sender's domain): a Police Scotland letter under FOISA,
// not UK FOIA; a sender no authority writes from under none (no
// exemptions read into it).
func TestHoldingPenMailReadUnderItsSendersLaw(t *testing.T) {
	f := newFixture(t)
	scot := tracker.Authority{Name: "Police Scotland", Jurisdiction: tracker.JurisdictionScotland,
		Email: "foi@scotland.police.uk", Domains: []string{"scotland.police.uk"}}
	if err := f.st.CreateAuthority(f.ctx, &scot); err != nil {
		t.Fatal(err)
	}
	if scot.DefaultLaw != tracker.ScotFOISA {
		t.Fatalf("Police Scotland's law is %s", scot.DefaultLaw)
	}
	letter := "We are refusing your request. The information is exempt under section 35(1)(a) of the Act (law enforcement)."
	f.append(textMail("im-foi@north.scotland.police.uk", "requests@example.org", "FOI response", "scot-1@x", letter))
	f.append(textMail("someone@nowhere.example", "requests@example.org", "FOI response", "nobody-1@x", letter))
	f.sync()
	m := f.byMessageID("scot-1@x")
	p, ok := ReadProposal(m)
	if m.RequestID != 0 || !ok || p.Law != tracker.ScotFOISA || len(p.Exemptions) != 1 ||
		p.Exemptions[0].Law != tracker.ScotFOISA || p.Exemptions[0].Code != "s35(1)(a)" {
		t.Fatalf("Police Scotland in the holding pen: request %d, %+v", m.RequestID, p)
	}
	m = f.byMessageID("nobody-1@x")
	if p, ok = ReadProposal(m); !ok || p.Law != "" || len(p.Exemptions) != 0 || p.Kind != ReplyRefusal {
		t.Fatalf("unknown sender in the holding pen: %+v", p)
	}
}

// The store refuses one message of a batch (a trigger stands in for a full
// disk or a failing database): the pass stops with the error, the checkpoint
// stays below that message and every message up to the checkpoint is
// stored; once the store accepts it again the next pass stores the rest,
// each message exactly once.
func TestCheckpointNeverPassesAMessageNotStored(t *testing.T) {
	f := newFixture(t)
	const total = 30
	for i := 0; i < total; i++ {
		f.append(textMail("x@y.example", "foi@example.org", fmt.Sprintf("Message %d", i), fmt.Sprintf("cp-%d@x", i), "text"))
	}
	exec := func(q string) {
		t.Helper()
		if err := f.st.Update(f.ctx, func(tx *store.Tx) error { _, err := tx.ExecContext(f.ctx, q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TRIGGER refuse_uid_17 BEFORE INSERT ON mail_messages WHEN NEW.uid = 17 BEGIN SELECT RAISE(ABORT, 'refused'); END`)
	s := f.syncer()
	s.BatchBytes = 2000 // several batches before and after the refused one
	sum, err := s.Run(f.ctx)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want the store's refusal (summary %+v)", err, sum)
	}
	if !sum.AddsUp() || sum.Fetched == 0 || sum.Fetched >= 17 {
		t.Fatalf("summary %+v", sum)
	}
	cp, _, _ := f.st.MailCheckpoint(f.ctx, "INBOX")
	if cp.LastUID >= 17 || cp.LastUID == 0 {
		t.Fatalf("checkpoint at UID %d, with UID 17 refused", cp.LastUID)
	}
	stored, _ := f.st.CountMail(f.ctx, store.MailFilter{Direction: "in"})
	if uint32(stored) < cp.LastUID || stored != sum.Fetched {
		t.Fatalf("%d stored, %d fetched, checkpoint %d", stored, sum.Fetched, cp.LastUID)
	}
	exec(`DROP TRIGGER refuse_uid_17`)
	next := f.sync()
	if next.Fetched+sum.Fetched != total || next.Duplicates != 0 {
		t.Fatalf("next pass %+v", next)
	}
	f.assertStoredOnce(total)
}

// movesAfterFlush is a Source whose MoveUpTo records whether the store's
// commits were made durable (store.Flush) since the pass began.
type movesAfterFlush struct {
	Source
	before int64
	moves  *[]bool
}

func (m movesAfterFlush) MoveUpTo(ctx context.Context, uid uint32, folder string) error {
	*m.moves = append(*m.moves, store.Flushes() > m.before)
	return m.Source.MoveUpTo(ctx, uid, folder)
}

// TestProcessedMailIsMovedOnlyOnceOnDisk: with synchronous=NORMAL a commit
// survives kill -9 at once but a power cut only once the WAL is synced; mail
// leaves the inbox only after that sync, or a power cut could lose a
// message the inbox no longer shows.
func TestProcessedMailIsMovedOnlyOnceOnDisk(t *testing.T) {
	f := newFixture(t)
	f.cfg.ProcessedFolder = "Processed"
	f.append(textMail("x@y.example", "foi@example.org", "M", "durable@x", "text"))
	var moves []bool
	s := f.syncer()
	s.Dial = func(ctx context.Context, cfg Config) (Source, error) {
		src, err := DialSource(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return movesAfterFlush{Source: src, before: store.Flushes(), moves: &moves}, nil
	}
	if sum, err := s.Run(f.ctx); err != nil || sum.Fetched != 1 {
		t.Fatalf("sync: %+v, %v", sum, err)
	}
	if len(moves) == 0 {
		t.Fatal("nothing was moved")
	}
	for i, flushed := range moves {
		if !flushed {
			t.Errorf("move %d: mail left the inbox before the store's commits were synced to disk", i)
		}
	}
	if n, err := f.ms.Count("Processed"); err != nil || n != 1 {
		t.Fatalf("%d messages in Processed (%v)", n, err)
	}
}
