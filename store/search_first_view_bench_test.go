package store_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

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
	dir := os.Getenv("FOITRACK_BENCH_DATA")
	if dir == "" {
		b.Skip("FOITRACK_BENCH_DATA names no database copy")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for {
		done, err := st.KeepSearchTerms(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if done {
			break
		}
	}
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
			var before, after syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			for b.Loop() {
				if _, err := st.SearchUnkept(ctx, q, store.SearchOptions{Scope: c.scope}); err != nil {
					b.Fatal(err)
				}
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			cpu := time.Duration(after.Utime.Nano()-before.Utime.Nano()) + time.Duration(after.Stime.Nano()-before.Stime.Nano())
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
