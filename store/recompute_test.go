package store_test

import (
	"context"
	"reflect"
	"sort"
	"strconv"
	"testing"

	"github.com/foitrack/foitrack/internal/plantest"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestRecomputeAfterHolidayChangeTouchesOnlyAffected: a holiday added to
// one calendar's table (as a release adding a proclaimed bank holiday
// would) and `recompute` changes the stored standing of exactly the
// requests whose dates run over that day on that calendar, and writes no
// row of the others, nor of their windows; taking it away again puts them
// back the same way.
func TestRecomputeAfterHolidayChangeTouchesOnlyAffected(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	d := tracker.MustParseDate
	a := mustAuthority(t, st, "Barsetshire", tracker.JurisdictionEngland)
	ids := map[string]int64{}
	mk := func(name string, law tracker.LawCode, sent string, events ...tracker.Event) {
		t.Helper()
		r := tracker.Request{Title: name, AuthorityID: a.ID, Law: law}
		var on tracker.Date
		if sent != "" {
			on = d(sent)
		}
		if err := st.CreateRequest(ctx, &r, on); err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			e.RequestID = r.ID
			if err := st.AddEvent(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		ids[name] = r.ID
	}
	// Monday 15 June 2026 becomes a bank holiday on the uk-any calendar.
	mk("response runs over it", tracker.UKFOIA, "2026-06-01")
	mk("answered before it", tracker.UKFOIA, "2026-03-02", tracker.Event{Kind: tracker.EventResponseReceived, Date: d("2026-03-27"), Outcome: tracker.OutcomeReleasedInFull})
	mk("review window runs over it", tracker.UKFOIA, "2026-04-01", tracker.Event{Kind: tracker.EventResponseReceived, Date: d("2026-04-28"), Outcome: tracker.OutcomeRefused})
	mk("sent after it", tracker.UKFOIA, "2026-08-03")
	mk("US calendar", tracker.USFOIA, "2026-06-01")
	mk("Scottish calendar", tracker.ScotFOISA, "2026-06-01")
	mk("draft", tracker.UKFOIA, "")

	// Every write to a request's row or its windows from now on is logged.
	w := st.Writer()
	for _, q := range []string{
		`CREATE TABLE touched (what TEXT, request_id INTEGER)`,
		`CREATE TRIGGER touched_request AFTER UPDATE ON requests BEGIN INSERT INTO touched VALUES ('request', NEW.id); END`,
		`CREATE TRIGGER touched_window_i AFTER INSERT ON request_windows BEGIN INSERT INTO touched VALUES ('window', NEW.request_id); END`,
		`CREATE TRIGGER touched_window_u AFTER UPDATE ON request_windows BEGIN INSERT INTO touched VALUES ('window', NEW.request_id); END`,
		`CREATE TRIGGER touched_window_d AFTER DELETE ON request_windows BEGIN INSERT INTO touched VALUES ('window', OLD.request_id); END`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	touched := func() []string {
		t.Helper()
		rows, err := w.Query(`SELECT DISTINCT r.title FROM touched JOIN requests r ON r.id = touched.request_id ORDER BY r.title`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		if _, err := w.Exec(`DELETE FROM touched`); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// stale lists the requests whose stored plan or due date is not what a
	// fresh computation gives.
	stale := func() []string {
		t.Helper()
		var out []string
		for name, id := range ids {
			got, err := st.StoredPlan(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			r, err := st.RequestByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			events, _ := st.Events(ctx, id)
			law, _ := tracker.LawByCode(r.Law)
			if !reflect.DeepEqual(got, plantest.FreshPlan(t, st, id)) || !r.DueDate.Equal(tracker.ComputeDeadlines(law, events).NextDue().Date) {
				out = append(out, name)
			}
		}
		sort.Strings(out)
		return out
	}
	recompute := func(wantChanged int) {
		t.Helper()
		res, err := st.Recompute(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests != len(ids) || res.Changed != wantChanged {
			t.Errorf("recompute: %+v, want %d requests, %d changed", res, len(ids), wantChanged)
		}
	}
	affected := []string{"response runs over it", "review window runs over it"}

	recompute(0)
	if got := touched(); got != nil {
		t.Fatalf("a recompute with nothing changed wrote %v", got)
	}

	undo := tracker.AddHoliday(tracker.CalendarUK, d("2026-06-15"), "Bank holiday for a test")
	defer undo()
	if got := stale(); !reflect.DeepEqual(got, affected) {
		t.Fatalf("with the new holiday the stale requests are %v, want %v", got, affected)
	}
	before, _ := st.RequestByID(ctx, ids["response runs over it"])
	recompute(2)
	if got := touched(); !reflect.DeepEqual(got, affected) {
		t.Errorf("recompute after the holiday was added wrote %v, want exactly %v", got, affected)
	}
	if got := stale(); got != nil {
		t.Errorf("after the recompute these still differ from a fresh computation: %v", got)
	}
	after, _ := st.RequestByID(ctx, ids["response runs over it"])
	if before.DueDate.String() != "2026-06-29" || after.DueDate.String() != "2026-06-30" {
		t.Errorf("due date %s → %s, want 2026-06-29 → 2026-06-30", before.DueDate, after.DueDate)
	}

	undo()
	recompute(2)
	if got := touched(); !reflect.DeepEqual(got, affected) {
		t.Errorf("recompute after the holiday was taken away wrote %v, want exactly %v", got, affected)
	}
	if got := stale(); got != nil {
		t.Errorf("after the second recompute these still differ from a fresh computation: %v", got)
	}
	if r, _ := st.RequestByID(ctx, ids["response runs over it"]); r.DueDate.String() != "2026-06-29" {
		t.Errorf("due date back to %s, want 2026-06-29", r.DueDate)
	}
}

// TestRecomputeWorksOutOnlyChangedInputs: a recompute of every request
// works out again only the standings whose inputs (the history and the
// replies awaiting confirmation) changed since they were stored, while the
// rules are those of its last pass; a history changed behind the store's
// back is still caught, a holiday added (new rules) works out again only
// the requests whose dates run over it, and RecomputeEvery works out
// every one.
func TestRecomputeWorksOutOnlyChangedInputs(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	d := tracker.MustParseDate
	a := mustAuthority(t, st, "Barsetshire", tracker.JurisdictionEngland)
	var ids []int64
	for i, sent := range []string{"2026-06-01", "2026-03-02", "2026-04-01", ""} {
		r := tracker.Request{Title: "request " + strconv.Itoa(i), AuthorityID: a.ID, Law: tracker.UKFOIA}
		var on tracker.Date
		if sent != "" {
			on = d(sent)
		}
		if err := st.CreateRequest(ctx, &r, on); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	recompute := func(every bool, want store.RecomputeResult) {
		t.Helper()
		res, err := st.Recompute(ctx, true)
		if every {
			res, err = st.RecomputeEvery(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		if res != want {
			t.Errorf("recompute (every: %v): %+v, want %+v", every, res, want)
		}
		for _, id := range ids {
			if got := plantest.FreshPlan(t, st, id); !reflect.DeepEqual(mustStoredPlan(t, st, id), got) {
				t.Errorf("request %d: the stored plan is not a fresh one's after the recompute", id)
			}
		}
	}
	// The first pass has no rules of a last pass to go by.
	recompute(false, store.RecomputeResult{Requests: 4, WorkedOut: 4})
	recompute(false, store.RecomputeResult{Requests: 4})

	// A change through the store stores the new inputs with the standing.
	if err := st.AddEvent(ctx, &tracker.Event{RequestID: ids[1], Kind: tracker.EventResponseReceived, Date: d("2026-03-20"),
		Outcome: tracker.OutcomeRefused}); err != nil {
		t.Fatal(err)
	}
	recompute(false, store.RecomputeResult{Requests: 4})

	// A history changed behind the store's back is worked out again.
	if _, err := st.Writer().Exec(`UPDATE request_events SET date = '2026-06-08' WHERE request_id = ? AND kind = 'sent'`, ids[0]); err != nil {
		t.Fatal(err)
	}
	recompute(false, store.RecomputeResult{Requests: 4, WorkedOut: 1, Changed: 1})
	recompute(false, store.RecomputeResult{Requests: 4})

	// New rules: the requests whose dates run over the new holiday are
	// worked out (here one), and rewritten.
	undo := tracker.AddHoliday(tracker.CalendarUK, d("2026-06-15"), "Bank holiday for a test")
	defer undo()
	recompute(false, store.RecomputeResult{Requests: 4, WorkedOut: 1, Changed: 1})
	recompute(false, store.RecomputeResult{Requests: 4})
	recompute(true, store.RecomputeResult{Requests: 4, WorkedOut: 4})
}

func mustStoredPlan(t *testing.T, st *store.Store, id int64) tracker.Plan {
	t.Helper()
	p, err := st.StoredPlan(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
