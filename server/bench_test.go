package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// BenchmarkPages measures the pages a campaigner opens most, over HTTP with
// a session, on a database of 500 requests to 20 authorities.
func BenchmarkPages(b *testing.B) {
	app := newTestApp(b)
	app.user("editor@example.org", store.RoleEditor)
	var last tracker.Request
	for i := range 20 {
		a := app.authority(fmt.Sprintf("Bench Council %d", i), tracker.JurisdictionEngland)
		for j := range 25 {
			last = app.request(fmt.Sprintf("Request %d to council %d", j, i), a.ID, tracker.MustParseDate("2026-01-05").AddDays(j*3).String(), false)
		}
	}
	c := app.login("editor@example.org")
	for _, path := range []string{"/", "/requests", fmt.Sprintf("/requests/%d", last.ID), "/authorities"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				res, _ := c.get(path)
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", path, res.StatusCode)
				}
			}
		})
	}
}

// BenchmarkPagesAtScale measures the dashboard and the request list on a
// large database built by `foitrack dev seed` (bench/nextaction.sh makes one
// of 100,000 requests and names it in FOITRACK_BENCH_DATA), and reports each
// page's p50 and p99. Both pages read the stored next actions: no history is
// replayed per view. Skipped without FOITRACK_BENCH_DATA.
func BenchmarkPagesAtScale(b *testing.B) {
	ctx := context.Background()
	srv, st := scaleServer(b, "see bench/nextaction.sh")
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(func() {
		ts.Close()
		srv.Close()
		st.Close()
	})
	app := &testApp{t: b, st: st, srv: srv, ts: ts}
	email := fmt.Sprintf("bench-%d@example.org", time.Now().UnixNano())
	u := app.user(email, store.RoleEditor)
	c := app.login(email)
	token, _, err := st.CreateAPIToken(ctx, u.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	var tag string
	if err := st.Reader().QueryRowContext(ctx, `SELECT tag FROM request_tag_counts ORDER BY requests DESC LIMIT 1`).Scan(&tag); err != nil {
		b.Fatal(err)
	}
	// A deep page of the list is read by cursor (?page= only redirects to
	// the first page since the lists went by cursor): after the request
	// half-way down, newest first.
	var mid int64
	if err := st.Reader().QueryRowContext(ctx, `SELECT id FROM requests ORDER BY id DESC LIMIT 1 OFFSET (SELECT count(*) / 2 FROM requests)`).Scan(&mid); err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/", "/requests", "/requests?after=" + strconv.FormatInt(mid, 10), "/requests?status=awaiting_response",
		"/requests?status=internal_review", "/requests?open=1", "/requests?tag=" + tag, "/api/v1/requests"} {
		b.Run(path, func(b *testing.B) {
			get := func() int {
				if strings.HasPrefix(path, "/api/") {
					res, _ := app.api(http.MethodGet, path, token, "")
					return res.StatusCode
				}
				res, _ := c.get(path)
				return res.StatusCode
			}
			var took []time.Duration
			cpu0 := processCPU()
			for b.Loop() {
				t0 := time.Now()
				status := get()
				took = append(took, time.Since(t0))
				if status != http.StatusOK {
					b.Fatalf("%s: %d", path, status)
				}
			}
			slices.Sort(took)
			pct := func(p float64) float64 {
				return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			// The CPU of the whole process (server and client) per page:
			// on a loaded machine, a steadier figure than the times.
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
		})
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// scaleServer opens the seeded data directory FOITRACK_BENCH_DATA names (a
// copy: sessions are written into it) and a server on it whose today is the
// seed's; the benchmark is skipped without one (hint says where to get one).
func scaleServer(b *testing.B, hint string) (*Server, *store.Store) {
	dir := os.Getenv("FOITRACK_BENCH_DATA")
	if dir == "" {
		b.Skip("FOITRACK_BENCH_DATA names no seeded data directory (" + hint + ")")
	}
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	end := seed.DefaultEnd.Time().Add(12 * time.Hour)
	srv, err := New(Config{Store: st, BaseURL: "http://foitrack.test", DataDir: dir, Location: time.UTC,
		Logger: slog.New(slog.NewTextHandler(testLogWriter{b}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now:    func() time.Time { return end }})
	if err != nil {
		st.Close()
		b.Fatal(err)
	}
	return srv, st
}
