package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
)

// mailIDs are the messages' ids, in the list's order.
func mailIDs(list []store.MailMessage) []int64 {
	var out []int64
	for _, m := range list {
		out = append(out, m.ID)
	}
	return out
}

// The mail list's search box worked out once (SelectMail, passed to the
// count and the pages as Selected) counts and lists what the filter does on
// its own, in every view, a page at a time in both directions.
func TestMailSelectionListsAndCountsAsTheQuery(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 60, Messages: 400, Seed: 6, Password: "correct horse battery"})
	views := []store.MailFilter{
		{Direction: "in"},
		{Direction: "in", State: store.MailUnmatched},
		{Direction: "in", States: []string{store.MailFailed, store.MailOverLimit}},
		{Direction: "in", State: store.MailNotFOI},
		{Direction: "out"},
		{},
	}
	found := 0
	for _, q := range []string{"police", "information", "request", `"internal review"`, "inform*", "police -council", "zzqxnotaword", "-police"} {
		for _, view := range views {
			f := view
			f.Query = q
			name := fmt.Sprintf("%q in %+v", q, view)
			direct, err := st.MailMessages(ctx, f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			directCount, err := st.CountMail(ctx, f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if directCount != len(direct) {
				t.Fatalf("%s: count %d, rows %d", name, directCount, len(direct))
			}
			found += len(direct)
			sel, err := st.SelectMail(ctx, f)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if q == "-police" { // no words to look for: nothing selected, nothing to pass
				if sel != nil {
					t.Fatalf("%s: selection %v, want nil", name, sel)
				}
				continue
			}
			f.Selected = sel
			if n, err := st.CountMail(ctx, f); err != nil || n != directCount {
				t.Fatalf("%s: counted %d (%v) through the selection, %d on its own", name, n, err, directCount)
			}
			// Page by page, forwards, then back from the end.
			var forward []int64
			f.Limit = 7
			var cursors []store.Cursor
			for c := (store.Cursor{}); ; {
				f.Cursor = c
				page, err := st.MailMessages(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				plain := f
				plain.Selected = nil
				want, err := st.MailMessages(ctx, plain)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !slices.Equal(mailIDs(page), mailIDs(want)) {
					t.Fatalf("%s after %+v: %v through the selection, %v on its own", name, c, mailIDs(page), mailIDs(want))
				}
				forward = append(forward, mailIDs(page)...)
				if len(page) < f.Limit {
					break
				}
				cursors = append(cursors, c)
				c = store.Cursor{ID: page[len(page)-1].ID}
			}
			if !slices.Equal(forward, mailIDs(direct)) {
				t.Fatalf("%s: pages %v, the whole list %v", name, forward, mailIDs(direct))
			}
			if len(forward) > 0 {
				f.Cursor = store.Cursor{ID: forward[len(forward)-1], Back: true}
				back, err := st.MailMessages(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if want := forward[max(0, len(forward)-1-f.Limit) : len(forward)-1]; !slices.Equal(mailIDs(back), want) {
					t.Fatalf("%s: back from the last %v, want %v", name, mailIDs(back), want)
				}
			}
		}
	}
	if found == 0 {
		t.Fatal("no query found anything: the comparison proves nothing")
	}
}

// A page that counts and lists a search reads the matches' rows once:
// the count is the selection's length (no query), and the page reads its
// own rows only, not every match's.
func TestMailSelectionIsCountedWithoutAQuery(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 60, Messages: 400, Seed: 6, Password: "correct horse battery"})
	f := store.MailFilter{Direction: "in", Query: "information", Limit: 5}
	sel, err := st.SelectMail(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(sel) <= f.Limit {
		t.Fatalf("%d messages selected: too few to show a page reading fewer", len(sel))
	}
	f.Selected = sel
	var mu sync.Mutex
	var queries []string
	var idsRead int
	st.TraceReads(func(q string, args []any) {
		mu.Lock()
		defer mu.Unlock()
		queries = append(queries, q)
		for _, a := range args {
			var ids []int64
			if s, ok := a.(string); ok && strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &ids) == nil {
				idsRead = max(idsRead, len(ids))
			}
		}
	})
	defer st.TraceReads(nil)
	n, err := st.CountMail(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if n != len(sel) || len(queries) != 0 {
		t.Errorf("counted %d of %d selected with the queries %q", n, len(sel), queries)
	}
	queries = nil
	mu.Unlock()
	page, err := st.MailMessages(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(page) != f.Limit || idsRead > f.Limit {
		t.Errorf("a page of %d (of %d selected) read %d messages' ids (%q)", len(page), len(sel), idsRead, queries)
	}
}

// The mail list's search box reads the index in one walk, from the
// newest message down (listSearchBackwards): not a search for the kind's
// newest row and then windows, each a query.
func TestMailSearchWalksTheIndexOnce(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 60, Messages: 400, Seed: 6, Password: "correct horse battery"})
	for _, q := range []string{"police", "zzqxnotaword", `"internal review"`} {
		var mu sync.Mutex
		var walks []string
		st.TraceReads(func(q string, _ []any) {
			mu.Lock()
			defer mu.Unlock()
			if strings.Contains(q, "MATCH") {
				walks = append(walks, q)
			}
		})
		_, err := st.SelectMail(ctx, store.MailFilter{Direction: "in", Query: q})
		st.TraceReads(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(walks) != 1 {
			t.Errorf("%q: %d queries of the index, want 1: %q", q, len(walks), walks)
		}
	}
}
