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

// At a million requests there are 5,000 authorities: the new-batch form
// offered a checkbox for every one (696 kB, 130 ms to draw). It now offers
// those ticked and those a name or a type finds, at most chooserMax, and
// finding them is a button of the form (no script), which keeps what was
// typed and ticked.
func TestBatchFormChooserIsBounded(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	u := app.user("editor@example.org", store.RoleEditor)
	var police, councils []tracker.Authority
	for i := 0; i < chooserMax+20; i++ {
		a := tracker.Authority{Name: fmt.Sprintf("Borough Council %03d", i), Jurisdiction: tracker.JurisdictionEngland,
			Email: "foi@example.gov.uk", Tags: []string{"local_council"}}
		if i%10 == 0 {
			// A force found by its name, or by its type when its name
			// does not say it.
			a.Name, a.Tags = fmt.Sprintf("Police Force %03d", i), []string{"police"}
			if i%20 == 0 {
				a.Name = fmt.Sprintf("Shire Constabulary %03d", i)
			}
		}
		if err := app.st.CreateAuthority(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if a.Tags[0] == "police" {
			police = append(police, a)
		} else {
			councils = append(councils, a)
		}
	}
	c := app.login(u.Email)
	boxes := func(body string) int { return strings.Count(body, `name="authority_id"`) }

	res, body := c.get("/batches/new")
	wantStatus(t, res, http.StatusOK)
	if n := boxes(body); n != 0 {
		t.Errorf("the empty form offers %d authorities, want none until one is looked for", n)
	}
	wantContains(t, body, `name="find"`)

	// Looked for by type, with a council already ticked: the form comes
	// back as typed, with the forces and the ticked council.
	form := url.Values{"title": {"Drones ({{.ShortName}})"}, "body": {"How many drone flights?"}, "tags": {"drones"},
		"throttle_seconds": {"7"}, "authority_id": {fmt.Sprint(councils[3].ID)}, "find": {"police"}, "finding": {"1"}}
	res, body = c.postForm("/batches", form)
	wantStatus(t, res, http.StatusOK)
	if n := boxes(body); n != len(police)+1 {
		t.Errorf("looking for police: %d offered, want the %d forces and the ticked council", n, len(police))
	}
	wantContains(t, body, "Shire Constabulary 000", "Police Force 010", "How many drone flights?", `value="drones"`, `value="7"`,
		fmt.Sprintf(`value="%d" checked`, councils[3].ID))
	if list, _ := app.st.Batches(ctx, ""); len(list) != 0 {
		t.Fatalf("looking for authorities created %d batches", len(list))
	}

	// A name that finds too many: at most chooserMax.
	_, body = c.get("/batches/new?find=council")
	if n := boxes(body); n != chooserMax {
		t.Errorf("looking for council: %d offered, want %d", n, chooserMax)
	}
	wantContains(t, body, "type more of a name")

	// What the form posts creates the batch, as before.
	form.Del("finding")
	form["authority_id"] = []string{fmt.Sprint(police[0].ID), fmt.Sprint(police[1].ID), fmt.Sprint(councils[3].ID)}
	res, _ = c.postForm("/batches", form)
	wantStatus(t, res, http.StatusSeeOther)
	if list, _ := app.st.Batches(ctx, ""); len(list) != 1 || list[0].Size != 3 {
		t.Fatalf("batches %+v", list)
	}
}
