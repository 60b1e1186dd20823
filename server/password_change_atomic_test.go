package server

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// TestPasswordChangeAndRevocationAreAllOrNothing: changing one's password
// with "revoke my API tokens" ticked (after a leak) changes the password
// and revokes the tokens together: when revoking fails, the password is
// the old one still, and the page says it was not changed.
func TestPasswordChangeAndRevocationAreAllOrNothing(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	u := app.user("editor@example.org", store.RoleEditor)
	if _, _, err := app.st.CreateAPIToken(ctx, u.ID, "laptop"); err != nil {
		t.Fatal(err)
	}
	c := app.login("editor@example.org")
	db, err := sql.Open("sqlite", "file:"+app.st.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER test_fail_revoke BEFORE DELETE ON api_tokens BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	res, _ := c.postForm("/settings/password", url.Values{"current_password": {testPassword},
		"new_password": {"a brand new passphrase"}, "new_password_confirm": {"a brand new passphrase"}, "revoke_tokens": {"1"}})
	if res.StatusCode < 400 {
		t.Fatalf("revoking failed, yet the change answered %d", res.StatusCode)
	}
	if ok, _ := app.st.CheckPassword(ctx, u.ID, testPassword); !ok {
		t.Fatal("revoking the tokens failed, yet the password was changed")
	}
	if _, err := db.Exec(`DROP TRIGGER test_fail_revoke`); err != nil {
		t.Fatal(err)
	}
	res, _ = c.postForm("/settings/password", url.Values{"current_password": {testPassword},
		"new_password": {"a brand new passphrase"}, "new_password_confirm": {"a brand new passphrase"}, "revoke_tokens": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if ok, _ := app.st.CheckPassword(ctx, u.ID, "a brand new passphrase"); !ok {
		t.Fatal("the new password was not set")
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM api_tokens WHERE user_id = ?`, u.ID).Scan(&n)
	if n != 0 {
		t.Fatalf("%d API tokens left", n)
	}
}
