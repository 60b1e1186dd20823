package server

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

// A zip of event files is read entry by entry from the upload (not copied
// into memory first), and what it may unpack to is bounded: a zip that
// unpacks to 160 MB (40 event files of 4 MB of one byte, a few hundred KB
// packed) is refused as too large without being unpacked.
func TestTimelineZipImportHasBoundedMemory(t *testing.T) {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	c := app.login("ed@example.org")
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	filler := bytes.Repeat([]byte("x"), timeline.MaxFileBytes-100)
	for i := 0; i < 40; i++ {
		w, err := zw.Create(fmt.Sprintf("events/2026-03-%02d--e%d.md", i%28+1, i))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "---\ntitle: Event %d\ndate: 2026-03-%02d\n---\n", i, i%28+1)
		w.Write(filler)
	}
	zw.Close()
	if zbuf.Len() > 2<<20 {
		t.Fatalf("the test zip is %d bytes", zbuf.Len())
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, body := c.postFiles("/timeline/import", map[string][]byte{"events.zip": zbuf.Bytes()})
	runtime.ReadMemStats(&after)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	wantContains(t, body, "unpacks to more than")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 48<<20 {
		t.Errorf("the refused zip made the server allocate %d MB", alloc>>20)
	}
	if !strings.Contains(body, "Nothing imported") {
		t.Error("no 'Nothing imported' on the page")
	}
}
