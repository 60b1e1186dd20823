package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// interruptedClock is the store's clock in these tests, moved by hand.
type interruptedClock struct{ now time.Time }

func (c *interruptedClock) Now() time.Time                    { return c.now }
func (c *interruptedClock) advance(d time.Duration) time.Time { c.now = c.now.Add(d); return c.now }

// queuedLetter records a request letter as queued and handed to the server
// now (what outbound.Sender does before the SMTP conversation), and leaves
// it there: the process "dies" before the outcome is recorded.
func queuedLetter(t *testing.T, st *store.Store, ctx context.Context, requestID int64) store.OutgoingMessage {
	t.Helper()
	sum, size, err := st.WriteBlob(strings.NewReader("Subject: FOI request\r\n\r\nPlease.\r\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	m := store.OutgoingMessage{RequestID: requestID, Purpose: "request", MessageID: fmt.Sprintf("letter-%d@campaign.example", requestID),
		Subject: "FOI request", From: "foi@campaign.example", To: []string{"foi@council.gov.uk"}, EnvelopeFrom: "foi@campaign.example",
		Recipients: []string{"foi@council.gov.uk"}, RawSHA256: sum, RawSize: size}
	if err := st.CreateOutgoing(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if err := st.OutgoingAttempt(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	m, err = st.Outgoing(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// auditActionsOf lists the actions of the audit entries about one row.
func auditActionsOf(t *testing.T, st *store.Store, entity string, id int64) ([]string, []store.AuditEntry) {
	t.Helper()
	entries, err := st.AuditEntries(context.Background(), entity, id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	return actions, entries
}

func outgoingIDs(l []store.OutgoingMessage) []int64 {
	var ids []int64
	for _, m := range l {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestInterruptedOutgoingIsListedAndMarkedSentOnce(t *testing.T) {
	st := MustOpenDB(t)
	clock := &interruptedClock{now: time.Date(2026, 3, 2, 23, 55, 0, 0, time.UTC)} // Mon 2 Mar, five minutes to midnight
	st.Now = clock.Now
	ctx := store.WithActor(context.Background(), "user:editor@example.org")
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	old := tracker.Request{Title: "Pothole contracts", AuthorityID: a.ID}
	fresh := tracker.Request{Title: "Library closures", AuthorityID: a.ID}
	for _, r := range []*tracker.Request{&old, &fresh} {
		if err := st.CreateRequest(ctx, r, tracker.Date{}); err != nil {
			t.Fatal(err)
		}
	}
	oldMsg := queuedLetter(t, st, ctx, old.ID)
	attempted := oldMsg.AttemptedAt()

	// Within the grace period it may be a live send: not interrupted, and
	// nothing may resolve it.
	clock.advance(store.SendInterruptedAfter)
	freshMsg := queuedLetter(t, st, ctx, fresh.ID)
	if l, err := st.OutgoingMessages(ctx, store.OutgoingFilter{Interrupted: true}); err != nil || len(l) != 0 {
		t.Fatalf("interrupted at exactly the grace period: %v %v", outgoingIDs(l), err)
	}
	if _, err := st.ResolveInterruptedSent(ctx, oldMsg.ID, attempted, nil, ""); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("marking a possibly live send sent: %v, want a conflict", err)
	}
	if err := st.ReleaseInterrupted(ctx, oldMsg.ID, attempted); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("releasing a possibly live send: %v, want a conflict", err)
	}

	// A second later the old one is interrupted; the fresh one is not.
	clock.advance(time.Second)
	l, err := st.OutgoingMessages(ctx, store.OutgoingFilter{Interrupted: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 1 || l[0].ID != oldMsg.ID || !l[0].Interrupted || !l[0].AttemptedAt().Equal(attempted) {
		t.Fatalf("interrupted: %+v, want only message %d attempted at %s", l, oldMsg.ID, attempted)
	}
	if m, _ := st.Outgoing(ctx, freshMsg.ID); m.Interrupted || m.State != store.OutQueued {
		t.Fatalf("the fresh message: %+v", m)
	}
	// A new letter of the same purpose is refused, saying why.
	again := store.OutgoingMessage{RequestID: old.ID, Purpose: "request", MessageID: "again@campaign.example", RawSHA256: oldMsg.RawSHA256, RawSize: oldMsg.RawSize}
	if err := st.CreateOutgoing(ctx, &again); tracker.ErrorCode(err) != tracker.ECONFLICT || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("a second letter beside an interrupted one: %v", err)
	}
	// An answer about another attempt than the one shown is stale.
	if _, err := st.ResolveInterruptedSent(ctx, oldMsg.ID, attempted.Add(time.Second), nil, ""); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("resolving with a stale attempt: %v", err)
	}

	// Marked sent: as of the attempt, with its lifecycle event dated the day
	// of the attempt (2 Mar, not today's 3 Mar), once.
	e := &tracker.Event{RequestID: old.ID, Kind: tracker.EventSent, Date: tracker.DateOf(attempted), Note: "Sent by email."}
	eventErr, err := st.ResolveInterruptedSent(ctx, oldMsg.ID, attempted, e, "found it in the Sent folder")
	if err != nil || eventErr != nil {
		t.Fatalf("mark sent: %v / event %v", err, eventErr)
	}
	m, _ := st.Outgoing(ctx, oldMsg.ID)
	if m.State != store.OutSent || !m.SentAt.Equal(attempted) || m.Interrupted || m.EventID != e.ID || e.ID == 0 {
		t.Fatalf("after mark sent: %+v (event %d)", m, e.ID)
	}
	r, _ := st.RequestByID(ctx, old.ID)
	if r.Status != tracker.StatusAwaitingResponse || r.SentOn.String() != "2026-03-02" {
		t.Fatalf("request after mark sent: %s, sent %s", r.Status, r.SentOn)
	}
	// Resolving twice does nothing more.
	if _, err := st.ResolveInterruptedSent(ctx, oldMsg.ID, attempted, &tracker.Event{RequestID: old.ID, Kind: tracker.EventSent, Date: tracker.DateOf(attempted)}, ""); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("a second mark sent: %v", err)
	}
	events, _ := st.Events(ctx, old.ID)
	sent := 0
	for _, ev := range events {
		if ev.Kind == tracker.EventSent {
			sent++
			if ev.MessageID != oldMsg.ID {
				t.Fatalf("the event is not linked to the message: %+v", ev)
			}
		}
	}
	if sent != 1 {
		t.Fatalf("%d sent events, want 1", sent)
	}
	actions, entries := auditActionsOf(t, st, "mail_message", oldMsg.ID)
	if strings.Join(actions, ",") != "queue,resolve_sent,sent" {
		t.Fatalf("audit actions %v", actions)
	}
	var after map[string]any
	json.Unmarshal(entries[1].After, &after)
	if entries[1].Actor != "user:editor@example.org" || after["note"] != "found it in the Sent folder" {
		t.Fatalf("resolve_sent entry: %s %s", entries[1].Actor, entries[1].After)
	}
	if n, brk, err := st.VerifyAuditChain(ctx); err != nil || brk != nil {
		t.Fatalf("audit chain after %d entries: %v %v", n, brk, err)
	}

	// Send again: the fresh one, once interrupted, becomes failed with the
	// reason, and so retryable.
	clock.advance(store.SendInterruptedAfter)
	if err := st.ReleaseInterrupted(ctx, freshMsg.ID, freshMsg.AttemptedAt()); err != nil {
		t.Fatal(err)
	}
	m, _ = st.Outgoing(ctx, freshMsg.ID)
	if m.State != store.OutSendFailed || !strings.Contains(m.Error, "interrupted") || m.Interrupted {
		t.Fatalf("released: %+v", m)
	}
	if err := st.ReleaseInterrupted(ctx, freshMsg.ID, freshMsg.AttemptedAt()); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("releasing twice: %v", err)
	}
	if _, err := st.ClaimOutgoingRetry(ctx, freshMsg.ID); err != nil {
		t.Fatalf("a released message cannot be retried: %v", err)
	}
	if actions, _ := auditActionsOf(t, st, "mail_message", freshMsg.ID); strings.Join(actions, ",") != "queue,resolve_send_again,retry" {
		t.Fatalf("audit actions %v", actions)
	}
}

func TestInterruptedBatchMemberSaysSo(t *testing.T) {
	st := MustOpenDB(t)
	clock := &interruptedClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	st.Now = clock.Now
	ctx := context.Background()
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	b := store.Batch{Title: "Potholes", Body: "Please send the contracts."}
	err := st.CreateBatch(ctx, &b, []int64{a.ID}, 0, func(a tracker.Authority) (string, string, error) { return "Potholes", "Please.", nil })
	if err != nil {
		t.Fatal(err)
	}
	members, _ := st.BatchMembers(ctx, b.ID)
	queuedLetter(t, st, ctx, members[0].Request.ID)
	members, _ = st.BatchMembers(ctx, b.ID)
	if m := members[0]; m.SendState != store.MemberSending || m.Interrupted || m.SendError != "" {
		t.Fatalf("a live send: %+v", m)
	}
	clock.advance(store.SendInterruptedAfter + time.Minute)
	members, _ = st.BatchMembers(ctx, b.ID)
	if m := members[0]; m.SendState != store.MemberSending || !m.Interrupted || !strings.Contains(m.SendError, "we do not know whether the server accepted it") {
		t.Fatalf("an interrupted send: %+v", m)
	}
}

func TestInterruptedReminderEmail(t *testing.T) {
	cheapPasswords(t)
	st := MustOpenDB(t)
	clock := &interruptedClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	st.Now = clock.Now
	ctx := store.WithActor(context.Background(), "user:admin@example.org")
	u := mustUser(t, st, "owner@example.org", store.RoleEditor)
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Pothole contracts", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-02-02")); err != nil {
		t.Fatal(err)
	}
	give := func(kind string, stage int) store.Reminder {
		t.Helper()
		rem := store.Reminder{RequestID: r.ID, Deadline: "response", Kind: kind, DueDate: tracker.MustParseDate("2026-03-02"),
			UserID: u.ID, Stage: stage, Reason: kind, EmailState: store.EmailPending}
		if given, err := st.GiveReminder(ctx, &rem, &store.Notification{Kind: "reminder:" + kind, Title: kind}); err != nil || !given {
			t.Fatalf("give %s: %v %v", kind, given, err)
		}
		return rem
	}
	first, second := give("due_today", 1), give("overdue", 2)
	claimed, err := st.ClaimReminderEmails(ctx, false, 3, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d: %v", len(claimed), err)
	}
	interrupted := func() []int64 {
		t.Helper()
		l, err := st.Reminders(ctx, store.ReminderFilter{EmailInterrupted: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, x := range l {
			if !x.EmailInterrupted {
				t.Fatalf("listed but not interrupted: %+v", x)
			}
			ids = append(ids, x.ID)
		}
		return ids
	}
	// The run hands the first to the server ten minutes after the claim;
	// the second is still waiting its turn when the process dies.
	clock.advance(10 * time.Minute)
	if ok, err := st.ReminderEmailAttempt(ctx, first.ID); err != nil || !ok {
		t.Fatalf("attempt: %v %v", ok, err)
	}
	firstAttempt := clock.now
	clock.advance(6 * time.Minute)
	if ids := interrupted(); len(ids) != 1 || ids[0] != second.ID {
		t.Fatalf("interrupted %v, want only %d (the first was tried 6 minutes ago)", ids, second.ID)
	}
	clock.advance(10 * time.Minute)
	if ids := interrupted(); len(ids) != 2 {
		t.Fatalf("interrupted %v, want both", ids)
	}
	l, _ := st.Reminders(ctx, store.ReminderFilter{RequestID: r.ID})
	var firstRow store.Reminder
	for _, x := range l {
		if x.ID == first.ID {
			firstRow = x
		}
	}
	if !firstRow.EmailAttemptedAt.Equal(firstAttempt) || !firstRow.EmailedAt.IsZero() {
		t.Fatalf("first: attempted %s emailed %s, want attempted %s", firstRow.EmailAttemptedAt, firstRow.EmailedAt, firstAttempt)
	}
	// Stale: the attempt shown is not the last one.
	if err := st.ResolveInterruptedReminderEmail(ctx, first.ID, firstAttempt.Add(-time.Minute), true); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("stale resolution: %v", err)
	}
	// Mark emailed: sent as of the attempt.
	if err := st.ResolveInterruptedReminderEmail(ctx, first.ID, firstAttempt, true); err != nil {
		t.Fatal(err)
	}
	// Send again: pending, so the next run claims it; a run still holding it
	// (in memory) finds it no longer claimed and does not send it.
	secondRow := claimed[1]
	if secondRow.ID != second.ID {
		secondRow = claimed[0]
	}
	if err := st.ResolveInterruptedReminderEmail(ctx, second.ID, secondRow.EmailAttemptedAt, false); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.ReminderEmailAttempt(ctx, second.ID); err != nil || ok {
		t.Fatalf("a resolved email is still claimable by the old run: %v %v", ok, err)
	}
	if ids := interrupted(); len(ids) != 0 {
		t.Fatalf("still interrupted: %v", ids)
	}
	if err := st.ResolveInterruptedReminderEmail(ctx, first.ID, firstAttempt, true); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("resolving twice: %v", err)
	}
	l, _ = st.Reminders(ctx, store.ReminderFilter{RequestID: r.ID})
	for _, x := range l {
		switch x.ID {
		case first.ID:
			if x.EmailState != store.EmailSent || !x.EmailedAt.Equal(firstAttempt) {
				t.Fatalf("first after mark emailed: %+v", x)
			}
		case second.ID:
			if x.EmailState != store.EmailPending {
				t.Fatalf("second after send again: %+v", x)
			}
		}
	}
	again, err := st.ClaimReminderEmails(ctx, false, 3, 10)
	if err != nil || len(again) != 1 || again[0].ID != second.ID || again[0].EmailAttempts != 2 {
		t.Fatalf("next run claims %+v, %v; want only the second, its second attempt", again, err)
	}
	for _, id := range []int64{first.ID, second.ID} {
		actions, entries := auditActionsOf(t, st, "reminder", id)
		want := "resolve_email_sent"
		if id == second.ID {
			want = "resolve_email_again"
		}
		if len(actions) != 1 || actions[0] != want || entries[0].Actor != "user:admin@example.org" {
			t.Fatalf("reminder %d audit: %v", id, actions)
		}
	}
}
