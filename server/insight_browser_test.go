package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestInsightAndSearchInChromium: the insight charts, an authority's page
// with its charts, the dashboard and the search pages, at desktop (1366)
// and phone (390) width: the charts are drawn, nothing needs a sideways
// scroll, and screenshots are kept for a look.
func TestInsightAndSearchInChromium(t *testing.T) {
	b := newBrowser(t)
	ctx := context.Background()
	u := store.User{Email: "vi@example.org", Name: "Vi", Role: store.RoleViewer}
	if err := b.st.CreateUser(ctx, &u, testPassword); err != nil {
		t.Fatal(err)
	}
	names := []string{"Kent Police", "Gwent Police", "Dyfed-Powys Police", "Police Service of Northern Ireland",
		"Department for Science, Innovation and Technology — Information Rights Unit"}
	var first tracker.Authority
	for i, name := range names {
		a := tracker.Authority{Name: name, Jurisdiction: tracker.JurisdictionEngland}
		if err := b.st.CreateAuthority(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = a
		}
		for j := 0; j <= i; j++ {
			r := tracker.Request{Title: "Drone flights and data sharing", Body: "Please send the drone logs.", AuthorityID: a.ID,
				Visibility: tracker.VisibilityPublic}
			if err := b.st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
				t.Fatal(err)
			}
			outcome := []string{tracker.OutcomeRefused, tracker.OutcomeReleasedInPart, tracker.OutcomeReleasedInFull}[j%3]
			e := tracker.Event{RequestID: r.ID, Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-10").AddDays(7 * j),
				Outcome: outcome, Exemptions: map[bool][]string{true: {"s31(1)(a)"}}[outcome == tracker.OutcomeRefused]}
			if err := b.st.AddEvent(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
	}
	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), u.Email), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)

	pages := []struct{ path, name, want string }{
		{"/insight", "insight", "Share answered within the statutory time"},
		{"/authorities/" + itoaID(first.ID), "authority-insight", "How it answers"},
		{"/", "dashboard-insight", "How authorities answer"},
		{"/search?q=" + "drone+sharing", "search", "found"},
		{"/p/search?q=drone", "public-search", "found"},
	}
	for _, width := range []int64{1366, 390} {
		b.do("resize", chromedp.EmulateViewport(width, 900))
		for _, p := range pages {
			b.open(p.path, http.StatusOK)
			b.wantText("main", p.want)
			overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
			if err != nil || overflow > 0 {
				t.Errorf("%s at %d px is %d px wider than the window (%v)", p.path, width, overflow, err)
			}
			if strings.Contains(p.path, "insight") || strings.HasPrefix(p.path, "/authorities") {
				// The charts are drawn: bars with a size, inside the page.
				bars, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("svg.chart rect")].filter(r => r.getBoundingClientRect().width > 0).length`))
				if err != nil || bars == 0 {
					t.Errorf("%s at %d px draws no bars (%v)", p.path, width, err)
				}
			}
			b.screenshot(p.name + "-" + map[int64]string{1366: "desktop", 390: "phone"}[width])
		}
	}
}
