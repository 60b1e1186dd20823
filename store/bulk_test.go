package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/plantest"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// A bulk load drops the search triggers and fills the index at the end: it
// is refused on a database whose index holds rows (they would be indexed
// twice), and a load that never finished leaves a database Open refuses,
// since it has no search triggers.
func TestBulkLoadOnlyOnAnEmptyDatabaseAndNeverHalfDone(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	mustAuthority(t, st, "Home Office", tracker.JurisdictionUK)
	if _, err := st.BeginBulkLoad(ctx); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Errorf("bulk load into a database with rows: %v, want a conflict", err)
	}

	dir := t.TempDir()
	st2, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st2.BeginBulkLoad(ctx); err != nil {
		t.Fatal(err)
	}
	st2.Close() // killed before Finish
	if _, err := store.Open(ctx, dir); tracker.ErrorCode(err) != tracker.ECONFLICT || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("opening a half-loaded database: %v, want a refusal", err)
	}

	// A finished load leaves the triggers as they were and indexes what
	// was written during it.
	st3 := MustOpenDB(t)
	before := plantest.Triggers(t, st3)
	b, err := st3.BeginBulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(plantest.Triggers(t, st3)); n >= len(before) {
		t.Errorf("%d triggers during the load, %d before: the search triggers were not dropped", n, len(before))
	}
	a := mustAuthority(t, st3, "Ministry of Justice", tracker.JurisdictionUK)
	if err := b.Finish(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if after := plantest.Triggers(t, st3); len(after) != len(before) {
		t.Errorf("%d triggers after the load, %d before", len(after), len(before))
	} else {
		for name, sql := range before {
			if after[name] != sql {
				t.Errorf("trigger %s after the load:\n%s\nwant\n%s", name, after[name], sql)
			}
		}
	}
	var n int
	if err := st3.Reader().QueryRowContext(ctx, `SELECT count(*) FROM search_index WHERE search_index MATCH 'justice' AND rowid = ?`, a.ID*8+5).Scan(&n); err != nil || n != 1 {
		t.Errorf("the authority written during the load is not indexed: %d %v", n, err)
	}
}

// A bulk load drops the indexes only reads use (every row written had
// moved its entry in each) and makes them again at the end: during the
// load they are gone, but for the unique ones and those on request_id that
// the writes' own lookups use; after it the schema is as it was and the
// indexes hold the rows written.
func TestBulkLoadMakesReadOnlyIndexesAtTheEnd(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	indexes := func() map[string]string {
		t.Helper()
		rows, err := st.Reader().QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var name, sql string
			if err := rows.Scan(&name, &sql); err != nil {
				t.Fatal(err)
			}
			out[name] = sql
		}
		return out
	}
	before := indexes()
	b, err := st.BeginBulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	during := indexes()
	for _, name := range []string{"requests_owner", "mail_messages_message_id", "audit_log_entity", "requests_authority"} {
		if _, ok := during[name]; ok {
			t.Errorf("index %s is kept up during the load", name)
		}
	}
	for _, name := range []string{"request_events_request", "mail_messages_proposed", "mail_messages_uid", "authorities_url_name"} {
		if _, ok := during[name]; !ok {
			t.Errorf("index %s, which the writes need, is gone during the load", name)
		}
	}
	mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
	if err := b.Finish(ctx, nil); err != nil {
		t.Fatal(err)
	}
	after := indexes()
	if len(after) != len(before) {
		t.Errorf("%d indexes after the load, %d before", len(after), len(before))
	}
	for name, sql := range before {
		if after[name] != sql {
			t.Errorf("index %s after the load:\n%s\nwant\n%s", name, after[name], sql)
		}
	}
	var res string
	if err := st.Reader().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity check after the load: %s %v", res, err)
	}
}
