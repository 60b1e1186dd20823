package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// handInsight counts the figures of each group (the SQL expression group
// over the requests) in a pass over every request, as the insight pages
// did before the counts were kept.
func handInsight(t *testing.T, st *store.Store, group string, today tracker.Date) map[string]store.InsightRow {
	t.Helper()
	ctx := context.Background()
	rows, err := st.Reader().QueryContext(ctx, `SELECT `+group+`, count(*), count(sent_on), count(responded_on),
			total(responded_on <= response_due_on), total(responded_on > response_due_on), total(due_date < ?),
			total(first_outcome = 'released_in_full'), total(first_outcome = 'released_in_part'), total(first_outcome = 'refused'),
			total(first_outcome = 'not_held'), total(first_outcome = 'neither_confirm_nor_deny'),
			total(sent_on IS NOT NULL AND responded_on IS NULL AND status NOT IN ('withdrawn', 'closed')),
			total(review_outcome <> ''), total(review_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')),
			total(regulator_outcome <> ''), total(regulator_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld'))
		FROM requests GROUP BY 1`, today.String())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.InsightRow{}
	for rows.Next() {
		var r store.InsightRow
		var f [13]float64
		if err := rows.Scan(&r.Key, &r.Requests, &r.Sent, &r.Answered, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8],
			&f[9], &f[10], &f[11], &f[12]); err != nil {
			t.Fatal(err)
		}
		r.OnTime, r.Late, r.OverdueNow, r.ReleasedInFull, r.ReleasedInPart, r.Refused, r.NotHeld, r.NCND, r.Awaiting,
			r.Reviews, r.ReviewsOverturned, r.Regulator, r.RegulatorOverturned =
			int(f[0]), int(f[1]), int(f[2]), int(f[3]), int(f[4]), int(f[5]), int(f[6]), int(f[7]), int(f[8]), int(f[9]), int(f[10]), int(f[11]), int(f[12])
		out[r.Key] = r
	}
	rows.Close()
	for key, r := range out {
		for _, col := range []string{"response_days", "review_days"} {
			var days []int
			drows, err := st.Reader().QueryContext(ctx, `SELECT `+col+` FROM requests WHERE `+group+` = ? AND `+col+` >= 0 ORDER BY 1`, key)
			if err != nil {
				t.Fatal(err)
			}
			for drows.Next() {
				var d int
				if err := drows.Scan(&d); err != nil {
					t.Fatal(err)
				}
				days = append(days, d)
			}
			drows.Close()
			if len(days) == 0 {
				continue
			}
			// Median; 90th percentile by nearest rank.
			n := len(days)
			median := float64(days[(n+1)/2-1]+days[(n+2)/2-1]) / 2
			p90 := days[(9*n+9)/10-1]
			if col == "response_days" {
				r.MedianDays, r.P90Days, r.HasDays = median, p90, true
			} else {
				r.ReviewMedianDays, r.ReviewP90Days, r.HasReviewDays = median, p90, true
			}
		}
		out[key] = r
	}
	return out
}

// handExemptions counts each exemption once per request, and the section
// most cited by refused requests, over every claim of the requests cond
// (over r) takes.
func handExemptions(t *testing.T, st *store.Store, cond string, args ...any) ([]store.ExemptionCount, string, int) {
	t.Helper()
	ctx := context.Background()
	rows, err := st.Reader().QueryContext(ctx, `SELECT c.law, c.code, count(DISTINCT c.request_id) FROM exemption_claims c
		JOIN requests r ON r.id = c.request_id WHERE `+cond+` GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 15`, args...)
	if err != nil {
		t.Fatal(err)
	}
	out := []store.ExemptionCount{}
	for rows.Next() {
		var c store.ExemptionCount
		if err := rows.Scan(&c.Law, &c.Code, &c.Requests); err != nil {
			t.Fatal(err)
		}
		c.Claims = c.Requests
		out = append(out, c)
	}
	rows.Close()
	var section string
	var n int
	st.Reader().QueryRowContext(ctx, `SELECT CASE WHEN instr(c.code, '(') > 1 THEN substr(c.code, 1, instr(c.code, '(') - 1) ELSE c.code END AS s,
			count(DISTINCT r.id) AS n
		FROM requests r JOIN exemption_claims c ON c.request_id = r.id WHERE `+cond+` AND r.first_outcome = 'refused'
		GROUP BY s ORDER BY n DESC, s LIMIT 1`, args...).Scan(&section, &n)
	return out, section, n
}

// checkExemptions compares in's exemption figures with handExemptions.
func checkExemptions(t *testing.T, st *store.Store, after, what string, in store.Insight, cond string, args ...any) {
	t.Helper()
	ex, section, n := handExemptions(t, st, cond, args...)
	if !reflect.DeepEqual(in.Exemptions, ex) {
		t.Errorf("after %s: %s exemptions\n got %+v\nwant %+v", after, what, in.Exemptions, ex)
	}
	if in.RefusedUnder != section || in.RefusedUnderCount != n {
		t.Errorf("after %s: %s refused under %q (%d), want %q (%d)", after, what, in.RefusedUnder, in.RefusedUnderCount, section, n)
	}
}

// sameFigures compares the figures of two rows (not their keys and names).
func sameFigures(a, b store.InsightRow) bool {
	a.Key, a.Name, b.Key, b.Name = "", "", "", ""
	return a == b
}

// checkInsight compares the insight figures (overall, by authority, by
// law, one authority's and one law's) with a pass over every request.
func checkInsight(t *testing.T, st *store.Store, after string, authority int64, today tracker.Date) {
	t.Helper()
	ctx := context.Background()
	in, err := st.Insight(ctx, store.InsightFilter{}, today)
	if err != nil {
		t.Fatal(err)
	}
	checkAuthoritiesWithRequests(t, st, after)
	overall := handInsight(t, st, "''", today)
	want := overall[""]
	if !sameFigures(in.Overall, want) {
		t.Errorf("after %s: overall\n got %+v\nwant %+v", after, in.Overall, want)
	}
	checkExemptions(t, st, after, "all", in, "1 = 1")
	for _, g := range []struct {
		group string
		rows  []store.InsightRow
	}{{"CAST(authority_id AS TEXT)", in.Rows}, {"law", in.Laws}} {
		hand := handInsight(t, st, g.group, today)
		if len(g.rows) != len(hand) {
			t.Errorf("after %s: %d rows by %s, counted %d", after, len(g.rows), g.group, len(hand))
		}
		for _, r := range g.rows {
			if !sameFigures(r, hand[r.Key]) {
				t.Errorf("after %s: %s %s\n got %+v\nwant %+v", after, g.group, r.Key, r, hand[r.Key])
			}
		}
	}
	one, err := st.Insight(ctx, store.InsightFilter{AuthorityIDs: []int64{authority}}, today)
	if err != nil {
		t.Fatal(err)
	}
	checkExemptions(t, st, after, "the authority's", one, "r.authority_id = ?", authority)
	key := fmt.Sprint(authority)
	if hand := handInsight(t, st, "CAST(authority_id AS TEXT)", today)[key]; len(one.Rows) != 1 && hand.Requests > 0 || len(one.Rows) == 1 && !sameFigures(one.Rows[0], hand) {
		t.Errorf("after %s: authority %d\n got %+v\nwant %+v", after, authority, one.Rows, hand)
	}
	eir, err := st.Insight(ctx, store.InsightFilter{Law: tracker.UKEIR}, today)
	if err != nil {
		t.Fatal(err)
	}
	checkExemptions(t, st, after, "EIR", eir, "r.law = ?", string(tracker.UKEIR))
	for _, authorityID := range []int64{0, authority} {
		counts, err := st.ExemptionCounts(ctx, authorityID)
		if err != nil {
			t.Fatal(err)
		}
		cond, args := "1 = 1", []any{}
		if authorityID != 0 {
			cond, args = "r.authority_id = ?", []any{authorityID}
		}
		if hand, _, _ := handExemptions(t, st, cond, args...); len(counts)+len(hand) > 0 && !reflect.DeepEqual(counts, hand) {
			t.Errorf("after %s: exemption counts of authority %d\n got %+v\nwant %+v", after, authorityID, counts, hand)
		}
		for _, c := range counts {
			got, all, err := st.ExemptionClaimants(ctx, c.Law, c.Code, 0)
			if err != nil {
				t.Fatal(err)
			}
			var want []store.ExemptionClaimant
			rows, err := st.Reader().QueryContext(ctx, `SELECT a.id, a.name, count(DISTINCT c.request_id) FROM exemption_claims c
				JOIN requests r ON r.id = c.request_id JOIN authorities a ON a.id = r.authority_id
				WHERE c.law = ? AND c.code = ? GROUP BY a.id ORDER BY 3 DESC, a.name`, string(c.Law), c.Code)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var w store.ExemptionClaimant
				if err := rows.Scan(&w.AuthorityID, &w.AuthorityName, &w.Claims); err != nil {
					t.Fatal(err)
				}
				want = append(want, w)
			}
			rows.Close()
			if !reflect.DeepEqual(got, want) || all != len(want) {
				t.Errorf("after %s: claimants of %s %s\n got %+v (%d)\nwant %+v", after, c.Law, c.Code, got, all, want)
			}
		}
	}
	if hand := handInsight(t, st, "law", today)[string(tracker.UKEIR)]; !sameFigures(eir.Overall, hand) && !(hand.Requests == 0 && eir.Overall.Requests == 0) {
		t.Errorf("after %s: EIR overall\n got %+v\nwant %+v", after, eir.Overall, hand)
	}
}

// The insight figures are kept as counts by the writes themselves: after
// each kind of write to a request (created, sent, answered, reviewed,
// taken to the regulator, exemptions claimed on a document, the claims
// moved to another request and back, the document deleted, its history
// changed, moved to another authority or law, closed, its authority
// renamed, deleted with its claims) they are what a pass over every
// request counts.
func TestInsightCountsFollowEveryWrite(t *testing.T) {
	st, a, b := insightFixture(t)
	ctx := context.Background()
	today := day("2026-03-25")
	checkInsight(t, st, "the fixture", a.ID, today)

	r := tracker.Request{Title: "Salt stocks", AuthorityID: b.ID}
	if err := st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	checkInsight(t, st, "a draft", b.ID, today)
	addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventSent, Date: day("2026-02-02")})
	checkInsight(t, st, "sending it", b.ID, today)
	addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-16"), Outcome: tracker.OutcomeRefused,
		Exemptions: []string{"s43(2)"}})
	checkInsight(t, st, "a late refusal", b.ID, today)
	addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventReviewRequested, Date: day("2026-03-17")},
		tracker.Event{Kind: tracker.EventReviewOutcome, Date: day("2026-03-24"), Outcome: tracker.OutcomePartlyUpheld})
	checkInsight(t, st, "a review", b.ID, today)
	addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventRegulatorComplaint, Date: day("2026-03-24")},
		tracker.Event{Kind: tracker.EventRegulatorDecision, Date: day("2026-03-25"), Outcome: tracker.OutcomeComplaintUpheld})
	checkInsight(t, st, "a regulator's decision", b.ID, today)
	doc := tracker.Document{RequestID: r.ID, Filename: "pricing", Disposition: tracker.DispositionWithheld, Exemptions: []string{"s43(2)", "s43(1)", "s41"}}
	if err := st.AddDocument(ctx, &doc, nil, 0); err != nil {
		t.Fatal(err)
	}
	checkInsight(t, st, "a withheld document citing exemptions", b.ID, today)
	// A claim moved to another request (as a message's documents move
	// with it), and back.
	var other int64
	if err := st.Reader().QueryRowContext(ctx, `SELECT min(id) FROM requests WHERE authority_id = ?`, a.ID).Scan(&other); err != nil {
		t.Fatal(err)
	}
	for _, to := range []int64{other, r.ID} {
		if err := st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE exemption_claims SET request_id = ? WHERE document_id = ?`, to, doc.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		checkInsight(t, st, fmt.Sprintf("moving the document's claims to request %d", to), a.ID, today)
	}
	if _, err := st.DeleteDocument(ctx, doc.ID); err != nil {
		t.Fatal(err)
	}
	checkInsight(t, st, "deleting the document", b.ID, today)
	doc = tracker.Document{RequestID: r.ID, Filename: "contract", Disposition: tracker.DispositionWithheld, Exemptions: []string{"s43(2)"}}
	if err := st.AddDocument(ctx, &doc, nil, 0); err != nil {
		t.Fatal(err)
	}
	checkInsight(t, st, "another withheld document", b.ID, today)
	evs, err := st.Events(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == tracker.EventResponseReceived {
			if err := st.DeleteEvent(ctx, r.ID, e.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkInsight(t, st, "deleting the response", b.ID, today)

	r, err = st.RequestByID(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.AuthorityID, r.Law = a.ID, tracker.UKEIR
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	checkInsight(t, st, "moving it to another authority and law", a.ID, today)
	addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventClosed, Date: day("2026-03-25")})
	checkInsight(t, st, "closing it", a.ID, today)
	b.Name = "Ambridge and District Parish Council"
	if err := st.UpdateAuthority(ctx, &b); err != nil {
		t.Fatal(err)
	}
	checkInsight(t, st, "renaming an authority", b.ID, today)
	if err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM requests WHERE id = ?`, r.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	checkInsight(t, st, "deleting it", a.ID, today)
	checkInsight(t, st, "a later day", a.ID, day("2026-06-01"))

	// An authority is offered as a filter from its first request until its
	// last is gone.
	c := mustAuthority(t, st, "Loxley Barrett School", tracker.JurisdictionEngland)
	checkAuthoritiesWithRequests(t, st, "adding an authority")
	rc := tracker.Request{Title: "School lunches", AuthorityID: c.ID}
	if err := st.CreateRequest(ctx, &rc, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	checkAuthoritiesWithRequests(t, st, "its first request")
	if err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM requests WHERE id = ?`, rc.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	checkAuthoritiesWithRequests(t, st, "its only request deleted")
}

// Insight without a batch, and the exemptions catalogue's counts and
// claimants, read the kept counts: no query passes over the requests (only
// the range of those with a due date before the day, for the figures that
// depend on it), nor reads the exemptions claimed.
func TestInsightReadsNoPassOverTheRequests(t *testing.T) {
	st, a, _ := insightFixture(t)
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[string][]any{}
	st.TraceReads(func(q string, args []any) {
		mu.Lock()
		seen[q] = args
		mu.Unlock()
	})
	for _, f := range []store.InsightFilter{{}, {AuthorityIDs: []int64{a.ID}}, {Law: tracker.UKEIR}} {
		if _, err := st.Insight(ctx, f, day("2026-03-25")); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{0, a.ID} {
		if _, err := st.ExemptionCounts(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.ExemptionClaimants(ctx, tracker.UKFOIA, "s31(1)(a)", 10); err != nil {
		t.Fatal(err)
	}
	st.TraceReads(nil)
	mu.Lock()
	defer mu.Unlock()
	for q, args := range seen {
		if strings.Contains(q, "exemption_claims") {
			t.Errorf("reads the claims:\n%s", q)
		}
		overRequests := strings.Contains(q, "FROM requests r") || strings.Contains(q, "JOIN requests r")
		overClaims := strings.Contains(q, "exemption_claims c")
		for _, detail := range queryPlan(t, st, q, args) {
			// A search of r by authority (the index's prefix) reads each
			// of its requests.
			if overRequests && (strings.HasPrefix(detail, "SCAN r") || strings.HasPrefix(detail, "SEARCH r USING COVERING INDEX requests_insight")) ||
				overClaims && strings.HasPrefix(detail, "SCAN c") {
				t.Errorf("a pass over the requests or claims (%s):\n%s", detail, q)
			}
		}
	}
}

// queryPlan is the detail of each step of SQLite's plan for q.
func queryPlan(t *testing.T, st *store.Store, q string, args []any) []string {
	t.Helper()
	rows, err := st.Reader().QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAuthoritiesWithRequests: the request filter's and insight chooser's
// authorities, read from the kept counts, are those with a request.
func checkAuthoritiesWithRequests(t *testing.T, st *store.Store, after string) {
	t.Helper()
	ctx := context.Background()
	with, err := st.AuthoritiesWithRequests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range with {
		got = append(got, fmt.Sprint(a.ID))
	}
	rows, err := st.Reader().QueryContext(ctx, `SELECT a.id FROM authorities a
		WHERE EXISTS (SELECT 1 FROM requests r WHERE r.authority_id = a.id) ORDER BY a.name COLLATE NOCASE`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want []string
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		want = append(want, fmt.Sprint(id))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after %s: authorities with requests %v, want %v", after, got, want)
	}
}
