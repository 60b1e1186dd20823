package remind_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/internal/smtptest"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// dieAfterFirst delivers the first email to the real server, then stands for
// the process being killed: the run's goroutine ends inside the send.
type dieAfterFirst struct{ real outbound.Mailer }

func (d dieAfterFirst) Send(ctx context.Context, from string, rcpts []string, raw []byte) error {
	if err := d.real.Send(ctx, from, rcpts, raw); err != nil {
		return err
	}
	runtime.Goexit()
	return nil
}

// TestInterruptedReminderEmailsAreResolvedNotResent: a run dies while
// emailing two reminders (the first reached the server, the second was still
// waiting its turn). Later runs never send them on their own; once an admin
// marks the first emailed and sends the second again, the next run sends
// only the second.
func TestInterruptedReminderEmailsAreResolvedNotResent(t *testing.T) {
	w := newWorld(t)
	w.smtp = smtptest.Start(t)
	w.now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w.request("A ordinary", "Olu", "Ada")
	ctx := context.Background()
	if err := w.st.AddEvent(ctx, &tracker.Event{RequestID: w.ids["A ordinary"], Kind: tracker.EventSent, Date: day("2026-03-02")}); err != nil {
		t.Fatal(err)
	}
	w.now = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC) // overdue: one reminder each for Olu and Ada
	dying := w.runner()
	dying.Mailer = dieAfterFirst{real: dying.Mailer}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dying.Run(ctx, w.now)
		t.Error("the run returned: it was meant to die")
	}()
	<-done
	if n := len(w.smtp.Messages()); n != 1 {
		t.Fatalf("%d emails reached the server before the crash, want 1", n)
	}
	interrupted := func() []store.Reminder {
		l, err := w.st.Reminders(ctx, store.ReminderFilter{EmailInterrupted: true})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	// Ten minutes on: a run sends nothing, and nothing counts as interrupted yet.
	w.now = w.now.Add(10 * time.Minute)
	if res, err := w.runner().Run(ctx, w.now); err != nil || res.Emailed != 0 || res.Given != 0 {
		t.Fatalf("run after the crash: %+v %v", res, err)
	}
	if l := interrupted(); len(l) != 0 {
		t.Fatalf("interrupted within the grace period: %+v", l)
	}
	w.now = w.now.Add(10 * time.Minute)
	l := interrupted()
	if len(l) != 2 {
		t.Fatalf("%d interrupted, want 2", len(l))
	}
	if res, _ := w.runner().Run(ctx, w.now); res.Emailed != 0 || len(w.smtp.Messages()) != 1 {
		t.Fatalf("an interrupted email was sent again on its own: %+v", res)
	}
	// The one that arrived is marked emailed; the other is sent again.
	arrived := w.smtp.Messages()[0].To[0]
	for _, rem := range l {
		to := w.user["Olu"].Email
		if rem.UserID == w.user["Ada"].ID {
			to = w.user["Ada"].Email
		}
		if err := w.st.ResolveInterruptedReminderEmail(ctx, rem.ID, rem.EmailAttemptedAt, to == arrived); err != nil {
			t.Fatal(err)
		}
	}
	res, err := w.runner().Run(ctx, w.now.Add(time.Hour))
	if err != nil || res.Emailed != 1 {
		t.Fatalf("run after the resolution: %+v %v", res, err)
	}
	msgs := w.smtp.Messages()
	if len(msgs) != 2 || msgs[0].To[0] == msgs[1].To[0] || !strings.Contains(string(msgs[1].Data), "Response overdue") {
		t.Fatalf("emails: %d, to %v", len(msgs), msgs)
	}
	if res, _ := w.runner().Run(ctx, w.now.Add(2*time.Hour)); res.Emailed != 0 || len(w.smtp.Messages()) != 2 {
		t.Fatal("an email went out twice")
	}
}

// TestBatchLeavesAnInterruptedRequestToAPerson: a batch run dies while the
// server has its first request. Resuming sends the rest but not that one,
// and pauses the batch saying why; once sent again by hand, resuming
// finishes the batch without sending anything twice.
func TestBatchLeavesAnInterruptedRequestToAPerson(t *testing.T) {
	w := newWorld(t)
	w.smtp = smtptest.Start(t)
	ctx := context.Background()
	w.now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	second := tracker.Authority{Name: "Police Scotland", Jurisdiction: tracker.JurisdictionScotland, Email: "foi@scotland.police.uk"}
	if err := w.st.CreateAuthority(ctx, &second); err != nil {
		t.Fatal(err)
	}
	text, err := remind.BatchText("Drone flights ({{.Authority}})", "Please tell me how many drone flights {{.Authority}} made in 2025.")
	if err != nil {
		t.Fatal(err)
	}
	b := store.Batch{Title: "Police drones 2025", Body: "…"}
	if err := w.st.CreateBatch(ctx, &b, []int64{w.auth.ID, second.ID}, w.user["Olu"].ID, text); err != nil {
		t.Fatal(err)
	}
	s := outbound.Settings{Host: w.smtp.Host, Port: w.smtp.Port, TLS: outbound.TLSNone, From: "foi@campaign.example"}
	cfg, _ := s.Resolve(func(string) string { return "" })
	sender := &outbound.Sender{Store: w.st, Mailer: &outbound.SMTPMailer{Config: cfg}, Config: cfg, Now: func() time.Time { return w.now }, Location: time.UTC}
	noSleep := func(context.Context, time.Duration) error { return nil }

	dying := *sender
	dying.Mailer = dieAfterFirst{real: sender.Mailer}
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&remind.BatchSender{Sender: &dying, Sleep: noSleep}).Send(ctx, b.ID)
		t.Error("the batch run returned: it was meant to die")
	}()
	<-done
	if len(w.smtp.Messages()) != 1 {
		t.Fatalf("%d messages before the crash, want 1", len(w.smtp.Messages()))
	}

	w.now = w.now.Add(time.Hour)
	res, err := (&remind.BatchSender{Sender: sender, Sleep: noSleep}).Send(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	members, _ := w.st.BatchMembers(ctx, b.ID)
	first := members[0]
	if len(res.Sent) != 1 || res.Sent[0] != members[1].Request.ID || len(res.InFlight) != 1 || res.InFlight[0] != first.Request.ID {
		t.Fatalf("resumed run: %+v", res)
	}
	if !first.Interrupted || first.SendState != store.MemberSending || len(w.smtp.Messages()) != 2 {
		t.Fatalf("the interrupted member: %+v; %d messages", first, len(w.smtp.Messages()))
	}
	got, _ := w.st.BatchByID(ctx, b.ID)
	if got.State != store.BatchPaused || !strings.Contains(got.LastError, "1 request(s) were interrupted while being sent") {
		t.Fatalf("batch: %s %q", got.State, got.LastError)
	}
	m, _ := w.st.Outgoing(ctx, first.OutgoingID)
	if _, err := sender.SendInterruptedAgain(ctx, m.ID, m.AttemptedAt()); err != nil {
		t.Fatal(err)
	}
	res, err = (&remind.BatchSender{Sender: sender, Sleep: noSleep}).Send(ctx, b.ID)
	if err != nil || len(res.Sent) != 0 || len(res.AlreadySent) != 2 {
		t.Fatalf("last run: %+v %v", res, err)
	}
	if got, _ := w.st.BatchByID(ctx, b.ID); got.State != store.BatchDone || len(w.smtp.Messages()) != 3 {
		t.Fatalf("batch %s, %d messages (the first request twice: it was sent again by choice)", got.State, len(w.smtp.Messages()))
	}
}
