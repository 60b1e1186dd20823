package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
)

// Search finds exactly what it found before session 9 changed how it
// walks, ranks and gives snippets (SetSearchAsBefore): the same hits in
// the same order with the same snippets, the same count and the same
// "more than" note, signed in and in public, for words, phrases,
// prefixes, rare words and filters, ranked and newest first, on every
// page, with the bound reached and not.
func TestSearchFindsWhatItFoundBefore(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 150, Messages: 450, Seed: 3, Password: "correct horse battery"})
	queries := []string{"police", "information", `"freedom of information"`, `"internal review"`, "data*", "inform*", "survei*",
		"norfolk", "zzqqxx", "police -information", `council "internal review"`, "kind:document foi", "kind:request police",
		"kind:mail|document data*", "police authority:council", "request exemption:s40", "information from:2025-06-01"}
	var compared, full, ranked, unranked, pages int
	for _, rankable := range []int{20000, 30} {
		store.SetSearchRankableRows(t, rankable)
		for _, bound := range []int{200, 7} {
			store.SetSearchCandidates(t, bound)
			for _, scope := range []store.SearchScope{store.SearchSignedIn, store.SearchPublic} {
				for _, query := range queries {
					for _, offset := range []int{0, 5, 20} {
						opt := store.SearchOptions{Scope: scope, Limit: 5, Offset: offset}
						q := store.ParseSearchQuery(query)
						now, err := st.Search(ctx, q, opt)
						if err != nil {
							t.Fatalf("%q: %v", query, err)
						}
						restore := store.SetSearchAsBefore()
						before, err := st.Search(ctx, q, opt)
						restore()
						if err != nil {
							t.Fatalf("%q: %v", query, err)
						}
						if !reflect.DeepEqual(now, before) {
							t.Errorf("%q (scope %d, bound %d, rankable %d, offset %d):\n now    %d more %v ranked %v %v\n before %d more %v ranked %v %v",
								query, scope, bound, rankable, offset, now.Total, now.More, now.Ranked, hitIDs(now), before.Total, before.More, before.Ranked, hitIDs(before))
						}
						if scope == store.SearchSignedIn {
							// The best column's snippet: it marks a match
							// (made in the index, or for a prefix the table
							// of words does not yet stand for, in the scratch
							// table from the hit's texts).
							for _, h := range now.Hits {
								if !strings.Contains(h.Marked, "\x01") {
									t.Errorf("%q: %s %d's snippet %q marks no match", query, h.Kind, h.ID, h.Marked)
								}
							}
						}
						compared++
						if now.More {
							full++
						}
						if len(now.Hits) > 0 {
							pages++
							if now.Ranked {
								ranked++
							} else {
								unranked++
							}
						}
					}
				}
			}
		}
	}
	if full == 0 || ranked < 20 || unranked < 20 || pages < 100 {
		t.Fatalf("%d searches, %d past the bound, %d pages of hits (%d ranked, %d newest first): the comparison proves little", compared, full, pages, ranked, unranked)
	}
}

func hitIDs(res store.SearchResult) []string {
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Kind+":"+idStr(h.ID))
	}
	return ids
}
