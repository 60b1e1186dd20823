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

// A signed-in form's CSRF token belongs to the session: a matching pair of
// cookie and field that someone planted (another account's, or one made
// before sign-in) is refused.
func TestCSRFTokenIsTiedToTheSession(t *testing.T) {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	app.user("eve@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	victim := app.login("ed@example.org")
	attacker := app.login("eve@example.org")
	stolen := attacker.csrf()
	if stolen == "" || stolen == victim.csrf() {
		t.Fatalf("tokens: attacker %q victim %q", stolen, victim.csrf())
	}
	u, _ := url.Parse(app.ts.URL)
	var session *http.Cookie
	for _, ck := range victim.hc.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	form := url.Values{"title": {"Planted"}, "authority_id": {fmt.Sprint(a.ID)}, csrfField: {stolen}}
	req, _ := http.NewRequest(http.MethodPost, app.ts.URL+"/requests", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(session)
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: stolen}) // a planted cookie, matching the field
	res, _ := app.anonymous().do(req)
	wantStatus(t, res, http.StatusForbidden)

	// A token from before sign-in is no use after it.
	c := app.anonymous()
	c.get("/login")
	before := c.csrf()
	res, _ = c.postForm("/login", url.Values{"email": {"ed@example.org"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	req, _ = http.NewRequest(http.MethodPost, app.ts.URL+"/requests", strings.NewReader(url.Values{"title": {"Old token"},
		"authority_id": {fmt.Sprint(a.ID)}, csrfField: {before}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			req.AddCookie(ck)
		}
	}
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: before})
	res, _ = app.anonymous().do(req)
	wantStatus(t, res, http.StatusForbidden)

	if n, _ := app.st.CountRequests(context.Background(), store.RequestFilter{}); n != 0 {
		t.Fatalf("%d requests created with a token of another session", n)
	}
	// The victim's own form works.
	res, _ = victim.postForm("/requests", url.Values{"title": {"Mine"}, "authority_id": {fmt.Sprint(a.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
}
