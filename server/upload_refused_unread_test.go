package server

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// uploadRoutes are the routes that take files, each with a form that would
// be accepted from an editor.
func uploadRoutes(requestID int64) []struct{ path, file string } {
	return []struct{ path, file string }{
		{fmt.Sprintf("/requests/%d/documents", requestID), "minutes.pdf"},
		{"/timeline/import", "events.zip"},
		{"/authorities/import", "authorities.csv"},
	}
}

// multipartHead is the start of a multipart upload: the CSRF field and the
// head of a file part, the file's bytes to follow.
func multipartHead(csrf, file string) (head []byte, contentType string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField(csrfField, csrf)
	mw.WriteField("disposition", "released")
	mw.CreateFormFile("file", file)
	return b.Bytes(), mw.FormDataContentType()
}

// A viewer's (or a stranger's) upload is refused before its body is read:
// nothing of a 20 MiB file is read by the server, nothing is spooled to the
// temporary directory, and the answer comes even when the client never
// finishes sending.
func TestUploadRefusedBeforeBodyIsRead(t *testing.T) {
	app := newTestApp(t, func(c *Config) { c.MaxUploadBytes = 32 << 20 })
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	app.user("vi@example.org", store.RoleViewer)
	au := app.authority("Barsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("ANPR cameras", au.ID, "2026-03-02", false)
	viewer := app.login("vi@example.org")
	stranger := app.anonymous()
	stranger.get("/login")
	file := bytes.Repeat([]byte("0123456789abcdef"), (20<<20)/16) // 20 MiB

	u, _ := url.Parse(app.ts.URL)
	for _, who := range []struct {
		name   string
		c      *client
		status int
	}{{"viewer", viewer, http.StatusForbidden}, {"signed out", stranger, http.StatusSeeOther}} {
		for _, rt := range uploadRoutes(r.ID) {
			head, ct := multipartHead(who.c.csrf(), rt.file)

			// In process: the body reader counts what is read of it.
			body := &countingReader{r: io.MultiReader(bytes.NewReader(head), bytes.NewReader(file))}
			req := httptest.NewRequest(http.MethodPost, rt.path, body)
			req.ContentLength = -1 // sent chunked: only reading finds its size
			req.Header.Set("Content-Type", ct)
			for _, ck := range who.c.hc.Jar.Cookies(u) {
				req.AddCookie(ck)
			}
			rec := httptest.NewRecorder()
			app.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != who.status {
				t.Errorf("%s POST %s: status %d, want %d", who.name, rt.path, rec.Code, who.status)
			}
			if n := body.n.Load(); n != 0 {
				t.Errorf("%s POST %s: %d bytes of the body were read before it was refused", who.name, rt.path, n)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
				t.Errorf("%s POST %s: %d files left in the temporary directory", who.name, rt.path, len(ents))
			}

			// Over the network, from a client that never finishes its
			// body: the refusal still comes.
			pr, pw := io.Pipe()
			go func() {
				pw.Write(head)
				pw.Write(file[:1<<20])
				// ... and nothing more until the test has its answer.
			}()
			hreq, _ := http.NewRequest(http.MethodPost, app.ts.URL+rt.path, pr)
			hreq.Header.Set("Content-Type", ct)
			res, err := who.c.hc.Do(hreq)
			if err != nil {
				t.Fatalf("%s POST %s over the network: %v", who.name, rt.path, err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			pw.CloseWithError(io.ErrClosedPipe)
			if res.StatusCode != who.status {
				t.Errorf("%s POST %s over the network: status %d, want %d", who.name, rt.path, res.StatusCode, who.status)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
				t.Errorf("%s POST %s over the network: %d files left in the temporary directory", who.name, rt.path, len(ents))
			}
		}
	}
}
