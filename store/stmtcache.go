package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// Statements the writer runs are prepared once and kept, instead of being
// parsed again on every call: parsing was about a quarter of the time of a
// write. Tx's ExecContext, QueryContext and QueryRowContext look a query up
// here; one not prepared yet runs as before and is prepared once the
// transaction has ended (preparing needs the writer's one connection, which
// the transaction holds). Queries built with a variable number of
// placeholders could fill the cache without end, so it stops growing at
// maxCachedStmts; others then run unprepared, as before.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
}

const maxCachedStmts = 256

func (c *stmtCache) get(query string) *sql.Stmt {
	if isScript(query) {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stmts[query]
	if st == nil && len(c.stmts)+len(c.wanted) < maxCachedStmts {
		if c.wanted == nil {
			c.wanted = map[string]bool{}
		}
		c.wanted[query] = true
	}
	return st
}

// prepareWanted prepares the statements asked for since the last call, on
// db (the writer, whose connection is free again).
func (c *stmtCache) prepareWanted(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	wanted := c.wanted
	c.wanted = nil
	c.mu.Unlock()
	for q := range wanted {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared, and reports its own error there
		}
		c.mu.Lock()
		if c.stmts == nil {
			c.stmts = map[string]*sql.Stmt{}
		}
		if old := c.stmts[q]; old != nil {
			old.Close()
		}
		c.stmts[q] = st
		c.mu.Unlock()
	}
}

// clear drops every prepared statement (the schema changed under them).
func (c *stmtCache) clear() { c.close() }

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts, c.wanted = nil, nil
}

// ExecContext runs query in the transaction, prepared once for all
// transactions (see stmtCache).
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if q := strings.TrimSpace(query); len(q) >= 8 && strings.EqualFold(q[:8], "ROLLBACK") {
		// A rollback to a savepoint undoes the audit entries and tree
		// hashes written since: what the transaction knew of the log's
		// end is read again, and what a batch kept back since the
		// savepoint (flushed when it was made) is dropped, as is what it
		// knows of the requests it created (read again from the rows).
		tx.joinAudit() // what it did is dropped
		tx.s.undoing()
		tx.auditHead, tx.treeHashMap = nil, nil
		tx.auditRows = tx.auditRows[:0]
		tx.dropKept()
		tx.created, tx.authorityLaws, tx.usersSeen = nil, nil, nil
	} else if len(q) >= 9 && strings.EqualFold(q[:9], "SAVEPOINT") {
		if err := tx.flushKept(); err != nil {
			return nil, err
		}
		if err := tx.flushAudit(); err != nil {
			return nil, err
		}
	} else if err := tx.flushKeptFor(query); err != nil {
		return nil, err
	}
	if tx.authorityLaws != nil && strings.Contains(query, "authorities") {
		tx.authorityLaws = nil // what a batch remembers of them may change
	}
	var res sql.Result
	var err error
	if st := tx.s.stmts.get(query); st != nil {
		res, err = tx.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		res, err = tx.Tx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		tx.s.undoing() // what the statement wrote before it failed
	}
	return res, err
}

// QueryContext is ExecContext's counterpart for rows.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := tx.flushKeptFor(query); err != nil {
		return nil, err
	}
	var rows *sql.Rows
	var err error
	if st := tx.s.stmts.get(query); st != nil {
		rows, err = tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	} else {
		rows, err = tx.Tx.QueryContext(ctx, query, args...)
	}
	if err != nil {
		tx.s.undoing() // a statement that writes (RETURNING) may have
	}
	return rows, err
}

// QueryRowContext is ExecContext's counterpart for one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := tx.flushKeptFor(query); err != nil && tx.keptErr == nil {
		tx.keptErr = err // a Row cannot carry it: the transaction fails with it
	}
	return tx.queryRowKept(ctx, query, args...)
}

// queryRowKept is QueryRowContext without writing the processed messages
// a batch keeps back first.
func (tx *Tx) queryRowKept(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.s.stmts.get(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// isScript says whether query holds more than one statement: a prepared
// statement would run only its first, so such a query is never kept.
func isScript(query string) bool {
	return strings.Contains(strings.TrimRight(query, "; \t\r\n"), ";")
}
