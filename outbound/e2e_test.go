package outbound_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// noDKIM answers every DKIM key lookup with nothing (the test's mail is unsigned).
type noDKIM struct{}

func (noDKIM) LookupTXT(context.Context, string) ([]string, error) {
	return nil, fmt.Errorf("no DNS in tests")
}

// TestChaserReplyArrivesByIMAPOnItsRequest: two requests to one authority
// are sent by SMTP; a chaser goes out on the first; the authority's reply
// (to the plain From address, a subject with no reference, only In-Reply-To
// naming the chaser) comes in through an IMAP server, and the mail sync
// files it on the first request, by the thread.
func TestChaserReplyArrivesByIMAPOnItsRequest(t *testing.T) {
	f := newFixture(t)
	ctx := store.WithActor(context.Background(), "test")
	other := tracker.Request{Title: "Stop and search 2025", Body: "Please send…", AuthorityID: f.auth.ID}
	if err := f.st.CreateRequest(ctx, &other, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{f.req.ID, other.ID} {
		if _, err := f.sender.Send(ctx, outbound.Letter{RequestID: id, Purpose: outbound.PurposeRequest, Subject: "FOI request", Body: "Please."}); err != nil {
			t.Fatal(err)
		}
	}
	later := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC) // overdue since 1 Apr
	f.sender.Now = func() time.Time { return later }
	chaser, err := f.sender.Send(ctx, outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeChaser, Subject: "Overdue: drone flights", Body: "It is overdue."})
	if err != nil {
		t.Fatal(err)
	}

	imap, err := mailsync.StartMemServer("foi", "imap-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer imap.Close()
	reply := "From: Kent Police FOI <foi@kent.police.uk>\r\n" +
		"To: foi@campaign.example\r\n" +
		"Subject: RE: your letter\r\n" +
		"Date: Fri, 03 Apr 2026 11:00:00 +0100\r\n" +
		"Message-ID: <reply-1@kent.police.uk>\r\n" +
		"In-Reply-To: <" + chaser.MessageID + ">\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		"We apologise for the delay; a response will follow within ten working days.\r\n"
	if _, err := imap.Append("INBOX", []byte(reply)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FOITRACK_TEST_IMAP_PASSWORD", imap.Password)
	syncer := &mailsync.Syncer{Store: f.st, Config: imap.Config("FOITRACK_TEST_IMAP_PASSWORD"), Ingest: mailsync.Ingester{Resolver: noDKIM{}}}
	sum, err := syncer.Run(ctx)
	if err != nil {
		t.Fatalf("sync: %v (%+v)", err, sum)
	}
	if sum.Fetched != 1 || sum.Matched != 1 {
		t.Fatalf("sync summary %+v", sum)
	}
	in, err := f.st.MailMessages(ctx, store.MailFilter{Direction: "in"})
	if err != nil || len(in) != 1 {
		t.Fatalf("%d incoming messages (%v)", len(in), err)
	}
	if in[0].RequestID != f.req.ID || in[0].MatchRule != store.MatchInReplyTo || in[0].MessageID != "reply-1@kent.police.uk" {
		t.Fatalf("the reply landed on request %d by %q (want %d by %q)", in[0].RequestID, in[0].MatchRule, f.req.ID, store.MatchInReplyTo)
	}
	// The request's history holds both sides: our chaser (out) and the reply (in).
	all, _ := f.st.MailMessages(ctx, store.MailFilter{RequestID: f.req.ID})
	dirs := map[string]int{}
	for _, m := range all {
		dirs[m.Direction]++
	}
	if dirs["out"] != 2 || dirs["in"] != 1 {
		t.Fatalf("request's mail: %v", dirs)
	}
}
