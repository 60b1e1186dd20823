package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// An authority import from the command line (another process: its own
// store on the same data directory) beside a serving foitrack under API
// traffic, reads and writes: every request is answered, none with a 5xx.
// The serving side waits at most 3 s for the write lock, so one long
// import transaction (the old way) fails its writes, and the token's
// last-use write must not fail reads.
func TestImportBesideServingProcessNo5xx(t *testing.T) {
	if testing.Short() {
		t.Skip("imports several thousand rows")
	}
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.OpenWith(ctx, dir, store.Options{BusyTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Store: st, BaseURL: "http://foitrack.test", DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelError})),
		Now:    func() time.Time { return testNow }, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer func() { ts.Close(); srv.Close(); st.Close() }()

	ed := store.User{Email: "ed@example.org", Role: store.RoleEditor}
	if err := st.CreateUser(ctx, &ed, testPassword); err != nil {
		t.Fatal(err)
	}
	au := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland}
	if err := st.CreateAuthority(ctx, &au); err != nil {
		t.Fatal(err)
	}
	// Many tokens, so that first uses (each a last-use write) fall during the import.
	var tokens []string
	for i := 0; i < 60; i++ {
		secret, _, err := st.CreateAPIToken(ctx, ed.ID, fmt.Sprintf("t%d", i))
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, secret)
	}

	// Three batches at the least (1000 rows or 200 ms each; checked below).
	// Under -race a batch holds far fewer rows than 1000 (its 200 ms are up
	// first), so fewer rows give as many batches: 2500 took 313 s of a
	// loaded CI-like machine there, the longest test of the suite.
	rows := 2500
	if raceDetector {
		rows = 600
	}
	list := make([]tracker.Authority, rows)
	for i := range list {
		list[i] = tracker.Authority{Name: fmt.Sprintf("Imported Council %05d", i), URLName: fmt.Sprintf("imported_%05d", i),
			Jurisdiction: tracker.JurisdictionEngland}
	}
	cli, err := store.Open(ctx, dir) // the command line's own handle
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	done := make(chan error, 1)
	var batches atomic.Int64 // the import reports its progress after each batch
	go func() {
		_, err := cli.ImportAuthorities(store.WithProgress(store.WithActor(ctx, "cli:test"), func(int, int) { batches.Add(1) }), list)
		done <- err
	}()
	var calls, bad atomic.Int64
	var mu sync.Mutex
	var failures []string
	var tokenN atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				token := tokens[int(tokenN.Add(1))%len(tokens)]
				var req *http.Request
				switch i % 3 {
				case 0:
					req, _ = http.NewRequest(http.MethodGet, ts.URL+fmt.Sprintf("/api/v1/authorities/%d", au.ID), nil)
				case 1:
					req, _ = http.NewRequest(http.MethodGet, ts.URL+"/api/v1/requests?limit=5", nil)
				default:
					body := fmt.Sprintf(`{"title":"Request %d-%d","body":"Please send the data.","authority_id":%d}`, w, i, au.ID)
					req, _ = http.NewRequest(http.MethodPost, ts.URL+"/api/v1/requests", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
				}
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := http.DefaultClient.Do(req)
				calls.Add(1)
				if err != nil {
					bad.Add(1)
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode >= 500 {
					bad.Add(1)
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, b))
					mu.Unlock()
				}
			}
		}(w)
	}
	err = <-done
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if n := batches.Load(); n < 3 {
		t.Errorf("the import wrote %d batches, want 3 at the least (a server write waits for one batch at a time)", n)
	}
	if n, _ := st.CountAuthorities(ctx); n != rows+1 {
		t.Errorf("%d authorities after the import, want %d", n, rows+1)
	}
	if bad.Load() > 0 {
		t.Fatalf("%d of %d API calls failed during the import; first: %v", bad.Load(), calls.Load(), failures[:min(3, len(failures))])
	}
	t.Logf("%d API calls during the import of %d rows in %d batches, none failed", calls.Load(), rows, batches.Load())
}
