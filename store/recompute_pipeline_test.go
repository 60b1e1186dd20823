package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
)

// TestRecomputePipelineEqualsSequential: on a seeded database of a few
// hundred requests in every state whose histories and stored fingerprints
// were changed behind the store's back, a recompute of every request
// worked out by four goroutines over spans of a few ids (many spans on
// their way at once, finished out of order) stores exactly what one
// goroutine working out all of them in one span stores — every value of
// every request's row and windows — and writes the requests in the same
// order, that of their ids.
func TestRecomputePipelineEqualsSequential(t *testing.T) {
	ctx := context.Background()
	seq := MustOpenDB(t)
	if _, err := seed.Run(ctx, seq, seed.Options{Requests: 300, Messages: 300, Seed: 5, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		// Histories moved by 0 to 4 days (each whole, keeping its order)
		// and fingerprints lost: many standings to write again.
		`UPDATE request_events SET date = date(date, '+' || (request_id % 5) || ' days')`,
		`UPDATE requests SET plan_hash = NULL WHERE id % 7 = 0`,
		`UPDATE requests SET plan_inputs = NULL WHERE id % 11 = 0`,
		// Every write to a request's row, in order.
		`CREATE TABLE written (n INTEGER PRIMARY KEY, request_id INTEGER)`,
		`CREATE TRIGGER written_request AFTER UPDATE ON requests BEGIN INSERT INTO written (request_id) VALUES (NEW.id); END`,
	} {
		if _, err := seq.Writer().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if _, err := seq.Writer().Exec(`VACUUM INTO ?`, filepath.Join(dir, store.DefaultDBName)); err != nil {
		t.Fatal(err)
	}
	par, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer par.Close()

	seq.SetRecomputePipeline(1, 1<<40)
	par.SetRecomputePipeline(4, 3)
	want, err := seq.RecomputeEvery(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := par.RecomputeEvery(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("worked out by four goroutines: %+v, by one: %+v", got, want)
	}
	if want.Requests < 300 || want.Changed < 100 {
		t.Fatalf("the sequential recompute: %+v, want 300 requests or more and 100 changed or more", want)
	}
	if g, w := storedValues(t, par.Writer()), storedValues(t, seq.Writer()); !reflect.DeepEqual(g, w) {
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("the stored values differ (%d and %d rows); first:\n%s\nwant\n%s", len(g), len(w), g[i], w[i])
			}
		}
		t.Fatalf("%d stored rows, want %d", len(g), len(w))
	}
	order := func(st *store.Store) []int64 {
		t.Helper()
		rows, err := st.Writer().Query(`SELECT request_id FROM written ORDER BY n`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	g, w := order(par), order(seq)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("requests written in the order\n%v\nwant\n%v", g, w)
	}
	if !slices.IsSorted(w) || len(w) < want.Changed {
		t.Errorf("the sequential recompute wrote %d requests (%d changed) in the order %v, want those of the ids", len(w), want.Changed, w)
	}
}

// storedValues is every stored value of every request: its row and its
// windows, a line each.
func storedValues(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{`SELECT * FROM requests ORDER BY id`, `SELECT * FROM request_windows ORDER BY request_id, seq`} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(&b, "%s=%v ", cols[i], v)
			}
			out = append(out, b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}
