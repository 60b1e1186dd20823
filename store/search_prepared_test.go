package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Every statement a search runs is one the readers keep prepared: the
// hits' ids, the candidates to rank or give a snippet, the kinds' codes
// and the rows a censor rule may change are bound, not written into the
// text (a text with its ids in it is one search's, never kept, and
// prepared again on every view). Signed in and in public, with words, a
// prefix, kinds, an authority, filters alone, a censor rule that changes
// the candidates' text; the request list's and the mail list's search box.
func TestSearchesRunOnlyStatementsTheReadersKeep(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 150, Messages: 450, Seed: 3, Password: "correct horse battery"})
	// A rule that changes many public requests' text, so that the public
	// search reads the candidates' rows to match them again.
	if err := st.AddCensorRule(ctx, &tracker.CensorRule{Scope: tracker.CensorGlobal, Pattern: "Council"}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ran := map[string]bool{}
	st.TraceReads(func(q string, _ []any) {
		mu.Lock()
		ran[q] = true
		mu.Unlock()
	})
	defer st.TraceReads(nil)
	found := 0
	for _, scope := range []store.SearchScope{store.SearchSignedIn, store.SearchPublic} {
		for _, q := range []string{"police", "information request", "poli*", "infor* data", "kind:document foi",
			"kind:mail|document data", "kind:request police", "police authority:council", "foi authority:1",
			"authority:council", "status:refused", "information -police"} {
			opts := []store.SearchOptions{{Scope: scope}, {Scope: scope, Limit: 5, Offset: 5}}
			if scope == store.SearchSignedIn {
				opts = append(opts, store.SearchOptions{Kinds: []string{store.KindRequest}})
			}
			for _, opt := range opts {
				res, err := st.Search(ctx, store.ParseSearchQuery(q), opt)
				if err != nil {
					t.Fatalf("%q %+v: %v", q, opt, err)
				}
				found += len(res.Hits)
			}
		}
	}
	for _, q := range []string{"police", "infor*", "police authority:council"} {
		if _, _, err := st.RequestsWithStates(ctx, store.RequestFilter{Query: q}, tracker.MustParseDate("2026-03-02")); err != nil {
			t.Fatalf("request list %q: %v", q, err)
		}
		if _, err := st.MailMessages(ctx, store.MailFilter{Query: q}); err != nil {
			t.Fatalf("mail list %q: %v", q, err)
		}
	}
	st.TraceReads(nil)
	if found == 0 {
		t.Fatal("the searches found nothing: the test proves nothing")
	}
	mu.Lock()
	defer mu.Unlock()
	for q := range ran {
		if store.HoldsItsIDs(q) || !st.ReaderKeeps(q) {
			t.Errorf("a search ran a statement the readers do not keep (its ids in its text: %v):\n%s", store.HoldsItsIDs(q), strings.Join(strings.Fields(q), " "))
		}
	}
}
