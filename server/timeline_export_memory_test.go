package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

// heapProbe is a ResponseWriter that, at every 25th write (and the first),
// collects garbage and records the live heap: what the handler holds while
// it writes, measured, not timed.
type heapProbe struct {
	header http.Header
	status int
	writes int
	bytes  int
	peak   uint64
	body   strings.Builder
	keep   bool
}

func (p *heapProbe) Header() http.Header { return p.header }
func (p *heapProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *heapProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	if p.writes%25 == 0 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		p.peak = max(p.peak, m.HeapAlloc-uint64(p.body.Cap())) // what the test keeps is not the server's
	}
	p.writes++
	p.bytes += len(b)
	if p.keep {
		p.body.Write(b)
	}
	return len(b), nil
}

// A download of the whole timeline holds a few events at a time, not the
// timeline: 400 events of 50 kB (20 MB of events) are written while the
// server holds less than 12 MB more than before the download. Before, both
// exports read every event and built the whole file before its first byte
// (10,000 events at a million requests: 300 MB a download, 1.2 GB resident
// with four at once). The files are still whole: every event, in order.
func TestTimelineExportsStreamWithBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 20 MB of events")
	}
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	c := app.login("ed@example.org")
	ctx := context.Background()
	const n = 400
	bulk := strings.Repeat("x", 50<<10)
	for i := 0; i < n; i++ {
		// Many events share a date, so the order's second key (the slug)
		// decides across the chunks the export reads.
		ev := timeline.New(fmt.Sprintf("2026-03-%02d--event-%03d", i%5+1, i), fmt.Sprintf("2026-03-%02d", i%5+1), fmt.Sprintf("Event %03d", i))
		// In a source's title: both files carry it, and search does not
		// index it (20 MB of words indexed would be the test's whole cost).
		if err := ev.SetSourcesYAML("- title: " + bulk + "\n  url: https://example.org/annex\n"); err != nil {
			t.Fatal(err)
		}
		if err := app.st.SaveTimelineEvent(ctx, &store.TimelineEvent{Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/timeline.json", "/timeline/timelinejs.json"} {
		req, _ := http.NewRequest(http.MethodGet, app.ts.URL+path, nil)
		for _, ck := range c.hc.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p := &heapProbe{header: http.Header{}, keep: true}
		app.srv.Handler().ServeHTTP(p, req)
		if p.status != http.StatusOK {
			t.Fatalf("%s: status %d", path, p.status)
		}
		if p.bytes < n*50<<10 {
			t.Fatalf("%s: %d bytes for %d events of 50 kB", path, p.bytes, n)
		}
		t.Logf("%s: %d MB written in %d writes; the heap grew by %d MB", path, p.bytes>>20, p.writes, (int64(p.peak)-int64(before.HeapAlloc))>>20)
		if grew := int64(p.peak) - int64(before.HeapAlloc); grew > 12<<20 {
			t.Errorf("%s: the server held %d MB more while writing %d MB", path, grew>>20, p.bytes>>20)
		}
		// Every event once, in the timeline's order.
		var ids []string
		if path == "/timeline.json" {
			var arr []struct{ ID string }
			if err := json.Unmarshal([]byte(p.body.String()), &arr); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, e := range arr {
				ids = append(ids, e.ID)
			}
		} else {
			var doc struct {
				Events []struct {
					UniqueID string `json:"unique_id"`
				}
			}
			if err := json.Unmarshal([]byte(p.body.String()), &doc); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, e := range doc.Events {
				ids = append(ids, e.UniqueID)
			}
		}
		if len(ids) != n {
			t.Fatalf("%s: %d events, want %d", path, len(ids), n)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i-1] >= ids[i] { // the id starts with the date
				t.Fatalf("%s: %s before %s", path, ids[i-1], ids[i])
			}
		}
	}
}
