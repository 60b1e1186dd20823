package server

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestBrowserRequestListAuthorityByName: with more authorities than the
// filter lists, a campaigner in Chromium types part of a name, is offered
// those it finds (the page usable on a phone), picks one and sees its
// requests, the authority shown in the field; a whole name goes straight
// there. No script is involved: a form and links.
func TestBrowserRequestListAuthorityByName(t *testing.T) {
	b := newBrowser(t)
	axe := axeScript(t)
	ctx := context.Background()
	u := store.User{Email: "casey@example.org", Name: "Casey", Role: store.RoleViewer}
	if err := b.st.CreateUser(ctx, &u, testPassword); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for i := 1; i <= chooserMax+10; i++ {
		name := fmt.Sprintf("Borough Council %03d", i)
		if i%40 == 0 {
			name = fmt.Sprintf("Police Force %03d", i)
		}
		a := tracker.Authority{Name: name, Jurisdiction: tracker.JurisdictionEngland, Email: "foi@example.gov.uk"}
		if err := b.st.CreateAuthority(ctx, &a); err != nil {
			t.Fatal(err)
		}
		r := tracker.Request{Title: "Request to " + name, AuthorityID: a.ID, Body: "Please send it."}
		if err := b.st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
			t.Fatal(err)
		}
		ids[name] = a.ID
	}
	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), u.Email), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)

	b.open("/requests", http.StatusOK)
	b.do("type part of a name", chromedp.SendKeys(chromedp.ID("authority"), "police"))
	b.submit("filter", `form.filters button[type=submit]`, http.StatusOK)
	b.wantText("#authority-found", "Police Force 040", "Police Force 080", "Police Force 120", "Police Force 160", "choose one")
	b.checkWidths(axe, "/requests?authority_name=police")
	b.screenshot("requests-authority-found")

	b.submit("choose one", fmt.Sprintf(`#authority-found a[href="/requests?authority=%d"]`, ids["Police Force 080"]), http.StatusOK)
	if loc := b.location(); loc != fmt.Sprintf("/requests?authority=%d", ids["Police Force 080"]) {
		t.Errorf("choosing Police Force 080 went to %s", loc)
	}
	b.wantText("table", "Request to Police Force 080")
	if got := b.value("#authority"); got != "Police Force 080" {
		t.Errorf("the authority field shows %q, want Police Force 080", got)
	}

	b.do("type a whole name", chromedp.SetValue(chromedp.ID("authority"), "police force 120"))
	b.submit("filter", `form.filters button[type=submit]`, http.StatusOK)
	if loc := b.location(); loc != fmt.Sprintf("/requests?authority=%d", ids["Police Force 120"]) {
		t.Errorf("typing Police Force 120 went to %s", loc)
	}
	b.wantText("table", "Request to Police Force 120")
}

// value is the value of the first form field matching css.
func (b *browser) value(css string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("read %s: %v", css, err)
	}
	return v
}
