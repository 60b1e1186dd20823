package server

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Multipart files over 8 MiB are spooled to the temporary directory while a
// request is read. They must be gone afterwards on every path: accepted,
// refused for the role (403), too large, and a bad form.
func TestUploadTempFilesAreRemoved(t *testing.T) {
	app := newTestApp(t, func(c *Config) { c.MaxUploadBytes = 12 << 20 })
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	app.user("ed@example.org", store.RoleEditor)
	app.user("vi@example.org", store.RoleViewer)
	au := app.authority("Barsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("ANPR cameras", au.ID, "2026-03-02", false)
	path := fmt.Sprintf("/requests/%d/documents", r.ID)
	big := bytes.Repeat([]byte("0123456789abcdef"), (9<<20)/16) // 9 MiB: over the in-memory share

	left := func(when string) {
		t.Helper()
		ents, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			t.Errorf("%s: %s left in the temporary directory", when, e.Name())
		}
	}
	viewer := app.login("vi@example.org")
	res, _ := viewer.postMultipart(path, map[string][]string{"disposition": {"released"}}, "secret.bin", "application/octet-stream", big)
	wantStatus(t, res, http.StatusForbidden)
	left("refused (403)")

	editor := app.login("ed@example.org")
	res, _ = editor.postMultipart(path, map[string][]string{"disposition": {"released"}}, "minutes.bin", "application/octet-stream", big)
	wantStatus(t, res, http.StatusSeeOther)
	left("accepted")

	res, _ = editor.postMultipart(path, map[string][]string{"disposition": {"no such disposition"}}, "again.bin", "application/octet-stream", append(big, 'x'))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	left("invalid form")

	res, _ = editor.postMultipart("/requests/999999/documents", map[string][]string{"disposition": {"released"}}, "nowhere.bin", "application/octet-stream", big)
	wantStatus(t, res, http.StatusNotFound)
	left("unknown request")

	// Too large, sent without a length (so read until the limit trips).
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField(csrfField, editor.csrf())
	fw, _ := mw.CreateFormFile("file", "huge.bin")
	fw.Write(bytes.Repeat(big, 2))
	mw.Close()
	res, _ = editor.postRaw(path, mw.FormDataContentType(), io.MultiReader(&body))
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	left("too large")
}
