package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/foitrack/foitrack/internal/plantest"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func assertStoredPlanFresh(t *testing.T, st *store.Store, id int64, after string) {
	t.Helper()
	got, err := st.StoredPlan(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := plantest.FreshPlan(t, st, id)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after %s the stored plan differs from a fresh one:\nstored %+v\nfresh  %+v", after, got, want)
	}
	if got, want := plantest.StoredStanding(t, st, id), plantest.FreshStanding(t, st, id); got != want {
		t.Fatalf("after %s the stored standing basis differs from a fresh one:\nstored %+v\nfresh  %+v", after, got, want)
	}
}

// TestStoredNextActionFollowsEveryChange: after every kind of event, a
// deletion, a law change and each move of a proposal, the stored next action
// and windows equal a fresh computation, for requests under several laws.
func TestStoredNextActionFollowsEveryChange(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	d := tracker.MustParseDate
	for _, law := range []tracker.LawCode{tracker.UKFOIA, tracker.ScotFOISA, tracker.USFOIA, tracker.AUFOI} {
		a := mustAuthority(t, st, "Council under "+string(law), tracker.JurisdictionEngland)
		r := tracker.Request{Title: "Cameras", AuthorityID: a.ID, Law: law}
		if err := st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
			t.Fatal(err)
		}
		assertStoredPlanFresh(t, st, r.ID, "creation")
		steps := []tracker.Event{
			{Kind: tracker.EventSent, Date: d("2026-03-02")},
			{Kind: tracker.EventAcknowledged, Date: d("2026-03-03")},
			{Kind: tracker.EventClarificationRequested, Date: d("2026-03-05")},
			{Kind: tracker.EventClarificationSent, Date: d("2026-03-09")},
			{Kind: tracker.EventFeeNotice, Date: d("2026-03-10")},
			{Kind: tracker.EventFeePaid, Date: d("2026-03-12")},
			{Kind: tracker.EventExtensionClaimed, Date: d("2026-03-30"), Reason: "unusual circumstances"},
			{Kind: tracker.EventChaserSent, Date: d("2026-04-20")},
			{Kind: tracker.EventResponseReceived, Date: d("2026-04-27"), Outcome: tracker.OutcomeRefused},
			{Kind: tracker.EventReviewRequested, Date: d("2026-05-01")},
			{Kind: tracker.EventReviewOutcome, Date: d("2026-05-20"), Outcome: tracker.OutcomeUpheld},
			{Kind: tracker.EventRegulatorComplaint, Date: d("2026-06-01")},
			{Kind: tracker.EventNote, Date: d("2026-06-02"), Note: "called them"},
			{Kind: tracker.EventRegulatorDecision, Date: d("2026-09-01"), Outcome: tracker.OutcomeComplaintNotUpheld},
			{Kind: tracker.EventClosed, Date: d("2026-10-01")},
		}
		for _, e := range steps {
			e.RequestID = r.ID
			if err := st.AddEvent(ctx, &e); err != nil {
				t.Fatalf("%s: %s: %v", law, e.Kind, err)
			}
			assertStoredPlanFresh(t, st, r.ID, string(law)+" "+string(e.Kind))
		}
		// Deleting the last event reopens the appeal window.
		events, _ := st.Events(ctx, r.ID)
		if err := st.DeleteEvent(ctx, r.ID, events[len(events)-1].ID); err != nil {
			t.Fatal(err)
		}
		assertStoredPlanFresh(t, st, r.ID, string(law)+" deleting the closure")
		plan, _ := st.StoredPlan(ctx, r.ID)
		if law != tracker.USFOIA && plan.Now.Action != tracker.ActionAppealDecision {
			t.Errorf("%s: after the regulator's decision the stored action is %s, want appeal_decision", law, plan.Now.Action)
		}
	}

	// A law change moves the dates.
	a := mustAuthority(t, st, "Law change council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Parking", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, d("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	r.Law = tracker.ScotFOISA
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	assertStoredPlanFresh(t, st, r.ID, "a law change")
	if plan, _ := st.StoredPlan(ctx, r.ID); plan.Now.By.String() != "2026-03-30" {
		t.Errorf("FOISA due date after the law change: %s, want 2026-03-30", plan.Now.By)
	}

	// A reply proposed, then confirmed; another proposed, then dismissed.
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <a@council>\r\n\r\nrefused\r\n", "a@council")
	class := json.RawMessage(`{"kind":"refusal","proposed_event":"response_received","proposed_outcome":"refused","date":"2026-03-27"}`)
	err := st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailMatched, RequestID: r.ID, MatchRule: store.MatchReplyAddress,
			Classification: class, ProposalState: store.ProposalProposed})
	})
	if err != nil {
		t.Fatal(err)
	}
	assertStoredPlanFresh(t, st, r.ID, "a proposal")
	if plan, _ := st.StoredPlan(ctx, r.ID); plan.Now.Action != tracker.ActionConfirmReply {
		t.Fatalf("with a reply to confirm the action is %s", plan.Now.Action)
	}
	if items, total, err := st.NeedsYou(ctx, d("2026-03-28"), 10, store.Cursor{}); err != nil || total < 1 || items[0].Request.ID != r.ID ||
		items[0].Step.Action != tracker.ActionConfirmReply {
		t.Fatalf("needs you: %v %d %+v", err, total, items)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		e := tracker.Event{RequestID: r.ID, Kind: tracker.EventResponseReceived, Date: d("2026-03-27"), Outcome: tracker.OutcomeRefused, MessageID: m.ID}
		if err := tx.AddEvent(&e); err != nil {
			return err
		}
		return tx.SetMailProposalState(m.ID, store.ProposalConfirmed)
	})
	if err != nil {
		t.Fatal(err)
	}
	assertStoredPlanFresh(t, st, r.ID, "confirming a proposal")
	if plan, _ := st.StoredPlan(ctx, r.ID); plan.Now.Action != tracker.ActionRequestReview {
		t.Fatalf("after confirming a refusal the action is %s, want request_review", plan.Now.Action)
	}
	m2 := mustIncoming(t, st, "INBOX", 1, 2, "Message-ID: <b@council>\r\n\r\nhello\r\n", "b@council")
	st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m2, store.MailProcessing{State: store.MailMatched, RequestID: r.ID, MatchRule: store.MatchReplyAddress,
			Classification: class, ProposalState: store.ProposalProposed})
	})
	assertStoredPlanFresh(t, st, r.ID, "a second proposal")
	if err := st.Update(ctx, func(tx *store.Tx) error { return tx.SetMailProposalState(m2.ID, store.ProposalDismissed) }); err != nil {
		t.Fatal(err)
	}
	assertStoredPlanFresh(t, st, r.ID, "dismissing a proposal")

	// A recomputation of everything changes nothing.
	before, _ := st.StoredPlan(ctx, r.ID)
	if n, err := st.RecomputeAll(ctx, true); err != nil || n < 5 {
		t.Fatalf("recompute: %d %v", n, err)
	}
	if after, _ := st.StoredPlan(ctx, r.ID); !reflect.DeepEqual(before, after) {
		t.Fatalf("recompute changed the plan: %+v -> %+v", before, after)
	}
}

// TestDueActionsReadStoredDates: both sides' steps come from the stored
// plan, switching to the requester's once the authority's date has passed,
// with no recomputation.
func TestDueActionsReadStoredDates(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	d := tracker.MustParseDate
	a := mustAuthority(t, st, "Barsetshire", tracker.JurisdictionEngland)
	waiting := tracker.Request{Title: "Waiting", AuthorityID: a.ID}
	st.CreateRequest(ctx, &waiting, d("2026-03-02")) // due Tue 31 Mar
	refused := tracker.Request{Title: "Refused", AuthorityID: a.ID}
	st.CreateRequest(ctx, &refused, d("2026-03-02"))
	st.AddEvent(ctx, &tracker.Event{RequestID: refused.ID, Kind: tracker.EventResponseReceived, Date: d("2026-03-27"), Outcome: tracker.OutcomeRefused})
	done := tracker.Request{Title: "Released", AuthorityID: a.ID}
	st.CreateRequest(ctx, &done, d("2026-03-02"))
	st.AddEvent(ctx, &tracker.Event{RequestID: done.ID, Kind: tracker.EventResponseReceived, Date: d("2026-03-27"), Outcome: tracker.OutcomeReleasedInFull})

	got := func(today, until string) map[string]string {
		items, err := st.DueActions(ctx, store.DueFilter{Today: d(today), Until: d(until)})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, it := range items {
			out[it.Request.Title] = string(it.Step.Who) + "/" + string(it.Step.Action) + "/" + it.Step.By.String()
		}
		return out
	}
	if g := got("2026-03-28", "2026-04-04"); !reflect.DeepEqual(g, map[string]string{"Waiting": "authority/await_response/2026-03-31",
		"Refused": "requester/request_review/2026-05-28"}) {
		t.Errorf("on 28 Mar, a week ahead: %v", g)
	}
	if g := got("2026-04-01", "2026-06-01"); !reflect.DeepEqual(g, map[string]string{
		"Waiting": "requester/chase_response/", "Refused": "requester/request_review/2026-05-28"}) {
		t.Errorf("on 1 Apr, two months ahead: %v", g)
	}
	// The requester's steps are listed whatever their date, as "Needs you"
	// and the reminders have them: a window closing in two months is open now.
	if g := got("2026-04-01", "2026-04-08"); !reflect.DeepEqual(g, map[string]string{
		"Waiting": "requester/chase_response/", "Refused": "requester/request_review/2026-05-28"}) {
		t.Errorf("on 1 Apr, a week ahead: %v", g)
	}
	items, total, err := st.NeedsYou(ctx, d("2026-04-01"), 1, store.Cursor{})
	if err != nil || total != 2 || len(items) != 1 {
		t.Fatalf("needs you, one page of 1: %d %v %+v", total, err, items)
	}
	// Sorted by the date it is due or became due: the chaser (due since 1 Apr) first.
	if items[0].Request.Title != "Waiting" {
		t.Errorf("first need %q", items[0].Request.Title)
	}
	if items, total, _ := st.NeedsYou(ctx, d("2026-05-29"), 10, store.Cursor{}); total != 1 || items[0].Request.Title != "Waiting" {
		t.Errorf("after the review window closed the refusal still needs you: %d %+v", total, items)
	}
}

// The counts by date of what the authorities and regulators owe, kept by
// triggers (request_day_counts' kind 'awaited'), equal the requests' rows
// after requests are created and evented, after their step moves to the
// requester and back with no change of date, after a date is cleared and
// a request deleted; and AwaitedBetween's total, read from them, equals the
// rows it stands for in every window.
func TestAwaitedCountsFollowEveryChange(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	d := tracker.MustParseDate
	a := mustAuthority(t, st, "Awaited council", tracker.JurisdictionEngland)
	var ids []int64
	for i, sent := range []string{"2026-03-02", "2026-03-02", "2026-03-09", "2026-04-01", ""} {
		r := tracker.Request{Title: "Cameras", AuthorityID: a.ID, Law: tracker.UKFOIA}
		var on tracker.Date
		if sent != "" {
			on = d(sent)
		}
		if err := st.CreateRequest(ctx, &r, on); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if err := st.AddEvent(ctx, &tracker.Event{RequestID: r.ID, Kind: tracker.EventResponseReceived, Date: d("2026-03-20"),
				Outcome: tracker.OutcomeRefused}); err != nil {
				t.Fatal(err)
			}
			if err := st.AddEvent(ctx, &tracker.Event{RequestID: r.ID, Kind: tracker.EventReviewRequested, Date: d("2026-03-25")}); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, r.ID)
	}
	check := func(after string) {
		t.Helper()
		kept := `SELECT day, n FROM request_day_counts WHERE kind = 'awaited'`
		counted := `SELECT next_by, count(*) FROM requests WHERE next_who IN ('authority', 'regulator') AND next_by IS NOT NULL GROUP BY next_by`
		var nKept, nCounted, differ int
		if err := st.Reader().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM (`+kept+`)), (SELECT count(*) FROM (`+counted+`)),
			(SELECT count(*) FROM (`+kept+` EXCEPT `+counted+`)) + (SELECT count(*) FROM (`+counted+` EXCEPT `+kept+`))`).Scan(
			&nKept, &nCounted, &differ); err != nil {
			t.Fatal(err)
		}
		if nCounted == 0 || nKept != nCounted || differ != 0 {
			t.Errorf("after %s: %d dates kept, %d counted, %d differ", after, nKept, nCounted, differ)
		}
		for _, w := range [][2]string{{"2026-01-01", "2026-12-31"}, {"2026-03-25", "2026-04-01"}, {"2026-04-01", "2026-04-30"}, {"2027-01-01", "2027-01-07"}} {
			_, total, err := st.AwaitedBetween(ctx, d(w[0]), d(w[1]), 1)
			if err != nil {
				t.Fatal(err)
			}
			var want int
			if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM requests
				WHERE next_by >= ? AND next_by <= ? AND next_who IN ('authority', 'regulator')`, w[0], w[1]).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if total != want {
				t.Errorf("after %s: %d awaited from %s to %s, want %d", after, total, w[0], w[1], want)
			}
		}
	}
	check("creating and eventing")
	exec := func(q string, args ...any) {
		t.Helper()
		if err := st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE requests SET next_who = 'requester' WHERE id = ?`, ids[0])
	check("the step moving to the requester on its date")
	exec(`UPDATE requests SET next_who = 'regulator' WHERE id = ?`, ids[0])
	check("the step moving to the regulator on its date")
	exec(`UPDATE requests SET next_by = NULL WHERE id = ?`, ids[2])
	check("a date cleared")
	exec(`UPDATE requests SET next_by = '2026-04-02', next_who = 'authority' WHERE id = ?`, ids[4])
	check("a draft given a date and the authority")
	exec(`DELETE FROM requests WHERE id = ?`, ids[3])
	check("a deletion")
	if err := st.AddEvent(ctx, &tracker.Event{RequestID: ids[1], Kind: tracker.EventReviewOutcome, Date: d("2026-04-10"),
		Outcome: tracker.OutcomeUpheld}); err != nil {
		t.Fatal(err)
	}
	check("an event moving the step")
}
