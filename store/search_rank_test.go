package store_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// bm25 ranks the newest candidates only (searchRankedCandidates): the best
// of them first, then the older ones newest first, whatever their match;
// counted all the same.
func TestSearchRanksTheNewestCandidates(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	var ids []string
	// The best match for "badger" (in the title, short) is the oldest; of
	// the three newest, the third newest.
	for _, r := range []tracker.Request{
		{Title: "Badger", Body: "badger", AuthorityID: a.ID},
		{Title: "Setts", Body: "a long text about setts, fields and one badger among many other words", AuthorityID: a.ID},
		{Title: "Badger roads", Body: "roads and a badger", AuthorityID: a.ID},
		{Title: "Culls", Body: "a long text about culls, farms and one badger among many other words", AuthorityID: a.ID},
		{Title: "Farms", Body: "a long text about farms, cattle and one badger among many other words", AuthorityID: a.ID},
	} {
		if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, "request:"+idStr(r.ID))
	}
	query := "badger"
	search := func() store.SearchResult {
		t.Helper()
		res, err := st.Search(ctx, store.ParseSearchQuery(query), store.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	hits := func(res store.SearchResult) string {
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Kind+":"+idStr(h.ID))
		}
		return strings.Join(got, " ")
	}
	if res := search(); !res.Ranked || res.Total != 5 || !strings.HasPrefix(hits(res), ids[0]+" "+ids[2]+" ") {
		t.Fatalf("all ranked: %v (total %d, ranked %v); want the short title, then the two-word one first", hits(res), res.Total, res.Ranked)
	}
	store.SetSearchRankedCandidates(t, 3)
	// A prefix is ranked as its candidates are found (rankInWalk), a word
	// after: the same order.
	for _, query = range []string{"badger", "badg*"} {
		res := search()
		got := strings.Fields(hits(res))
		if !res.Ranked || res.Total != 5 || len(got) != 5 || got[0] != ids[2] || got[3] != ids[1] || got[4] != ids[0] {
			t.Fatalf("%s, the newest 3 ranked: %v (total %d, ranked %v); want %s first (the best of the newest three), then %s, %s", query, got, res.Total, res.Ranked, ids[2], ids[1], ids[0])
		}
	}
	// A page past the ranked ones: the older ones, newest first.
	res, err := st.Search(ctx, store.ParseSearchQuery("badger"), store.SearchOptions{Offset: 3, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if h := hits(res); h != ids[1]+" "+ids[0] {
		t.Fatalf("page 2 of 3: %v, want %s %s", h, ids[1], ids[0])
	}
}

// A page's snippets are made in the index itself (one pass over the
// matches between its oldest and newest hit): the same as the scratch
// table made them from the same texts, for everyone's and the public's
// search, words, phrases and exclusions.
func TestSearchSnippetsFromTheIndexAreTheScratchTables(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 60, Messages: 180, Seed: 4, Password: "correct horse battery"})
	compared := 0
	for _, scope := range []store.SearchScope{store.SearchSignedIn, store.SearchPublic} {
		for _, q := range []string{"police", "information", `"internal review"`, "council -police", "exemption", "kind:document foi",
			"kind:mail police", "kind:document|mail information -police", `kind:document "freedom of information"`} {
			fromIndex, fromScratch, err := st.SnippetsBothWays(ctx, q, scope)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if !maps.Equal(fromIndex, fromScratch) {
				for k, v := range fromScratch {
					if fromIndex[k] != v {
						t.Errorf("%q row %d: index %q, scratch %q", q, k, fromIndex[k], v)
					}
				}
				t.Fatalf("%q (scope %d): %d snippets from the index, %d from the scratch table", q, scope, len(fromIndex), len(fromScratch))
			}
			for _, v := range fromIndex {
				if !strings.Contains(v, "\x01") {
					t.Fatalf("%q: snippet %q marks no match", q, v)
				}
			}
			compared += len(fromIndex)
		}
	}
	if compared < 40 {
		t.Fatalf("only %d snippets compared", compared)
	}
}

// A page's snippets are read upwards, from its oldest hit, for a search
// by kind without a phrase (deep below newer rows of its words, newest
// first stepped back over each of them); newest first otherwise (a
// phrase read upwards steps through its older matches). The snippets are
// the same either way: TestSearchSnippetsFromTheIndexAreTheScratchTables.
func TestSearchSnippetsReadUpwardsForKinds(t *testing.T) {
	for q, want := range map[string]bool{
		"kind:document foi": true, "kind:mail|document police -council": true, "foi": false, "police authority:kent": false,
		`kind:document "facial recognition"`: false, "kind:document e-mail": false, "kind:document": false,
	} {
		if got := store.SnippetsUpward(q); got != want {
			t.Errorf("%q: upwards %v, want %v", q, got, want)
		}
	}
}
