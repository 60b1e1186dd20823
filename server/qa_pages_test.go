package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// What a first look at the pages in Chromium found: each case is one thing a
// new user met that was wrong or confusing.

func TestSetupPasswordMismatchSaysSoAtTheTop(t *testing.T) {
	app := newTestApp(t)
	c := app.anonymous()
	res, body := c.postForm("/setup", url.Values{"email": {"ada@example.org"}, "password": {testPassword}, "password_confirm": {"something else"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "the two passwords differ", `class="flash error"`, "Please correct the highlighted fields.")
}

func TestAuthorityWebsiteMustBeAWebAddress(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	c := app.login("editor@example.org")
	form := url.Values{"name": {"Borsetshire County Council"}, "jurisdiction": {tracker.JurisdictionEngland},
		"website": {"javascript:alert(1)"}}
	res, body := c.postForm("/authorities", form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "not a web address")
	if as, _ := app.st.Authorities(context.Background(), store.AuthorityFilter{}); len(as) != 0 {
		t.Fatalf("an authority with a javascript: website was saved: %+v", as)
	}

	// A bare host, as hand-made lists have it, is taken as https and linked.
	form.Set("website", "www.borsetshire.gov.uk")
	res, _ = c.postForm("/authorities", form)
	wantStatus(t, res, http.StatusSeeOther)
	_, body = c.get(res.Header.Get("Location"))
	wantContains(t, body, `href="https://www.borsetshire.gov.uk"`)
}

func TestDocumentPageSaysWhenThereIsNoPublicPage(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire Police", tracker.JurisdictionEngland)
	private := app.request("Stop and search figures", a.ID, "2026-03-02", false)
	d := tracker.Document{RequestID: private.ID, Filename: "figures.pdf", MediaType: "application/pdf", Disposition: tracker.DispositionReleased}
	if err := app.st.AddDocument(context.Background(), &d, strings.NewReader("%PDF-1.4 small\n"), 0); err != nil {
		t.Fatal(err)
	}
	c := app.login("editor@example.org")
	res, body := c.get(fmt.Sprintf("/documents/%d", d.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "the request is private, so it has no public page yet")
	// A small file's size is said once, not "15 bytes (15 bytes)".
	if strings.Contains(body, "bytes (") {
		t.Error("the size of a small file is given twice")
	}
}

func TestErrorPageReferenceIsNotCalledARequest(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", store.RoleViewer)
	c := app.login("viewer@example.org")
	res, body := c.get("/requests/999")
	wantStatus(t, res, http.StatusNotFound)
	// In an FOI tracker "Request 7f3a…" reads as an FOI request; it is the
	// HTTP request's ID, for a bug report.
	wantContains(t, body, "Reference for a bug report: ")
}
