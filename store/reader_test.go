package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// The readers keep the statements they run, but not one with a page's ids
// written into its text: each page would take a place in the cache for
// good, and a server running for days would fill it. A fixed text, its
// list's placeholders included, is still kept.
func TestReaderKeepsNoStatementWithItsIDsInItsText(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland}
	if err := s.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	words := []string{"gritting", "potholes", "allotments"}
	for i, w := range words {
		r := tracker.Request{Title: "Winter " + w, AuthorityID: a.ID, Body: "Please send the " + w + " records."}
		if err := s.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02").AddDays(i)); err != nil {
			t.Fatal(err)
		}
	}
	// The search page reads its hits by their rowids, written into the text.
	for _, w := range words {
		res, err := s.Search(ctx, ParseSearchQuery(w), SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			t.Fatalf("search %q found nothing", w)
		}
	}
	for _, ids := range [][2]int{{1, 2}, {2, 3}, {1, 3}} {
		var n int
		q := fmt.Sprintf("SELECT count(*) FROM requests WHERE id IN (%d,%d)", ids[0], ids[1])
		if err := s.r.QueryRowContext(ctx, q).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%s: %d, %v", q, n, err)
		}
	}
	var n int
	fixed := "SELECT count(*) FROM requests WHERE id IN (?, ?)"
	if err := s.r.QueryRowContext(ctx, fixed, 1, 2).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%s: %d, %v", fixed, n, err)
	}
	s.r.mu.RLock()
	defer s.r.mu.RUnlock()
	for q := range s.r.stmts {
		if holdsItsIDs(q) {
			t.Errorf("kept a statement with its ids in its text:\n%s", q)
		}
	}
	if _, ok := s.r.stmts[fixed]; !ok {
		t.Errorf("a fixed text was not kept: %s", fixed)
	}
}

func TestHoldsItsIDs(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1 FROM t WHERE id IN (1,2)":                               true,
		"SELECT 1 FROM t WHERE a IN ('x') AND id IN (40)":                 true,
		"SELECT 1 FROM t WHERE id IN (?, ?)":                              false,
		"SELECT 1 FROM t WHERE who IN ('authority', 'regulator')":         false,
		"SELECT 1 FROM t WHERE id IN (SELECT id FROM u)":                  false,
		"SELECT CASE WHEN rowid IN (7,9) THEN rank END FROM search_index": true,
	} {
		if got := holdsItsIDs(q); got != want {
			t.Errorf("holdsItsIDs(%q) = %v, want %v", q, got, want)
		}
	}
}

// A list page reads its requests, and their states, windows and events, by
// one text whatever the number of its ids (the last page of a list is shorter): a
// text for each number would each take a place in the cache.
func TestReaderKeepsOneTextForAPageOfAnyLength(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland}
	if err := s.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 4 {
		r := tracker.Request{Title: fmt.Sprintf("Gritting %d", i), AuthorityID: a.ID, Body: "Please send the gritting records."}
		if err := s.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02").AddDays(i)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	kept := func() int {
		s.r.mu.RLock()
		defer s.r.mu.RUnlock()
		return len(s.r.stmts)
	}
	var after1 int
	for n := 1; n <= len(ids); n++ {
		page := ids[:n]
		states, err := s.ListStates(ctx, page, tracker.MustParseDate("2026-04-01"))
		if err != nil || len(states) != n {
			t.Fatalf("%d ids: %d states, %v", n, len(states), err)
		}
		windows, err := s.WindowsOf(ctx, page)
		if err != nil || len(windows) != n {
			t.Fatalf("%d ids: windows of %d, %v", n, len(windows), err)
		}
		events, err := s.EventsByRequest(ctx, page)
		if err != nil || len(events) != n {
			t.Fatalf("%d ids: events of %d, %v", n, len(events), err)
		}
		reqs, err := s.Requests(ctx, RequestFilter{IDs: page, Limit: n})
		if err != nil || len(reqs) != n {
			t.Fatalf("%d ids: %d requests, %v", n, len(reqs), err)
		}
		if n == 1 {
			after1 = kept()
		} else if k := kept(); k != after1 {
			t.Fatalf("%d ids: %d statements kept, %d after one id: a text for each length", n, k, after1)
		}
	}
}
