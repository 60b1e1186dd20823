package store_test

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// insightFixture: the authority record's scenario (answers after 13, 22
// and 38 working days; one late; one overdue), plus a review overturned,
// a regulator decision, and one exemption cited by a response, its
// review's outcome and a withheld document alike.
func insightFixture(t *testing.T) (*store.Store, tracker.Authority, tracker.Authority) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Borsetshire County Council", tracker.JurisdictionEngland)
	b := mustAuthority(t, st, "Ambridge Parish Council", tracker.JurisdictionEngland)
	mk := func(title string, authority int64, sent string, law tracker.LawCode) tracker.Request {
		r := tracker.Request{Title: title, AuthorityID: authority, Law: law}
		var d tracker.Date
		if sent != "" {
			d = day(sent)
		}
		if err := st.CreateRequest(ctx, &r, d); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r1 := mk("On time", a.ID, "2026-03-02", "")
	addEvents(t, st, r1.ID,
		tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-20"), Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)", "s40(2)"}},
		tracker.Event{Kind: tracker.EventReviewRequested, Date: day("2026-03-23")},
		// 23 Mar → 20 Apr: 18 working days (Good Friday, Easter Monday).
		tracker.Event{Kind: tracker.EventReviewOutcome, Date: day("2026-04-20"), Outcome: tracker.OutcomeOverturned, Exemptions: []string{"s31(1)(a)"}})
	doc := tracker.Document{RequestID: r1.ID, Filename: "withheld report", Disposition: tracker.DispositionWithheld, Exemptions: []string{"s31(1)(a)"}}
	if err := st.AddDocument(ctx, &doc, nil, 0); err != nil {
		t.Fatal(err)
	}
	r2 := mk("Late", a.ID, "2026-01-05", "")
	addEvents(t, st, r2.ID,
		tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-02-04"), Outcome: tracker.OutcomeReleasedInPart, Exemptions: []string{"s31(1)(a)"}},
		tracker.Event{Kind: tracker.EventReviewRequested, Date: day("2026-02-05")},
		tracker.Event{Kind: tracker.EventReviewOutcome, Date: day("2026-02-19"), Outcome: tracker.OutcomeUpheld},
		tracker.Event{Kind: tracker.EventRegulatorComplaint, Date: day("2026-02-20")},
		tracker.Event{Kind: tracker.EventRegulatorDecision, Date: day("2026-03-20"), Outcome: tracker.OutcomeComplaintUpheld})
	r3 := mk("Extended", a.ID, "2026-01-05", "")
	addEvents(t, st, r3.ID,
		tracker.Event{Kind: tracker.EventExtensionClaimed, Date: day("2026-01-30"), NewDueDate: day("2026-02-27"), Reason: "public interest test"},
		tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-02-26"), Outcome: tracker.OutcomeReleasedInFull})
	mk("Waiting", a.ID, "2026-02-02", "")
	mk("Draft", a.ID, "", "")
	r6 := mk("Elsewhere", b.ID, "2026-03-02", tracker.UKEIR)
	addEvents(t, st, r6.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-04"), Outcome: tracker.OutcomeNotHeld})
	return st, a, b
}

func TestInsightFiguresAgainstHandCounts(t *testing.T) {
	st, a, b := insightFixture(t)
	ctx := context.Background()
	in, err := st.Insight(ctx, store.InsightFilter{AuthorityIDs: []int64{a.ID}}, day("2026-03-25"))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Rows) != 1 {
		t.Fatalf("rows %+v", in.Rows)
	}
	r := in.Rows[0]
	if r.Name != a.Name || r.Requests != 5 || r.Sent != 4 || r.Answered != 3 || r.OnTime != 2 || r.Late != 1 || r.OverdueNow != 1 {
		t.Errorf("counts %+v", r)
	}
	if r.ReleasedInFull != 1 || r.ReleasedInPart != 1 || r.Refused != 1 || r.NotHeld != 0 || r.Awaiting != 1 {
		t.Errorf("outcomes %+v", r)
	}
	// 13, 22, 38 working days: median 22; p90 by nearest rank is the 3rd.
	if !r.HasDays || r.MedianDays != 22 || r.P90Days != 38 {
		t.Errorf("days median %v p90 %v", r.MedianDays, r.P90Days)
	}
	// Reviews: 18 (23 Mar → 20 Apr over Easter) and 10 working days.
	if !r.HasReviewDays || r.ReviewMedianDays != 14 || r.ReviewP90Days != 18 {
		t.Errorf("review days median %v p90 %v", r.ReviewMedianDays, r.ReviewP90Days)
	}
	if r.Reviews != 2 || r.ReviewsOverturned != 1 || r.Regulator != 1 || r.RegulatorOverturned != 1 {
		t.Errorf("reviews %+v", r)
	}
	// s31(1)(a) was cited by r1's response, its review and a document, and
	// by r2: two requests, not four claims.
	if len(in.Exemptions) != 2 || in.Exemptions[0].Code != "s31(1)(a)" || in.Exemptions[0].Requests != 2 || in.Exemptions[0].Claims != 2 {
		t.Errorf("exemptions %+v", in.Exemptions)
	}
	if in.RefusedUnder != "s31" || in.RefusedUnderCount != 1 {
		t.Errorf("refused under %q ×%d", in.RefusedUnder, in.RefusedUnderCount)
	}
	// The same figures counted directly in SQL.
	db := st.Reader()
	var requests, answered, onTime, refused int
	db.QueryRow(`SELECT count(*) FROM requests WHERE authority_id = ?`, a.ID).Scan(&requests)
	db.QueryRow(`SELECT count(DISTINCT request_id) FROM request_events e JOIN requests r ON r.id = e.request_id
		WHERE r.authority_id = ? AND e.kind = 'response_received'`, a.ID).Scan(&answered)
	db.QueryRow(`SELECT count(*) FROM requests r WHERE r.authority_id = ? AND EXISTS (SELECT 1 FROM request_events e
		WHERE e.request_id = r.id AND e.kind = 'response_received' AND e.date <= COALESCE(
			(SELECT x.new_due_date FROM request_events x WHERE x.request_id = r.id AND x.kind = 'extension_claimed'), '2026-03-31', '')
		AND e.date <= CASE r.title WHEN 'Late' THEN '2026-02-02' ELSE '9999' END)`, a.ID).Scan(&onTime)
	db.QueryRow(`SELECT count(*) FROM requests r WHERE r.authority_id = ? AND (SELECT e.outcome FROM request_events e
		WHERE e.request_id = r.id AND e.kind = 'response_received' ORDER BY e.date, e.id LIMIT 1) = 'refused'`, a.ID).Scan(&refused)
	if requests != r.Requests || answered != r.Answered || onTime != r.OnTime || refused != r.Refused {
		t.Errorf("SQL counts %d %d %d %d, insight %d %d %d %d", requests, answered, onTime, refused, r.Requests, r.Answered, r.OnTime, r.Refused)
	}
	var s31 int
	db.QueryRow(`SELECT count(DISTINCT request_id) FROM exemption_claims WHERE code = 's31(1)(a)'`).Scan(&s31)
	if s31 != in.Exemptions[0].Requests {
		t.Errorf("s31 requests by SQL %d, insight %d", s31, in.Exemptions[0].Requests)
	}
	// Overall and per law; both authorities side by side; by law filter.
	all, err := st.Insight(ctx, store.InsightFilter{}, day("2026-03-25"))
	if err != nil {
		t.Fatal(err)
	}
	if all.Overall.Requests != 6 || all.Overall.NotHeld != 1 || len(all.Rows) != 2 || all.Rows[0].Name != a.Name || len(all.Laws) != 2 {
		t.Errorf("overall %+v rows %d laws %+v", all.Overall, len(all.Rows), all.Laws)
	}
	if len(all.MostOverdue) != 1 || all.MostOverdue[0].Name != a.Name || all.MostOverdue[0].Requests != 1 {
		t.Errorf("most overdue %+v", all.MostOverdue)
	}
	eir, _ := st.Insight(ctx, store.InsightFilter{Law: tracker.UKEIR}, day("2026-03-25"))
	if eir.Overall.Requests != 1 || len(eir.Rows) != 1 || eir.Rows[0].AuthorityID() != b.ID || eir.Overall.MedianDays != 2 {
		t.Errorf("EIR only %+v", eir.Overall)
	}
	// The Exemptions page's count: once per request too (it was 3 for r1).
	counts, err := st.ExemptionCounts(ctx, a.ID)
	if err != nil || counts[0].Code != "s31(1)(a)" || counts[0].Claims != 2 {
		t.Errorf("exemption counts %+v %v", counts, err)
	}
	claimants, every, _ := st.ExemptionClaimants(ctx, tracker.UKFOIA, "s31(1)(a)", 0)
	if len(claimants) != 1 || claimants[0].Claims != 2 || every != 1 {
		t.Errorf("claimants %+v (%d in all)", claimants, every)
	}
}

func TestInsightFiguresFollowHistoryChanges(t *testing.T) {
	st, a, _ := insightFixture(t)
	ctx := context.Background()
	reqs, _ := st.Requests(ctx, store.RequestFilter{AuthorityID: a.ID, Status: tracker.StatusAwaitingResponse})
	if len(reqs) != 1 {
		t.Fatalf("waiting %v", reqs)
	}
	addEvents(t, st, reqs[0].ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-03"), Outcome: tracker.OutcomeRefused})
	in, _ := st.Insight(ctx, store.InsightFilter{AuthorityIDs: []int64{a.ID}}, day("2026-03-25"))
	if r := in.Rows[0]; r.Answered != 4 || r.Refused != 2 || r.Late != 2 || r.OverdueNow != 0 {
		t.Errorf("after the answer %+v", r)
	}
	evs, _ := st.Events(ctx, reqs[0].ID)
	if err := st.DeleteEvent(ctx, reqs[0].ID, evs[len(evs)-1].ID); err != nil {
		t.Fatal(err)
	}
	in, _ = st.Insight(ctx, store.InsightFilter{AuthorityIDs: []int64{a.ID}}, day("2026-03-25"))
	if r := in.Rows[0]; r.Answered != 3 || r.Refused != 1 || r.OverdueNow != 1 {
		t.Errorf("after deleting the answer %+v", r)
	}
}

func TestInsightFiguresWorkedOutForExistingRequests(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := store.OpenAtVersion(ctx, t, dir, 9)
	if err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland}
	if err := old.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "Gritting", AuthorityID: a.ID}
	if err := old.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	addEvents(t, old, r.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-20"), Outcome: tracker.OutcomeRefused})
	old.Close()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in, err := st.Insight(ctx, store.InsightFilter{}, day("2026-03-25"))
	if err != nil {
		t.Fatal(err)
	}
	if o := in.Overall; o.Answered != 1 || o.Refused != 1 || o.OnTime != 1 || o.MedianDays != 13 {
		t.Fatalf("figures after the upgrade %+v", o)
	}
}
