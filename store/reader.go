package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
)

// reader is the pool of read connections. Its queries can be traced (see
// TraceReads), so that a test can check the plan of every query a page runs.
//
// Its queries are prepared once and kept (each connection of the pool
// prepares a statement the first time it runs it), instead of being parsed
// again on every call: parsing was about a fifth of the CPU of the
// dashboard. Queries built with a variable number of placeholders could
// fill the cache without end, so it stops growing at maxReaderStmts;
// others then run unprepared, as before.
type reader struct {
	*sql.DB
	trace atomic.Pointer[func(query string, args []any)]

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const maxReaderStmts = 512

func (r *reader) traced(query string, args []any) {
	if f := r.trace.Load(); f != nil {
		(*f)(query, args)
	}
}

// stmt is query prepared on the pool, or nil when it is not to be kept (a
// script, a query with its ids in its text, a full cache, a query that does
// not prepare: it then runs as before, and reports its own error).
func (r *reader) stmt(ctx context.Context, query string) *sql.Stmt {
	r.mu.RLock()
	st, ok := r.stmts[query]
	n := len(r.stmts)
	r.mu.RUnlock()
	if ok || n >= maxReaderStmts {
		return st
	}
	if isScript(query) || holdsItsIDs(query) {
		return nil
	}
	st, err := r.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.stmts[query]; ok {
		st.Close() // another goroutine prepared it first
		return old
	}
	if r.stmts == nil {
		r.stmts = map[string]*sql.Stmt{}
	}
	r.stmts[query] = st
	return st
}

func (r *reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.traced(query, args)
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.DB.QueryContext(ctx, query, args...)
}

// queryTx is QueryContext in tx, a transaction of the pool.
func (r *reader) queryTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	r.traced(query, args)
	if st := r.stmt(ctx, query); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, query, args...)
}

func (r *reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	r.traced(query, args)
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the kept statements, then the pool.
func (r *reader) Close() error {
	r.mu.Lock()
	for _, st := range r.stmts {
		st.Close()
	}
	r.stmts = nil
	r.mu.Unlock()
	if r.DB == nil {
		return nil
	}
	return r.DB.Close()
}

// TraceReads calls f with every query the readers run from now on, and its
// arguments (nil: stop). For tests and benchmarks, which check the plans of
// the queries each page runs; f must be safe for concurrent use.
func (s *Store) TraceReads(f func(query string, args []any)) {
	if f == nil {
		s.r.trace.Store(nil)
		return
	}
	s.r.trace.Store(&f)
}

// holdsItsIDs says whether query has a list of integers written into its
// text ("IN (12,40,7)": a page's ids, a search's candidates, formatted by
// the store itself). Such a text is one page's, seen once: kept, it would
// take a place in the cache for good, and a server running for days would
// fill the cache with them, every query first asked for after that then
// running unprepared (and each kept statement holds SQLite's memory on
// every connection of the pool).
func holdsItsIDs(query string) bool {
	for rest := query; ; {
		i := strings.Index(rest, "IN (")
		if i < 0 {
			return false
		}
		rest = rest[i+len("IN ("):]
		if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return true
		}
	}
}
