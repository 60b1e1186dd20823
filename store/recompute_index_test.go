package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestRecomputeReadsTheRequestsFromAnIndex: a recompute reads what it
// needs of the requests (their law and fingerprints) from a covering index,
// not from the whole rows.
func TestRecomputeReadsTheRequestsFromAnIndex(t *testing.T) {
	st, seen := recomputeReads(t)
	checked := 0
	for q, args := range seen {
		if !strings.Contains(q, "FROM requests WHERE id BETWEEN") {
			continue
		}
		checked++
		for _, detail := range queryPlan(t, st, q, args) {
			if !strings.Contains(detail, "COVERING INDEX") {
				t.Errorf("the requests read from the table (%s):\n%s", detail, q)
			}
		}
	}
	if checked < 2 {
		t.Errorf("%d queries of the requests seen, want at least 2 (with and without the days read)", checked)
	}
}

// TestRecomputeReadsTheHistoriesFromAnIndex: a recompute reads the
// histories' events from a covering index, in its order, not each event's
// row from the table (a pass over a million requests read the table's
// pages one at a time, scattered over the file: most of a cold pass).
func TestRecomputeReadsTheHistoriesFromAnIndex(t *testing.T) {
	st, seen := recomputeReads(t)
	checked := 0
	for q, args := range seen {
		if !strings.Contains(q, "FROM request_events") {
			continue
		}
		checked++
		for _, detail := range queryPlan(t, st, q, args) {
			if !strings.Contains(detail, "USING COVERING INDEX request_events_history ") || strings.Contains(detail, "TEMP B-TREE") {
				t.Errorf("the histories not read in the order of their covering index (%s):\n%s", detail, q)
			}
		}
	}
	if checked == 0 {
		t.Error("no query of the histories seen")
	}
}

// recomputeReads is the queries (and their arguments) that recomputes of
// two requests, one with a history, read through the store's readers.
func recomputeReads(t *testing.T) (*store.Store, map[string][]any) {
	t.Helper()
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Barsetshire", tracker.JurisdictionEngland)
	for _, sent := range []string{"2026-06-01", ""} {
		r := tracker.Request{Title: "a request", AuthorityID: a.ID, Law: tracker.UKFOIA}
		var on tracker.Date
		if sent != "" {
			on = tracker.MustParseDate(sent)
		}
		if err := st.CreateRequest(ctx, &r, on); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string][]any{}
	st.TraceReads(func(q string, args []any) {
		mu.Lock()
		seen[q] = args
		mu.Unlock()
	})
	for _, every := range []bool{false, true, false} {
		var err error
		if every {
			_, err = st.RecomputeEvery(ctx)
		} else {
			_, err = st.Recompute(ctx, true)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	st.TraceReads(nil)
	return st, seen
}
