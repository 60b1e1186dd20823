package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// HEAD is answered wherever GET is (health checks, link checkers), with the
// same access rules: for every GET route, anonymous and as each role, HEAD
// gets GET's status, and no body.
func TestHeadAnsweredWhereverGetIs(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", store.RoleViewer)
	app.user("editor@example.org", store.RoleEditor)
	app.user("admin@example.org", store.RoleAdmin)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Existing request", a.ID, "2026-03-02", true)
	ids := map[string]string{"id": fmt.Sprint(r.ID), "file": "style.css"}

	var gets []string
	for _, route := range echoRoutes(app.srv) {
		if path, ok := strings.CutPrefix(route, "GET "); ok {
			gets = append(gets, path)
			if lvl, ok := app.srv.levels["HEAD "+path]; !ok || lvl != app.srv.levels[route] {
				t.Errorf("HEAD %s: registered %v at level %v, want level %v like GET", path, ok, lvl, app.srv.levels[route])
			}
		}
	}
	clients := map[string]*client{"anonymous": app.anonymous(), "viewer": app.login("viewer@example.org"),
		"editor": app.login("editor@example.org"), "admin": app.login("admin@example.org")}
	for who, c := range clients {
		for _, path := range gets {
			if strings.HasPrefix(path, "/api/") && who != "anonymous" {
				continue // the API takes tokens, not sessions: covered anonymously
			}
			p := routePath(path, ids)
			get, _ := c.get(p)
			req, _ := http.NewRequest(http.MethodHead, app.ts.URL+p, nil)
			head, body := c.do(req)
			if head.StatusCode != get.StatusCode {
				t.Errorf("HEAD %s as %s: status %d, GET gives %d", p, who, head.StatusCode, get.StatusCode)
			}
			if body != "" {
				t.Errorf("HEAD %s as %s: a body of %d bytes", p, who, len(body))
			}
		}
	}
	res, _ := app.anonymous().do(mustRequest(t, http.MethodHead, app.ts.URL+"/healthz"))
	wantStatus(t, res, http.StatusOK)
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
