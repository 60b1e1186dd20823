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

// With the disk full a change gets a clear page, 507, saying nothing was
// saved (and the API the same in JSON); nothing is half-written.
func TestDiskFullGivesA507Page(t *testing.T) {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	c := app.login("ed@example.org")
	secret, _, err := app.st.CreateAPIToken(context.Background(), 1, "test")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	au := app.authority("Barsetshire County Council", tracker.JurisdictionEngland)
	// SQLite answers SQLITE_FULL once the file may not grow (as on a full disk).
	if err := app.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `PRAGMA max_page_count = 1`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before, _ := app.st.CountAuthorities(ctx)
	long := strings.Repeat("notes that need a new page of the database ", 300)
	var res *response
	var body string
	for i := 0; i < 40; i++ {
		res, body = c.postForm("/authorities", url.Values{"name": {"Council " + long[:i+5]}, "jurisdiction": {"uk-england"}, "notes": {long}})
		if res.StatusCode != http.StatusSeeOther {
			break
		}
		before++
	}
	wantStatus(t, res, http.StatusInsufficientStorage)
	wantContains(t, body, "The disk is full", "nothing was saved")
	if n, _ := app.st.CountAuthorities(ctx); n != before {
		t.Errorf("%d authorities after the refused one, want %d", n, before)
	}
	res, body = app.api(http.MethodPost, "/api/v1/requests", secret, `{"title":"T","body":"`+long+`","authority_id":`+fmt.Sprint(au.ID)+`}`)
	wantStatus(t, res, http.StatusInsufficientStorage)
	wantContains(t, body, `"error":"No space left on device: nothing was saved.`)
}
