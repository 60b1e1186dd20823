package server

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

var furtherBackLink = regexp.MustCompile(`href="([^"]*before=[^"]*)"[^>]*>Look further back<`)

var hitTitle = regexp.MustCompile(`class="hit-title"><a href="[^"]*">([^<]*)</a>`)

// followSearch reads a search page and each page its "Look further back"
// link leads to, and returns the titles of the hits of each, in order, and
// the links followed.
func followSearch(t *testing.T, who *client, path string) (titles, links []string) {
	t.Helper()
	for range 50 {
		res, body := who.get(path)
		wantStatus(t, res, http.StatusOK)
		for _, m := range hitTitle.FindAllStringSubmatch(body, -1) {
			titles = append(titles, html.UnescapeString(m[1]))
		}
		m := furtherBackLink.FindStringSubmatch(body)
		if m == nil {
			return titles, links
		}
		path = html.UnescapeString(m[1])
		links = append(links, path)
	}
	t.Fatalf("more than 50 steps from %s", path)
	return nil, nil
}

// A search with a filter that stops at its budget of matches says so on
// the page, with a link that goes on from below where it stopped; followed,
// the links find every hit once. In public, the link's place is sealed
// (no request's id in it), and nothing private is found; the API says the
// same in its fields.
func TestSearchThatStopsSaysSoAndGoesOn(t *testing.T) {
	app := newTestApp(t)
	app.user("vi@example.org", store.RoleViewer)
	police := app.authority("Kent Police", tracker.JurisdictionEngland)
	council := app.authority("Barset Council", tracker.JurisdictionEngland)
	app.request("Police cameras at the old depot", council.ID, "2026-03-02", true)
	app.request("Police cameras in private", council.ID, "2026-03-02", false)
	for i := range 8 {
		app.request("Police cameras "+strconv.Itoa(i), police.ID, "2026-03-02", true)
	}
	app.request("Police cameras at the market <b>", council.ID, "2026-03-02", true)
	for i := range 8 {
		app.request("Police cameras "+strconv.Itoa(i+8), police.ID, "2026-03-02", true)
	}
	app.srv.searchWalkBudget = 3
	query := "police authority:council"

	viewer := app.login("vi@example.org")
	res, body := viewer.get("/search?q=" + url.QueryEscape(query))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Looked through the newest 3 matches of your words", "nothing found there", "Look further back")
	titles, links := followSearch(t, viewer, "/search?q="+url.QueryEscape(query))
	slices.Sort(titles)
	want := []string{"Police cameras at the market <b>", "Police cameras at the old depot", "Police cameras in private"}
	if !slices.Equal(titles, want) || len(links) < 3 {
		t.Fatalf("signed in, %d steps found %q; want %q", len(links)+1, titles, want)
	}
	for _, l := range links {
		u, err := url.Parse(l)
		if err != nil || u.Path != "/search" || u.Query().Get("q") != query {
			t.Fatalf("further back link %q", l)
		}
		if _, err := strconv.ParseInt(u.Query().Get("before"), 10, 64); err != nil {
			t.Fatalf("signed-in link's place %q", l)
		}
	}
	if strings.Contains(body, "market <b>") {
		t.Fatal("a hit's title was not escaped")
	}

	anon := app.anonymous()
	_, body = anon.get("/p/search?q=" + url.QueryEscape(query))
	wantContains(t, body, "Looked through the newest 3 published requests and documents", "Look further back")
	titles, links = followSearch(t, anon, "/p/search?q="+url.QueryEscape(query))
	slices.Sort(titles)
	if want := []string{"Police cameras at the market <b>", "Police cameras at the old depot"}; !slices.Equal(titles, want) || len(links) < 3 {
		t.Fatalf("in public, %d steps found %q; want %q", len(links)+1, titles, want)
	}
	for _, l := range links {
		u, err := url.Parse(l)
		if err != nil || u.Path != "/p/search" {
			t.Fatalf("public further back link %q", l)
		}
		if _, err := strconv.ParseInt(u.Query().Get("before"), 10, 64); err == nil {
			t.Fatalf("the public link %q shows a row's id", l)
		}
	}
	// A place no search gave is a 400 that says what to do, never a page
	// of the wrong hits: a raw id in public, text signed in, a place
	// sealed by another server.
	for _, c := range []struct {
		who  *client
		path string
	}{
		{anon, "/p/search?q=police+authority:council&before=12"},
		{anon, "/p/search?q=police+authority:council&before=AAAAAAAAAAAAAAAAAAAAAA"},
		{viewer, "/search?q=police+authority:council&before=x1"},
		{viewer, "/search?q=police+authority:council&before=-5"},
	} {
		res, body := c.who.get(c.path)
		wantStatus(t, res, http.StatusBadRequest)
		wantContains(t, body, "search again")
	}

	// The API: the same steps, in its fields.
	tok, _, err := app.st.CreateAPIToken(context.Background(), 1, "t")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/search?q=" + url.QueryEscape(query)
	var ids []int64
	for steps := 0; ; steps++ {
		res, body := app.api("GET", path, tok, "")
		wantStatus(t, res, http.StatusOK)
		var got struct {
			Hits []struct {
				ID int64 `json:"id"`
			} `json:"hits"`
			Stopped     bool   `json:"stopped"`
			Looked      int    `json:"looked"`
			Next        int64  `json:"next"`
			FurtherBack string `json:"further_back"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		for _, h := range got.Hits {
			ids = append(ids, h.ID)
		}
		if !got.Stopped {
			break
		}
		if got.Looked != 3 || got.Next <= 0 || !strings.HasPrefix(got.FurtherBack, "http://foitrack.test/api/v1/search?") ||
			!strings.Contains(got.FurtherBack, "before="+strconv.FormatInt(got.Next, 10)) || steps > 50 {
			t.Fatalf("API step %d: %s", steps, body)
		}
		path = strings.TrimPrefix(got.FurtherBack, "http://foitrack.test")
	}
	if len(ids) != 3 {
		t.Fatalf("the API's steps found %v; want the council's 3 requests", ids)
	}
}

func TestThousandsWritesCountsAsPeopleRead(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 2000: "2,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// A search by filters alone that stops at its budget of requests says so
// in the words of requests (it has no words to match), with the link that
// goes on; followed, the links find every request that passes, once.
func TestSearchByFiltersAloneThatStopsSaysSo(t *testing.T) {
	app := newTestApp(t)
	app.user("vi@example.org", store.RoleViewer)
	council := app.authority("Barset Council", tracker.JurisdictionEngland)
	app.request("Bins in 2014", council.ID, "2014-03-03", true)
	for i := range 8 {
		app.request("Parking "+strconv.Itoa(i), council.ID, "2026-03-02", true)
	}
	app.srv.searchWalkBudget = 3
	viewer := app.login("vi@example.org")
	for _, path := range []string{"/search?q=", "/p/search?q="} {
		who := viewer
		if strings.HasPrefix(path, "/p/") {
			who = app.anonymous()
		}
		res, body := who.get(path + url.QueryEscape("to:2015-01-01"))
		wantStatus(t, res, http.StatusOK)
		want := "Looked through the newest 3 requests"
		if strings.HasPrefix(path, "/p/") {
			want = "Looked through the newest 3 public requests"
		}
		wantContains(t, body, want, "nothing found there", "Older requests were not looked through yet", "Look further back")
		if strings.Contains(body, "matches of your words") || strings.Contains(body, "back to 2026") {
			t.Fatalf("%s: the notice speaks of words or a date:\n%s", path, body)
		}
		titles, links := followSearch(t, who, path+url.QueryEscape("to:2015-01-01"))
		if !slices.Equal(titles, []string{"Bins in 2014"}) || len(links) < 2 {
			t.Fatalf("%s: %d steps found %q", path, len(links)+1, titles)
		}
	}
}
