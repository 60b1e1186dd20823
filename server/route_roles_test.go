package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Every POST route of the web app (from echo's route list, so a new one is
// covered without being named here), posted by an admin without the CSRF
// token, or with another session's token, is refused with 403 and changes
// nothing.
func TestEveryPostRouteNeedsTheCSRFToken(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	app.user("other@example.org", store.RoleAdmin)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Existing request", a.ID, "2026-03-02", false)
	ids := map[string]string{"id": fmt.Sprint(r.ID)}
	c := app.login("admin@example.org")
	otherToken := app.login("other@example.org").csrf()
	head, _, _ := app.st.AuditHead(context.Background())

	n := 0
	for _, route := range echoRoutes(app.srv) {
		method, path, _ := strings.Cut(route, " ")
		if method != http.MethodPost || strings.HasPrefix(path, "/api/") {
			continue // the API takes no cookie: a bearer token is not sent by a browser on its own
		}
		n++
		form := url.Values{"title": {"changed"}, "name": {"changed"}, "email": {"new@example.org"}, "password": {testPassword},
			"role": {"admin"}, "kind": {"note"}, "date": {"2026-03-20"}, "authority_id": {fmt.Sprint(a.ID)}, "csv": {"Name\nNew body\n"}}
		for _, token := range []string{"", otherToken} {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if token != "" {
				f.Set(csrfField, token)
			}
			res, _ := c.postRaw(routePath(path, ids), "application/x-www-form-urlencoded", strings.NewReader(f.Encode()))
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s without its session's CSRF token (%q): status %d, want 403", route, token, res.StatusCode)
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d POST routes found", n)
	}
	if after, _, _ := app.st.AuditHead(context.Background()); after != head {
		t.Fatal("the audit log moved: a POST without its CSRF token changed something")
	}
}

// Every GET route (from echo's route list), asked by each role and by a
// stranger, with parameters that exist and with bad ones (not a number, too
// large, negative, a path trick) and hostile query strings: never a 5xx,
// a stranger never gets a private page, and a viewer never an editor's form.
func TestEveryGetRouteWithEveryRoleAndBadInput(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	app.user("editor@example.org", store.RoleEditor)
	app.user("viewer@example.org", store.RoleViewer)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Existing request", a.ID, "2026-03-02", true)
	doc := tracker.Document{RequestID: r.ID, Filename: "a.txt", Disposition: tracker.DispositionReleased}
	if err := app.st.AddDocument(context.Background(), &doc, strings.NewReader("hello"), 0); err != nil {
		t.Fatal(err)
	}
	events, _ := app.st.Events(context.Background(), r.ID)
	good := map[string]string{"id": fmt.Sprint(r.ID), "event": fmt.Sprint(events[0].ID), "file": "style.css", "sha256": doc.SHA256,
		"kind": "acknowledgement", "slug": "1"}
	clients := map[string]*client{"admin": app.login("admin@example.org"), "editor": app.login("editor@example.org"),
		"viewer": app.login("viewer@example.org"), "stranger": app.anonymous()}
	roleLevel := map[string]level{"admin": levelAdmin, "editor": levelEditor, "viewer": levelViewer, "stranger": levelPublic}
	bad := []string{"abc", "-1", "0", "99999999999999999999999", "1%2F..%2F..%2Fetc%2Fpasswd", "%00", strings.Repeat("9", 300)}
	queries := []string{"", "?q=" + url.QueryEscape(strings.Repeat("a* ", 3000)), "?q=%22&page=-5&limit=999999999&offset=-1",
		"?from=9999-99-99&to=x&status=%3Cscript%3E&law=..%2F..", "?format=csv", "?format=svg&chart=nonexistent"}
	for _, route := range echoRoutes(app.srv) {
		method, path, _ := strings.Cut(route, " ")
		if method != http.MethodGet {
			continue
		}
		need := app.srv.levels[route]
		for who, c := range clients {
			paths := []string{routePath(path, good)}
			if strings.Contains(path, ":") {
				for _, b := range bad {
					paths = append(paths, routePath(path, map[string]string{"id": b, "event": b, "file": b, "sha256": b, "kind": b, "slug": b}))
				}
			}
			for _, p := range paths {
				for _, q := range queries {
					res, _ := c.get(p + q)
					if res.StatusCode >= 500 {
						t.Errorf("%s GET %s%s: status %d", who, p, clip(q), res.StatusCode)
					}
					if roleLevel[who] < need && res.StatusCode == http.StatusOK {
						t.Errorf("%s GET %s%s: 200, but the route needs %s", who, p, clip(q), need)
					}
				}
			}
		}
	}
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// A stranger walking every public GET route (from echo's route list) with
// the public request's slug, the private one's id, every marker as a search,
// and the files' hashes, never sees a private word: private notes, a
// reference, an event's note, a private request's title and body, an
// unpublished document.
func TestPublicRoutesShowNothingPrivate(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	pub := app.request("Potholes on the A38", a.ID, "2026-03-02", true)
	pub.Notes, pub.OurRef = "privnotezq", "OURREFZQ"
	if err := app.st.UpdateRequest(ctx, &pub); err != nil {
		t.Fatal(err)
	}
	ev := tracker.Event{RequestID: pub.ID, Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-20"),
		Outcome: tracker.OutcomeRefused, Note: "eventnotezq"}
	if err := app.st.AddEvent(ctx, &ev); err != nil {
		t.Fatal(err)
	}
	doc := tracker.Document{RequestID: pub.ID, Filename: "unpublishedzq.txt", Disposition: tracker.DispositionWithheld, Description: "docdesczq"}
	if err := app.st.AddDocument(ctx, &doc, strings.NewReader("withheld text"), 0); err != nil {
		t.Fatal(err)
	}
	priv := tracker.Request{Title: "Secretwombatzq", AuthorityID: a.ID, Body: "privbodyzq"}
	if err := app.st.CreateRequest(ctx, &priv, tracker.MustParseDate("2026-03-03")); err != nil {
		t.Fatal(err)
	}
	slug, err := app.st.EnsurePublicSlug(ctx, pub.ID)
	if err != nil {
		t.Fatal(err)
	}
	// (A document's file name is shown on the public page, censored, by
	// design: what was released and withheld; not its description.)
	markers := []string{"privnotezq", "ourrefzq", "eventnotezq", "docdesczq", "secretwombatzq", "privbodyzq"}
	c := app.anonymous()
	for _, route := range echoRoutes(app.srv) {
		method, path, _ := strings.Cut(route, " ")
		if method != http.MethodGet || app.srv.levels[route] != levelPublic {
			continue
		}
		var paths []string
		for _, ids := range []map[string]string{
			{"slug": slug, "sha256": doc.SHA256, "file": "style.css"},
			{"slug": fmt.Sprint(priv.ID), "sha256": doc.SHA256},
			{"slug": fmt.Sprint(pub.ID), "sha256": doc.SHA256},
		} {
			paths = append(paths, routePath(path, ids))
		}
		for _, p := range paths {
			res, body := c.get(p)
			if res.StatusCode >= 500 {
				t.Errorf("GET %s: status %d", p, res.StatusCode)
			}
			for _, m := range markers {
				if strings.Contains(strings.ToLower(body), m) {
					t.Errorf("GET %s (public): shows the private %q", p, m)
				}
			}
		}
		// Searched for, a private word is answered as a word found nowhere
		// is (the page shows the query back, nothing else differs).
		if !strings.Contains(path, "search") {
			continue
		}
		base := routePath(path, map[string]string{"slug": slug, "file": "style.css", "sha256": doc.SHA256})
		_, nothing := c.get(base + "?q=nowherezq")
		for _, m := range markers {
			res, body := c.get(base + "?q=" + m)
			if res.StatusCode >= 500 {
				t.Errorf("GET %s?q=%s: status %d", base, m, res.StatusCode)
			}
			if strings.ReplaceAll(strings.ToLower(body), m, "nowherezq") != strings.ToLower(nothing) {
				t.Errorf("GET %s?q=%s (public) answers otherwise than a search for a word found nowhere", base, m)
			}
		}
	}
}

// Every POST route (from echo's route list, the API's too), sent a body one
// byte over its limit by an admin with the CSRF token, with a length and
// chunked: 413, nothing changed.
func TestEveryPostRouteHasASizeLimit(t *testing.T) {
	app := newTestApp(t, func(c *Config) { c.MaxUploadBytes = 1 << 20 })
	app.user("admin@example.org", store.RoleAdmin)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Existing request", a.ID, "2026-03-02", false)
	ids := map[string]string{"id": fmt.Sprint(r.ID)}
	c := app.login("admin@example.org")
	tok, _, err := app.st.CreateAPIToken(context.Background(), 1, "t")
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := app.st.AuditHead(context.Background())
	for _, route := range echoRoutes(app.srv) {
		method, path, _ := strings.Cut(route, " ")
		if method != http.MethodPost {
			continue
		}
		limit := int64(formBodyLimit)
		if n, ok := app.srv.bodyLimits[route]; ok {
			limit = n
		}
		body := "title=" + strings.Repeat("x", int(limit)) // over the limit by the "title=" itself
		if strings.HasPrefix(path, "/api/") {
			body = `{"title":"` + strings.Repeat("x", int(limit)) + `"}` // JSON (other text is refused at its first byte)
		}
		for _, chunked := range []bool{false, true} {
			var rd io.Reader = strings.NewReader(body)
			if chunked {
				rd = io.MultiReader(rd)
			}
			req, _ := http.NewRequest(http.MethodPost, app.ts.URL+routePath(path, ids), rd)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(csrfHeader, c.csrf())
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
			}
			res, _ := c.do(req)
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s, %d bytes (limit %d, chunked %v): status %d, want 413", route, len(body), limit, chunked, res.StatusCode)
			}
		}
	}
	if after, _, _ := app.st.AuditHead(context.Background()); after != head {
		t.Fatal("the audit log moved: an oversize body changed something")
	}
}
