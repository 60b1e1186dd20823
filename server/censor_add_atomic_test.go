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

// TestCensorRulesAreAddedAllOrNothing: the request page offers several
// words to hide at once; when one of them is refused, none is added (the
// page says "not added").
func TestCensorRulesAreAddedAllOrNothing(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Barsetshire County Council", "uk-england")
	r := app.request("Potholes", a.ID, "2026-03-02", true)
	c := app.login("editor@example.org")
	back := fmt.Sprintf("/requests/%d", r.ID)
	res, _ := c.postForm("/censor", url.Values{"scope": {tracker.CensorRequest}, "scope_id": {fmt.Sprint(r.ID)}, "back": {back},
		"pattern": {"Jane Smith", strings.Repeat("x", 600)}})
	wantStatus(t, res, http.StatusSeeOther)
	rules, err := app.st.CensorRules(context.Background(), tracker.CensorRequest, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 0 {
		t.Fatalf("one pattern was refused, yet %d rule(s) were added (%q)", len(rules), rules[0].Pattern)
	}
	res, _ = c.postForm("/censor", url.Values{"scope": {tracker.CensorRequest}, "scope_id": {fmt.Sprint(r.ID)}, "back": {back},
		"pattern": {"Jane Smith", "07700 900123"}})
	wantStatus(t, res, http.StatusSeeOther)
	if rules, _ = app.st.CensorRules(context.Background(), tracker.CensorRequest, r.ID); len(rules) != 2 {
		t.Fatalf("%d rules after adding two", len(rules))
	}
}
