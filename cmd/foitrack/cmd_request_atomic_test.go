package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestRequestAddIsAllOrNothing: request add --owner creates the request,
// its "sent" event and its owner in one transaction (the store method the
// web form and the API use): when the last step fails, nothing is left.
func TestRequestAddIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	ctx := store.WithActor(context.Background(), "test")
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	u := store.User{Email: "owner@example.org", Name: "Owner", Role: store.RoleEditor}
	if err := st.CreateUser(ctx, &u, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: "uk-england"}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	st.Close()
	mustCLI(t, dir, "request", "add", "--authority", "Barsetshire County Council", "--title", "Owned", "--owner", "owner@example.org")
	db, err := sql.Open("sqlite", "file:"+dir+"/"+store.DefaultDBName)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var owner int64
	if err := db.QueryRow(`SELECT owner_id FROM requests WHERE title = 'Owned'`).Scan(&owner); err != nil || owner != u.ID {
		t.Fatalf("owner %d, %v; want %d", owner, err, u.ID)
	}
	if _, err := db.Exec(`CREATE TRIGGER test_fail_owner BEFORE UPDATE OF owner_id ON requests
		WHEN NEW.owner_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, dir, "request", "add", "--authority", "Barsetshire County Council", "--title", "Half", "--sent", "2026-03-02", "--public", "--owner", "owner@example.org")
	if code != 1 || !strings.Contains(errs, "injected failure") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM requests WHERE title = 'Half'`).Scan(&n)
	if n != 0 {
		t.Fatalf("creating the owner failed, yet the request was kept")
	}
}
