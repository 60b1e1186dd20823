package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
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

// TestRecomputeReadersTakeEverySpanOnce: with its spans read by two or
// three goroutines, a recompute of every request of a database whose ids
// have gaps (spans wholly inside one, boundaries inside others) reads
// every request once, neither skipping a span nor reading one twice: it
// counts, changes and writes, in the order of the ids, exactly the
// requests one reader over one span does, and stores the same values.
func TestRecomputeReadersTakeEverySpanOnce(t *testing.T) {
	ctx := context.Background()
	seq := MustOpenDB(t)
	if _, err := seed.Run(ctx, seq, seed.Options{Requests: 120, Messages: 120, Seed: 9, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM requests WHERE id BETWEEN 6 AND 17 OR id BETWEEN 31 AND 32 OR id BETWEEN 45 AND 83 OR id % 10 = 4`,
		// Every standing to write again, most of them changed: a skipped
		// or repeated span shows in what is written.
		`UPDATE request_events SET date = date(date, '+' || (request_id % 3 + 1) || ' days')`,
		`UPDATE requests SET plan_hash = NULL`,
		`CREATE TABLE written (n INTEGER PRIMARY KEY, request_id INTEGER)`,
		`CREATE TRIGGER written_request AFTER UPDATE ON requests BEGIN INSERT INTO written (request_id) VALUES (NEW.id); END`,
	} {
		if _, err := seq.Writer().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	rows, err := seq.Writer().Query(`SELECT id FROM requests ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(ids) < 40 || ids[len(ids)-1] < 100 {
		t.Fatalf("requests left %v, want 40 or more up to past 100", ids)
	}
	written := func(st *store.Store) []int64 {
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
	configs := []struct {
		readers, workers int
		span             int64
	}{{2, 3, 4}, {3, 2, 7}, {2, 1, 13}, {2, 4, 1}}
	copies := t.TempDir()
	dir := func(i int) string { return filepath.Join(copies, fmt.Sprint(i)) }
	for i := range configs {
		if err := os.Mkdir(dir(i), 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := seq.Writer().Exec(`VACUUM INTO ?`, filepath.Join(dir(i), store.DefaultDBName)); err != nil {
			t.Fatal(err)
		}
	}
	seq.SetRecomputeReaders(1)
	seq.SetRecomputePipeline(1, 1<<40)
	want, err := seq.RecomputeEvery(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want.Requests != len(ids) || want.Changed < len(ids)/2 || !reflect.DeepEqual(written(seq), ids) {
		t.Fatalf("one reader over one span: %+v, wrote %v, want each of the %d requests %v, most changed", want, written(seq), len(ids), ids)
	}
	wantVals := storedValues(t, seq.Writer())
	for i, c := range configs {
		par, err := store.Open(ctx, dir(i))
		if err != nil {
			t.Fatal(err)
		}
		par.SetRecomputeReaders(c.readers)
		par.SetRecomputePipeline(c.workers, c.span)
		got, err := par.RecomputeEvery(ctx)
		if err != nil {
			par.Close()
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%d readers, spans of %d: %+v, want %+v (each of the %d requests once)", c.readers, c.span, got, want, len(ids))
		}
		if w := written(par); !reflect.DeepEqual(w, ids) {
			t.Errorf("%d readers, spans of %d: requests written in the order\n%v\nwant\n%v", c.readers, c.span, w, ids)
		}
		if vals := storedValues(t, par.Writer()); !reflect.DeepEqual(vals, wantVals) {
			t.Errorf("%d readers, spans of %d: the stored values differ from one reader's over one span", c.readers, c.span)
		}
		par.Close()
	}
}
