package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
)

// A kept download outlives the commits that change nothing it reads:
// someone signing in, a session's last use, a fetched message no document
// or link names and its processing, the indexed words' worker, an audit checkpoint, a
// notification. Each time the next download is the kept file (same ETag,
// the events not read) and what a server keeping nothing writes. A
// download filtered by words reads the indexed words: it is written again
// after any commit.
func TestTimelineDownloadsStayKeptThroughWritesTheyDoNotRead(t *testing.T) {
	fx := newKeptExportsFixture(t)
	app := fx.app
	ctx := store.WithActor(context.Background(), "test")
	_, req, doc, te := app.releasedRecords()
	if err := app.st.LinkToEvent(ctx, &store.EventLink{EventID: te.ID, DocumentID: doc.ID, Role: store.LinkReleased, Tier: 1}); err != nil {
		t.Fatal(err)
	}
	ed, err := app.st.UserByEmail(ctx, "ed@example.org")
	if err != nil {
		t.Fatal(err)
	}
	uid := uint32(0)
	steps := []struct {
		name   string
		change func() error
	}{
		{"someone signs in", func() error {
			app.user("viewer@example.org", store.RoleViewer)
			app.login("viewer@example.org")
			return nil
		}},
		{"a session's last use", func() error {
			// What SessionUser writes when a session was last used over
			// five minutes ago.
			return app.st.Update(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?`, time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"))
				return err
			})
		}},
		{"a message fetched", func() error {
			uid++
			return app.st.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertIncomingMail(&store.MailMessage{Mailbox: "INBOX", UIDValidity: 1, UID: uid,
					Subject: "Police newsletter", FromAddr: "news@police.example", TextBody: "Stop and search figures"})
			})
		}},
		{"the fetched message processed, on no request", func() error {
			// A mail sync's processing step: an UPDATE of the message,
			// which no document or link names.
			return app.st.Update(ctx, func(tx *store.Tx) error {
				var id int64
				if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM mail_messages`).Scan(&id); err != nil {
					return err
				}
				m, err := app.st.MailMessageByID(ctx, id)
				if err != nil {
					return err
				}
				return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailUnmatched})
			})
		}},
		{"the indexed words' worker", func() error {
			_, err := app.st.KeepSearchTerms(ctx)
			return err
		}},
		{"an audit checkpoint", func() error {
			_, err := app.st.SignCheckpoint(ctx)
			return err
		}},
		{"a notification", func() error {
			return app.st.AddNotification(ctx, &store.Notification{UserID: ed.ID, RequestID: req.ID, Kind: "due", Title: "Reply due"})
		}},
	}
	paths := []string{"/timeline.json", "/timeline/timelinejs.json", "/timeline.json?tag=police"}
	fx.quiet()
	kept := map[string]string{}
	tags := map[string]string{}
	for _, path := range paths {
		res, body, read := fx.get(path)
		wantStatus(t, res, http.StatusOK)
		if !read {
			t.Fatalf("%s: the first download did not read the events", path)
		}
		kept[path] = body
		// Sent from its kept file, with the file's ETag.
		res, body, read = fx.get(path)
		if read || body != kept[path] || res.Header.Get("ETag") == "" {
			t.Fatalf("%s: asked for again, not sent from its kept file (read %v)", path, read)
		}
		tags[path] = res.Header.Get("ETag")
	}
	if !strings.Contains(kept["/timeline.json"], "stops-2025.csv") {
		t.Fatalf("the download lacks its link:\n%s", kept["/timeline.json"])
	}
	for _, step := range steps {
		v0, err := app.st.ExportVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := step.change(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		app.st.Settle()
		if v, err := app.st.ExportVersion(ctx); err != nil || v.Unchanged(v0, true) {
			t.Fatalf("%s committed nothing (%v)", step.name, err)
		}
		for _, path := range paths {
			res, body, read := fx.get(path)
			wantStatus(t, res, http.StatusOK)
			if read || res.Header.Get("ETag") != tags[path] {
				t.Errorf("after %s, %s was written again (events read: %v; ETag %s, was %s)", step.name, path, read, res.Header.Get("ETag"), tags[path])
			}
			if body != kept[path] {
				t.Errorf("after %s, %s is not the kept download", step.name, path)
			}
			if want := fx.want(path); body != want {
				t.Errorf("after %s, %s is not what is written afresh:\n%s\nwant\n%s", step.name, path, body, want)
			}
		}
	}
	// Filtered by words: written again after a commit it may not read.
	const searched = "/timeline.json?q=police"
	if _, _, read := fx.get(searched); !read {
		t.Fatalf("%s: the first download did not read the events", searched)
	}
	if _, _, read := fx.get(searched); read {
		t.Fatalf("%s: asked for again with nothing changed, the events were read again", searched)
	}
	if err := steps[1].change(); err != nil {
		t.Fatal(err)
	}
	if _, body, read := fx.get(searched); !read || body != fx.want(searched) {
		t.Errorf("%s after a commit: read %v, or not what is written afresh", searched, read)
	}
}
