package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// At a million requests there are 5,000 authorities: the request list's
// authority filter was a <select> of every one of them (most of a 320 kB
// page). It is a typed name now, with the chosen authority shown, a
// bounded list of names to pick from, and ?authority=ID working as before.
func TestRequestListAuthorityFilterAtManyAuthorities(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", store.RoleViewer)
	var all []tracker.Authority
	for i := 1; i <= chooserMax+10; i++ {
		name := fmt.Sprintf("Borough Council %03d", i)
		if i%40 == 0 {
			name = fmt.Sprintf("Police Force %03d", i)
		}
		a := app.authority(name, tracker.JurisdictionEngland)
		app.request(fmt.Sprintf("Request to %s", name), a.ID, "2026-03-02", false)
		all = append(all, a)
	}
	police := all[79] // Police Force 080
	c := app.login("viewer@example.org")
	form := func(body string) string {
		t.Helper()
		i := strings.Index(body, `<form class="filters"`)
		if i < 0 {
			t.Fatal("no filter form")
		}
		return body[i : i+strings.Index(body[i:], "</form>")]
	}

	_, body := c.get("/requests")
	if n := strings.Count(form(body), "Borough Council"); n > chooserMax {
		t.Errorf("the filter form names %d authorities, want at most %d", n, chooserMax)
	}
	if strings.Contains(form(body), "Borough Council 001") {
		t.Error("the filter form lists authorities nobody asked for")
	}

	// A link from another page: the list filtered, the authority shown.
	_, body = c.get(fmt.Sprintf("/requests?authority=%d", police.ID))
	table := body[strings.Index(body, "<table"):]
	if !strings.Contains(table, "Request to Police Force 080") || strings.Contains(table, "Request to Borough Council") {
		t.Errorf("?authority=%d does not filter by it", police.ID)
	}
	wantContains(t, form(body), `value="Police Force 080"`)

	// A typed name that finds one authority: the list filtered by it, by
	// its number, the other filters kept.
	res, _ := c.get("/requests?status=awaiting_response&authority_name=police+force+080")
	wantStatus(t, res, http.StatusFound)
	loc, _ := url.Parse(res.Header.Get("Location"))
	if loc.Path != "/requests" || loc.Query().Get("authority") != fmt.Sprint(police.ID) ||
		loc.Query().Get("status") != "awaiting_response" || loc.Query().Has("authority_name") {
		t.Errorf("a typed name goes to %s, want /requests?authority=%d&status=awaiting_response", loc, police.ID)
	}
	// Part of a name that finds several: those found offered, nothing else.
	res, body = c.get("/requests?authority_name=Police")
	wantStatus(t, res, http.StatusOK)
	f := form(body)
	for _, n := range []string{"Police Force 040", "Police Force 080", "Police Force 120", "Police Force 160"} {
		wantContains(t, f, n)
	}
	if strings.Contains(f, "Borough Council") {
		t.Error("a typed name offers authorities whose names do not hold it")
	}
	wantContains(t, body, fmt.Sprintf(`href="/requests?authority=%d"`, police.ID), "<p>4 authorities with requests have a name holding")
	// From the form, whose empty fields are left out of the address.
	res, _ = c.get("/requests?q=&status=&law=&tag=&authority_name=Police+Force+080")
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/requests?authority=%d", police.ID) {
		t.Errorf("the form's typed name goes to %s, want /requests?authority=%d", loc, police.ID)
	}
	_, body = c.get("/requests?q=&status=&authority_name=Police")
	wantContains(t, body, fmt.Sprintf(`href="/requests?authority=%d"`, police.ID))
	// A name many hold: the first so many, and a word to say so.
	_, body = c.get("/requests?authority_name=Council")
	wantContains(t, body, fmt.Sprintf("The first %d authorities with requests whose name holds", chooserMax))
	// An empty name: any authority.
	res, _ = c.get(fmt.Sprintf("/requests?authority=%d&authority_name=", police.ID))
	wantStatus(t, res, http.StatusFound)
	if loc := res.Header.Get("Location"); loc != "/requests" {
		t.Errorf("an empty name goes to %s, want /requests", loc)
	}
	// A name nobody has: said so.
	_, body = c.get("/requests?authority_name=Atlantis")
	wantContains(t, body, "No authority with requests has a name holding")
}
