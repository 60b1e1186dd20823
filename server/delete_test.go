package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Deleting from the pages: editors only, back to a page that says what
// went, and an authority with requests is kept with the reason.
func TestDeleteDocumentAndAuthorityPages(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	app.user("viewer@example.org", store.RoleViewer)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	spare := app.authority("Borsetshire County Council (again)", tracker.JurisdictionEngland)
	r := app.request("Grit bins", a.ID, "2026-03-02", false)
	ctx := context.Background()
	d := tracker.Document{RequestID: r.ID, Filename: "wrong-file.pdf", Disposition: tracker.DispositionReleased}
	if err := app.st.AddDocument(ctx, &d, strings.NewReader("%PDF-1.4 not this one"), 0); err != nil {
		t.Fatal(err)
	}
	docPath := fmt.Sprintf("/documents/%d", d.ID)

	viewer := app.login("viewer@example.org")
	_, body := viewer.get(docPath)
	if strings.Contains(body, docPath+"/delete") {
		t.Error("a viewer is offered the delete button")
	}
	res, _ := viewer.postForm(docPath+"/delete", nil)
	wantStatus(t, res, http.StatusForbidden)

	editor := app.login("editor@example.org")
	_, body = editor.get(docPath)
	wantContains(t, body, `action="`+docPath+`/delete"`)
	res, _ = editor.postForm(docPath+"/delete", nil)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/requests/%d", r.ID) {
		t.Errorf("after deleting, sent to %q", loc)
	}
	_, body = editor.get(fmt.Sprintf("/requests/%d", r.ID))
	wantContains(t, body, "Deleted wrong-file.pdf.")
	res, _ = editor.get(docPath)
	wantStatus(t, res, http.StatusNotFound)

	// The authority with a request offers no delete, and a forged post is refused with the reason.
	_, body = editor.get(fmt.Sprintf("/authorities/%d", a.ID))
	if strings.Contains(body, "/delete") {
		t.Error("an authority with requests offers delete")
	}
	res, _ = editor.postForm(fmt.Sprintf("/authorities/%d/delete", a.ID), nil)
	wantStatus(t, res, http.StatusSeeOther)
	_, body = editor.get(fmt.Sprintf("/authorities/%d", a.ID))
	wantContains(t, body, "Not deleted: Borsetshire County Council has 1 request")
	_, body = editor.get(fmt.Sprintf("/authorities/%d", spare.ID))
	wantContains(t, body, fmt.Sprintf(`action="/authorities/%d/delete"`, spare.ID))
	res, _ = editor.postForm(fmt.Sprintf("/authorities/%d/delete", spare.ID), nil)
	wantStatus(t, res, http.StatusSeeOther)
	_, body = editor.get("/authorities")
	wantContains(t, body, "Deleted Borsetshire County Council (again).")
	res, _ = editor.get(fmt.Sprintf("/authorities/%d", spare.ID))
	wantStatus(t, res, http.StatusNotFound)
}
