package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
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

	st2, dir := openInFolder(t)
	beginBulkLoad(t, st2)
	wantUnfinishedRefused(t, st2, dir, "a half-loaded database") // killed before Finish

	// A finished load leaves the triggers as they were and indexes what
	// was written during it.
	st3 := MustOpenDB(t)
	before := plantest.Triggers(t, st3)
	b := beginBulkLoad(t, st3)
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
		return schemaRows(t, st, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
	}
	before := indexes()
	b := beginBulkLoad(t, st)
	during := indexes()
	// And the unique ones no write of the load relies on (the audit
	// entries' hashes: random keys, nothing looks an entry up by its hash),
	// and request_events_history, on request_id but read only by a
	// recompute's pass over every history: made at the end, its pages in
	// order.
	for _, name := range []string{"requests_owner", "mail_messages_message_id", "audit_log_entity", "requests_authority", "audit_log_hash", "request_events_history"} {
		if _, ok := before[name]; !ok {
			t.Errorf("no index %s", name)
		}
		if _, ok := during[name]; ok {
			t.Errorf("index %s is kept up during the load", name)
		}
	}
	for _, name := range []string{"request_events_request", "mail_messages_proposed", "mail_messages_uid", "authorities_url_name", "event_links_target"} {
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
	// The whole schema is a fresh database's.
	master := func(st *store.Store) map[string]string {
		return schemaRows(t, st, `SELECT type || ' ' || name, tbl_name || ': ' || COALESCE(sql, '') FROM sqlite_master`)
	}
	got, want := master(st), master(MustOpenDB(t))
	if len(got) != len(want) {
		t.Errorf("%d schema objects after the load, %d in a fresh database", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s after the load:\n%s\nwant a fresh database's\n%s", k, got[k], v)
		}
	}
}

// The audit entries' hashes are unique without their index during a load
// because each commits to the one before; should two rows share one all
// the same, Finish fails with an error that says so, not with a database
// whose hashes are no longer held unique, and Open refuses the unfinished
// database as it does any other.
func TestBulkLoadFailsOnADuplicateAuditHash(t *testing.T) {
	ctx := context.Background()
	st, dir := openInFolder(t)
	b := beginBulkLoad(t, st)
	mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
	if _, err := st.Writer().ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, entity, prev_hash, hash, secret)
		SELECT at, actor, action, entity, prev_hash, hash, secret FROM audit_log ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatalf("during the load, an entry with another's hash: %v", err)
	}
	err := b.Finish(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "audit_log_hash") || !strings.Contains(err.Error(), "same value") {
		t.Fatalf("Finish after two entries with one hash: %v, want an error naming audit_log_hash and the same value", err)
	}
	wantUnfinishedRefused(t, st, dir, "the database of a load that failed")
}

// A load's transactions keep no journal (a load that stops half-way is
// refused anyway): what a transaction that fails, or a statement that
// fails inside one, had written cannot be undone, so the load does not
// finish, and the database is refused as one whose load never finished,
// rather than opened with what was written half-way.
func TestBulkLoadDoesNotFinishAfterAFailedWrite(t *testing.T) {
	ctx := context.Background()
	for name, fail := range map[string]func(st *store.Store) error{
		"transaction": func(st *store.Store) error {
			failed := errors.New("a change that fails")
			err := st.UpdateBatch(ctx, func(tx *store.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE authorities SET notes = 'half-way'`); err != nil {
					return err
				}
				return failed
			})
			if !errors.Is(err, failed) {
				return fmt.Errorf("the failing transaction: %v", err)
			}
			return nil
		},
		// Its error ignored, the transaction committed: without a journal,
		// the statement's first rows stay.
		"statement": func(st *store.Store) error {
			return st.UpdateBatch(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO authorities (name, url_name, jurisdiction, default_law, created_at, updated_at)
					VALUES ('Cabinet Office', 'twice', 'uk', 'uk-foia', '', ''), ('Treasury', 'twice', 'uk', 'uk-foia', '', '')`)
				if err == nil {
					return errors.New("a statement writing a row twice did not fail")
				}
				return nil
			})
		},
	} {
		t.Run(name, func(t *testing.T) {
			st, dir := openInFolder(t)
			b := beginBulkLoad(t, st)
			if mode := writerPragma[string](t, st, "journal_mode"); mode != "off" {
				t.Errorf("journal during the load: %s, want off", mode)
			}
			mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
			if err := fail(st); err != nil {
				t.Fatal(err)
			}
			mustAuthority(t, st, "Home Office", tracker.JurisdictionUK) // the load goes on, to no end
			err := b.Finish(ctx, nil)
			if err == nil || !strings.Contains(err.Error(), "cannot undo") {
				t.Fatalf("Finish after a write of the load failed: %v, want an error saying it cannot be undone", err)
			}
			wantUnfinishedRefused(t, st, dir, "the database of a load that failed")
		})
	}
}

// A server's background step on the indexed words (every 10 s, store
// KeepSearchTerms) that finds nothing to move writes nothing: a bulk load
// under way beside it (the server tests seed while their server runs)
// still finishes. It once ended that step with a rollback, which a load
// without a journal takes for an undone write: the load failed now and
// then, as the step fell within it.
func TestBulkLoadFinishesBesideTheSearchWordsStep(t *testing.T) {
	ctx := context.Background()
	st, _ := openInFolder(t)
	b := beginBulkLoad(t, st)
	mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
	if _, err := st.KeepSearchTerms(ctx); err != nil {
		t.Fatal(err)
	}
	mustAuthority(t, st, "Home Office", tracker.JurisdictionUK)
	if err := b.Finish(ctx, nil); err != nil {
		t.Fatalf("Finish after a step of the search words that wrote nothing: %v", err)
	}
}

// The end of a load writes its index straight into the database, not
// through the write-ahead log (a load that stops half-way is refused
// anyway), even with a reader's connection left open beside the writer,
// with the full-text indexes' settings changed for their fills; after it,
// the database is as Open leaves it: in WAL, readable by another
// connection while the writer's is open, its full-text settings as the
// schema made them and its indexes sound.
func TestBulkLoadEndsOutsideTheLogAndLeavesTheDatabaseAsOpenDoes(t *testing.T) {
	ctx := context.Background()
	st, dir := openInFolder(t)
	settings := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, tbl := range []string{"search_index", "public_search", "request_search_index", "search_terms_new"} {
			rows, err := st.Reader().QueryContext(ctx, `SELECT k, v FROM "`+tbl+`_config" ORDER BY k`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					t.Fatal(err)
				}
				out[tbl+"."+k] = v
			}
			rows.Close()
		}
		return out
	}
	before := settings() // and a reader's connection kept open
	b := beginBulkLoad(t, st)
	if mode := writerPragma[string](t, st, "journal_mode"); mode != "off" {
		t.Errorf("journal once the load has begun: %s, want off", mode)
	}
	a := mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
	// Reads during the load, on the readers' connections (new ones among
	// them, as the seed makes), leave the writer outside the log.
	var conns []*sql.Conn
	for range 3 {
		c, err := st.Reader().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var n int
		if err := c.QueryRowContext(ctx, `SELECT count(*) FROM authorities`).Scan(&n); err != nil || n != 1 {
			t.Errorf("a read during the load: %d %v, want 1", n, err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	mustAuthority(t, st, "Department for Education", tracker.JurisdictionUK)
	if mode := writerPragma[string](t, st, "journal_mode"); mode != "off" {
		t.Errorf("journal after reads during the load: %s, want off", mode)
	}
	var during []string
	if err := b.Finish(ctx, func(done, total int64) {
		var mode string
		if err := st.Writer().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Error(err)
		}
		during = append(during, mode)
	}); err != nil {
		t.Fatal(err)
	}
	if len(during) == 0 {
		t.Fatal("Finish filled nothing")
	}
	for _, mode := range during {
		if mode != "memory" {
			t.Errorf("journal while Finish fills the index: %s, want memory", mode)
		}
	}
	if mode := writerPragma[string](t, st, "journal_mode"); mode != "wal" {
		t.Errorf("journal after the load: %s, want wal", mode)
	}
	after := settings()
	if len(after) != len(before) {
		t.Errorf("full-text settings after the load: %v, want %v", after, before)
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("full-text setting %s after the load: %q, want %q", k, after[k], v)
		}
	}
	for _, tbl := range []string{"search_index", "public_search", "request_search_index"} {
		if _, err := st.Writer().ExecContext(ctx, `INSERT INTO `+tbl+` (`+tbl+`) VALUES ('integrity-check')`); err != nil {
			t.Errorf("%s after the load: %v", tbl, err)
		}
	}
	// A second store on the same folder reads and writes beside the first.
	st2, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	var n int
	if err := st2.Reader().QueryRowContext(ctx, `SELECT count(*) FROM search_index WHERE search_index MATCH 'justice' AND rowid = ?`, a.ID*8+5).Scan(&n); err != nil || n != 1 {
		t.Errorf("a second store reading the load: %d %v", n, err)
	}
	mustAuthority(t, st2, "Home Office", tracker.JurisdictionUK)
	mustAuthority(t, st, "Cabinet Office", tracker.JurisdictionUK)
}

// A load's writer keeps in its cache the indexes written in a random order
// (the blobs' sha256, the reply tokens), where the machine has the memory
// for it; what the cache takes of it is a quarter at most, and 4 GiB,
// counted as the allocator takes it: a 4 KiB page and SQLite's header for
// it take 8 KiB (a cache_size in KiB counts 4.3: the 1M seed's "4 GB" took
// 8). After the load, the cache is Open's again.
func TestBulkLoadCacheHoldsAMillionRequestsRandomIndexesInAQuarterOfMemory(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	pageSize := writerPragma[int64](t, st, "page_size")
	var memKiB int64
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^MemTotal:\s+(\d+) kB$`).FindSubmatch(b); m != nil {
			memKiB, _ = strconv.ParseInt(string(m[1]), 10, 64)
		}
	}
	b := beginBulkLoad(t, st)
	pages := writerPragma[int64](t, st, "cache_size")
	if pages < 0 { // KiB of pages and headers
		pages = -pages << 10 / pageSize
	}
	takesKiB := pages * 2 * pageSize >> 10
	if takesKiB < 512<<10 {
		t.Errorf("cache during the load: %d pages (%d KiB of memory), want at least 512 MiB", pages, takesKiB)
	}
	if memKiB >= 16<<20 && pages*pageSize < 2<<30 {
		t.Errorf("cache during the load on a machine of %d MiB: %d pages, want 2 GiB of them", memKiB>>10, pages)
	}
	if takesKiB > 4<<20 || (memKiB >= 2<<20 && takesKiB > memKiB/4) {
		t.Errorf("cache during the load on a machine of %d MiB: %d pages, %d KiB of memory, want at most a quarter of it and 4 GiB", memKiB>>10, pages, takesKiB)
	}
	if err := b.Finish(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if after := writerPragma[int64](t, st, "cache_size"); after != -2000 {
		t.Errorf("cache after the load: %d, want Open's -2000 (KiB)", after)
	}
}

// A bulk load keeps the indexes the writes' own lookups use. Linking a
// timeline event to a document reads the document with the exemptions
// claimed on it (documentColumns: exemption_claims by document_id); with
// that index dropped for the load, each link scanned every claim, and the
// seed's 10,000 timeline events took 9 minutes at a million requests.
func TestBulkLoadKeepsTheIndexesItsOwnReadsUse(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	defer beginBulkLoad(t, st).Finish(ctx, nil)
	for _, q := range []string{
		`SELECT json_group_array(code) FROM exemption_claims c WHERE c.document_id = ?`,
	} {
		// On the writer: a reader's connection may plan with the schema
		// it read before the load dropped its indexes.
		var plan []string
		if err := st.Update(ctx, func(tx *store.Tx) error {
			rows, err := tx.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, 1)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					return err
				}
				plan = append(plan, detail)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") {
				t.Errorf("during a bulk load, %q reads its table whole: %s", q, step)
			}
		}
	}
}

// The index builds at the end of a load sort on worker threads (PRAGMA
// threads); afterwards the writer sorts as Open leaves it, on its own.
func TestBulkLoadPutsTheSortThreadsBackAsOpenLeavesThem(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	opened := writerPragma[int](t, st, "threads")
	b := beginBulkLoad(t, st)
	mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
	if err := b.Finish(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := writerPragma[int](t, st, "threads"); n != opened {
		t.Errorf("PRAGMA threads after the load: %d, want %d (as Open leaves it)", n, opened)
	}
}

// openInFolder opens a store on a new data folder of its own (closed when
// the test ends) and returns the folder, for opening its database again.
func openInFolder(t *testing.T) (*store.Store, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dir
}

// beginBulkLoad begins a bulk load on st.
func beginBulkLoad(t *testing.T, st *store.Store) *store.BulkLoad {
	t.Helper()
	b, err := st.BeginBulkLoad(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantUnfinishedRefused closes st and checks that Open refuses the database
// of dir as one whose bulk load did not finish; what names it in the error.
func wantUnfinishedRefused(t *testing.T, st *store.Store, dir, what string) {
	t.Helper()
	st.Close()
	if _, err := store.Open(context.Background(), dir); tracker.ErrorCode(err) != tracker.ECONFLICT || !strings.Contains(err.Error(), "did not finish") {
		t.Errorf("opening %s: %v, want a refusal", what, err)
	}
}

// writerPragma reads PRAGMA name on st's writer, whose settings a bulk
// load changes (a reader's connection has its own).
func writerPragma[T any](t *testing.T, st *store.Store, name string) T {
	t.Helper()
	var v T
	if err := st.Writer().QueryRowContext(context.Background(), `PRAGMA `+name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
