package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
)

// TestPrepareOnADatabaseWithoutSeededContent: a data directory built
// otherwise than by dev seed may have no documents, mail, timeline or public
// pages, and no admin@example.org; pagebench must still run, signed in as the
// admin given by --user, leaving out (and naming) the pages that need what
// is missing rather than asking for id 0.
func TestPrepareOnADatabaseWithoutSeededContent(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	dir := t.TempDir()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, &store.User{Email: "owner@example.net", Name: "Owner", Role: store.RoleAdmin}, "a long bench password 1"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := prepare(ctx, dir, "admin@example.org"); err == nil || !strings.Contains(err.Error(), "--user") {
		t.Errorf("prepare as a user the database does not have: %v, want an error that names --user", err)
	}
	fx, err := prepare(ctx, dir, "owner@example.net")
	if err != nil {
		t.Fatalf("prepare on a database with one user and nothing else: %v", err)
	}
	pages, leftOut := fx.pages()
	for _, p := range pages {
		if strings.HasSuffix(p.Path, "/0") || strings.Contains(p.Path, "/0/") || strings.HasSuffix(p.Path, "=0") || p.Path == "/p/" {
			t.Errorf("page %q asks for %s, which names nothing in this database", p.Name, p.Path)
		}
	}
	if len(pages) < 30 || pages[0].Name != "static css" {
		t.Errorf("%d pages left, the first %q; want the static file first and every page that needs no id", len(pages), pages[0].Name)
	}
	if got := strings.Join(leftOut, "\n"); !strings.Contains(got, "timeline event (no timeline events)") || !strings.Contains(got, "public page (") {
		t.Errorf("left out:\n%s\nwant the timeline event and the public page named with why", got)
	}
}

// TestPrepareRefusesAFolderWithoutADatabase: a mistyped --data must not
// leave an empty database behind.
func TestPrepareRefusesAFolderWithoutADatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seed-10000")
	if _, err := prepare(context.Background(), dir, "admin@example.org"); err == nil || !strings.Contains(err.Error(), "holds no foitrack database") {
		t.Errorf("prepare on a missing folder: %v, want 'holds no foitrack database'", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the missing folder was created (%v)", err)
	}
}

// TestPrepareOnASeededDatabaseLeavesNothingOut: on dev seed's database every
// page has its id (but "requests page 50", which needs 2,450 requests).
func TestPrepareOnASeededDatabaseLeavesNothingOut(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	dir := t.TempDir()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, st, seed.Options{Requests: 60, Seed: 1, Password: "seed-password"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	fx, err := prepare(ctx, dir, "admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	pages, leftOut := fx.pages()
	if len(leftOut) != 1 || !strings.HasPrefix(leftOut[0], "requests page 50 ") {
		t.Errorf("left out %q, want only requests page 50", leftOut)
	}
	if len(pages) != 59 {
		t.Errorf("%d pages, want the 60 of the list but requests page 50", len(pages))
	}
}
