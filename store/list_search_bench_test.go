package store_test

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// BenchmarkListSearchBoxes is the work of the lists' search boxes as their
// pages do it (the request list's count and first page; the public
// search; the mail list), on a copy of a seeded database named by
// FOITRACK_BENCH_DATA (skipped without it): server CPU per call, from
// getrusage, beside the wall time.
//
//	FOITRACK_BENCH_DATA=/copy/of/seed-100000 go test ./store -run - -bench ListSearchBoxes
func BenchmarkListSearchBoxes(b *testing.B) {
	ctx := context.Background()
	st := openBenchData(b)
	list := func(q string) func() error {
		return func() error {
			f := store.RequestFilter{Query: q}
			if _, _, err := st.CountRequestsUpTo(ctx, f, 1000); err != nil {
				return err
			}
			f.Limit = 51 // the page and one more
			_, err := st.Requests(ctx, f)
			return err
		}
	}
	for _, c := range []struct {
		name string
		run  func() error
	}{
		{"requests survei*", list("survei*")},
		{"requests police", list("police")},
		{"requests norfolk", list("norfolk")},
		{"public search survei*", func() error {
			_, err := st.Search(ctx, store.ParseSearchQuery("survei*"), store.SearchOptions{Scope: store.SearchPublic, Limit: 50})
			return err
		}},
		{"search inform*", func() error {
			_, err := st.Search(ctx, store.ParseSearchQuery("inform*"), store.SearchOptions{Limit: 50})
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchCPU(b, c.run)
		})
	}
}
