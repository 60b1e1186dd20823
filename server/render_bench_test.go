package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRenderAtScale measures, in this process and without a network,
// the pages whose cost is mostly their rendering (the insight page, a
// request's page, the timeline and a timeline event's page) on a large
// database made by `foitrack dev seed` named in FOITRACK_BENCH_DATA (a
// copy: sessions are written into it), and the request page's gathering
// apart from its rendering. Skipped without FOITRACK_BENCH_DATA.
func BenchmarkRenderAtScale(b *testing.B) {
	ctx := context.Background()
	srv, st := scaleServer(b, "a copy: sessions are written into it")
	b.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	waitStartupPass(b, srv)
	u, err := st.UserByEmail(ctx, "admin@example.org")
	if err != nil {
		b.Fatal(err)
	}
	cookie, _, err := st.CreateSession(ctx, u.ID, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	// pagebench's request: one with a long history in the upper half of the ids.
	var req, event int64
	if err := st.Reader().QueryRowContext(ctx, `SELECT request_id FROM request_events WHERE request_id > (SELECT max(id) / 2 FROM requests)
		GROUP BY request_id ORDER BY count(*) DESC, request_id LIMIT 1`).Scan(&req); err != nil {
		b.Fatal(err)
	}
	if err := st.Reader().QueryRowContext(ctx, `SELECT coalesce(min(id), 0) FROM timeline_events`).Scan(&event); err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	get := func(b *testing.B, path string) {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.AddCookie(&http.Cookie{Name: "foitrack_session", Value: cookie})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, w.Code)
		}
	}
	paths := []string{"/insight", "/requests/" + strconv.FormatInt(req, 10), "/timeline"}
	if event != 0 {
		paths = append(paths, fmt.Sprintf("/timeline/events/%d", event))
	}
	for _, path := range paths {
		b.Run(path, func(b *testing.B) {
			get(b, path) // the figures kept, the templates escaped
			cpu0, n := processCPU(), 0
			for b.Loop() {
				get(b, path)
				n++
			}
			reportCPU(b, cpu0, n)
		})
	}
	b.Run("request page gathered", func(b *testing.B) {
		cpu0, n := processCPU(), 0
		for b.Loop() {
			if _, err := srv.loadRequestPage(ctx, req); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportCPU(b, cpu0, n)
	})
	b.Run("request page rendered", func(b *testing.B) {
		p, err := srv.loadRequestPage(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		v := &view{Title: p.Request.Title, Section: "requests", Data: p, User: &u, CSRF: "token"}
		cpu0, n := processCPU(), 0
		for b.Loop() {
			if err := srv.pages["request_show"].ExecuteTemplate(io.Discard, "base", v); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportCPU(b, cpu0, n)
	})
}

// reportCPU reports the process's CPU per operation since cpu0: on a
// loaded machine, a steadier figure than the time.
func reportCPU(b *testing.B, cpu0 time.Duration, n int) {
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(max(n, 1)), "cpu-ms/op")
}
