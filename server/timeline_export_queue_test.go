package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
)

// heldWriter is a ResponseWriter whose first Write signals entered and
// then blocks until release is closed: a download held half-way.
type heldWriter struct {
	header  http.Header
	entered chan struct{}
	release chan struct{}
	once    bool
}

func (w *heldWriter) Header() http.Header { return w.header }
func (w *heldWriter) WriteHeader(int)     {}
func (w *heldWriter) Write(b []byte) (int, error) {
	if !w.once {
		w.once = true
		close(w.entered)
		<-w.release
	}
	return len(b), nil
}

// waitFor polls cond until it holds, failing after a generous while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 2 minutes for %s", what)
		}
	}
}

// Only Downloads timeline downloads are written at once (each holds a
// chunk of events, its buffers and a reader connection): one more waits
// for a turn rather than failing, and gets the whole file once one ends;
// one whose client goes away while it waits leaves the queue.
func TestTimelineDownloadsWaitTheirTurn(t *testing.T) {
	app := newTestApp(t, func(c *Config) { c.Downloads = 2 })
	app.user("ed@example.org", store.RoleEditor)
	c := app.login("ed@example.org")
	ctx := context.Background()
	app.saveEvents(numberedEvents(3)...)
	_, whole := c.get("/timeline.json")
	// Each download a variant of its own (the same events), so that each
	// is written, not sent from the file kept of another.
	n := 0
	request := func(ctx context.Context) *http.Request {
		n++
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/timeline.json?from=2000-01-%02d", app.ts.URL, n), nil)
		for _, ck := range c.hc.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
		return req
	}
	release := make(chan struct{})
	done := make(chan struct{}, 2)
	for i := 0; i < 2; i++ {
		w, req := &heldWriter{header: http.Header{}, entered: make(chan struct{}), release: release}, request(ctx)
		go func() {
			app.srv.Handler().ServeHTTP(w, req)
			done <- struct{}{}
		}()
		select {
		case <-w.entered:
		case <-time.After(2 * time.Minute):
			t.Fatalf("download %d did not start writing", i+1)
		}
	}

	third := &heapProbe{header: http.Header{}, keep: true}
	thirdDone, thirdReq := make(chan struct{}), request(ctx)
	go func() {
		app.srv.Handler().ServeHTTP(third, thirdReq)
		close(thirdDone)
	}()
	waitFor(t, "the third download to wait", func() bool {
		select {
		case <-thirdDone:
			t.Fatalf("a third download was written while two were (status %d, %d bytes)", third.status, third.bytes)
		default:
		}
		return app.srv.downloadsWaiting.Load() == 1
	})
	gone, leave := context.WithCancel(ctx)
	goneDone, goneReq := make(chan struct{}), request(gone)
	go func() {
		app.srv.Handler().ServeHTTP(&heapProbe{header: http.Header{}}, goneReq)
		close(goneDone)
	}()
	waitFor(t, "the fourth download to wait", func() bool { return app.srv.downloadsWaiting.Load() == 2 })
	leave()
	select {
	case <-goneDone:
	case <-time.After(2 * time.Minute):
		t.Fatal("a download whose client went away still waits")
	}
	if n := app.srv.downloadsWaiting.Load(); n != 1 {
		t.Errorf("%d downloads wait after one left, want 1", n)
	}
	if third.writes > 0 {
		t.Fatalf("a third download was written while two were: %q", third.body.String())
	}

	close(release)
	for i := 0; i < 2; i++ {
		<-done
	}
	select {
	case <-thirdDone:
	case <-time.After(2 * time.Minute):
		t.Fatal("the third download did not go on once the first two ended")
	}
	if third.status != http.StatusOK || third.body.String() != whole || !strings.Contains(whole, "Event 2") {
		t.Errorf("the download that waited: status %d, %d bytes, want the whole file (%d bytes)", third.status, third.body.Len(), len(whole))
	}
}

// A download that waited its turn behind one writing the same file, with
// nothing committed meanwhile, is sent the file that one kept (with its
// ETag) rather than written again.
func TestTimelineDownloadThatWaitedIsSentTheKeptFile(t *testing.T) {
	app := newTestApp(t, func(c *Config) { c.Downloads = 1 })
	app.user("ed@example.org", store.RoleEditor)
	c := app.login("ed@example.org")
	ctx := context.Background()
	app.saveEvents(numberedEvents(3)...)
	_, whole := c.get("/timeline.json?from=2000-01-01") // another variant: the session's own writes happen now
	app.st.Settle()
	if _, err := app.st.KeepSearchTerms(ctx); err != nil {
		t.Fatal(err)
	}
	request := func() *http.Request {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, app.ts.URL+"/timeline.json", nil)
		for _, ck := range c.hc.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
		return req
	}
	release := make(chan struct{})
	first := &heldWriter{header: http.Header{}, entered: make(chan struct{}), release: release}
	firstDone, firstReq := make(chan struct{}), request()
	go func() {
		app.srv.Handler().ServeHTTP(first, firstReq)
		close(firstDone)
	}()
	select {
	case <-first.entered:
	case <-time.After(2 * time.Minute):
		t.Fatal("the first download did not start writing")
	}
	second := &heapProbe{header: http.Header{}, keep: true}
	secondDone, secondReq := make(chan struct{}), request()
	go func() {
		app.srv.Handler().ServeHTTP(second, secondReq)
		close(secondDone)
	}()
	waitFor(t, "the second download to wait", func() bool { return app.srv.downloadsWaiting.Load() == 1 })
	close(release)
	for _, done := range []chan struct{}{firstDone, secondDone} {
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			t.Fatal("a download did not end")
		}
	}
	if second.status != http.StatusOK || second.body.String() != whole {
		t.Fatalf("the second download: status %d, %d bytes, want the whole file (%d bytes)", second.status, second.body.Len(), len(whole))
	}
	if second.header.Get("ETag") == "" {
		t.Errorf("the download that waited was written again, not sent the file the first kept (no ETag)")
	}
}
