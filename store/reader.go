package store

import (
	"context"
	"database/sql"
	"sync/atomic"
)

// reader is the pool of read connections. Its queries can be traced (see
// TraceReads), so that a test can check the plan of every query a page runs.
type reader struct {
	*sql.DB
	trace atomic.Pointer[func(query string, args []any)]
}

func (r *reader) traced(query string, args []any) {
	if f := r.trace.Load(); f != nil {
		(*f)(query, args)
	}
}

func (r *reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.traced(query, args)
	return r.DB.QueryContext(ctx, query, args...)
}

func (r *reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	r.traced(query, args)
	return r.DB.QueryRowContext(ctx, query, args...)
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
