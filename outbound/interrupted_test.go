package outbound_test

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// dyingMailer stands for a process killed mid-send: its goroutine ends
// inside Mailer.Send, after (deliverFirst) or before handing the message to
// the real server, and the outcome is never recorded.
type dyingMailer struct {
	real         outbound.Mailer
	deliverFirst bool
}

func (d dyingMailer) Send(ctx context.Context, from string, rcpts []string, raw []byte) error {
	if d.deliverFirst {
		if err := d.real.Send(ctx, from, rcpts, raw); err != nil {
			return err
		}
	}
	runtime.Goexit()
	return nil
}

// sendAndDie sends a request letter through a sender that dies mid-send and
// returns the message left behind, queued.
func (f *fixture) sendAndDie(t *testing.T, deliverFirst bool) store.OutgoingMessage {
	t.Helper()
	dying := *f.sender
	dying.Mailer = dyingMailer{real: f.sender.Mailer, deliverFirst: deliverFirst}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dying.Send(context.Background(), outbound.Letter{RequestID: f.req.ID, Purpose: outbound.PurposeRequest,
			Subject: "FOI request", Body: "Please send the drone flight logs."})
		t.Error("Send returned: the process was meant to die")
	}()
	<-done
	l, err := f.st.OutgoingMessages(context.Background(), store.OutgoingFilter{RequestID: f.req.ID})
	if err != nil || len(l) != 1 || l[0].State != store.OutQueued || l[0].Attempts != 1 {
		t.Fatalf("left behind: %+v %v", l, err)
	}
	return l[0]
}

// moveClock sets the store's and the sender's clock.
func (f *fixture) moveClock(to time.Time) {
	f.st.Now = func() time.Time { return to }
	f.sender.Now = func() time.Time { return to }
}

func TestInterruptedSendMarkedSentRecordsTheEventOnce(t *testing.T) {
	f := newFixture(t)
	ctx := store.WithActor(context.Background(), "user:editor@example.org")
	f.moveClock(time.Date(2026, 3, 2, 23, 50, 0, 0, time.UTC)) // Mon 2 Mar, late
	m := f.sendAndDie(t, true)
	if len(f.srv.Messages()) != 1 {
		t.Fatalf("the server has %d messages, want the one accepted before the crash", len(f.srv.Messages()))
	}

	// Ten minutes on it may still be a live send: refused.
	f.moveClock(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC))
	if _, err := f.sender.MarkInterruptedSent(ctx, m.ID, m.AttemptedAt(), ""); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("marking a possibly live send sent: %v", err)
	}
	// Past the grace period: interrupted, and marked sent as the server's
	// acceptance would have been, dated the day of the attempt.
	f.moveClock(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	if cur, _ := f.st.Outgoing(ctx, m.ID); !cur.Interrupted {
		t.Fatalf("not interrupted: %+v", cur)
	}
	got, err := f.sender.MarkInterruptedSent(ctx, m.ID, m.AttemptedAt(), "it is in the Sent folder")
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := f.st.Outgoing(ctx, m.ID)
	if stored.State != store.OutSent || !stored.SentAt.Equal(m.AttemptedAt()) || stored.EventID == 0 || got.EventID != stored.EventID {
		t.Fatalf("after mark sent: %+v (returned %+v)", stored, got)
	}
	events, _ := f.st.Events(ctx, f.req.ID)
	if len(events) != 1 {
		t.Fatalf("%d events, want 1: %+v", len(events), events)
	}
	e := events[0]
	if e.Kind != tracker.EventSent || e.Date.String() != "2026-03-02" || e.MessageID != m.ID || e.ID != stored.EventID ||
		!strings.Contains(e.Note, "Sent by email to foi@kent.police.uk (Message-ID <"+m.MessageID+">)") ||
		!strings.Contains(e.Note, "interrupted and marked sent by hand: it is in the Sent folder") {
		t.Fatalf("event: %+v", e)
	}
	r, _ := f.st.RequestByID(ctx, f.req.ID)
	if r.Status != tracker.StatusAwaitingResponse || r.SentOn.String() != "2026-03-02" {
		t.Fatalf("request: %s sent %s", r.Status, r.SentOn)
	}
	// Once only; and nothing was sent again.
	if _, err := f.sender.MarkInterruptedSent(ctx, m.ID, m.AttemptedAt(), ""); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("marking sent twice: %v", err)
	}
	if events, _ := f.st.Events(ctx, f.req.ID); len(events) != 1 {
		t.Fatalf("%d events after a second mark", len(events))
	}
	if f.srv.Attempts() != 1 {
		t.Fatalf("the server saw %d attempts, want 1", f.srv.Attempts())
	}
	entries, _ := f.st.AuditEntries(ctx, "mail_message", m.ID, 0, 0)
	var actions []string
	for _, a := range entries {
		actions = append(actions, a.Action+"/"+a.Actor)
	}
	if strings.Join(actions, " ") != "queue/system resolve_sent/user:editor@example.org sent/user:editor@example.org" {
		t.Fatalf("audit: %v", actions)
	}
}

func TestInterruptedSendSentAgainArrives(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.moveClock(clock)
	m := f.sendAndDie(t, false)
	if f.srv.Attempts() != 0 {
		t.Fatal("the dying sender reached the server")
	}
	// Not while it may be live.
	f.moveClock(clock.Add(store.SendInterruptedAfter))
	if _, err := f.sender.SendInterruptedAgain(ctx, m.ID, m.AttemptedAt()); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("sending a possibly live send again: %v", err)
	}
	if f.srv.Attempts() != 0 {
		t.Fatal("sent while it may be live")
	}
	f.moveClock(clock.Add(store.SendInterruptedAfter + time.Second))
	got, err := f.sender.SendInterruptedAgain(ctx, m.ID, m.AttemptedAt())
	if err != nil {
		t.Fatal(err)
	}
	msgs := f.srv.Messages()
	if len(msgs) != 1 || !bytes.Equal(msgs[0].Data, f.blob(t, m.RawSHA256)) || msgs[0].To[0] != "foi@kent.police.uk" {
		t.Fatalf("the server has %d messages (or other bytes than stored)", len(msgs))
	}
	stored, _ := f.st.Outgoing(ctx, m.ID)
	if stored.State != store.OutSent || stored.Attempts != 2 || stored.MessageID != m.MessageID || got.EventID == 0 || stored.EventID != got.EventID {
		t.Fatalf("after send again: %+v", stored)
	}
	events, _ := f.st.Events(ctx, f.req.ID)
	if len(events) != 1 || events[0].Kind != tracker.EventSent || events[0].MessageID != m.ID {
		t.Fatalf("events: %+v", events)
	}
	// Sent now: nothing to resolve any more.
	if _, err := f.sender.SendInterruptedAgain(ctx, m.ID, stored.AttemptedAt()); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("sending a sent message again: %v", err)
	}
	if len(f.srv.Messages()) != 1 {
		t.Fatal("sent twice")
	}
}
