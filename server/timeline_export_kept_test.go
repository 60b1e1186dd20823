package server

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// keptExportsFixture is a server with a timeline to download, a second
// server on the same database that keeps nothing (what a download must
// be), and a count of the events' reads (a download written afresh reads
// them; one sent from its kept file does not).
type keptExportsFixture struct {
	t     *testing.T
	app   *testApp
	c     *client
	fresh *Server
	reads atomic.Int64
}

func newKeptExportsFixture(t *testing.T) *keptExportsFixture {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	fx := &keptExportsFixture{t: t, app: app}
	fresh, err := New(Config{Store: app.st, BaseURL: app.srv.cfg.BaseURL, Logger: app.srv.log, Now: app.srv.cfg.Now,
		Location: app.srv.cfg.Location, SlowAggregate: -1})
	if err != nil {
		t.Fatal(err)
	}
	waitStartupPass(t, fresh)
	t.Cleanup(fresh.Close)
	fx.fresh = fresh
	app.st.TraceReads(func(query string, _ []any) {
		if strings.Contains(query, "t.date, t.front_matter, COALESCE(t.front_matter_nodes") { // TimelineEvents
			fx.reads.Add(1)
		}
	})
	t.Cleanup(func() { app.st.TraceReads(nil) })
	fx.c = app.login("ed@example.org")
	return fx
}

// quiet lets the writes the server makes on its own (the indexed words of
// what the test wrote, a session's last use) happen now, so that the
// database is unchanged until the test writes again.
func (fx *keptExportsFixture) quiet() {
	fx.t.Helper()
	fx.app.st.Settle()
	if _, err := fx.app.st.KeepSearchTerms(context.Background()); err != nil {
		fx.t.Fatal(err)
	}
}

// get downloads path from the server that keeps downloads, with header
// (name, value pairs), and says whether the events were read.
func (fx *keptExportsFixture) get(path string, header ...string) (res *response, body string, read bool) {
	fx.t.Helper()
	req, err := http.NewRequest(http.MethodGet, fx.app.ts.URL+path, nil)
	if err != nil {
		fx.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	before := fx.reads.Load()
	res, body = fx.c.do(req)
	return res, body, fx.reads.Load() != before
}

// want is path's download written afresh, by the server that keeps none.
func (fx *keptExportsFixture) want(path string) string {
	fx.t.Helper()
	req := httptest.NewRequest(http.MethodGet, fx.app.ts.URL+path, nil)
	for _, ck := range fx.c.hc.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	fx.fresh.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		fx.t.Fatalf("%s written afresh: status %d", path, rec.Code)
	}
	return rec.Body.String()
}

var keptExportPaths = []string{"/timeline.json", "/timeline/timelinejs.json?title=Police+files", "/timeline.json?tag=police"}

// A download asked for again while nothing has been committed is sent
// from the file kept of it, without reading the events: the same bytes,
// with an ETag, which answers If-None-Match with 304 Not Modified. Each
// route, filter and title is a download of its own.
func TestTimelineDownloadsAreKeptWhileNothingChanges(t *testing.T) {
	fx := newKeptExportsFixture(t)
	ctx := store.WithActor(context.Background(), "test")
	for i, title := range []string{"Police publish stop and search figures", "Council answers"} {
		ev := timeline.New("2026-03-0"+string(rune('1'+i))+"--event", "2026-03-0"+string(rune('1'+i)), title)
		if i == 0 {
			ev.SetTags([]string{"police"})
		}
		if err := fx.app.st.SaveTimelineEvent(ctx, &store.TimelineEvent{Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	fx.quiet()
	first := map[string]string{}
	for _, path := range keptExportPaths {
		res, body, read := fx.get(path)
		wantStatus(t, res, http.StatusOK)
		if !read {
			t.Errorf("%s: the first download did not read the events", path)
		}
		first[path] = body
	}
	if first["/timeline.json"] == first["/timeline.json?tag=police"] || !strings.Contains(first["/timeline/timelinejs.json?title=Police+files"], "Police files") {
		t.Fatalf("the variants are not downloads of their own: %q", first)
	}
	for _, path := range keptExportPaths {
		tags := map[string]string{}
		for _, enc := range []string{"identity", "gzip"} {
			res, body, read := fx.get(path, "Accept-Encoding", enc)
			wantStatus(t, res, http.StatusOK)
			if read {
				t.Errorf("%s (%s): asked for again with nothing changed, the events were read again", path, enc)
			}
			if enc == "gzip" {
				if res.Header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("%s: asked for gzipped, Content-Encoding %q", path, res.Header.Get("Content-Encoding"))
				}
				// Sent from a file kept gzipped, with its length, not
				// compressed again as it is sent.
				if res.ContentLength != int64(len(body)) {
					t.Errorf("%s: gzipped, Content-Length %d for %d bytes", path, res.ContentLength, len(body))
				}
				zr, err := gzip.NewReader(strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			} else if res.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s: asked for as it is, Content-Encoding %q", path, res.Header.Get("Content-Encoding"))
			}
			if body != first[path] {
				t.Errorf("%s (%s): the kept download differs from the first:\n%s\nwant\n%s", path, enc, body, first[path])
			}
			tags[enc] = res.Header.Get("ETag")
			if tags[enc] == "" {
				t.Fatalf("%s (%s): no ETag on the kept download", path, enc)
			}
			if path == "/timeline.json" && res.Header.Get("Content-Disposition") != `attachment; filename="timeline.json"` {
				t.Errorf("%s: Content-Disposition %q", path, res.Header.Get("Content-Disposition"))
			}
			res, body, _ = fx.get(path, "Accept-Encoding", enc, "If-None-Match", tags[enc])
			if res.StatusCode != http.StatusNotModified || body != "" {
				t.Errorf("%s (%s) with If-None-Match its ETag: status %d, %d bytes; want 304 and none", path, enc, res.StatusCode, len(body))
			}
		}
		if tags["identity"] == tags["gzip"] {
			t.Errorf("%s: the same ETag %s as it is and gzipped", path, tags["gzip"])
		}
	}
}

// A kept download is never sent once anything has been committed: after
// every kind of change that alters a timeline download (an event edited,
// added or deleted; a link added or removed; the linked request made
// private, then public; a censor rule; the request renamed; the document
// published, then withheld; the authority renamed; an event written by
// another connection to the database, as the CLI or a mail
// sync in another process would), the next download is the new file,
// byte for byte what a server that keeps nothing writes.
func TestTimelineDownloadsAreNeverStale(t *testing.T) {
	fx := newKeptExportsFixture(t)
	app := fx.app
	ctx := store.WithActor(context.Background(), "test")
	a, req, doc, te := app.releasedRecords()
	var link store.EventLink
	var added *store.TimelineEvent
	steps := []struct {
		name   string
		change func() error
		shows  string // in timeline.json after the change ("": nothing to look for)
		hides  string // no longer in it
	}{
		{"an event edited", func() error {
			te.Event.SetTitle("Police release the records")
			return app.st.SaveTimelineEvent(ctx, te)
		}, "Police release the records", "Police release records"},
		{"an event added", func() error {
			added = &store.TimelineEvent{Event: timeline.New("2026-03-02--appeal", "2026-03-02", "Appeal lodged")}
			return app.st.SaveTimelineEvent(ctx, added)
		}, "Appeal lodged", ""},
		{"an event deleted", func() error { return app.st.DeleteTimelineEvent(ctx, added.ID) }, "", "Appeal lodged"},
		{"a link added", func() error {
			link = store.EventLink{EventID: te.ID, DocumentID: doc.ID, Role: store.LinkReleased, Tier: 1}
			return app.st.LinkToEvent(ctx, &link)
		}, "stops-2025.csv", ""},
		{"the linked request made private", func() error {
			r, err := app.st.RequestByID(ctx, req.ID)
			if err != nil {
				return err
			}
			r.Visibility = tracker.VisibilityPrivate
			return app.st.UpdateRequest(ctx, &r)
		}, "", "stops-2025.csv"},
		{"the linked request made public", func() error {
			r, err := app.st.RequestByID(ctx, req.ID)
			if err != nil {
				return err
			}
			r.Visibility = tracker.VisibilityPublic
			return app.st.UpdateRequest(ctx, &r)
		}, "stops-2025.csv", ""},
		{"a censor rule", func() error {
			return app.st.AddCensorRule(ctx, &tracker.CensorRule{Scope: tracker.CensorGlobal, Pattern: "Police"})
		}, "", "Police"},
		{"the linked request renamed", func() error {
			// (A document keeps the name it was stored under: its
			// request's title is what a link shows that can be renamed.)
			r, err := app.st.RequestByID(ctx, req.ID)
			if err != nil {
				return err
			}
			r.Title = "Stop and search data"
			return app.st.UpdateRequest(ctx, &r)
		}, "Stop and search data", "Stop and search records"},
		{"the linked document published", func() error {
			return app.st.SetDocumentPublished(ctx, doc.ID, true)
		}, "/documents/" + doc.SHA256, ""},
		{"the linked document withheld", func() error {
			d, err := app.st.DocumentByID(ctx, doc.ID)
			if err != nil {
				return err
			}
			d.Disposition = tracker.DispositionWithheld
			return app.st.UpdateDocument(ctx, &d)
		}, "", "/documents/"},
		{"the linked request's authority renamed", func() error {
			a.Name = "Borsetshire Constabulary"
			return app.st.UpdateAuthority(ctx, &a)
		}, "Borsetshire Constabulary", ""},
		{"a link removed", func() error { return app.st.DeleteEventLink(ctx, link.ID) }, "", "stops-2025.csv"},
		{"an event written by another connection", func() error {
			other, err := store.Open(ctx, filepath.Dir(app.st.Path()))
			if err != nil {
				return err
			}
			defer other.Close()
			ev, err := other.TimelineEventByID(ctx, te.ID)
			if err != nil {
				return err
			}
			ev.Event.SetTitle("Records released at last")
			return other.SaveTimelineEvent(ctx, &ev)
		}, "Records released at last", "release the records"},
	}
	paths := []string{"/timeline.json", "/timeline/timelinejs.json"}
	for _, step := range steps {
		fx.quiet()
		before := map[string]string{}
		for _, path := range paths {
			_, before[path], _ = fx.get(path)
			if _, body, read := fx.get(path); read || body != before[path] {
				t.Fatalf("before %s: %s is not sent from its kept file (read %v)", step.name, path, read)
			}
		}
		if err := step.change(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		for _, path := range paths {
			// Gzipped (the client takes it so, and reads it as it was
			// written), then as it is.
			res, body, _ := fx.get(path)
			wantStatus(t, res, http.StatusOK)
			want := fx.want(path)
			if body != want {
				t.Errorf("after %s, %s is not what is written afresh:\n%s\nwant\n%s", step.name, path, body, want)
			}
			if _, plain, _ := fx.get(path, "Accept-Encoding", "identity"); plain != want {
				t.Errorf("after %s, %s as it is, is not what is written afresh", step.name, path)
			}
			if path != "/timeline.json" {
				continue // TimelineJS's slides name no file
			}
			if body == before[path] {
				t.Errorf("after %s, %s is the same as before", step.name, path)
			}
			if step.shows != "" && !strings.Contains(body, step.shows) {
				t.Errorf("after %s, %s lacks %q", step.name, path, step.shows)
			}
			if step.hides != "" && strings.Contains(body, step.hides) {
				t.Errorf("after %s, %s still holds %q", step.name, path, step.hides)
			}
		}
	}
}
