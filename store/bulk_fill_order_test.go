package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// A fill whose rowids rise with its table's (a request's entry in
// request_search_index: id * 2^32 + id * 8 + 1) reads the rows in the
// table's order and writes them as it reads them, without sorting them
// (text and all) first: FTS5 receives the same rows in the same order.
// Those whose rowids follow a request's order (request_id * 2^32 + id * 8
// + kind: the mail's, the documents', the events' entries) read them by
// an index on request_id, in that order, rather than sorting every row's
// text: at most the rows of one request are sorted (the events' index is
// on request_id, date, id). The fills of any other rowid are sorted.
func TestBulkFillsSortOnlyRowsNotInTheirTablesOrder(t *testing.T) {
	ctx := context.Background()
	s, b := openInBulkLoad(t)
	defer b.Finish(ctx, nil)
	sorts := map[string]string{}
	for _, f := range b.fills {
		into := strings.Fields(f.stmt)[2]
		rows, err := s.w.QueryContext(ctx, `EXPLAIN QUERY PLAN `+f.stmt, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(detail, "TEMP B-TREE") {
				sorts[into+" from "+f.table] += detail + "; "
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if d := sorts["request_search_index from requests"]; d != "" {
		t.Errorf("the requests' fill of request_search_index sorts its rows, which are in rowid order already: %s", d)
	}
	for _, table := range []string{"mail_messages", "documents", "request_events"} {
		d := sorts["request_search_index from "+table]
		if strings.Contains(d, "USE TEMP B-TREE FOR ORDER BY") {
			t.Errorf("the fill of request_search_index from %s sorts all its rows by request: %s", table, d)
		}
		if table != "request_events" && d != "" {
			t.Errorf("the fill of request_search_index from %s sorts, where an index on (request_id, id) has the order: %s", table, d)
		}
	}
	for k, d := range sorts {
		if strings.HasPrefix(k, "search_index ") {
			t.Errorf("%s sorts its rows: %s", k, d)
		}
	}
}

// How a fill reads its rows follows from the rowid its statement gives:
// its table's order, a key's (a column * 2^32 + id * 8 + kind: read by
// that column, in ranges of it), or another, sorted.
func TestTriggerFillsOrderByTheRowidsKey(t *testing.T) {
	for _, c := range []struct{ trigger, order, key string }{
		{`CREATE TRIGGER x AFTER INSERT ON t BEGIN INSERT INTO f (rowid, a) VALUES (new.id * 8 + 3, new.a); END`, "ORDER BY new.rowid", ""},
		{`CREATE TRIGGER x AFTER INSERT ON t BEGIN INSERT INTO f (rowid, a) VALUES (new.id * 4294967296 + new.id * 8 + 1, new.a); END`, "ORDER BY new.rowid", ""},
		{`CREATE TRIGGER x AFTER INSERT ON t WHEN new.owner IS NOT NULL BEGIN
			INSERT INTO f (rowid, a) VALUES (new.owner * 4294967296 + new.id * 8 + 2, new.a); END`, "ORDER BY new.owner, new.id", "owner"},
		{`CREATE TRIGGER x AFTER INSERT ON t BEGIN INSERT INTO f (rowid, a) VALUES (new.owner * 4294967296 + new.other * 8 + 2, new.a); END`, "ORDER BY 1", ""},
		{`CREATE TRIGGER x AFTER INSERT ON t BEGIN INSERT INTO f (rowid, a) VALUES (new.owner * 1000 + new.id, new.a); END`, "ORDER BY 1", ""},
	} {
		fills, err := triggerFills(c.trigger)
		if err != nil || len(fills) != 1 {
			t.Fatalf("%s: %v %v", c.trigger, fills, err)
		}
		f := fills[0]
		if !strings.HasSuffix(f.stmt, c.order) || f.key != c.key {
			t.Errorf("%s:\n%s (by key %q), want it to end %q, by key %q", c.trigger, f.stmt, f.key, c.order, c.key)
		}
		if c.key != "" && !strings.Contains(f.stmt, "new."+c.key+" > ? AND new."+c.key+" <= ?") {
			t.Errorf("%s:\n%s, want it read in ranges of %s", c.trigger, f.stmt, c.key)
		}
	}
}

// Read in ranges of request (a few rows each here), the fills by request
// index every row the triggers would, under the triggers' rowids, however
// the rows' ids interleave their requests, and leave an index FTS5 finds
// sound.
func TestBulkFillsByRequestInRangesIndexEveryRow(t *testing.T) {
	ctx := context.Background()
	s, b := openInBulkLoad(t)
	a := tracker.Authority{Name: "Home Office", Jurisdiction: tracker.JurisdictionUK, Email: "foi@homeoffice.gov.uk"}
	if err := s.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	defer func(n int64) { bulkFillRows = n }(bulkFillRows)
	bulkFillRows = 3
	var reqs []int64
	for i := range 7 {
		r := tracker.Request{Title: fmt.Sprintf("request r%dx", i), AuthorityID: a.ID}
		if err := s.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, r.ID)
	}
	for i := range 30 {
		var req any
		if i%6 != 5 { // and some in the holding pen, in no request's list
			req = reqs[(i*5)%len(reqs)]
		}
		if _, err := s.w.ExecContext(ctx, `INSERT INTO mail_messages (direction, subject, text_body, request_id, created_at)
			VALUES ('out', ?, 'body', ?, '2026-03-02T00:00:00Z')`, fmt.Sprintf("m%dx", i), req); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.w.ExecContext(ctx, `INSERT INTO documents (request_id, disposition, filename, created_at)
				VALUES (?, 'released', ?, '2026-03-02T00:00:00Z')`, reqs[(i*3)%len(reqs)], fmt.Sprintf("d%dx.pdf", i)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.w.ExecContext(ctx, `INSERT INTO request_events (request_id, kind, date, note, created_at)
				VALUES (?, 'note', '2026-03-0' || ?, ?, '2026-03-02T00:00:00Z')`, reqs[(i*4)%len(reqs)], 9-i%9, fmt.Sprintf("e%dx", i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := b.Finish(ctx, nil); err != nil {
		t.Fatal(err)
	}
	ids := func(q string) []int64 {
		t.Helper()
		rows, err := s.w.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	got := ids(`SELECT rowid FROM request_search_index ORDER BY rowid`)
	want := ids(`SELECT id * 4294967296 + id * 8 + 1 AS r FROM requests
		UNION ALL SELECT request_id * 4294967296 + id * 8 + 2 FROM mail_messages WHERE request_id IS NOT NULL
		UNION ALL SELECT request_id * 4294967296 + id * 8 + 3 FROM documents
		UNION ALL SELECT request_id * 4294967296 + id * 8 + 6 FROM request_events WHERE note <> '' OR reason <> '' OR exemptions <> '[]'
		ORDER BY r`)
	if !slices.Equal(got, want) {
		t.Errorf("request_search_index's rows after the load:\n%v\nwant\n%v", got, want)
	}
	for _, w := range []struct {
		word  string
		rowid string
	}{
		{"m7x", `SELECT request_id * 4294967296 + id * 8 + 2 FROM mail_messages WHERE subject = 'm7x'`},
		{"d9x", `SELECT request_id * 4294967296 + id * 8 + 3 FROM documents WHERE filename = 'd9x.pdf'`},
		{"e12x", `SELECT request_id * 4294967296 + id * 8 + 6 FROM request_events WHERE note = 'e12x'`},
	} {
		found := ids(`SELECT rowid FROM request_search_index WHERE request_search_index MATCH '` + w.word + `'`)
		if want := ids(w.rowid); len(want) != 1 || !slices.Equal(found, want) {
			t.Errorf("%s finds %v, want %v", w.word, found, want)
		}
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO request_search_index (request_search_index) VALUES ('integrity-check')`); err != nil {
		t.Error(err)
	}
}

// openInBulkLoad opens a store on a new data folder (closed when the test
// ends) and begins a bulk load on it.
func openInBulkLoad(t *testing.T) (*Store, *BulkLoad) {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	b, err := s.BeginBulkLoad(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}
