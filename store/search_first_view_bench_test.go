package store_test

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// BenchmarkSearchFirstView is the search page's work on its first view
// (never a page kept while nothing is committed: see Search), signed in
// and in public, with a word, a prefix, a kind, an authority, filters
// alone, on a copy of a seeded database named by FOITRACK_BENCH_DATA
// (skipped without it): CPU per search, from getrusage, beside the wall
// time.
//
//	FOITRACK_BENCH_DATA=/copy/of/seed-100000 go test ./store -run - -bench SearchFirstView
func BenchmarkSearchFirstView(b *testing.B) {
	ctx := context.Background()
	st := openBenchData(b)
	for _, c := range []struct {
		name  string
		q     string
		scope store.SearchScope
	}{
		{"search police", "police", store.SearchSignedIn},
		{"search survei*", "survei*", store.SearchSignedIn},
		{"search kind:document foi", "kind:document foi", store.SearchSignedIn},
		{"search police authority:council", "police authority:council", store.SearchSignedIn},
		{"search kind:mail police authority:council", "kind:mail police authority:council", store.SearchSignedIn},
		{"search police law:au-foi", "police law:au-foi", store.SearchSignedIn},
		{"search exemption:s31", "exemption:s31", store.SearchSignedIn},
		{"public search police", "police", store.SearchPublic},
		{"public search survei*", "survei*", store.SearchPublic},
		{"public search authority:council", "authority:council", store.SearchPublic},
		{"public search police authority:council", "police authority:council", store.SearchPublic},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := store.ParseSearchQuery(c.q)
			benchCPU(b, func() error {
				_, err := st.SearchUnkept(ctx, q, store.SearchOptions{Scope: c.scope})
				return err
			})
		})
	}
}
