package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/foitrack/foitrack"
	"github.com/foitrack/foitrack/tracker"
)

// A bulk load fills an empty database with many rows at once (dev seed)
// through the same transaction methods as the app, with the writer set up
// for throughput rather than for surviving a crash:
//
//   - a large page cache, statement journals in memory, and commits that
//     are not synced (synchronous=OFF), with checkpoints rarer;
//   - the full-text index is not kept up row by row: the triggers that
//     keep it (search_*) are dropped at the start, and at the end the index
//     is filled from the tables by the triggers' own INSERT statements,
//     run once over every row, and the triggers are created again from
//     their stored SQL. Row by row, each statement that wrote the index
//     made FTS5 write a segment of its own and merge them again. With
//     more than one core, each full-text index is filled on a connection
//     of its own into a file of its own, all at once, and copied in
//     (bulk_side.go);
//   - the tables kept by triggers from the requests' rows (the counts by
//     status, tag and day, the insight figures: bulkKept) are not kept up
//     row by row either: their triggers are dropped at the start, and at
//     the end the tables are emptied and filled from the rows by the
//     statements that first filled them (schema.sql's own INSERT …
//     SELECT, at the start of a line), and the triggers created again.
//     Each request's insert and update ran a dozen upserts;
//   - the indexes only reads use are dropped at the start and made again
//     at the end, each by one sort (kept: the unique ones, for their
//     constraints and ON CONFLICT clauses, but for those of
//     bulkDroppedUnique, and those on request_id, which working out a
//     request's derived fields reads by, but for bulkPassIndexes). A write
//     that looked a row up by a dropped index would scan its table
//     instead: slow, not wrong.
//
// The result is what the triggers would have made, as long as the rows
// written during the load are only inserted and updated (never deleted),
// and their AFTER UPDATE triggers index a row as the AFTER INSERT ones do
// (internal/seed's TestSeedBatchedWritesWhatPerChangeWrites compares a
// database built both ways). While the load runs, a marker file beside the
// database makes Open refuse it: a crash or a kill leaves a database
// without its search triggers, to be deleted and built again.
type BulkLoad struct {
	s        *Store
	triggers []droppedTrigger
	indexes  []droppedTrigger // dropped, made again by Finish
	fills    []bulkFill
	fts      []string // the full-text tables the fills write
	kept     []string // tables emptied and filled again by Finish
	keptFill []string // their fills, in schema order
	marker   string
	terms    bool // the schema keeps the indexed words (section 44)
	// exportVersion: the triggers of export_version (section 47) are
	// among those dropped; Finish moves it once.
	exportVersion bool
}

// bulkKept are the tables a bulk load fills at the end instead of keeping
// them row by row, with the prefix of the names of the triggers that keep
// them. Each is filled from its source rows by schema.sql's statements
// that first filled it (keptFills); what the triggers would have left is
// the same, but for a count they took down to zero and kept (a status no
// request ends in), which a fill leaves out, as a count of nothing.
var bulkKept = []struct {
	triggers string
	tables   []string
}{
	{"request_tags_", []string{"request_tags", "request_tag_counts"}},
	{"request_status_counts_", []string{"request_status_counts"}},
	{"request_day_counts_", []string{"request_day_counts"}},
	{"insight_", []string{"insight_counts", "insight_days", "insight_exemptions", "insight_refused"}},
}

// keptFills is every statement of schema that fills one of tables from
// other tables' rows: the INSERT INTO one of them that starts a line (a
// trigger's statements are indented), to the semicolon that ends a line,
// in the schema's order.
func keptFills(schema string, tables []string) []string {
	type fill struct {
		at   int
		stmt string
	}
	var fills []fill
	for _, t := range tables {
		re := regexp.MustCompile(`(?m)^INSERT INTO ` + regexp.QuoteMeta(t) + `\s`)
		for _, loc := range re.FindAllStringIndex(schema, -1) {
			end := regexp.MustCompile(`;[ \t]*(\n|$)`).FindStringIndex(schema[loc[0]:])
			if end == nil {
				continue
			}
			fills = append(fills, fill{loc[0], schema[loc[0] : loc[0]+end[0]]})
		}
	}
	sort.Slice(fills, func(i, j int) bool { return fills[i].at < fills[j].at })
	out := make([]string, len(fills))
	for i, f := range fills {
		out[i] = f.stmt
	}
	return out
}

// bulkDroppedUnique are the unique indexes a bulk load drops with the
// others, their uniqueness checked once at the end, when Finish makes them
// again (CREATE UNIQUE INDEX fails on a duplicate, and so does the load).
// Only one that no write of a load relies on may be here: none is the
// target of an ON CONFLICT clause or a key a row is looked up by (without
// it, such a lookup would scan the table: worse than keeping it up).
//
//   - audit_log_hash: sha256 keys, ~18.6 entries a request, each anywhere
//     in the index: kept up, each transaction of a million-request seed
//     changed ~4,600 of its pages, most of the seed's commits. Nothing
//     reads an entry by its hash (the chain, the transparency log and
//     audit verify read by id), and the hashes are unique by
//     construction (each commits to the entry before it).
//
// The other unique indexes with random keys are kept: blobs.sha256 (the
// target of every stored file's ON CONFLICT (sha256) DO NOTHING: the same
// file is stored once), requests.reply_token, public_pages.slug and the
// token hashes (api_tokens, sessions, calendar_feeds) are constraints in
// their columns, whose indexes SQLite makes itself and never drops, and
// they are few (one a request at most, against ~18.6 audit entries; a seed
// writes no tokens); mail_messages_uid is the target of the mail inserts'
// ON CONFLICT DO NOTHING (a message fetched twice is stored once), and
// its keys follow each mailbox's order. The mail's Message-IDs are not
// unique (mail_messages_message_id): dropped with the read-only indexes.
var bulkDroppedUnique = []string{"audit_log_hash"}

// bulkPassIndexes are indexes on request_id that a bulk load drops with
// the read-only ones all the same: only a pass over every request reads
// them (a recompute's, store.Recompute), never a write of the load (a
// request's own events are looked up by request_events_request, kept).
// Made at the end by one sort, their pages lie in their order in the
// file, so such a pass on a cold cache reads them as one run; kept up
// during a load, they lay scattered among the other tables' pages.
var bulkPassIndexes = []string{"request_events_history"}

type droppedTrigger struct{ name, sql string }

// bulkFill is an AFTER INSERT trigger's statement run over a table's rows.
type bulkFill struct {
	table string
	stmt  string // with two placeholders: the range (lo, hi] of rowid or key
	// key, if not empty, is the column the rows are read by (in ranges of
	// it, by an index on it), their rowid in the index being key * 2^32 +
	// id * 8 + kind; when is the trigger's WHEN clause, if any.
	key, when string
}

// bulkPublicSearch names the public search's triggers on requests, which
// a bulk load drops with the search triggers and runs over the rows at the
// end in the same way (public_search_requests_ai: the public requests'
// entries). Kept, they wrote the index twice for each public request, at
// its INSERT and again when its derived fields (its sent date) were
// stored, in statements of their own. Its other triggers (documents,
// publications) are kept: a load writes the few rows they index.
const bulkPublicSearch = "public_search_requests_*"

// BulkMarkerSuffix names the marker file beside the database while a bulk
// load runs.
const BulkMarkerSuffix = ".bulk-load"

// bulkCacheKiB is the memory the writer's page cache takes during a bulk
// load (SQLite's default is 2 MB: a large database's index pages were read
// and written again and again): a quarter of the machine's memory, between
// 512 MB and 4 GB, which hold half as much of pages (cachedPageBytes).
// SQLite takes a page of it only when it reads or writes one, so a load
// uses no more than twice its database's size (a 10k seed, ~300 MB); what
// it is for is the indexes written in a random order, each row's entry
// anywhere in them: at a million requests, the blobs' sha256 (0.4 GB) and
// the reply tokens (the audit entries' hashes, 1.4 GB, are made at the end:
// bulkDroppedUnique). With 512 MB most of their pages were read again from
// the file for each entry, and written out again when evicted.
func bulkCacheKiB() int64 {
	const lo, hi = 512 << 10, 4 << 20
	return min(max(physicalMemoryKiB()/4, lo), hi)
}

// cachedPageBytes is the memory a page of pageSize bytes takes in SQLite's
// page cache: the page and SQLite's header for it (~300 bytes) are one
// allocation, which modernc.org/memory's allocator serves from a slot of
// the next power of two, so a 4 KiB page takes 8 KiB (measured: 50,000
// pages read into a cache made the process 8,332 bytes larger a page). A
// cache_size given in KiB counts only the page and the header: the 4 GB
// cache of the 1M seed took 8 GB (its peak RSS, 9.96 GB).
func cachedPageBytes(pageSize int64) int64 { return 2 * pageSize }

// physicalMemoryKiB is the machine's memory (Linux's /proc/meminfo), or 0
// where it cannot be read.
func physicalMemoryKiB() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`(?m)^MemTotal:\s+(\d+) kB$`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// bulkFTSHashBytes is how many bytes of words each full-text index keeps
// in memory while it is filled at the end of a load before it writes them
// out as a segment ('hashsize'; FTS5's default is 1 MB). With the default,
// the fills wrote dozens of small segments and automerge merged them again,
// level by level; with this, about one a fill, as large as the memory lets.
const bulkFTSHashBytes = 256 << 20

// bulkFillRows is how many rows of a table one transaction indexes at the
// end of a load (one progress report each). FTS5 writes what it holds as a
// segment at the end of each statement, and automerge merges the segments
// again level by level: a 10k seed's fills in chunks of 5,000 rows (the
// shape of a million requests' five million messages in chunks of 200,000)
// spent 0.4 s more in automerge and 0.4 s more in writing segments out than
// in one chunk. A million rows is one segment (~100 MB of index, under
// bulkFTSHashBytes) and about 20 s of indexing between two reports.
var bulkFillRows int64 = 1_000_000

var (
	afterInsertTrigger = regexp.MustCompile(`(?is)^CREATE\s+TRIGGER\s+(\w+)\s+AFTER\s+INSERT\s+ON\s+(\w+)\s*(?:WHEN\s+(.*?))?\s*\bBEGIN\b(.*)\bEND\s*;?\s*$`)
	insertValues       = regexp.MustCompile(`(?is)^INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\((.*)\)$`)
	sqlLineComment     = regexp.MustCompile(`--[^\n]*`)
	// tableOrderRowid is a rowid that follows its table's: id * 8 + kind,
	// or id * 2^32 + id * 8 + kind (a request's own entry in
	// request_search_index, under its id as the request's).
	tableOrderRowid = regexp.MustCompile(`(?i)^(new\.id\s*\*\s*4294967296\s*\+\s*)?new\.id\s*\*\s*8\s*\+\s*\d+$`)
	// keyOrderRowid is a rowid that follows a key's order, and its table's
	// within a key: key * 2^32 + id * 8 + kind (request_search_index's
	// entries for a request's mail, documents and events, under
	// request_id). As long as id * 8 + kind < 2^32 (ids below 2^29), its
	// order is (key, id)'s.
	keyOrderRowid = regexp.MustCompile(`(?i)^new\.(\w+)\s*\*\s*4294967296\s*\+\s*new\.id\s*\*\s*8\s*\+\s*\d+$`)
)

// BeginBulkLoad starts a bulk load. The database must be empty of indexed
// rows (its full-text index holds nothing). Finish ends it.
func (s *Store) BeginBulkLoad(ctx context.Context) (*BulkLoad, error) {
	var indexed int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM search_index`).Scan(&indexed); err != nil {
		return nil, fmt.Errorf("store: unable to read the search index: %w", err)
	}
	if indexed > 0 {
		return nil, tracker.Errorf(tracker.ECONFLICT, "a bulk load needs an empty database: its search index holds %d rows", indexed)
	}
	b := &BulkLoad{s: s, marker: s.path + BulkMarkerSuffix}
	// With them, the public search's triggers on requests (bulkPublicSearch).
	rows, err := s.w.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'trigger' AND (sql LIKE '%search_index%' OR sql LIKE '%search_terms_new%' OR name GLOB ?) ORDER BY rowid`,
		bulkPublicSearch)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the search triggers: %w", err)
	}
	for rows.Next() {
		var t droppedTrigger
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read the search triggers: %w", err)
		}
		b.triggers = append(b.triggers, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the search triggers: %w", err)
	}
	// The indexes only reads use, made again at the end: one sort each
	// where every row written had moved its entry in each (16 on requests,
	// 8 on mail_messages). Kept: unique ones (their constraints, ON
	// CONFLICT) but bulkDroppedUnique, those on request_id (the lookups
	// by request that working out a request's derived fields makes while
	// it writes) but bulkPassIndexes, and those on document_id (a
	// document read with the exemptions claimed on it, as linking it to a
	// timeline event does: without the index, each link scanned every
	// claim, 9 minutes of a 1M seed).
	dropUnique, _ := json.Marshal(bulkDroppedUnique)
	passes, _ := json.Marshal(bulkPassIndexes)
	rows, err = s.w.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND sql IS NOT NULL AND ((sql NOT LIKE 'CREATE UNIQUE%' OR name IN (SELECT value FROM json_each(?)))
			AND sql NOT LIKE '%(request_id%' AND sql NOT LIKE '%(document_id%' OR name IN (SELECT value FROM json_each(?))) ORDER BY rowid`,
		string(dropUnique), string(passes))
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the indexes: %w", err)
	}
	for rows.Next() {
		var t droppedTrigger
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read the indexes: %w", err)
		}
		b.indexes = append(b.indexes, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the indexes: %w", err)
	}
	// The kept tables' triggers, dropped with the search triggers but
	// not run over the rows: the tables are filled at the end instead.
	var keptTriggers []droppedTrigger
	for _, k := range bulkKept {
		ts, err := bulkTriggersNamed(ctx, s, k.triggers+"*")
		if err != nil {
			return nil, err
		}
		keptTriggers = append(keptTriggers, ts...)
		if len(ts) == 0 {
			// No trigger keeps these tables in this database's schema (one
			// opened at an older version, before they were made): nothing
			// to fill at the end either.
			continue
		}
		b.kept = append(b.kept, k.tables...)
	}
	b.keptFill = keptFills(foitrack.Schema, b.kept)
	for _, t := range b.kept {
		if len(keptFills(foitrack.Schema, []string{t})) == 0 {
			return nil, fmt.Errorf("store: schema.sql has no statement that fills %s: a bulk load cannot keep it", t)
		}
	}
	for _, t := range b.triggers {
		if strings.Contains(t.sql, "search_terms_new") {
			b.terms = true
			continue // the indexed words: filled again afterwards (see Finish)
		}
		fills, err := triggerFills(t.sql)
		if err != nil {
			return nil, fmt.Errorf("store: trigger %s: %w", t.name, err)
		}
		b.fills = append(b.fills, fills...)
	}
	for _, f := range b.fills {
		t := strings.Fields(f.stmt)[2]
		if slices.Contains(b.fts, t) {
			continue
		}
		var fts5 int
		if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ? AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'`, t).Scan(&fts5); err != nil {
			return nil, fmt.Errorf("store: unable to read the schema of %s: %w", t, err)
		}
		if fts5 > 0 {
			b.fts = append(b.fts, t)
		}
	}
	b.triggers = append(b.triggers, keptTriggers...)
	// The timeline downloads' version's triggers (ExportVersion): one
	// update a row written, ~30 million at a million requests, for a
	// version nothing reads during the load. Made again by Finish, which
	// moves the version once.
	ev, err := bulkTriggersNamed(ctx, s, exportVersionTriggerPrefix+"*")
	if err != nil {
		return nil, err
	}
	b.triggers, b.exportVersion = append(b.triggers, ev...), len(ev) > 0
	if err := os.WriteFile(b.marker, []byte("a bulk load (dev seed) is writing this database\n"), 0o600); err != nil {
		return nil, fmt.Errorf("store: unable to mark the bulk load: %w", err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to begin the bulk load: %w", err)
	}
	for _, t := range b.indexes {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+t.name+`"`); err != nil {
			tx.Rollback()
			os.Remove(b.marker)
			return nil, fmt.Errorf("store: unable to drop index %s: %w", t.name, err)
		}
	}
	for _, t := range b.triggers {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER "`+t.name+`"`); err != nil {
			tx.Rollback()
			os.Remove(b.marker)
			return nil, fmt.Errorf("store: unable to drop trigger %s: %w", t.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		os.Remove(b.marker)
		return nil, fmt.Errorf("store: unable to begin the bulk load: %w", err)
	}
	var pageSize int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return nil, fmt.Errorf("store: unable to read the page size: %w", err)
	}
	// The writer is one connection, kept open: these hold until Finish.
	// The cache in pages, as many as bulkCacheKiB of memory holds.
	for _, p := range []string{
		fmt.Sprintf(`PRAGMA cache_size = %d`, bulkCacheKiB()<<10/cachedPageBytes(pageSize)),
		`PRAGMA synchronous = OFF`,
		`PRAGMA temp_store = MEMORY`,
	} {
		if _, err := s.w.ExecContext(ctx, p); err != nil {
			return nil, fmt.Errorf("store: %s: %w", p, err)
		}
	}
	s.undone.Store(false)
	if err := s.leaveLog(ctx, "off"); err != nil {
		return nil, err
	}
	s.stmts.clear() // statements prepared with the triggers in place
	return b, nil
}

// bulkTriggersNamed reads the triggers whose names match the GLOB
// pattern, in the schema's order.
func bulkTriggersNamed(ctx context.Context, s *Store, pattern string) ([]droppedTrigger, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB ? ORDER BY rowid`, pattern)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the triggers %s: %w", pattern, err)
	}
	defer rows.Close()
	var out []droppedTrigger
	for rows.Next() {
		var t droppedTrigger
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			return nil, fmt.Errorf("store: unable to read the triggers %s: %w", pattern, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the triggers %s: %w", pattern, err)
	}
	return out, nil
}

// leaveLog takes the writer out of the write-ahead log until Finish: each
// commit writes the pages it changed straight into the database, where in
// the log it wrote them there and again into the database at the next
// checkpoint. A load that stops half-way leaves a database Open refuses
// anyway (the marker), so nothing needs the log to survive a crash.
//
// journal is the rollback journal the writer keeps meanwhile. The load's
// own transactions (BeginBulkLoad) keep none ("off"): a transaction's
// first change to each page of the database copied the page into a
// journal in memory, a kilobyte a chunk, every chunk allocated and freed
// again at the commit, a tenth of the writer's time (the random indexes'
// pages, blobs.sha256 most). Without it, SQLite cannot undo what a
// transaction wrote when it rolls back, nor what a statement that fails
// wrote before it failed (its statement journal only records pages
// already in the rollback journal): any such failure, of a transaction,
// to a savepoint or of a statement (undoing), marks the load as one that
// cannot finish (Finish refuses, the marker stays). A dev seed stops at
// its first error anyway. Finish's fills keep theirs in memory
// ("memory"), undone as they should be.
//
// Leaving the log needs the database to itself: the readers' idle
// connections are closed first (one in use keeps the load in the log,
// which is slower, not wrong: there a rollback undoes what it should).
// Readers opened during the load do not set a journal mode of their own
// (Open's readers' DSN), so they cannot put it back into the log; they
// read the database as it is committed.
func (s *Store) leaveLog(ctx context.Context, journal string) error {
	idle := s.r.Stats().MaxOpenConnections // Open keeps them all when idle
	s.r.SetMaxIdleConns(0)
	defer s.r.SetMaxIdleConns(idle)
	var mode string
	err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode = `+journal).Scan(&mode)
	if err != nil && !IsBusy(err) {
		return fmt.Errorf("store: unable to leave the write-ahead log for the load: %w", err)
	}
	s.noJournal.Store(err == nil && mode == "off")
	return nil
}

// triggerFills turns an AFTER INSERT trigger's INSERT … VALUES statements
// into INSERT … SELECT statements over the table's rows (in rowid order,
// as they were inserted), with the trigger's WHEN clause as a filter.
// Other triggers (AFTER UPDATE, AFTER DELETE) give none.
func triggerFills(sql string) ([]bulkFill, error) {
	m := afterInsertTrigger.FindStringSubmatch(strings.TrimSpace(sqlLineComment.ReplaceAllString(sql, "")))
	if m == nil {
		if regexp.MustCompile(`(?is)^CREATE\s+TRIGGER\s+\w+\s+AFTER\s+(UPDATE|DELETE)\b`).MatchString(strings.TrimSpace(sql)) {
			return nil, nil
		}
		return nil, errors.New("not a trigger a bulk load knows how to run over a table")
	}
	table, when, body := m[2], strings.TrimSpace(m[3]), m[4]
	var out []bulkFill
	for _, st := range strings.Split(body, ";") {
		st = strings.TrimSpace(st)
		if st == "" {
			continue
		}
		im := insertValues.FindStringSubmatch(st)
		if im == nil {
			return nil, fmt.Errorf("statement %q is not an INSERT … VALUES a bulk load can run over a table", st)
		}
		// In the table's order, which is search_index's (rowid = id * 8 +
		// kind) and a request's own entry's in request_search_index, read
		// as it is stored; or in a key's (request_search_index's other
		// rows: by request), read by the key's index in ranges of it,
		// where the table has one on (key, id) (the mail's, the
		// documents'; the events' is on request_id, date, id: only each
		// request's rows are sorted); otherwise sorted into the rowid's
		// order, text and all. FTS5 writes its pending words out whenever
		// a rowid is below the last.
		f := bulkFill{table: table, when: when}
		order, rng := "new.rowid", "new.rowid > ? AND new.rowid <= ?"
		if first := strings.TrimSpace(strings.SplitN(im[3], ",", 2)[0]); strings.HasPrefix(strings.TrimSpace(im[2]), "rowid") && !tableOrderRowid.MatchString(first) {
			if km := keyOrderRowid.FindStringSubmatch(first); km != nil {
				f.key = km[1]
				order, rng = "new."+f.key+", new.id", "new."+f.key+" > ? AND new."+f.key+" <= ?"
			} else {
				order = "1"
			}
		}
		where := rng
		if when != "" {
			where = "(" + when + ") AND " + rng
		}
		f.stmt = fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s AS new WHERE %s ORDER BY %s", im[1], im[2], im[3], table, where, order)
		out = append(out, f)
	}
	return out, nil
}

// Finish fills the full-text index from the tables, creates its triggers
// again, and sets the writer back as Open leaves it (page cache, synced
// commits, checkpoints), with the write-ahead log checkpointed.
func (b *BulkLoad) Finish(ctx context.Context, progress func(done, total int64)) error {
	s := b.s
	if s.noJournal.Load() && s.undone.Load() {
		// The marker stays: Open refuses the database, as any other load
		// that did not finish.
		return errors.New("store: a write of the bulk load failed, which a load without a journal cannot undo: " +
			"it did not finish; delete the data folder and load it again")
	}
	var total, done int64
	ranges := make([][2]int64, len(b.fills)) // of rowid: the progress's
	keys := make([][2]int64, len(b.fills))   // of key, for fills by key
	for i, f := range b.fills {
		if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(min(rowid), 1) - 1, COALESCE(max(rowid), 0) FROM "`+f.table+`"`).
			Scan(&ranges[i][0], &ranges[i][1]); err != nil {
			return fmt.Errorf("store: unable to read %s: %w", f.table, err)
		}
		total += ranges[i][1] - ranges[i][0]
		if f.key == "" {
			continue
		}
		if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(min("`+f.key+`"), 1) - 1, COALESCE(max("`+f.key+`"), 0) FROM "`+f.table+`"`).
			Scan(&keys[i][0], &keys[i][1]); err != nil {
			return fmt.Errorf("store: unable to read %s: %w", f.table, err)
		}
		// Read by ranges of its key, a row the trigger indexes with no key
		// would be left out (the trigger gives it a rowid of NULL: FTS5's
		// next); the schema's have none (NOT NULL, or a WHEN clause).
		cond := `new."` + f.key + `" IS NULL`
		if f.when != "" {
			cond = "(" + f.when + ") AND " + cond
		}
		var unkeyed bool
		if err := s.w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM "`+f.table+`" AS new WHERE `+cond+`)`).Scan(&unkeyed); err != nil {
			return fmt.Errorf("store: unable to read %s: %w", f.table, err)
		}
		if unkeyed {
			return fmt.Errorf("store: rows of %s with no %s are indexed by its trigger under no rowid: "+
				"a bulk load cannot index them in %s's order; the load did not finish", f.table, f.key, f.key)
		}
	}
	// What Finish writes (the full-text index, the indexes made again)
	// goes straight into the database too, outside the write-ahead log,
	// where the load left it (or leaves it now, if a reader in use kept
	// it there when it began), its transactions with a journal again.
	if err := s.leaveLog(ctx, "memory"); err != nil {
		return err
	}
	if bulkFillBeside {
		// Each full-text index on a connection of its own, into a file of
		// its own, all at once (bulk_side.go), then copied in.
		if err := b.fillBeside(ctx, ranges, keys, total, progress); err != nil {
			return err
		}
	} else {
		// The full-text indexes' settings for the fills, put back as the
		// schema left them once they are done.
		var restore []func() error
		for _, t := range b.fts {
			undo, err := setFTSConfig(ctx, s.w, t, "hashsize", bulkFTSHashBytes)
			if err != nil {
				return err
			}
			restore = append(restore, undo)
		}
		for i, f := range b.fills {
			base := done
			if err := runFill(ctx, s.w, f, ranges[i], keys[i], func(n int64) {
				done = base + n
				if progress != nil {
					progress(done, total)
				}
			}); err != nil {
				return err
			}
			done = base + ranges[i][1] - ranges[i][0]
		}
		for _, undo := range restore {
			if err := undo(); err != nil {
				return err
			}
		}
	}
	// Each index is a sort of its table's rows: spilled to temporary
	// files, not kept in memory beside the large cache.
	if _, err := s.w.ExecContext(ctx, `PRAGMA temp_store = DEFAULT`); err != nil {
		return fmt.Errorf("store: unable to make the indexes again: %w", err)
	}
	// Each sort larger than its in-memory share (the cache size, up to
	// 512 MB: a million requests' audit entries, ~20 million) is sorted a
	// part at a time: with worker threads, each part is sorted and written
	// out on another core while the table's next rows are read, and the
	// parts are merged on several. Open's writer sorts on its own thread.
	var threads int
	if err := s.w.QueryRowContext(ctx, `PRAGMA threads`).Scan(&threads); err != nil {
		return fmt.Errorf("store: unable to make the indexes again: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA threads = %d`, runtime.NumCPU())); err != nil {
		return fmt.Errorf("store: unable to make the indexes again: %w", err)
	}
	for _, ix := range b.indexes {
		if _, err := s.w.ExecContext(ctx, ix.sql); isUnique(err) {
			// The marker stays: Open refuses the database, as any other
			// load that did not finish.
			return fmt.Errorf("store: the bulk load wrote two rows with the same value of unique index %s (%w): "+
				"it did not finish; delete the data folder and load it again", ix.name, err)
		} else if err != nil {
			return noSpace(fmt.Errorf("store: unable to make index %s again: %w", ix.name, err))
		}
	}
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA threads = %d`, threads)); err != nil {
		return fmt.Errorf("store: unable to make the indexes again: %w", err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to restore the search triggers: %w", err)
	}
	for _, t := range b.kept {
		if _, err := tx.ExecContext(ctx, `DELETE FROM "`+t+`"`); err != nil {
			tx.Rollback()
			return noSpace(fmt.Errorf("store: unable to fill %s: %w", t, err))
		}
	}
	for _, f := range b.keptFill {
		if _, err := tx.ExecContext(ctx, f); err != nil {
			tx.Rollback()
			return noSpace(fmt.Errorf("store: unable to fill %.60s…: %w", f, err))
		}
	}
	for _, t := range b.triggers {
		if _, err := tx.ExecContext(ctx, t.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: unable to restore trigger %s: %w", t.name, err)
		}
	}
	if b.exportVersion {
		if _, err := tx.ExecContext(ctx, `UPDATE export_version SET n = random() WHERE id = 1`); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: unable to move the timeline downloads' version: %w", err)
		}
	}
	// The indexed words (search_terms, for prefixes) are read from the
	// index afresh by the background worker, as after an upgrade.
	var restartTerms []string
	if b.terms {
		restartTerms = []string{`DELETE FROM search_terms`, `INSERT INTO search_terms_new (search_terms_new) VALUES ('delete-all')`,
			`UPDATE search_terms_fill SET after = ''`}
	}
	for _, q := range restartTerms {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: unable to start the search words again: %w", err)
		}
	}
	s.termsFilled.Store(false)
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to restore the search triggers: %w", err)
	}
	s.stmts.clear()
	var mode string
	if err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil || mode != "wal" {
		return fmt.Errorf("store: unable to go back to the write-ahead log (%q): %w", mode, err)
	}
	for _, p := range []string{
		`PRAGMA cache_size = -2000`,
		`PRAGMA synchronous = NORMAL`,
		`PRAGMA temp_store = DEFAULT`,
		`PRAGMA wal_autocheckpoint = 1000`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := s.w.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("store: %s: %w", p, err)
		}
	}
	if err := os.Remove(b.marker); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: unable to remove the bulk load's marker: %w", err)
	}
	return nil
}

// runFill runs f over its rows on db, in chunks of bulkFillRows rows, a
// transaction each (FTS5 writes what it holds as a segment at the end of
// each): rows is its table's rowid range (lo, hi], keys its key's for a
// fill by key. report is given the rows done so far.
//
// A fill by key is read in ranges of it, as many as its rowid range has
// chunks (the keys' rows spread about evenly: the mail's by request); each
// reads a part of the key's index.
func runFill(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, f bulkFill, rowids, keys [2]int64, report func(done int64)) error {
	first, last, step := rowids[0], rowids[1], bulkFillRows
	rows := rowids[1] - rowids[0]
	if f.key != "" {
		first, last = keys[0], keys[1]
		chunks := max(1, (rows+bulkFillRows-1)/bulkFillRows)
		step = max(1, (last-first+chunks-1)/chunks)
	}
	for lo := first; lo < last; lo += step {
		hi := min(lo+step, last)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: unable to index %s: %w", f.table, err)
		}
		if _, err := tx.ExecContext(ctx, f.stmt, lo, hi); err != nil {
			tx.Rollback()
			return noSpace(fmt.Errorf("store: unable to index %s: %w", f.table, err))
		}
		if err := tx.Commit(); err != nil {
			return noSpace(fmt.Errorf("store: unable to index %s: %w", f.table, err))
		}
		if f.key == "" {
			report(hi - first)
		} else {
			report(rows * (hi - first) / (last - first))
		}
	}
	return nil
}

type execQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ftsDefaults are FTS5's values of the settings a bulk load changes.
var ftsDefaults = map[string]int64{"hashsize": 1 << 20}

// setFTSConfig sets a full-text table's configuration value and returns
// what puts it back as it was: the stored value again, or, where none was
// stored (the schema's tables store none), FTS5's default, to which the
// writer's connection holds until it reads the configuration again, and
// then the stored row deleted, as the table's own statements cannot.
func setFTSConfig(ctx context.Context, db execQueryer, table, key string, v int64) (func() error, error) {
	set := func(v any) error {
		if _, err := db.ExecContext(ctx, `INSERT INTO "`+table+`" ("`+table+`", rank) VALUES (?, ?)`, key, v); err != nil {
			return fmt.Errorf("store: unable to set %s's %s: %w", table, key, err)
		}
		return nil
	}
	var was any
	err := db.QueryRowContext(ctx, `SELECT v FROM "`+table+`_config" WHERE k = ?`, key).Scan(&was)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: unable to read %s's %s: %w", table, key, err)
	}
	stored := err == nil
	if err := set(v); err != nil {
		return nil, err
	}
	return func() error {
		if stored {
			return set(was)
		}
		if err := set(ftsDefaults[key]); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, `DELETE FROM "`+table+`_config" WHERE k = ?`, key); err != nil {
			return fmt.Errorf("store: unable to put %s's %s back: %w", table, key, err)
		}
		return nil
	}, nil
}

// checkBulkMarker refuses a database a bulk load was writing when it stopped.
func checkBulkMarker(path string) error {
	if _, err := os.Lstat(path + BulkMarkerSuffix); err == nil {
		return tracker.Errorf(tracker.ECONFLICT, "%s: a bulk load (dev seed) into this database did not finish; "+
			"delete the data folder and seed it again", path)
	}
	return nil
}
