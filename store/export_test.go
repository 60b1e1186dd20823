package store

import (
	"context"
	"database/sql"
)

// Writer lets tests change rows the way no code path of foitrack does yet
// (a raw DELETE), to check that triggers follow every change.
func (s *Store) Writer() *sql.DB { return s.w }

// OldEntry runs stmts (each with one parameter: the transaction's time) and
// appends an audit entry as an older version of foitrack wrote it, in one
// transaction, for the checks that must read old entries.
func (s *Store) OldEntry(ctx context.Context, action, entity string, id int64, after any, stmts ...string) error {
	return s.Update(ctx, func(tx *Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(tx.ctx, q, ts(tx.now)); err != nil {
				return err
			}
		}
		return tx.Audit(action, entity, id, nil, after)
	})
}

// SetSearchCandidates sets the bound on a search's candidates until the
// test ends.
func SetSearchCandidates(t interface{ Cleanup(func()) }, n int) {
	old := searchCandidates
	searchCandidates = n
	t.Cleanup(func() { searchCandidates = old })
}

// SetSearchRankableRows sets how common a word may be for bm25 to rank a
// search until the test ends.
func SetSearchRankableRows(t interface{ Cleanup(func()) }, n int) {
	old := searchRankableRows
	searchRankableRows = n
	t.Cleanup(func() { searchRankableRows = old })
}

// SetRequestWordsChunk makes the request list's walk of its search's
// words read n rows at a time (see requestWordsChunk), for the test.
func SetRequestWordsChunk(t interface{ Cleanup(func()) }, n int) {
	old, oldMax := requestWordsChunk, requestWordsMaxChunk
	requestWordsChunk, requestWordsMaxChunk = n, n
	t.Cleanup(func() { requestWordsChunk, requestWordsMaxChunk = old, oldMax })
}
