package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The exemptions catalogue's counts are kept between views, and a claim
// recorded after a view is counted on the next.
func TestExemptionListShowsTheLatestClaim(t *testing.T) {
	app, _, _ := insightApp(t)
	c := app.login("vi@example.org")
	res, body := c.get("/exemptions")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Kent Police")
	if strings.Contains(body, "Gwent Police 2") {
		t.Fatal("a claim not yet made is listed")
	}
	gwent := app.authority("Gwent Police 2", tracker.JurisdictionWales)
	r := app.request("Drones again", gwent.ID, "2026-03-02", false)
	insightEvent(t, app, r.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-20"),
		Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}})
	_, after := c.get("/exemptions")
	wantContains(t, after, "Gwent Police 2")
}

// Figures whose working out is slow (here: any) are not worked out again
// while a page waits after a write: the page shows the kept ones, says so
// with their time, and a moment later the figures worked out again in the
// background include the write.
func TestSlowFiguresAreShownKeptWhileWorkedOutAgain(t *testing.T) {
	app := newTestApp(t, func(c *Config) { c.SlowAggregate = time.Nanosecond })
	app.user("vi@example.org", store.RoleViewer)
	kent := app.authority("Kent Police", tracker.JurisdictionEngland)
	r := app.request("Drones", kent.ID, "2026-03-02", false)
	insightEvent(t, app, r.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-20"),
		Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}})
	c := app.login("vi@example.org")
	// untilFresh views path until its figures are of the latest write and
	// include want, and no pass runs in the background. A pass starts at
	// the earliest ten times the last one's length after it: under -race on
	// a loaded machine passes took 0.5-0.7 s, and the wait here 4.6 s, so
	// the limit is generous.
	untilFresh := func(path, want string) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Minute)
		for {
			res, body := c.get(path)
			wantStatus(t, res, http.StatusOK)
			app.srv.memoMu.Lock()
			busy := app.srv.memoRefreshing
			app.srv.memoMu.Unlock()
			if strings.Contains(body, want) && !strings.Contains(body, "figures-as-of") && !busy {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not brought up to date 3 minutes later:\n%s", path, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// A figure's row names its authority: a link in the insight table, a
	// claimant in the catalogue.
	row := func(path string, a tracker.Authority) string {
		if path == "/insight" {
			return fmt.Sprintf(`<a href="/authorities/%d">%s</a></th>`, a.ID, a.Name)
		}
		return a.Name
	}
	paths := []string{"/exemptions", "/insight"}
	for _, path := range paths {
		untilFresh(path, row(path, kent))
	}
	gwent := app.authority("Gwent Police 2", tracker.JurisdictionWales)
	r2 := app.request("Drones again", gwent.ID, "2026-03-02", false)
	insightEvent(t, app, r2.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-20"),
		Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}})
	for _, path := range paths {
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		wantContains(t, body, row(path, kent), `id="figures-as-of"`, "being brought up to date")
		if strings.Contains(body, row(path, gwent)) {
			t.Errorf("%s: the kept figures include a write made after them", path)
		}
		untilFresh(path, row(path, gwent))
	}
}

// Under each exemption the catalogue lists the authorities that claimed it
// most, maxClaimantsShown of them, and says how many others did.
func TestExemptionListNamesTheMostFrequentClaimants(t *testing.T) {
	app := newTestApp(t)
	app.user("vi@example.org", store.RoleViewer)
	n := maxClaimantsShown + 2
	for i := 0; i < n; i++ {
		a := app.authority(fmt.Sprintf("Police force %02d", i), tracker.JurisdictionEngland)
		for j := 0; j <= i%2; j++ { // the odd ones twice: they come first
			r := app.request(fmt.Sprintf("Drones %d %d", i, j), a.ID, "2026-03-02", false)
			insightEvent(t, app, r.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-20"),
				Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}})
		}
	}
	res, body := app.login("vi@example.org").get("/exemptions")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "and 2 other authorities")
	shown := 0
	for i := 0; i < n; i++ {
		if strings.Contains(body, fmt.Sprintf("Police force %02d", i)) {
			shown++
		} else if i%2 == 1 {
			t.Errorf("Police force %02d (two claims) is not listed", i)
		}
	}
	if shown != maxClaimantsShown {
		t.Errorf("%d claimants listed, want %d", shown, maxClaimantsShown)
	}
}
