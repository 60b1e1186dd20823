package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestBatchChooserInChromium: with more authorities than the chooser
// offers, a phone (390 px) finds the police forces by their type with the
// form's Find button, ticks two, finds a council by name (the two stay
// ticked) and creates the batch: no sideways scroll, nothing axe-core calls
// serious, on the way.
func TestBatchChooserInChromium(t *testing.T) {
	b := newBrowser(t)
	axe := axeScript(t)
	ctx := context.Background()
	u := store.User{Email: "ed@example.org", Name: "Ed", Role: store.RoleEditor}
	if err := b.st.CreateUser(ctx, &u, testPassword); err != nil {
		t.Fatal(err)
	}
	var police []tracker.Authority
	var council tracker.Authority
	for i := 0; i < chooserMax+10; i++ {
		a := tracker.Authority{Name: fmt.Sprintf("Borough Council %03d", i), Jurisdiction: tracker.JurisdictionEngland,
			Email: "foi@example.gov.uk", Tags: []string{"local_council"}}
		if i%20 == 0 {
			a.Name, a.Tags = fmt.Sprintf("Shire Constabulary %03d", i), []string{"police"}
		}
		if err := b.st.CreateAuthority(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if a.Tags[0] == "police" {
			police = append(police, a)
		} else if i == 77 {
			council = a
		}
	}
	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), u.Email), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)

	b.do("phone", chromedp.EmulateViewport(390, 900))
	b.open("/batches/new", http.StatusOK)
	b.wantText("main", "Too many to list")
	find := func(q string) {
		t.Helper()
		b.do("find "+q, chromedp.Clear(chromedp.ID("batch-find")), chromedp.SendKeys(chromedp.ID("batch-find"), q))
		b.submit("find "+q, `button[name="finding"]`, http.StatusOK)
	}
	box := func(a tracker.Authority) string { return fmt.Sprintf(`input[name="authority_id"][value="%d"]`, a.ID) }
	find("police")
	b.wantText("main", police[0].Name, police[len(police)-1].Name)
	if strings.Contains(b.text("main"), "Borough Council") {
		t.Error("looking for police offers a council")
	}
	b.do("tick two forces", chromedp.Click(chromedp.CSS(box(police[0]))), chromedp.Click(chromedp.CSS(box(police[2]))))
	find("council 077")
	b.wantText("main", council.Name, police[0].Name, police[2].Name)
	if strings.Contains(b.text("main"), police[1].Name) {
		t.Error("an unticked force is still offered")
	}
	if n := b.sideways(); n > 0 {
		t.Errorf("the batch form scrolls %d px sideways at 390 px: %s", n, b.widest())
	}
	b.audit(axe, "/batches/new with a find, at 390 px")
	b.screenshot("batch-chooser-phone")
	b.do("tick the council", chromedp.Click(chromedp.CSS(box(council))))
	b.submit("create", `form[action="/batches"] button[type=submit]:not([name])`, http.StatusOK)
	list, err := b.st.Batches(ctx, "")
	if err != nil || len(list) != 1 || list[0].Size != 3 {
		t.Fatalf("batches %+v %v, want one of 3 requests", list, err)
	}
}
