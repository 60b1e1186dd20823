package remind_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/foitrack/foitrack/internal/smtptest"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func TestBatchCreateSendFailResumeReport(t *testing.T) {
	w := newWorld(t)
	w.smtp = smtptest.Start(t)
	ctx := context.Background()
	w.now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var authIDs []int64
	for _, a := range []tracker.Authority{
		{Name: "Kent Police", ShortName: "Kent", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@kent.police.uk"},
		{Name: "Police Scotland", Jurisdiction: tracker.JurisdictionScotland, Email: "foi@scotland.police.uk"},
		{Name: "=HYPERLINK(\"http://evil.example\") Police", Jurisdiction: tracker.JurisdictionWales, Email: "foi@dyfed-powys.police.uk"},
		{Name: "PSNI", Jurisdiction: tracker.JurisdictionNI, Email: "foi@psni.police.uk"},
	} {
		if err := w.st.CreateAuthority(ctx, &a); err != nil {
			t.Fatal(err)
		}
		authIDs = append(authIDs, a.ID)
	}
	authIDs = append(authIDs, authIDs[0]) // twice: still one request

	if _, err := remind.BatchText("Drones at {{.Authorty}}", "x"); tracker.ErrorCode(err) != tracker.EINVALID {
		t.Fatalf("a misspelt field in a batch title: %v", err)
	}
	text, err := remind.BatchText("Drone flights ({{.ShortName}})", "Please tell me how many drone flights {{.Authority}} made in 2025.")
	if err != nil {
		t.Fatal(err)
	}
	b := store.Batch{Title: "Police drones 2025", Body: "…", Tags: []string{"drones"}, ThrottleSeconds: 30}
	if err := w.st.CreateBatch(ctx, &b, authIDs, w.user["Olu"].ID, text); err != nil {
		t.Fatal(err)
	}
	members, err := w.st.BatchMembers(ctx, b.ID)
	if err != nil || len(members) != 4 || b.Size != 4 {
		t.Fatalf("%d members (%v), size %d; want 4", len(members), err, b.Size)
	}
	tokens := map[string]bool{}
	for i, m := range members {
		r := m.Request
		if m.Position != i+1 || m.SendState != store.MemberNotSent || r.Status != tracker.StatusDraft || tokens[r.ReplyToken] {
			t.Fatalf("member %d: %+v", i, m)
		}
		tokens[r.ReplyToken] = true
		if owner, _ := w.st.RequestOwner(ctx, r.ID); owner != w.user["Olu"].ID {
			t.Fatalf("request %d owner %d", r.ID, owner)
		}
		if !slices.Equal(r.Tags, []string{"drones"}) {
			t.Fatalf("tags %v", r.Tags)
		}
	}
	if members[0].Request.Title != "Drone flights (Kent)" || members[0].Request.Body != "Please tell me how many drone flights Kent Police made in 2025." {
		t.Fatalf("rendered: %q / %q", members[0].Request.Title, members[0].Request.Body)
	}
	if members[1].Request.Law != tracker.ScotFOISA || members[0].Request.Law != tracker.UKFOIA {
		t.Fatal("each request should have its authority's own law")
	}

	// Send; the server starts refusing after two messages.
	s := outbound.Settings{Host: w.smtp.Host, Port: w.smtp.Port, TLS: outbound.TLSNone, From: "foi@campaign.example"}
	cfg, _ := s.Resolve(func(string) string { return "" })
	sender := &outbound.Sender{Store: w.st, Mailer: &outbound.SMTPMailer{Config: cfg}, Config: cfg, Now: func() time.Time { return w.now }, Location: time.UTC}
	var slept []time.Duration
	bs := &remind.BatchSender{Sender: sender, SenderName: "Open Data Campaign",
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
		Progress: func(m store.BatchMember, outcome string, err error) {
			if outcome == "sent" && len(w.smtp.Messages()) == 2 {
				w.smtp.Reject(&smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 5, 3}, Message: "Too many recipients today"})
			}
		}}
	res, err := bs.Send(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := func(i int) int64 { return members[i].Request.ID }
	if !slices.Equal(res.Sent, []int64{id(0), id(1)}) || res.Failed != id(2) || !slices.Equal(res.NotSent, []int64{id(3)}) ||
		!strings.Contains(res.Error, "452 4.5.3 Too many recipients today") {
		t.Fatalf("first run: %+v", res)
	}
	if !slices.Equal(slept, []time.Duration{30 * time.Second, 30 * time.Second}) {
		t.Fatalf("throttle waits %v", slept)
	}
	b2, _ := w.st.BatchByID(ctx, b.ID)
	if b2.State != store.BatchPaused || !strings.Contains(b2.LastError, "Too many recipients today") {
		t.Fatalf("batch after the failure: %s %q", b2.State, b2.LastError)
	}
	members, _ = w.st.BatchMembers(ctx, b.ID)
	states := []string{}
	for _, m := range members {
		states = append(states, m.SendState)
	}
	if !slices.Equal(states, []string{store.MemberSent, store.MemberSent, store.MemberFailed, store.MemberNotSent}) ||
		!strings.Contains(members[2].SendError, "452") {
		t.Fatalf("member states %v (%q)", states, members[2].SendError)
	}
	failedMsg, _ := w.st.Outgoing(ctx, members[2].OutgoingID)

	// Resume the next day: the failed one is retried (the same message),
	// the last one sent, the first two left alone.
	w.smtp.Reject(nil)
	w.now = w.now.AddDate(0, 0, 1)
	slept = nil
	res, err = bs.Send(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Sent, []int64{id(2), id(3)}) || !slices.Equal(res.AlreadySent, []int64{id(0), id(1)}) || res.Failed != 0 {
		t.Fatalf("resume: %+v", res)
	}
	if b2, _ = w.st.BatchByID(ctx, b.ID); b2.State != store.BatchDone || b2.LastError != "" {
		t.Fatalf("batch %s %q", b2.State, b2.LastError)
	}
	msgs := w.smtp.Messages()
	if len(msgs) != 4 {
		t.Fatalf("%d messages accepted, want 4", len(msgs))
	}
	var retried *smtptest.Message
	for i, m := range msgs {
		mr, err := gomail.CreateReader(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		replyTo, _ := mr.Header.AddressList("Reply-To")
		to, _ := mr.Header.AddressList("To")
		mid, _ := mr.Header.MessageID()
		r := members[i].Request
		if replyTo[0].Address != "foi+"+r.ReplyToken+"@campaign.example" || to[0].Address != m.To[0] {
			t.Fatalf("message %d: Reply-To %v To %v", i, replyTo, to)
		}
		if mid == failedMsg.MessageID {
			retried = &msgs[i]
		}
	}
	if retried == nil || retried.To[0] != "foi@dyfed-powys.police.uk" {
		t.Fatal("the failed request was not retried with its original message")
	}
	for _, m := range members {
		r, _ := w.st.RequestByID(ctx, m.Request.ID)
		if r.Status != tracker.StatusAwaitingResponse {
			t.Fatalf("request %d is %s", r.ID, r.Status)
		}
	}

	// Progress: Kent refuses on time citing s31 and s40(2), Scotland is
	// overdue, Wales answered late and is under review, PSNI released in full.
	ev := func(i int, e tracker.Event) {
		e.RequestID = id(i)
		if err := w.st.AddEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	ev(0, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-20"), Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)", "s40(2)"}})
	ev(2, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-04-20"), Outcome: tracker.OutcomeReleasedInPart, Exemptions: []string{"s31(1)(a)"}})
	ev(2, tracker.Event{Kind: tracker.EventReviewRequested, Date: day("2026-04-21")})
	ev(3, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-25"), Outcome: tracker.OutcomeReleasedInFull})
	members, _ = w.st.BatchMembers(ctx, b.ID)
	p := remind.BatchReport(members, day("2026-04-22"))
	got := fmt.Sprintf("total %d sent %d answered %d on time %d late %d overdue %d refused %d review %d",
		p.Total, p.Sent, p.Answered, p.AnsweredOnTime, p.AnsweredLate, p.Overdue, p.Refused, p.UnderReview)
	if want := "total 4 sent 4 answered 3 on time 2 late 1 overdue 1 refused 2 review 1"; got != want {
		t.Fatalf("progress: %s\nwant:     %s", got, want)
	}
	if len(p.Exemptions) != 2 || p.Exemptions[0].Code != "s31(1)(a)" || p.Exemptions[0].Count != 2 || p.Exemptions[1].Code != "s40(2)" {
		t.Fatalf("exemptions %+v", p.Exemptions)
	}

	var buf bytes.Buffer
	if err := remind.WriteBatchCSV(&buf, p); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 5 || !slices.Equal(recs[0], remind.BatchCSVHeader) {
		t.Fatalf("csv: %d records %v", len(recs), err)
	}
	col := func(row int, name string) string { return recs[row][slices.Index(remind.BatchCSVHeader, name)] }
	if col(1, "authority") != "Kent Police" || col(1, "on_time") != "yes" || col(1, "exemptions") != "s31(1)(a); s40(2)" ||
		col(1, "sent_on") != "2026-03-02" || col(1, "due_date") != "2026-03-31" || col(1, "outcome") != "refused" {
		t.Fatalf("Kent row %v", recs[1])
	}
	if col(2, "standing") != "overdue" || col(2, "law") != "scot-foisa" || col(2, "sent_on") != "2026-03-02" {
		t.Fatalf("Scotland row %v", recs[2])
	}
	if !strings.HasPrefix(col(3, "authority"), "'=HYPERLINK") || col(3, "on_time") != "no" || col(3, "review_requested") != "2026-04-21" ||
		col(3, "sent_on") != "2026-03-03" {
		t.Fatalf("Wales row %v", recs[3])
	}
}
