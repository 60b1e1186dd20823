package server

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"mime/multipart"

	"github.com/foitrack/foitrack/store"
)

// postFiles posts files in the "files" field, with the CSRF token.
func (c *client) postFiles(path string, files map[string][]byte) (*response, string) {
	c.t.Helper()
	if c.csrf() == "" {
		c.get("/login")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField(csrfField, c.csrf())
	for name, data := range files {
		w, err := mw.CreateFormFile("files", name)
		if err != nil {
			c.t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	return c.postRaw(path, mw.FormDataContentType(), &buf)
}

const importedEvent = `---
id: 2026-05-04--council-releases-grit-bin-map
date: 2026-05-04
title: Council releases its grit bin map
importance: 4
tags: [roads]
actors: [Borsetshire County Council]
campaign_note: kept though foitrack does not know it
sources:
  - url: https://example.org/grit
    title: Grit bins
    tier: 1
---
The council released the map after an internal review.
`

// Event files uploaded in the browser are imported as by the command line:
// a broken file is reported with its line and the others imported; a zip
// of a folder works; importing again changes nothing; a viewer may not.
func TestTimelineImportFromTheBrowser(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	app.user("viewer@example.org", store.RoleViewer)
	c := app.login("editor@example.org")
	ctx := context.Background()

	res, body := c.get("/timeline/import")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `name="files" multiple`)

	broken := "---\nid: broken\ndate: 2026-05-05\ntitle: [unclosed\n---\nText\n"
	res, body = c.postFiles("/timeline/import", map[string][]byte{
		"grit.md": []byte(importedEvent), "broken.md": []byte(broken), "notes.txt": []byte("not an event")})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "1 event read: 1 new, 0 updated, 0 unchanged", "1 file was not imported", "broken.md:4:",
		"2026-05-04--council-releases-grit-bin-map", "notes.txt")
	te, err := app.st.TimelineEventBySlug(ctx, "2026-05-04--council-releases-grit-bin-map")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(te.Event.ExtraJSON()), "campaign_note") {
		t.Errorf("the unknown field was dropped: %s", te.Event.ExtraJSON())
	}

	// The same event in a zip of a folder, with a README and an edit: updated, not duplicated.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, text := range map[string]string{
		"events/2026-05-04--grit.md": strings.Replace(importedEvent, "importance: 4", "importance: 6", 1),
		"events/README.md":           "# Our events\n",
		"events/":                    "",
	} {
		w, _ := zw.Create(name)
		w.Write([]byte(text))
	}
	zw.Close()
	res, body = c.postFiles("/timeline/import", map[string][]byte{"events.zip": zbuf.Bytes()})
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "1 event read: 0 new, 1 updated, 0 unchanged", "README.md")
	all, err := app.st.TimelineEvents(ctx, store.TimelineFilter{})
	if err != nil || len(all) != 1 || all[0].Event.Importance() != 6 {
		t.Fatalf("after the zip: %d events (%v), want the one, importance 6", len(all), err)
	}
	res, body = c.postFiles("/timeline/import", map[string][]byte{"events.zip": zbuf.Bytes()})
	wantContains(t, body, "0 new, 0 updated, 1 unchanged")

	// Nothing chosen, or not a zip: a clear refusal.
	res, body = c.postFiles("/timeline/import", nil)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "choose one or more event files")
	res, body = c.postFiles("/timeline/import", map[string][]byte{"events.zip": []byte("PK not really")})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "events.zip is not a zip file")

	// A viewer may not import.
	v := app.login("viewer@example.org")
	res, _ = v.postFiles("/timeline/import", map[string][]byte{"grit.md": []byte(importedEvent)})
	wantStatus(t, res, http.StatusForbidden)
}
