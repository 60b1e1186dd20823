package server

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func TestHealthz(t *testing.T) {
	app := newTestApp(t)
	res, body := app.anonymous().get("/healthz")
	wantStatus(t, res, http.StatusOK)
	var got struct {
		Status        string `json:"status"`
		SchemaVersion int    `json:"schema_version"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "ok" || got.SchemaVersion != store.LatestVersion() {
		t.Fatalf("healthz = %+v, want ok and schema %d", got, store.LatestVersion())
	}
}

func TestFirstRunSetupMakesTheAdminOnce(t *testing.T) {
	app := newTestApp(t)
	c := app.anonymous()
	res, _ := c.get("/login")
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/setup" {
		t.Fatalf("login with no user redirects to %q, want /setup", loc)
	}
	res, body := c.get("/setup")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Create the admin account")

	// Mismatched passwords and a short one are refused with a message by the field.
	res, body = c.postForm("/setup", url.Values{"email": {"ada@example.org"}, "password": {"short"}, "password_confirm": {"short"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "at least 10 characters", `value="ada@example.org"`)

	res, _ = c.postForm("/setup", url.Values{"email": {"ada@example.org"}, "name": {"Ada"}, "password": {testPassword}, "password_confirm": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	res, body = c.get("/")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Dashboard", "Ada", "admin")

	u, err := app.st.UserByEmail(context.Background(), "ada@example.org")
	if err != nil || u.Role != store.RoleAdmin {
		t.Fatalf("first user = %+v, %v; want an admin", u, err)
	}
	if u.LastLoginAt.IsZero() {
		t.Error("signed in by the setup, yet no sign-in recorded")
	}
	// Gone once there is a user, for everyone.
	for _, cl := range []*client{c, app.anonymous()} {
		res, _ = cl.get("/setup")
		wantStatus(t, res, http.StatusNotFound)
		res, _ = cl.postForm("/setup", url.Values{"email": {"eve@example.org"}, "password": {testPassword}, "password_confirm": {testPassword}})
		wantStatus(t, res, http.StatusNotFound)
	}
	if n, _ := app.st.CountUsers(context.Background()); n != 1 {
		t.Fatalf("%d users after a second setup, want 1", n)
	}
}

// TestPagesRender walks every page with data on it, as an admin, and checks
// each shows what it is about.
func TestPagesRender(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	c := app.login("admin@example.org")
	ctx := context.Background()
	council := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	sent := app.request("Pothole repair contracts", council.ID, "2026-03-02", true)
	draft := app.request("Draft about libraries", council.ID, "", false)
	overdue := app.request("Old request about parking", council.ID, "2026-01-05", false)
	refused := tracker.Event{RequestID: overdue.ID, Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-10"),
		Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}}
	if err := app.st.AddEvent(ctx, &refused); err != nil {
		t.Fatal(err)
	}
	doc := tracker.Document{RequestID: overdue.ID, Filename: "letter.pdf", Disposition: tracker.DispositionReleasedRedacted, Exemptions: []string{"s40(2)"}}
	if err := app.st.AddDocument(ctx, &doc, strings.NewReader("%PDF-1.4 test"), 0); err != nil {
		t.Fatal(err)
	}

	pages := []struct {
		path string
		want []string
	}{
		{"/", []string{"Dashboard", "Due in the next 7 days", "Pothole repair contracts", "Tue 31 Mar 2026", "Unmatched mail waiting", "Last mail sync"}},
		{"/requests", []string{"Pothole repair contracts", "Draft about libraries", "Old request about parking"}},
		{"/requests?status=draft", []string{"Draft about libraries"}},
		{fmt.Sprintf("/requests/%d", sent.ID), []string{"Response due", "Tue 31 Mar 2026", "20th working day", "St Patrick", "Record what happened next", "Public page"}},
		{fmt.Sprintf("/requests/%d", draft.ID), []string{"Draft about libraries", "Record: Sent"}},
		{fmt.Sprintf("/requests/%d", overdue.ID), []string{"s31(1)(a)", "letter.pdf", "Released with redactions", "Response received: Refused"}},
		{fmt.Sprintf("/requests/%d/edit", sent.ID), []string{"Edit request", "Pothole repair contracts"}},
		{"/requests/new", []string{"New request", "Borsetshire County Council"}},
		{"/authorities", []string{"Borsetshire County Council"}},
		{fmt.Sprintf("/authorities/%d", council.ID), []string{"answered on time", "median working days", "s31(1)(a)"}},
		{fmt.Sprintf("/authorities/%d/edit", council.ID), []string{"Borsetshire County Council"}},
		{"/authorities/new", []string{"New authority"}},
		{"/authorities/import", []string{"Import authorities"}},
		{"/exemptions", []string{"s31(1)(a)", "Borsetshire County Council"}},
		{"/exemptions?law=us-foia", []string{"(b)(7)(C)"}},
		{"/documents", []string{"letter.pdf"}},
		{fmt.Sprintf("/documents/%d", doc.ID), []string{"letter.pdf", doc.SHA256}},
		{"/settings", []string{"API tokens", "Change password"}},
		{"/admin/users", []string{"admin@example.org", "Add an account"}},
	}
	for _, p := range pages {
		res, body := c.get(p.path)
		wantStatus(t, res, http.StatusOK)
		for _, w := range p.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not show %q", p.path, w)
			}
		}
		if !res.Uncompressed {
			t.Errorf("%s was not sent gzipped", p.path)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", p.path, ct)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", p.path, csp)
		}
	}
}

func TestRequestListPages(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", store.RoleViewer)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	for i := 1; i <= pageSize+5; i++ {
		app.request(fmt.Sprintf("Request number %03d", i), a.ID, "", false)
	}
	c := app.login("viewer@example.org")
	// Filtered by status, the list is by due date (none for drafts), then oldest first.
	_, body := c.get("/requests?status=draft")
	wantContains(t, body, "Showing 1–50 of 55", "Request number 001", "Request number 050")
	if strings.Contains(body, "Request number 051") {
		t.Error("page 1 shows the 51st request")
	}
	next := nextLink.FindStringSubmatch(body)
	if next == nil {
		t.Fatal("page 1 has no Next link")
	}
	_, body = c.get(html.UnescapeString(next[1]))
	wantContains(t, body, "55 in all", "Request number 051", "Request number 055", "Previous")
	if strings.Contains(body, "Next →") || strings.Contains(body, "Request number 050") {
		t.Error("the last page links to a next one, or shows the first page's rows")
	}
	// A link from before the list was read by cursor (?page=N) leads to
	// the same list's first page.
	res, _ := c.get("/requests?status=draft&page=2")
	wantStatus(t, res, http.StatusFound)
	if loc := res.Header.Get("Location"); loc != "/requests?status=draft" {
		t.Errorf("?page=2 redirects to %q, want the first page", loc)
	}
}
