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

func TestChaserDraftedBeforeTheDueDateDoesNotSayItIsLate(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Pothole repairs", a.ID, "2026-03-16", false) // due in April; today is 25 Mar
	c := app.login("editor@example.org")
	res, body := c.get(fmt.Sprintf("/requests/%d/letters/chaser", r.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Reminder: Pothole repairs", "your response is due by", "Please let me know if you expect the response to be late")
	for _, wrong := range []string{"should have responded", "now  late", "Overdue:"} {
		if strings.Contains(body, wrong) {
			t.Errorf("a chaser drafted before the due date says %q", wrong)
		}
	}
}

func TestUsersPageLeadsToTheOtherAdminPages(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	c := app.login("admin@example.org")
	res, body := c.get("/admin/users")
	wantStatus(t, res, http.StatusOK)
	// The nav's "Admin" entry (the users page) is lit on every admin page; from it, each is one click away.
	wantContains(t, body, `href="/admin/mail"`, `href="/admin/reminders"`, `href="/admin/letters"`)
}

func TestEmptyTimelineOffersTheImportPageToEditorsOnly(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	app.user("viewer@example.org", store.RoleViewer)
	_, body := app.login("editor@example.org").get("/timeline")
	wantContains(t, body, `<a href="/timeline/import">import event files</a>`)
	_, body = app.login("viewer@example.org").get("/timeline")
	wantContains(t, body, "an editor can import event files")
	if strings.Contains(body, `<a href="/timeline/import">`) || strings.Contains(body, "foitrack timeline import") {
		t.Error("a viewer is sent to an import they may not do")
	}
}

func TestReimportKeepsTheEmailTypedByHandAndDoesNotDoubleTheAuthority(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	typed := app.authority("Borsetshire County Council", tracker.JurisdictionEngland) // foi@example.gov.uk, no URL name
	c := app.login("editor@example.org")
	csv := "Name,Short name,URL name,Tags,Home page\n" +
		"Borsetshire County Council,Borsetshire CC,borsetshire_county_council,local_council,https://www.borsetshire.gov.uk\n"
	for round := 1; round <= 2; round++ {
		res, _ := c.postForm("/authorities/import", url.Values{"csv": {csv}})
		wantStatus(t, res, http.StatusSeeOther)
		_, body := c.get("/authorities")
		// The second time the row changes nothing: matched, not written again.
		wantContains(t, body, map[int]string{1: "0 new, 1 updated, 0 unchanged", 2: "0 new, 0 updated, 1 unchanged"}[round])
		as, err := app.st.Authorities(context.Background(), store.AuthorityFilter{})
		if err != nil || len(as) != 1 {
			t.Fatalf("round %d: %d authorities after importing one we had (%v)", round, len(as), err)
		}
		a := as[0]
		if a.ID != typed.ID || a.Email != typed.Email || a.URLName != "borsetshire_county_council" || a.ShortName != "Borsetshire CC" {
			t.Fatalf("round %d: after the import the authority is %+v; want its email %q kept and the CSV's names added", round, a, typed.Email)
		}
	}
}

func TestRefusedPastedImportGivesTheTextBack(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	c := app.login("editor@example.org")
	csv := "Name,Short name,URL name,Tags,Home page\nGood Council,,good_council,,https://good.example.org\nBad Council,,bad_council,,javascript:alert(1)\n"
	res, body := c.postForm("/authorities/import", url.Values{"csv": {csv}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "row 3", "Good Council,,good_council", "javascript:alert(1)\n</textarea>")
}
