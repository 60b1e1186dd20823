package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// BulkFTSSuffix names the file beside the database in which the end of a
// bulk load fills a full-text index on a second connection (sideFill). It
// is removed when Finish ends, and removed again by the next load's Finish
// if a load died with it there (the bulk load's marker refuses that
// database anyway).
const BulkFTSSuffix = ".bulk-fts"

// bulkSideBusy is how long the writer's commits wait, while a full-text
// index is filled beside it, for the side's read of the tables to end (a
// chunk of bulkFillRows/10 rows: seconds), and the side's reads for the
// writer's commits.
const bulkSideBusy = 10 * time.Minute

// fillRange is the rows a fill reads: its table's rowids (lo, hi], and for
// a fill by key, its keys (keyLo, keyHi].
type fillRange struct{ lo, hi, keyLo, keyHi int64 }

// rows is about how many rows the fill reads (its table's ids are dense):
// what its progress counts.
func (r fillRange) rows() int64 { return r.hi - r.lo }

type execQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runFill runs f over its rows on db in chunks of about chunkRows rows, a
// transaction each (FTS5 writes a segment at the end of each), and calls
// report with the rows done so far. A fill by key is read in ranges of its
// key, as many as its rowid range has chunks (the keys' rows spread about
// evenly: the mail's by request); each reads a part of the key's index.
func runFill(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, f bulkFill, r fillRange, chunkRows int64, report func(done int64)) error {
	first, last, step := r.lo, r.hi, chunkRows
	rows := r.rows()
	if f.key != "" {
		first, last = r.keyLo, r.keyHi
		chunks := max(1, (rows+chunkRows-1)/chunkRows)
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

// sideTables are the full-text tables the end of a load fills beside the
// writer: those a fill writes in a key's order (request_search_index's
// rows, by request), with every fill into them. Where the writer filled
// both indexes one after the other, on one core, the mail's text tokenized
// for each, the side fills this one on the second core meanwhile.
func (b *BulkLoad) sideTables() []string {
	var out []string
	for _, f := range b.fills {
		if t := strings.Fields(f.stmt)[2]; f.key != "" && slices.Contains(b.fts, t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// A sideFill fills full-text tables on a connection of its own, into a file
// of its own beside the database (BulkFTSSuffix), with the database
// attached read-only to read the rows from. Outside the write-ahead log
// (leaveLog), a connection reading the database holds a shared lock until
// its statement ends, which a commit of the writer waits for, and only one
// connection writes the database at a time: the side writes its own file,
// and reads the tables in chunks (a tenth of the writer's), so that the
// writer's commits wait for one short chunk at most. Once both are done,
// copySideIndexes copies the side's index into the database's tables.
type sideFill struct {
	path     string
	db       *sql.DB
	conn     *sql.Conn
	cancel   context.CancelFunc
	errc     chan error
	done     atomic.Int64 // rows filled, for the progress
	finished bool         // errc was read
	stopped  bool
}

// startSideFill creates tables in the side's file as the schema made them,
// with their settings, and runs fills (their ranges, ranges) there in the
// background.
func (b *BulkLoad) startSideFill(ctx context.Context, tables []string, fills []bulkFill, ranges []fillRange) (*sideFill, error) {
	s := b.s
	sf := &sideFill{path: s.path + BulkFTSSuffix, errc: make(chan error, 1)}
	// One left by a load that died holds another index.
	if err := removeSideFile(sf.path); err != nil {
		return nil, err
	}
	fail := func(err error) (*sideFill, error) {
		sf.stop()
		return nil, fmt.Errorf("store: unable to fill the full-text index beside the writer: %w", err)
	}
	var err error
	if sf.db, err = sql.Open("sqlite", "file:"+(&url.URL{Path: sf.path}).EscapedPath()+"?"+
		fmt.Sprintf("_pragma=busy_timeout(%d)", bulkSideBusy.Milliseconds())+
		"&_pragma=journal_mode(MEMORY)&_pragma=synchronous(OFF)&_pragma=temp_store(MEMORY)"); err != nil {
		return fail(err)
	}
	if sf.conn, err = sf.db.Conn(ctx); err != nil {
		return fail(err)
	}
	if _, err := sf.conn.ExecContext(ctx, `ATTACH DATABASE ? AS bulk_source`, "file:"+(&url.URL{Path: s.path}).EscapedPath()+"?mode=ro"); err != nil {
		return fail(err)
	}
	for _, t := range tables {
		var create string
		if err := s.w.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, t).Scan(&create); err != nil {
			return fail(fmt.Errorf("reading %s's schema: %w", t, err))
		}
		// In the side's own file (its main database): the fills' INSERT
		// INTO t finds it there first, and their tables in bulk_source.
		if _, err := sf.conn.ExecContext(ctx, create); err != nil {
			return fail(fmt.Errorf("creating %s: %w", t, err))
		}
		// The database's settings of the index (but the version, which
		// FTS5 writes itself): they shape what it writes.
		rows, err := s.w.QueryContext(ctx, `SELECT k, v FROM "`+t+`_config" WHERE k <> 'version' ORDER BY k`)
		if err != nil {
			return fail(fmt.Errorf("reading %s's settings: %w", t, err))
		}
		var kv [][2]any
		for rows.Next() {
			var k, v any
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return fail(fmt.Errorf("reading %s's settings: %w", t, err))
			}
			kv = append(kv, [2]any{k, v})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail(fmt.Errorf("reading %s's settings: %w", t, err))
		}
		for _, c := range kv {
			if _, err := sf.conn.ExecContext(ctx, `INSERT INTO "`+t+`" ("`+t+`", rank) VALUES (?, ?)`, c[0], c[1]); err != nil {
				return fail(fmt.Errorf("setting %s's %v: %w", t, c[0], err))
			}
		}
		// Set on the side's connection only (its _config is not copied
		// back): the writer's never reads this index during the load.
		if _, err := setFTSConfig(ctx, sf.conn, t, "hashsize", bulkFTSHashBytes); err != nil {
			return fail(err)
		}
	}
	var run context.Context
	run, sf.cancel = context.WithCancel(ctx)
	go func() {
		var err error
		for i, f := range fills {
			base := sf.done.Load()
			if err = runFill(run, sf.conn, f, ranges[i], max(1, bulkFillRows/10), func(n int64) { sf.done.Store(base + n) }); err != nil {
				break
			}
			sf.done.Store(base + ranges[i].rows())
		}
		sf.errc <- err
	}()
	return sf, nil
}

// rowsDone is how many rows the side has filled (none without a side).
func (sf *sideFill) rowsDone() int64 {
	if sf == nil {
		return 0
	}
	return sf.done.Load()
}

// wait waits for the side's fills to end, calling tick every second.
func (sf *sideFill) wait(tick func()) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case err := <-sf.errc:
			sf.finished = true
			if err != nil {
				return fmt.Errorf("store: the full-text index filled beside the writer: %w", err)
			}
			return nil
		case <-t.C:
			tick()
		}
	}
}

// stop ends the side's fills if they still run, closes its connection and
// removes its file. It may be called again.
func (sf *sideFill) stop() {
	if sf.stopped {
		return
	}
	sf.stopped = true
	if sf.cancel != nil {
		sf.cancel()
		if !sf.finished {
			<-sf.errc
		}
	}
	if sf.conn != nil {
		sf.conn.Close()
	}
	if sf.db != nil {
		sf.db.Close()
	}
	removeSideFile(sf.path)
}

func removeSideFile(path string) error {
	for _, p := range []string{path, path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: unable to remove %s: %w", p, err)
		}
	}
	return nil
}

// copySideIndexes copies tables' contents, filled in the side's file at
// path, into the database's (empty) tables, in one transaction: each one's
// shadow tables (as SQLite lists them) but its settings (_config: the
// database's own, which the side's copied, but for the fills' hash size).
// On a connection of its own, not the writer's: FTS5 keeps an index's
// structure in each connection and reads it again when another connection
// has changed the database (PRAGMA data_version), never after a change of
// its own connection's to the shadow tables.
func (b *BulkLoad) copySideIndexes(ctx context.Context, path string, tables []string) error {
	s := b.s
	wrap := func(err error) error {
		return noSpace(fmt.Errorf("store: unable to copy the full-text index filled beside the writer: %w", err))
	}
	db, err := sql.Open("sqlite", s.readerDSN)
	if err != nil {
		return wrap(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return wrap(err)
	}
	defer conn.Close()
	for _, q := range []string{`PRAGMA query_only = 0`, `PRAGMA synchronous = OFF`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return wrap(err)
		}
	}
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS bulk_fts`, "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro"); err != nil {
		return wrap(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	for _, t := range tables {
		rows, err := tx.QueryContext(ctx, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow' AND name GLOB ? ORDER BY name`, t+"_*")
		if err != nil {
			return wrap(err)
		}
		var shadows []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return wrap(err)
			}
			if name != t+"_config" {
				shadows = append(shadows, name)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return wrap(err)
		}
		if len(shadows) == 0 {
			return wrap(fmt.Errorf("%s has no shadow tables", t))
		}
		for _, sh := range shadows {
			if _, err := tx.ExecContext(ctx, `DELETE FROM main."`+sh+`"`); err != nil {
				return wrap(err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO main."`+sh+`" SELECT * FROM bulk_fts."`+sh+`"`); err != nil {
				return wrap(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	if _, err := conn.ExecContext(ctx, `DETACH DATABASE bulk_fts`); err != nil {
		return wrap(err)
	}
	return nil
}
