package store_test

import (
	"context"
	"database/sql"

	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// A request's history is what its deadlines are computed from: an edit to a
// lifecycle event, or to the status and dates derived from it, made behind
// the app's back, is caught by VerifyRows at the row, and a clean history
// (with an event deleted through the app) is not.
func TestVerifyRowsCatchesAnEditedHistory(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "alice")
	a := mustAuthority(t, st, "Barsetshire Constabulary", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "ANPR camera locations", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	refusal := tracker.Event{RequestID: r.ID, Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-25"),
		Outcome: tracker.OutcomeRefused, Exemptions: []string{"section 31(1)(a)"}, Note: "refused in full"}
	if err := st.AddEvent(ctx, &refusal); err != nil {
		t.Fatal(err)
	}
	review := tracker.Event{RequestID: r.ID, Kind: tracker.EventReviewRequested, Date: tracker.MustParseDate("2026-03-26")}
	if err := st.AddEvent(ctx, &review); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteEvent(ctx, r.ID, review.ID); err != nil {
		t.Fatal(err)
	}
	if n, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Fatalf("clean store: %d rows, problems %v, err %v", n, p, err)
	}
	events, err := st.Events(ctx, r.ID)
	if err != nil || len(events) != 2 {
		t.Fatalf("history %+v %v", events, err)
	}
	sent := events[0]

	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name, edit, undo, where, detail string
	}{
		{"sent date moved", `UPDATE request_events SET date = '2026-02-02' WHERE id = ?`, `UPDATE request_events SET date = '2026-03-02' WHERE id = ?`,
			"request_events row " + itoa(sent.ID), `date is "2026-02-02", but audit entry`},
		{"outcome changed", `UPDATE request_events SET outcome = 'released_in_full' WHERE id = ?`, `UPDATE request_events SET outcome = 'refused' WHERE id = ?`,
			"request_events row " + itoa(refusal.ID), `outcome is "released_in_full"`},
		{"note added", `UPDATE request_events SET note = 'x' WHERE id = ?`, `UPDATE request_events SET note = 'refused in full' WHERE id = ?`,
			"request_events row " + itoa(refusal.ID), `note is "x"`},
		{"deleted review comes back", `INSERT INTO request_events (id, request_id, kind, date, created_at) VALUES (?, 1, 'review_requested', '2026-03-26', 'x')`,
			`DELETE FROM request_events WHERE id = ?`, "request_events row " + itoa(review.ID), "deleted it, yet it is there"},
		{"status edited", `UPDATE requests SET status = 'closed' WHERE id = ?`, `UPDATE requests SET status = 'answered' WHERE id = ?`,
			"requests row " + itoa(r.ID), `status is "closed", but its history`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := sent.ID
			switch {
			case strings.HasPrefix(tc.where, "requests"):
				id = r.ID
			case strings.Contains(tc.where, itoa(refusal.ID)):
				id = refusal.ID
			case strings.Contains(tc.where, itoa(review.ID)):
				id = review.ID
			}
			if _, err := db.Exec(tc.edit, id); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := db.Exec(tc.undo, id); err != nil {
					t.Fatal(err)
				}
			}()
			_, problems, err := st.VerifyRows(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				if p.Where == tc.where && strings.Contains(p.Detail, tc.detail) {
					return
				}
			}
			t.Fatalf("problems %v, want one at %s saying %q", problems, tc.where, tc.detail)
		})
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Fatalf("after undoing every edit: problems %v, err %v", p, err)
	}
}
