package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// schemaOf lists a database's objects, its version and every row of the
// tables a migration fills, for comparing two databases.
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	out = append(out, "user_version="+strconv.Itoa(version))
	rows, err := db.QueryContext(ctx, `SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var typ, name, tbl, text string
		if err := rows.Scan(&typ, &name, &tbl, &text); err != nil {
			t.Fatal(err)
		}
		out = append(out, typ+" "+name+" "+tbl+" "+text)
		if typ == "table" {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, table := range tables {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, table+" rows="+strconv.Itoa(n))
	}
	return out
}

// TestAFreshDatabaseFromTheKeptImageIsTheMigratedOne: the second data folder
// a process creates starts from a copy of the first one's new database; the
// copy must be that database exactly (every object, version and seeded row),
// independent of it, and never replace a database that exists.
func TestAFreshDatabaseFromTheKeptImageIsTheMigratedOne(t *testing.T) {
	ctx := context.Background()
	withoutFreshImage(t)

	first, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	freshImage.Lock()
	kept := freshImage.data != nil
	freshImage.Unlock()
	if !kept {
		t.Fatal("the first fresh database was not kept")
	}
	secondDir := t.TempDir()
	second, err := Open(ctx, secondDir)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if a, b := schemaOf(t, first.w), schemaOf(t, second.w); !reflect.DeepEqual(a, b) {
		t.Fatalf("the copied database differs from the migrated one:\nmigrated: %v\ncopied:   %v", a, b)
	}
	// No temporary file is left beside the database.
	entries, _ := os.ReadDir(secondDir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), freshImagePrefix) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// Independent: an authority added to one is not in the other, and the
	// copy works as a store (its audit log and plans included).
	aCtx := WithActor(ctx, "test:fresh")
	if err := second.CreateAuthority(aCtx, &tracker.Authority{Name: "Only in the copy", DefaultLaw: tracker.UKFOIA}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := first.r.QueryRowContext(ctx, `SELECT count(*) FROM authorities WHERE name = 'Only in the copy'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the first database sees the copy's authority (%d, %v)", n, err)
	}
	if n, brk, err := second.VerifyAuditChain(ctx); err != nil || brk != nil || n == 0 {
		t.Fatalf("audit chain of the copy: %d entries, %v, %v", n, brk, err)
	}

	// An existing database is never replaced by the image.
	thirdDir := t.TempDir()
	third, err := Open(ctx, thirdDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := third.CreateAuthority(aCtx, &tracker.Authority{Name: "Kept", DefaultLaw: tracker.UKFOIA}); err != nil {
		t.Fatal(err)
	}
	third.Close()
	if placed, err := placeFreshImage(filepath.Join(thirdDir, DefaultDBName)); err != nil || placed {
		t.Fatalf("the image replaced an existing database (placed %v, %v)", placed, err)
	}
	again, err := Open(ctx, thirdDir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.r.QueryRowContext(ctx, `SELECT count(*) FROM authorities WHERE name = 'Kept'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the existing database lost its authority (%d, %v)", n, err)
	}
}

// TestANewDatabaseIsReadableOnlyByItsOwner: the database holds private notes,
// withheld files' metadata and token hashes, so a new one is mode 0600 (with
// its WAL and shared-memory files) whether it was migrated section by section
// (the first of a process) or copied from the kept image, whatever the umask.
func TestANewDatabaseIsReadableOnlyByItsOwner(t *testing.T) {
	ctx := context.Background()
	withoutFreshImage(t)
	for _, how := range []string{"migrated", "copied from the image"} {
		dir := t.TempDir()
		st, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateAuthority(ctx, &tracker.Authority{Name: "A council", Jurisdiction: "uk-england"}); err != nil {
			t.Fatal(err) // a write, so that the WAL exists
		}
		for _, name := range []string{DefaultDBName, DefaultDBName + "-wal", DefaultDBName + "-shm"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("%s: %v", how, err)
			}
			if perm := fi.Mode().Perm(); perm&0o077 != 0 {
				t.Errorf("%s: %s has mode %o: others may read it", how, name, perm)
			}
		}
		st.Close()
	}
}

// withoutFreshImage makes the next database the test creates the first of
// the process (migrated section by section), and puts the kept image back
// at the end.
func withoutFreshImage(t *testing.T) {
	freshImage.Lock()
	saved := freshImage.data
	freshImage.data = nil
	freshImage.Unlock()
	t.Cleanup(func() {
		freshImage.Lock()
		freshImage.data = saved
		freshImage.Unlock()
	})
}
