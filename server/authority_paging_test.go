package server

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// An authority's page lists its requests a page at a time, newest first:
// following "Older" shows every request exactly once.
func TestAuthorityPageListsEveryRequestAPageAtATime(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", store.RoleViewer)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	other := app.authority("Ambridge Parish Council", tracker.JurisdictionEngland)
	n := pageSize + 7
	for i := 0; i < n; i++ {
		app.request(fmt.Sprintf("Request number %d", i), a.ID, "2026-03-02", false)
	}
	app.request("Someone else's", other.ID, "2026-03-02", false)
	c := app.login("viewer@example.org")
	link := regexp.MustCompile(`href="/requests/(\d+)"`)
	seen := map[string]int{}
	path, pages := fmt.Sprintf("/authorities/%d", a.ID), 0
	for path != "" && pages < 5 {
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		pages++
		for _, m := range link.FindAllStringSubmatch(body, -1) {
			seen[m[1]]++
		}
		path = ""
		if m := regexp.MustCompile(`href="(/authorities/\d+\?before=\d+)#requests"`).FindStringSubmatch(body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
		if strings.Contains(body, "Someone else") {
			t.Error("another authority's request is listed")
		}
	}
	if pages != 2 {
		t.Errorf("%d pages, want 2 for %d requests", pages, n)
	}
	if len(seen) != n {
		t.Errorf("%d requests listed, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("request %s listed %d times", id, k)
		}
	}
}
