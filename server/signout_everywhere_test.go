package server

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// access is what a user has out there: another signed-in browser, an API
// token and a calendar feed.
type access struct {
	other    *client
	token    string
	feedPath string
}

func giveAccess(t *testing.T, app *testApp, u store.User) access {
	return giveAccessPW(t, app, u, testPassword)
}

func giveAccessPW(t *testing.T, app *testApp, u store.User, password string) access {
	t.Helper()
	ctx := context.Background()
	secret, _, err := app.st.CreateAPIToken(ctx, u.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	feed, _, err := app.st.CreateCalendarFeed(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	other := app.anonymous()
	other.get("/login")
	res, _ := other.postForm("/login", url.Values{"email": {u.Email}, "password": {password}})
	wantStatus(t, res, http.StatusSeeOther)
	return access{other: other, token: secret, feedPath: "/calendar/" + feed + ".ics"}
}

// check reports which of the three still work.
func (x access) check(t *testing.T, app *testApp) (session, token, feed bool) {
	t.Helper()
	res, _ := x.other.get("/settings")
	session = res.StatusCode == http.StatusOK
	res, _ = app.api(http.MethodGet, "/api/v1/requests", x.token, "")
	token = res.StatusCode == http.StatusOK
	res, _ = app.anonymous().get(x.feedPath)
	feed = res.StatusCode == http.StatusOK
	return
}

// A password change ends the other sessions, and revokes the API tokens and
// the calendar feed when asked to (the boxes are offered on the form).
func TestPasswordChangeRevokesWhatItSays(t *testing.T) {
	app := newTestApp(t)
	u := app.user("ed@example.org", store.RoleEditor)
	x := giveAccess(t, app, u)
	c := app.login(u.Email)
	_, body := c.get("/settings")
	wantContains(t, body, `name="revoke_tokens"`, `name="revoke_feeds"`, "Sign out everywhere")

	res, _ := c.postForm("/settings/password", url.Values{"current_password": {testPassword},
		"new_password": {"a brand new passphrase"}, "new_password_confirm": {"a brand new passphrase"}})
	wantStatus(t, res, http.StatusSeeOther)
	if s, tok, f := x.check(t, app); s || !tok || !f {
		t.Fatalf("after a change without the boxes: other session %v (want ended), token %v, feed %v (want kept)", s, tok, f)
	}
	if res, _ := c.get("/settings"); res.StatusCode != http.StatusOK {
		t.Fatal("the session that changed the password was signed out")
	}

	x = giveAccessPW(t, app, u, "a brand new passphrase")
	res, _ = c.postForm("/settings/password", url.Values{"current_password": {"a brand new passphrase"},
		"new_password": {"yet another passphrase"}, "new_password_confirm": {"yet another passphrase"},
		"revoke_tokens": {"1"}, "revoke_feeds": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if s, tok, f := x.check(t, app); s || tok || f {
		t.Fatalf("after a change with the boxes: session %v, token %v, feed %v; want all ended", s, tok, f)
	}
}

// "Sign out everywhere" ends every session, this one too, and the tokens
// and feed when asked to.
func TestSignOutEverywhere(t *testing.T) {
	app := newTestApp(t)
	u := app.user("ed@example.org", store.RoleEditor)
	x := giveAccess(t, app, u)
	c := app.login(u.Email)
	res, _ := c.postForm("/settings/sign-out-everywhere", url.Values{"revoke_tokens": {"1"}, "revoke_feeds": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if s, tok, f := x.check(t, app); s || tok || f {
		t.Fatalf("after signing out everywhere: session %v, token %v, feed %v; want all ended", s, tok, f)
	}
	if res, _ := c.get("/settings"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("this session still works: %d", res.StatusCode)
	}
}
