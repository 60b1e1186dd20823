package server

import (
	"net/http"
	"strings"
	"testing"

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
