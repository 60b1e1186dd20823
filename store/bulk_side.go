package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// BulkFTSSuffix names the files beside the database in which the end of a
// bulk load fills its full-text indexes (fillBeside), one an index: the
// database's path, this, a dash and the index's name. They are removed
// when Finish ends, whether it succeeds or fails, and first by a Finish
// that finds one a dead load left (the bulk load's marker makes Open
// refuse that database anyway).
const BulkFTSSuffix = ".bulk-fts"

// bulkFillBeside: the end of a load fills its full-text indexes beside the
// writer, each on a connection of its own, at once, rather than one after
// the other on the writer's. Only worth it with a core for each.
var bulkFillBeside = runtime.NumCPU() > 1

// bulkSideBusy is how long a side's read of the tables waits for a lock
// (nothing writes the database while the sides fill, but a write of
// another of the store's goroutines: the search words' step).
const bulkSideBusy = 10 * time.Minute

// bulkSideCacheKiB is each side connection's page cache: the pages of the
// segments it writes and merges (the tables it reads are read once, in
// order).
const bulkSideCacheKiB = 32 << 10

// fillBeside fills each full-text index the fills write (b.fts) on a
// connection of its own into a file of its own, with the database
// attached read-only, all at once, and then copies each one's shadow
// tables into the database's. Outside the write-ahead log (leaveLog) a
// connection reading the database keeps any other from committing to it
// until its transaction ends: here nothing writes the database while the
// sides read it, each writes only its own file; the copy comes after.
//
// What it leaves is what the writer's fills leave, row for row in every
// shadow table (TestBulkFillBesideWritesWhatTheWriterWrites): each side
// starts from a copy of the index as the database holds it (its segments,
// its settings and their cookie: public_search has rows the load's kept
// triggers wrote), and runs on it what the writer would (hashsize set, the
// same statements in the same chunks, hashsize put back).
func (b *BulkLoad) fillBeside(ctx context.Context, ranges, keys [][2]int64, total int64, progress func(done, total int64)) error {
	paths := make([]string, len(b.fts))
	for i, t := range b.fts {
		paths[i] = b.s.path + BulkFTSSuffix + "-" + t
		if err := removeSideFile(paths[i]); err != nil { // a dead load's
			return err
		}
	}
	defer func() {
		for _, p := range paths {
			removeSideFile(p)
		}
	}()
	// The fills into other tables (document_texts' rows) on the writer,
	// first: no full-text fill reads what they write (the AFTER INSERT
	// triggers' statements read the new row and the authorities).
	var done atomic.Int64
	for i, f := range b.fills {
		if slices.Contains(b.fts, strings.Fields(f.stmt)[2]) {
			continue
		}
		base := done.Load()
		if err := runFill(ctx, b.s.w, f, ranges[i], keys[i], func(n int64) {
			if progress != nil {
				progress(base+n, total)
			}
		}); err != nil {
			return err
		}
		done.Store(base + ranges[i][1] - ranges[i][0])
	}
	// A write of another of the store's goroutines on the writer (the
	// search words' step) waits for the sides' reads of a chunk (their
	// shared locks, outside the log) rather than fail.
	var busy int64
	if err := b.s.w.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
		return fmt.Errorf("store: unable to read the busy timeout: %w", err)
	}
	if _, err := b.s.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, bulkSideBusy.Milliseconds())); err != nil {
		return fmt.Errorf("store: unable to set the busy timeout: %w", err)
	}
	defer b.s.w.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA busy_timeout = %d`, busy))
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg   sync.WaitGroup
		errs = make([]error, len(b.fts))
	)
	for i, t := range b.fts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Labelled, so that a CPU profile tells the sides apart.
			pprof.Do(run, pprof.Labels("bulk-fill", t), func(run context.Context) {
				if errs[i] = b.fillSide(run, t, paths[i], ranges, keys, &done); errs[i] != nil {
					cancel()
				}
			})
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case <-finished:
			waiting = false
		case <-tick.C:
		}
		if progress != nil {
			progress(done.Load(), total)
		}
	}
	// The first to fail; the others' errors are its cancellation's.
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return first
	}
	return b.copySides(ctx, paths)
}

// fillSide fills table t in the file at path, from the rows of the
// database, by the fills that write t.
func (b *BulkLoad) fillSide(ctx context.Context, t, path string, ranges, keys [][2]int64, done *atomic.Int64) error {
	fail := func(err error) error {
		return noSpace(fmt.Errorf("store: unable to fill %s beside the writer in %s: %w", t, path, err))
	}
	open := func() (*sql.DB, *sql.Conn, error) {
		db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+
			fmt.Sprintf("_pragma=busy_timeout(%d)", bulkSideBusy.Milliseconds())+
			fmt.Sprintf("&_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-%d)", bulkSideCacheKiB))
		if err != nil {
			return nil, nil, err
		}
		conn, err := db.Conn(ctx)
		if err == nil {
			_, err = conn.ExecContext(ctx, `ATTACH DATABASE ? AS bulk_source`, "file:"+(&url.URL{Path: b.s.path}).EscapedPath()+"?mode=ro")
		}
		if err != nil {
			if conn != nil {
				conn.Close()
			}
			db.Close()
			return nil, nil, err
		}
		return db, conn, nil
	}
	// The table as the schema made it, and a copy of what it holds.
	db, conn, err := open()
	if err != nil {
		return fail(err)
	}
	err = func() error {
		var create string
		if err := conn.QueryRowContext(ctx, `SELECT sql FROM bulk_source.sqlite_master WHERE type = 'table' AND name = ?`, t).Scan(&create); err != nil {
			return fmt.Errorf("reading its schema: %w", err)
		}
		// In the side's own file (its main database): the fills' INSERT
		// INTO t finds it there first, and the tables they read in
		// bulk_source.
		if _, err := conn.ExecContext(ctx, create); err != nil {
			return fmt.Errorf("creating it: %w", err)
		}
		shadows, err := sideShadows(ctx, conn, "main", t)
		if err != nil {
			return err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, sh := range shadows {
			if _, err := tx.ExecContext(ctx, `DELETE FROM main."`+sh+`"`); err != nil {
				return fmt.Errorf("copying %s: %w", sh, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO main."`+sh+`" SELECT * FROM bulk_source."`+sh+`"`); err != nil {
				return fmt.Errorf("copying %s: %w", sh, err)
			}
		}
		return tx.Commit()
	}()
	conn.Close()
	db.Close()
	if err != nil {
		return fail(err)
	}
	// On a new connection, whose FTS5 reads the copied index afresh (it
	// keeps an index's structure and settings between statements).
	if db, conn, err = open(); err != nil {
		return fail(err)
	}
	defer db.Close()
	defer conn.Close()
	undo, err := setFTSConfig(ctx, conn, t, "hashsize", bulkFTSHashBytes)
	if err != nil {
		return fail(err)
	}
	for i, f := range b.fills {
		if strings.Fields(f.stmt)[2] != t {
			continue
		}
		var last int64
		if err := runFill(ctx, conn, f, ranges[i], keys[i], func(n int64) {
			done.Add(n - last)
			last = n
		}); err != nil {
			return fail(err)
		}
		done.Add(ranges[i][1] - ranges[i][0] - last)
	}
	if err := undo(); err != nil {
		return fail(err)
	}
	return nil
}

// sideShadows are the tables of a side's file (attached as schema; main:
// the side's own connection) but t: t's shadow tables, as the side's FTS5
// made them.
func sideShadows(ctx context.Context, q queryer, schema, t string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM "`+schema+`".sqlite_master WHERE type = 'table' AND name <> ? ORDER BY name`, t)
	if err != nil {
		return nil, fmt.Errorf("reading its shadow tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("reading its shadow tables: %w", err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading its shadow tables: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("it has no shadow tables")
	}
	return out, nil
}

// copySides copies each side's shadow tables over the database's, in one
// transaction: INSERT … SELECT of the rows as they are, no words read
// again. On a connection of its own, not the writer's: FTS5 keeps an
// index's structure in each connection and reads it again when another
// connection has changed the database (PRAGMA data_version), never after
// a change of its own connection's to the shadow tables.
func (b *BulkLoad) copySides(ctx context.Context, paths []string) error {
	s := b.s
	fail := func(err error) error {
		return noSpace(fmt.Errorf("store: unable to copy the full-text indexes filled beside the writer: %w", err))
	}
	db, err := sql.Open("sqlite", s.readerDSN)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fail(err)
	}
	pragmas := []string{`PRAGMA query_only = 0`, `PRAGMA synchronous = OFF`}
	if mode != "wal" { // as the writer's, outside the log (leaveLog)
		pragmas = append(pragmas, `PRAGMA journal_mode = MEMORY`)
	}
	for _, q := range pragmas {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	for i, p := range paths {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ATTACH DATABASE ? AS side%d`, i), "file:"+(&url.URL{Path: p}).EscapedPath()+"?mode=ro"); err != nil {
			return fail(fmt.Errorf("%s: %w", p, err))
		}
	}
	err = func() error {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for i, t := range b.fts {
			shadows, err := sideShadows(ctx, tx, fmt.Sprintf("side%d", i), t)
			if err != nil {
				return fmt.Errorf("%s in %s: %w", t, paths[i], err)
			}
			for _, sh := range shadows {
				if _, err := tx.ExecContext(ctx, `DELETE FROM main."`+sh+`"`); err != nil {
					return fmt.Errorf("%s: %w", sh, err)
				}
				if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main."%s" SELECT * FROM side%d."%s"`, sh, i, sh)); err != nil {
					return fmt.Errorf("%s: %w", sh, err)
				}
			}
		}
		return tx.Commit()
	}()
	if err != nil {
		return fail(err)
	}
	for i := range paths {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DETACH DATABASE side%d`, i)); err != nil {
			return fail(err)
		}
	}
	return nil
}

// removeSideFile removes a side's file and its journal, if any.
func removeSideFile(path string) error {
	for _, p := range []string{path, path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: unable to remove %s: %w", p, err)
		}
	}
	return nil
}
