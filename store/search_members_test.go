package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestRequestSearchMembersAreTheQuerys: the request list's search box finds
// a match's request from the match's rowid and the item's own row; that is
// the index's request_id column for every row (the triggers keep the two in
// step), and the set worked out once (RequestSearchMembers, which the page
// passes to its count and its rows) lists and counts what the query does
// on its own.
func TestRequestSearchMembersAreTheQuerys(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	if _, err := seed.Run(ctx, st, seed.Options{Requests: 80, Messages: 240, Seed: 7, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	var rows, differ int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(COALESCE(CASE f.rowid % 8
			WHEN 1 THEN f.rowid / 8
			WHEN 2 THEN (SELECT m.request_id FROM mail_messages m WHERE m.id = f.rowid / 8)
			WHEN 3 THEN (SELECT d.request_id FROM documents d WHERE d.id = f.rowid / 8)
			WHEN 6 THEN (SELECT e.request_id FROM request_events e WHERE e.id = f.rowid / 8) END, 0) <> f.request_id), 0)
		FROM search_index f WHERE f.rowid % 8 IN (1, 2, 3, 6)`).Scan(&rows, &differ); err != nil {
		t.Fatal(err)
	}
	if rows < 200 || differ != 0 {
		t.Fatalf("%d of %d index rows name another request than their item's", differ, rows)
	}

	found := 0
	for _, q := range []string{"police", "information", "request", `"internal review"`, "inform*", "police -council",
		"police law:uk-foia", "information status:closed", "exemption:s31", "-police", "zzqxnotaword", "authority:police"} {
		f := store.RequestFilter{Query: q, Limit: 1000}
		direct, err := st.Requests(ctx, f)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		directCount, err := st.CountRequests(ctx, f)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		members, err := st.RequestSearchMembers(ctx, q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		f.QueryMembers = members
		viaSet, err := st.Requests(ctx, f)
		if err != nil {
			t.Fatalf("%q with its members: %v", q, err)
		}
		setCount, err := st.CountRequests(ctx, f)
		if err != nil {
			t.Fatalf("%q with its members: %v", q, err)
		}
		ids := func(list []tracker.Request) []int64 {
			var out []int64
			for _, r := range list {
				out = append(out, r.ID)
			}
			return out
		}
		if !slices.Equal(ids(direct), ids(viaSet)) || directCount != setCount {
			t.Errorf("%q: on its own %d rows (count %d) %v; through its members %d rows (count %d) %v",
				q, len(direct), directCount, ids(direct), len(viaSet), setCount, ids(viaSet))
		}
		if directCount != len(direct) {
			t.Errorf("%q: count %d, rows %d", q, directCount, len(direct))
		}
		found += len(direct)
	}
	if found == 0 {
		t.Fatal("no query found anything: the comparison proves nothing")
	}
}
