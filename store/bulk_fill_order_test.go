package store

import (
	"context"
	"strings"
	"testing"
)

// A fill whose rowids rise with its table's (a request's entry in
// request_search_index: id * 2^32 + id * 8 + 1) reads the rows in the
// table's order and writes them as it reads them, without sorting them
// (text and all) first: FTS5 receives the same rows in the same order.
// Those whose rowids follow another order (by request) are sorted.
func TestBulkFillsSortOnlyRowsNotInTheirTablesOrder(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.BeginBulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finish(ctx, nil)
	sorts := map[string]bool{}
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
				sorts[into+" from "+f.table] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if sorts["request_search_index from requests"] {
		t.Error("the requests' fill of request_search_index sorts its rows, which are in rowid order already")
	}
	if !sorts["request_search_index from mail_messages"] {
		t.Error("the mail's fill of request_search_index does not sort its rows by request")
	}
	for k := range sorts {
		if strings.HasPrefix(k, "search_index ") {
			t.Errorf("%s sorts its rows", k)
		}
	}
}
