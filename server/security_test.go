package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// publicRoutes is every route that may answer without a session: a new
// public route must be added here on purpose.
var publicRoutes = []string{
	"GET /healthz",
	"GET /static/:file",
	"GET /login",
	"POST /login",
	"GET /setup",
	"POST /setup",
	"GET /p/:slug",
	"GET /p/:slug/documents/:sha256", // a file an editor published, of a request that is public
	"GET /calendar/:file",            // the secret in the address is the credential (calendar apps have no session)
	"GET /p/search",                  // finds only public requests and their published documents
	"GET /audit/checkpoint",          // the audit log's latest signed checkpoint: its size and root hash only
}

// routePath fills a route's parameters with values that exist.
func routePath(path string, ids map[string]string) string {
	return regexp.MustCompile(`:[a-z_]+`).ReplaceAllStringFunc(path, func(p string) string {
		if v, ok := ids[p[1:]]; ok {
			return v
		}
		return "1"
	})
}

// echoRoutes lists the routes echo knows, without its internal not-found entries.
func echoRoutes(s *Server) []string {
	var out []string
	for _, r := range s.echo.Routes() {
		if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodPut &&
			r.Method != http.MethodPatch && r.Method != http.MethodDelete {
			continue
		}
		out = append(out, r.Method+" "+r.Path)
	}
	sort.Strings(out)
	return out
}

// TestEveryRouteNeedsASession walks echo's route list: every route but the
// public ones sends a visitor without a session to the login page (pages)
// or answers 401 with a JSON error (API), whatever the method.
func TestEveryRouteNeedsASession(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Existing request", a.ID, "2026-03-02", true)
	ids := map[string]string{"id": fmt.Sprint(r.ID), "file": "style.css"}

	routes := echoRoutes(app.srv)
	if len(routes) < 40 {
		t.Fatalf("only %d routes found: %v", len(routes), routes)
	}
	var public []string
	for _, route := range routes {
		lvl, ok := app.srv.levels[route]
		if !ok {
			t.Errorf("%s was not registered through registerRoutes (no access level)", route)
			continue
		}
		if lvl == levelPublic {
			public = append(public, route)
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		c := app.anonymous()
		var res *response
		if method == http.MethodGet {
			res, _ = c.get(routePath(path, ids))
		} else {
			// With a valid CSRF token, so that it is the missing session that refuses.
			res, _ = c.postForm(routePath(path, ids), url.Values{"title": {"x"}})
		}
		if strings.HasPrefix(path, "/api/") {
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s without a token: status %d, want 401", route, res.StatusCode)
				continue
			}
			var e apiError
			if err := json.Unmarshal([]byte(res.Body), &e); err != nil || e.Error == "" {
				t.Errorf("%s: 401 body %q is not a JSON error", route, res.Body)
			}
			continue
		}
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("%s without a session: status %d to %q, want a redirect to /login", route, res.StatusCode, res.Header.Get("Location"))
		}
	}
	sort.Strings(public)
	want := slices.Clone(publicRoutes)
	sort.Strings(want)
	if !slices.Equal(public, want) {
		t.Errorf("public routes = %v, want exactly %v", public, want)
	}
	// Nothing was created by the refused requests.
	if n, _ := app.st.CountRequests(context.Background(), store.RequestFilter{}); n != 1 {
		t.Errorf("%d requests after the probes, want 1", n)
	}
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	c := app.login("editor@example.org")
	form := url.Values{"title": {"Sneaky"}, "authority_id": {fmt.Sprint(a.ID)}}

	res, body := c.postRaw("/requests", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	wantStatus(t, res, http.StatusForbidden)
	wantContains(t, body, "security token")

	form.Set(csrfField, "not-the-token-in-the-cookie-not-the-token-in-the-cookie")
	res, _ = c.postRaw("/requests", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	wantStatus(t, res, http.StatusForbidden)

	// A login form without the token is refused too (login CSRF).
	res, _ = app.anonymous().postRaw("/login", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"email": {"editor@example.org"}, "password": {testPassword}}.Encode()))
	wantStatus(t, res, http.StatusForbidden)

	if n, _ := app.st.CountRequests(context.Background(), store.RequestFilter{}); n != 0 {
		t.Fatalf("%d requests created without a CSRF token", n)
	}
	// With the token (form field or header) it goes through.
	form.Set(csrfField, c.csrf())
	res, _ = c.postRaw("/requests", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	wantStatus(t, res, http.StatusSeeOther)
	req, _ := http.NewRequest(http.MethodPost, app.ts.URL+"/requests", strings.NewReader(url.Values{"title": {"Via header"}, "authority_id": {fmt.Sprint(a.ID)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(csrfHeader, c.csrf())
	res, _ = c.do(req)
	wantStatus(t, res, http.StatusSeeOther)
}

// TestViewerCannotChangeAnything posts to every editor and admin route as a
// viewer (with a valid CSRF token): each is 403, and nothing changes.
func TestViewerCannotChangeAnything(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", store.RoleViewer)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Existing request", a.ID, "2026-03-02", false)
	doc := tracker.Document{RequestID: r.ID, Filename: "a.txt", Disposition: tracker.DispositionReleased}
	if err := app.st.AddDocument(context.Background(), &doc, strings.NewReader("hello"), 0); err != nil {
		t.Fatal(err)
	}
	events, _ := app.st.Events(context.Background(), r.ID)
	ids := map[string]string{"id": fmt.Sprint(r.ID), "event": fmt.Sprint(events[0].ID)}
	head, _, _ := app.st.AuditHead(context.Background())

	for _, who := range []string{"viewer@example.org", "editor@example.org"} {
		c := app.login(who)
		for _, route := range echoRoutes(app.srv) {
			lvl := app.srv.levels[route]
			if who == "viewer@example.org" && lvl < levelEditor || who == "editor@example.org" && lvl < levelAdmin {
				continue
			}
			method, path, _ := strings.Cut(route, " ")
			if strings.HasPrefix(path, "/api/") {
				continue // the API is checked with tokens (TestAPI)
			}
			if path == "/admin/users/:id" {
				ids["id"] = "1"
			} else {
				ids["id"] = fmt.Sprint(r.ID)
			}
			var res *response
			if method == http.MethodGet {
				res, _ = c.get(routePath(path, ids))
			} else {
				res, _ = c.postForm(routePath(path, ids), url.Values{"title": {"changed"}, "name": {"changed"},
					"email": {"new@example.org"}, "password": {testPassword}, "role": {"admin"}, "kind": {"note"}, "date": {"2026-03-20"},
					"disposition": {"withheld"}, "authority_id": {fmt.Sprint(a.ID)}, "csv": {"Name\nNew body\n"}})
			}
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as %s: status %d, want 403", route, who, res.StatusCode)
			}
		}
	}
	if after, _, _ := app.st.AuditHead(context.Background()); after != head {
		entries, _ := app.st.AuditEntries(context.Background(), "", 0, 0, 1000)
		t.Fatalf("the audit log moved: something changed (%d entries)", len(entries))
	}
}

const xssPayload = `<script>alert("x")</script><img src=x onerror=alert(1)>"'`

// TestHTMLInEveryTextFieldIsEscaped puts a script into every text a user
// can enter and checks that every page shows it as text, never as markup.
func TestHTMLInEveryTextFieldIsEscaped(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	c := app.login("admin@example.org")
	p := xssPayload

	// An authority through the form. A javascript: website is refused by its
	// field (and the form redisplays the payload escaped); a web address is saved.
	authority := url.Values{"name": {"Council " + p}, "short_name": {p}, "email": {"foi@example.org"},
		"website": {"javascript:alert(1)"}, "tags": {p}, "domains": {"example.org"}, "notes": {p}, "jurisdiction": {"uk-england"}}
	res, body := c.postForm("/authorities", authority)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "not a web address")
	checkEscaped(t, "authority form", body)
	authority.Set("website", "https://council.example.org/")
	res, _ = c.postForm("/authorities", authority)
	wantStatus(t, res, http.StatusSeeOther)
	authPath := res.Header.Get("Location")
	authID := strings.TrimPrefix(authPath, "/authorities/")

	// A request through the form, public, with every field.
	res, _ = c.postForm("/requests", url.Values{"title": {"Title " + p}, "authority_id": {authID}, "body": {p}, "tags": {p},
		"our_ref": {"REF" + p}, "their_ref": {p}, "notes": {p}, "visibility": {"public"}, "sent_on": {"2026-03-02"}})
	wantStatus(t, res, http.StatusSeeOther)
	reqPath := res.Header.Get("Location")

	// Events with a note, a reason, and an unknown exemption (whose error message repeats it).
	res, _ = c.postForm(reqPath+"/events", url.Values{"kind": {"extension_claimed"}, "date": {"2026-03-20"}, "new_due_date": {"2026-04-20"}, "reason": {p}, "note": {p}})
	wantStatus(t, res, http.StatusSeeOther)
	res, body = c.postForm(reqPath+"/events", url.Values{"kind": {"response_received"}, "date": {"2026-03-21"}, "outcome": {"refused"}, "exemptions_other": {p}, "note": {p}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	checkEscaped(t, "refused event", body)

	// A document with a hostile name and description.
	res, _ = c.postMultipart(reqPath+"/documents", url.Values{"disposition": {"released"}, "description": {p}}, p+".html", "text/html", []byte(p))
	wantStatus(t, res, http.StatusSeeOther)

	// An account and an API token with hostile names; a bad email is echoed back.
	res, _ = c.postForm("/admin/users", url.Values{"email": {"v@example.org"}, "name": {p}, "role": {"viewer"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	res, body = c.postForm("/admin/users", url.Values{"email": {p}, "name": {p}, "role": {"viewer"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	checkEscaped(t, "refused account", body)
	res, body = c.postForm("/settings/tokens", url.Values{"name": {p}})
	wantStatus(t, res, http.StatusOK)
	checkEscaped(t, "token page", body)
	// A search that repeats the query.
	_, body = c.get("/authorities?q=" + url.QueryEscape(p))
	checkEscaped(t, "authority search", body)

	docs, _ := app.st.Documents(context.Background(), store.DocumentFilter{})
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	slug := ""
	_, body = c.get(reqPath)
	if m := regexp.MustCompile(`href="(/p/[a-z0-9]+)"`).FindStringSubmatch(body); m != nil {
		slug = m[1]
	} else {
		t.Fatal("no public link on the request page")
	}
	for _, path := range []string{"/", "/requests", reqPath, reqPath + "/edit", authPath, authPath + "/edit", "/authorities",
		"/documents", fmt.Sprintf("/documents/%d", docs[0].ID), "/exemptions", "/admin/users", "/settings", "/requests?q=Title"} {
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		checkEscaped(t, path, body)
	}
	res, body = app.anonymous().get(slug)
	wantStatus(t, res, http.StatusOK)
	checkEscaped(t, "public page", body)
	if strings.Contains(body, "javascript:") {
		t.Errorf("a javascript: URL reached a page")
	}
	_, body = c.get(authPath)
	if strings.Contains(body, `href="javascript:`) {
		t.Errorf("the authority page links to a javascript: URL")
	}
}

// checkEscaped fails if the payload appears as markup.
func checkEscaped(t *testing.T, where, body string) {
	t.Helper()
	for _, raw := range []string{"<script>alert", "<img src=x", "onerror=alert(1)>"} {
		if strings.Contains(body, raw) {
			t.Errorf("%s: the payload comes back unescaped (%q)", where, raw)
		}
	}
}

func TestLargeBodiesAreRefused(t *testing.T) {
	app := newTestApp(t, func(c *Config) { c.MaxUploadBytes = 1 << 20 })
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Existing request", a.ID, "2026-03-02", false)
	c := app.login("editor@example.org")

	// A 10 MB form body.
	big := url.Values{"title": {strings.Repeat("x", 10<<20)}, "authority_id": {fmt.Sprint(a.ID)}, csrfField: {c.csrf()}}
	res, body := c.postRaw("/requests", "application/x-www-form-urlencoded", strings.NewReader(big.Encode()))
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	wantContains(t, body, "too large", "2.0 MB", "Go to the dashboard") // still signed in, not "Sign in"
	if n, _ := app.st.CountRequests(context.Background(), store.RequestFilter{}); n != 1 {
		t.Fatalf("%d requests after an oversize form", n)
	}

	// The same without a Content-Length (chunked): refused while it is read.
	res, body = c.postRaw("/requests", "application/x-www-form-urlencoded", io.MultiReader(strings.NewReader(big.Encode())))
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	wantContains(t, body, "too large")

	// An upload over the document limit (1 MB here) is refused with a message.
	res, body = c.postMultipart(fmt.Sprintf("/requests/%d/documents", r.ID), url.Values{"disposition": {"released"}}, "big.bin", "application/octet-stream", make([]byte, 3<<20))
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	wantContains(t, body, "too large")
	// Under it, an upload goes through the same route.
	res, _ = c.postMultipart(fmt.Sprintf("/requests/%d/documents", r.ID), url.Values{"disposition": {"released"}}, "small.bin", "application/octet-stream", make([]byte, 512<<10))
	wantStatus(t, res, http.StatusSeeOther)
	// The API refuses a 10 MB JSON body with a JSON error.
	tok, _, _ := app.st.CreateAPIToken(context.Background(), 1, "t")
	res, body = app.api(http.MethodPost, "/api/v1/requests", tok, `{"title":"`+strings.Repeat("x", 10<<20)+`"}`)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	wantContains(t, body, `"error"`)
	req, _ := http.NewRequest(http.MethodPost, app.ts.URL+"/api/v1/requests", io.MultiReader(strings.NewReader(`{"title":"`+strings.Repeat("x", 10<<20)+`"}`)))
	req.Header.Set("Authorization", "Bearer "+tok)
	res, body = app.anonymous().do(req)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	wantContains(t, body, `"error"`)
}

func TestUnknownIDsAre404(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	c := app.login("admin@example.org")
	for _, path := range []string{"/requests/999", "/requests/abc", "/requests/-1", "/requests/999/edit", "/authorities/999",
		"/authorities/99999999999999999999999", "/documents/999", "/documents/999/download", "/p/nosuchpage", "/no/such/page",
		"/static/nothing.css"} {
		res, body := c.get(path)
		wantStatus(t, res, http.StatusNotFound)
		wantContains(t, body, "Not found")
	}
	// The store's message, as a sentence.
	_, body := c.get("/requests/999")
	wantContains(t, body, "Request 999 not found")
	for _, path := range []string{"/requests/999/events", "/documents/999", "/authorities/999"} {
		res, _ := c.postForm(path, url.Values{"kind": {"note"}, "date": {"2026-03-01"}, "name": {"x"}, "disposition": {"released"}})
		wantStatus(t, res, http.StatusNotFound)
	}
	tok, _, _ := app.st.CreateAPIToken(context.Background(), 1, "t")
	res, body := app.api(http.MethodGet, "/api/v1/requests/999", tok, "")
	wantStatus(t, res, http.StatusNotFound)
	var e apiError
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
		t.Fatalf("API 404 body %q is not a JSON error", body)
	}
}

// rawLogin signs in without a cookie jar (a jar does not send Secure
// cookies over the test server's http) and returns the login response.
func rawLogin(t *testing.T, app *testApp, email, password string) *response {
	t.Helper()
	c := app.anonymous()
	res, _ := c.get("/login")
	var token string
	for _, ck := range res.Cookies() {
		if ck.Name == csrfCookie {
			token = ck.Value
		}
	}
	req, _ := http.NewRequest(http.MethodPost, app.ts.URL+"/login",
		strings.NewReader(url.Values{"email": {email}, "password": {password}, csrfField: {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
	res, _ = c.do(req)
	return res
}

func TestSessionCookieIsSecureAndStoredHashed(t *testing.T) {
	app := newTestApp(t, func(c *Config) { c.BaseURL = "https://foitrack.example.org" })
	app.user("ed@example.org", store.RoleEditor)
	res := rawLogin(t, app, "ed@example.org", testPassword)
	wantStatus(t, res, http.StatusSeeOther)
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
		if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: HttpOnly=%v Secure=%v SameSite=%v, want HttpOnly, Secure, Lax", ck.Name, ck.HttpOnly, ck.Secure, ck.SameSite)
		}
	}
	if session == nil || len(session.Value) < 40 {
		t.Fatalf("session cookie = %+v", session)
	}
	var stored int
	app.st.Reader().QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = ?`, session.Value).Scan(&stored)
	if stored != 0 {
		t.Fatal("the session token is stored in clear")
	}
	sum := sha256.Sum256([]byte(session.Value))
	app.st.Reader().QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = ?`, hex.EncodeToString(sum[:])).Scan(&stored)
	if stored != 1 {
		t.Fatal("the session is not stored by the sha256 of its token")
	}
}

func TestLoginLogoutAndRateLimit(t *testing.T) {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	c := app.anonymous()
	c.get("/login")

	// A wrong password: 401 and the form again, with the email kept.
	res, body := c.postForm("/login", url.Values{"email": {"ed@example.org"}, "password": {"wrong password!"}})
	wantStatus(t, res, http.StatusUnauthorized)
	wantContains(t, body, "Wrong email or password", `value="ed@example.org"`)
	// An unknown account gets the very same answer.
	res, body = c.postForm("/login", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password!"}})
	wantStatus(t, res, http.StatusUnauthorized)
	wantContains(t, body, "Wrong email or password")

	// Signed in, back where the login page was asked from.
	res, _ = c.postForm("/login", url.Values{"email": {"ed@example.org"}, "password": {testPassword}, "next": {"/requests?q=x"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/requests?q=x" {
		t.Errorf("after login: redirect to %q", loc)
	}
	res, _ = c.get("/requests")
	wantStatus(t, res, http.StatusOK)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("signed-in page Cache-Control = %q, want no-store", cc)
	}
	var oldSession string
	u, _ := url.Parse(app.ts.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			oldSession = ck.Value
		}
	}
	// Sign out: the same cookie no longer works.
	res, _ = c.postForm("/logout", nil)
	wantStatus(t, res, http.StatusSeeOther)
	req, _ := http.NewRequest(http.MethodGet, app.ts.URL+"/requests", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: oldSession})
	res, _ = app.anonymous().do(req)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out the old session still works: %d", res.StatusCode)
	}
	// An open redirect through ?next= is not possible.
	res, _ = c.postForm("/login", url.Values{"email": {"ed@example.org"}, "password": {testPassword}, "next": {"//evil.example/x"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/" {
		t.Errorf("next=//evil.example redirects to %q, want /", loc)
	}

	// Rate limit: 5 failures in 15 minutes for this address and email (the
	// count starts after the last success), then even the right password is
	// refused with 429.
	for i := 0; i < 5; i++ {
		res, _ = c.postForm("/login", url.Values{"email": {"ed@example.org"}, "password": {"wrong password!"}})
		wantStatus(t, res, http.StatusUnauthorized)
	}
	res, body = c.postForm("/login", url.Values{"email": {"ed@example.org"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	wantContains(t, body, "Too many failed sign-in attempts")
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After on 429")
	}
	var attempts int
	app.st.Reader().QueryRow(`SELECT count(*) FROM login_attempts WHERE email = 'ed@example.org' AND NOT success`).Scan(&attempts)
	if attempts != 6 {
		t.Errorf("%d failed attempts stored, want 6", attempts)
	}
	// Another account from the same address is not locked by it.
	app.user("other@example.org", store.RoleViewer)
	res, _ = c.postForm("/login", url.Values{"email": {"other@example.org"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
}
