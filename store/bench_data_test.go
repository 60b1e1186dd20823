package store_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
)

// openBenchData opens the copy of a seeded database FOITRACK_BENCH_DATA
// names (the benchmark is skipped without it), with its search words kept
// first, as a server's start-up passes leave them; closed when b ends.
func openBenchData(b *testing.B) *store.Store {
	b.Helper()
	dir := os.Getenv("FOITRACK_BENCH_DATA")
	if dir == "" {
		b.Skip("FOITRACK_BENCH_DATA names no database copy")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	for {
		done, err := st.KeepSearchTerms(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if done {
			return st
		}
	}
}

// benchCPU runs run b.N times and reports its CPU per call (user and
// system, from getrusage: the figure a loaded machine moves least) beside
// go test's wall time.
func benchCPU(b *testing.B, run func() error) {
	b.Helper()
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()-before.Utime.Nano()) + time.Duration(after.Stime.Nano()-before.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
