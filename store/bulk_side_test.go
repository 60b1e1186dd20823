package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The end of a bulk load fills its full-text indexes beside the writer,
// each on a connection of its own into a file of its own, and copies them
// in: what it leaves is what the writer's own fills leave, row for row in
// every shadow table of every full-text index (the segments, their
// structure and its settings' cookie, the content, the sizes, the
// settings), with public_search's rows written by its kept triggers during
// the load among them; and no file of its own is left beside the database.
// Small chunks (bulkFillRows), so that each index is written as many
// segments and merged.
func TestBulkFillBesideWritesWhatTheWriterWrites(t *testing.T) {
	ctx := context.Background()
	t.Run("seed", func(t *testing.T) {
		compareFillBeside(t, func(t *testing.T, st *store.Store, progress func()) {
			st.AuditSecrets = rand.NewChaCha8([32]byte{4})
			if _, err := seed.Run(ctx, st, seed.Options{Requests: 80, Messages: 320, Seed: 4, Password: "correct horse battery",
				IndexProgress: func(int, int) { progress() }}); err != nil {
				t.Fatal(err)
			}
		})
	})
	// A document published during the load: public_search's kept trigger
	// writes it there, before the fills write the public requests.
	t.Run("published during the load", func(t *testing.T) {
		compareFillBeside(t, func(t *testing.T, st *store.Store, progress func()) {
			b := beginBulkLoad(t, st)
			a := mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
			for i, title := range []string{"Prison kitchens", "Prison gardens", "Court buildings"} {
				r := tracker.Request{Title: title, AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
				if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
					t.Fatal(err)
				}
				res, err := st.Writer().ExecContext(ctx, `INSERT INTO documents (request_id, disposition, filename, description, created_at)
					VALUES (?, 'released', ?, 'menus and rotas', '2026-03-02T00:00:00Z')`, r.ID, fmt.Sprintf("d%d.pdf", i))
				if err != nil {
					t.Fatal(err)
				}
				d, _ := res.LastInsertId()
				if _, err := st.Writer().ExecContext(ctx, `INSERT INTO document_publications (document_id, published_at) VALUES (?, '2026-03-03T00:00:00Z')`, d); err != nil {
					t.Fatal(err)
				}
				if _, err := st.Writer().ExecContext(ctx, `INSERT INTO mail_messages (direction, subject, text_body, request_id, created_at)
					VALUES ('out', ?, 'porridge ladles', ?, '2026-03-02T00:00:00Z')`, title, r.ID); err != nil {
					t.Fatal(err)
				}
			}
			var n int
			if err := st.Writer().QueryRowContext(ctx, `SELECT count(*) FROM public_search`).Scan(&n); err != nil || n != 3 {
				t.Fatalf("public_search during the load: %d rows (%v), want the 3 documents", n, err)
			}
			if err := b.Finish(ctx, func(int64, int64) { progress() }); err != nil {
				t.Fatal(err)
			}
			if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM public_search WHERE public_search MATCH 'menus OR kitchens'`).Scan(&n); err != nil || n != 4 {
				t.Errorf("public_search after the load finds %d rows (%v), want 3 documents and a request", n, err)
			}
		})
	})
}

// compareFillBeside loads a database by load with the full-text indexes
// filled by the writer, and another filled beside it, and compares their
// shadow tables; it checks that the sides' files were there while Finish
// filled (load calls progress with each report of Finish's) and are gone
// after.
func compareFillBeside(t *testing.T, load func(t *testing.T, st *store.Store, progress func())) {
	writer := ftsShadows(t, false, load)
	beside := ftsShadows(t, true, load)
	for _, want := range []string{"search_index_data", "search_index_content", "request_search_index_data", "public_search_content"} {
		if strings.HasPrefix(writer[want], "0 rows") || writer[want] == "" {
			t.Errorf("%s after the writer's fills: %q, want rows", want, writer[want])
		}
	}
	if len(beside) != len(writer) {
		t.Errorf("shadow tables beside the writer %v, by the writer %v", beside, writer)
	}
	for tb, w := range writer {
		if beside[tb] != w {
			t.Errorf("%s filled beside the writer: %s, by the writer: %s", tb, beside[tb], w)
		}
	}
}

// ftsShadows loads a new database by load, its full-text indexes filled
// beside the writer or not, in chunks of 37 rows (many segments, merged),
// and returns each full-text index's shadow table's rows count and hash.
func ftsShadows(t *testing.T, beside bool, load func(t *testing.T, st *store.Store, progress func())) map[string]string {
	t.Helper()
	store.SetBulkFill(t, beside, 37)
	ctx := context.Background()
	st, dir := openInFolder(t)
	sides := 0 // the most files beside the database while it filled
	load(t, st, func() {
		files, _ := filepath.Glob(st.Path() + store.BulkFTSSuffix + "-*")
		sides = max(sides, len(files))
	})
	if want := map[bool]int{false: 0, true: 3}[beside]; sides != want {
		t.Errorf("beside %v: %d files beside the database while the indexes were filled, want %d (one an index)", beside, sides, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), store.BulkFTSSuffix) {
			t.Errorf("beside %v: %s left in the data folder", beside, e.Name())
		}
	}
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT s.name FROM sqlite_master AS v JOIN sqlite_master AS s
		ON s.type = 'table' AND s.name IN (v.name || '_data', v.name || '_idx', v.name || '_content', v.name || '_docsize', v.name || '_config')
		WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%' ORDER BY s.name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]string{}
	for _, tb := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+tb+`" ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		h, n := sha256.New(), 0
		for rows.Next() {
			v := make([]any, len(cols))
			p := make([]any, len(cols))
			for i := range v {
				p[i] = &v[i]
			}
			if err := rows.Scan(p...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%q\n", v)
			n++
		}
		rows.Close()
		out[tb] = fmt.Sprintf("%d rows %s", n, hex.EncodeToString(h.Sum(nil)))
	}
	for _, tb := range []string{"search_index", "request_search_index", "public_search"} {
		if _, err := st.Writer().ExecContext(ctx, `INSERT INTO `+tb+` (`+tb+`) VALUES ('integrity-check')`); err != nil {
			t.Errorf("beside %v: %s: %v", beside, tb, err)
		}
	}
	return out
}

// Should an index filled beside the writer fail (here its file cannot be
// made: a folder is in its way), Finish fails with an error that names
// it, leaves no other side's file, and the database is refused as any
// other load's that did not finish.
func TestBulkLoadFailsWhenAnIndexBesideTheWriterFails(t *testing.T) {
	store.SetBulkFill(t, true, 1_000_000)
	ctx := context.Background()
	st, dir := openInFolder(t)
	b := beginBulkLoad(t, st)
	mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
	side := st.Path() + store.BulkFTSSuffix + "-request_search_index"
	if err := os.MkdirAll(side+"/in-the-way", 0o700); err != nil {
		t.Fatal(err)
	}
	err := b.Finish(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), side) {
		t.Errorf("Finish with %s not to be made: %v, want an error naming it", side, err)
	}
	if left, _ := filepath.Glob(st.Path() + store.BulkFTSSuffix + "-*"); len(left) != 1 || left[0] != side {
		t.Errorf("files beside the database after the failure: %v, want only %s (in the way)", left, side)
	}
	wantUnfinishedRefused(t, st, dir, "a load whose index beside the writer failed")
}
