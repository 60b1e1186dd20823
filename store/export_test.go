package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// SetSearchWalkBudget sets how many matches a search with filters looks
// through (see searchWalkBudget) until the test ends.
func SetSearchWalkBudget(t interface{ Cleanup(func()) }, n int) {
	old := searchWalkBudget
	searchWalkBudget = n
	t.Cleanup(func() { searchWalkBudget = old })
}

// SetSearchFilterWalkBudget sets how many requests a search by filters
// alone looks through (see searchFilterWalkBudget) until the test ends.
func SetSearchFilterWalkBudget(t interface{ Cleanup(func()) }, n int) {
	old := searchFilterWalkBudget
	searchFilterWalkBudget = n
	t.Cleanup(func() { searchFilterWalkBudget = old })
}

// SetSearchByAuthorityIndex sets whether a search by filters alone reads
// an authority's requests from its index (see authorityCandidates) until
// the test ends.
func SetSearchByAuthorityIndex(t interface{ Cleanup(func()) }, on bool) {
	old := searchByAuthorityIndex
	searchByAuthorityIndex = on
	t.Cleanup(func() { searchByAuthorityIndex = old })
}

// SetSearchRankableRows sets how common a word may be for bm25 to rank a
// search until the test ends.
func SetSearchRankableRows(t interface{ Cleanup(func()) }, n int) {
	old := searchRankableRows
	searchRankableRows = n
	t.Cleanup(func() { searchRankableRows = old })
}

// SetSearchRankablePhraseRows sets how common a phrase may be for bm25 to
// rank a search until the test ends.
func SetSearchRankablePhraseRows(t interface{ Cleanup(func()) }, n int) {
	old := searchRankablePhraseRows
	searchRankablePhraseRows = n
	t.Cleanup(func() { searchRankablePhraseRows = old })
}

// SetRequestWordsChunk makes the request list's walk of its search's
// words read n rows at a time (see requestWordsChunk), for the test.
func SetRequestWordsChunk(t interface{ Cleanup(func()) }, n int) {
	old, oldMax := requestWordsChunk, requestWordsMaxChunk
	requestWordsChunk, requestWordsMaxChunk = n, n
	t.Cleanup(func() { requestWordsChunk, requestWordsMaxChunk = old, oldMax })
}

// SetSearchRankedCandidates sets how many of the newest candidates bm25
// ranks (see searchRankedCandidates), for the test.
func SetSearchRankedCandidates(t interface{ Cleanup(func()) }, n int) {
	old := searchRankedCandidates
	searchRankedCandidates = n
	t.Cleanup(func() { searchRankedCandidates = old })
}

// SnippetsBothWays is the snippets of a search's first page (newest first)
// made in the scope's index (indexSnippets) and in the scratch table
// (scratchMatch), as searchHits would make them.
func (s *Store) SnippetsBothWays(ctx context.Context, query string, scope SearchScope) (fromIndex, fromScratch map[int64]string, err error) {
	q := ParseSearchQuery(query)
	expr := q.ftsExpression(searchColumns(scope))
	cands, _, err := s.searchCandidates(ctx, q, expr, SearchOptions{Scope: scope}, false, nil)
	if err != nil {
		return nil, nil, err
	}
	var rowids []int64
	var texts []scratchText
	for _, c := range cands[:min(20, len(cands))] {
		t := scratchText{rowid: c.rowid}
		if err := s.r.QueryRowContext(ctx, `SELECT title, body, private FROM search_index WHERE rowid = ?`, c.rowid).Scan(&t.title, &t.body, &t.private); err != nil {
			return nil, nil, err
		}
		if scope == SearchPublic {
			t.private = "" // never the private column
		}
		rowids, texts = append(rowids, c.rowid), append(texts, t)
	}
	col := -1
	if scope == SearchPublic {
		col = 1
	}
	if fromIndex, err = s.indexSnippets(ctx, expr, scope, rowids, col, snippetsUpward(q, SearchOptions{Scope: scope})); err != nil {
		return nil, nil, err
	}
	fromScratch, err = scratchMatch(ctx, expr, texts, col)
	return fromIndex, fromScratch, err
}

// SetRecomputePipeline sets how many goroutines work out a Recompute of s
// and how many ids each of its spans covers.
func (s *Store) SetRecomputePipeline(workers int, span int64) {
	s.recomputeWorkers, s.recomputeSpan = workers, span
}

// SetRecomputeReaders makes Recompute read its spans on n goroutines.
func (s *Store) SetRecomputeReaders(n int) {
	s.recomputeReaders = n
}

// SetExportChunk makes exports read n events at a time, until restore.
func SetExportChunk(n int) (restore func()) {
	old := exportChunk
	exportChunk = n
	return func() { exportChunk = old }
}

// SearchCandidatesBothWays is a signed-in, unranked search's candidates
// (their rowids, newest first) walked in windows (candidatesByWindows,
// first window width rowids wide, with how many windows it read) and in
// one pass newest first, as searchCandidates walks them.
func (s *Store) SearchCandidatesBothWays(ctx context.Context, query string, width int64) (windowed []int64, windows int, plain []int64, err error) {
	q := ParseSearchQuery(query)
	if err := s.resolveExemption(ctx, &q); err != nil {
		return nil, 0, nil, err
	}
	opt := SearchOptions{Scope: SearchSignedIn}
	kinds, _ := searchKinds(q, opt)
	expr := withKinds(q.ftsExpression(searchColumns(SearchSignedIn)), kinds)
	where, args := searchFilters(q, opt)
	old := searchWindowRowids
	searchWindowRowids = width
	defer func() { searchWindowRowids = old }()
	cands, windows, err := s.candidatesByWindows(ctx, "f.rowid, 0, 0, 0", "search_index f LEFT JOIN requests r ON r.id = f.request_id", expr, kindExpression(kinds), where, args, searchCandidates+1, 0, 0)
	if err != nil {
		return nil, 0, nil, err
	}
	for _, c := range cands {
		windowed = append(windowed, c.rowid)
	}
	searchByWindows = false
	defer func() { searchByWindows = true }()
	cands, _, err = s.searchCandidates(ctx, q, q.ftsExpression(searchColumns(SearchSignedIn)), opt, false, nil)
	for _, c := range cands {
		plain = append(plain, c.rowid)
	}
	return windowed, windows, plain, err
}

// SnippetsUpward says whether a search's snippets are read upwards (see
// snippetsUpward).
func SnippetsUpward(query string) bool {
	return snippetsUpward(ParseSearchQuery(query), SearchOptions{})
}

// SearchExpression is the FTS5 expression Search matches query's words
// with in search_index, its prefixes expanded as Search does.
func (s *Store) SearchExpression(ctx context.Context, query string) (string, error) {
	q := ParseSearchQuery(query)
	if err := s.expandPrefixes(ctx, &q); err != nil {
		return "", err
	}
	return q.ftsExpression(searchTextColumns), nil
}

// PrefixMatches is the rowids of search_index that query's words match
// (ascending), its prefixes expanded as Search does, and as FTS5's own
// prefix query matches them.
func (s *Store) PrefixMatches(ctx context.Context, query string) (expanded, fts5 []int64, err error) {
	q := ParseSearchQuery(query)
	plain := q.ftsExpression(searchTextColumns)
	if err := s.expandPrefixes(ctx, &q); err != nil {
		return nil, nil, err
	}
	const match = `SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY rowid`
	if expanded, err = s.int64s(ctx, match, q.ftsExpression(searchTextColumns)); err != nil {
		return nil, nil, err
	}
	fts5, err = s.int64s(ctx, match, plain)
	return expanded, fts5, err
}

// RequestWordsExpression is the FTS5 expression the request list walks
// request_search_index with for a search box's query (its prefixes
// expanded as the list does).
func (s *Store) RequestWordsExpression(ctx context.Context, query string) (string, error) {
	wf, _, err := s.byWords(ctx, RequestFilter{Query: query})
	return wf.expr, err
}

// SetListSearchSpan makes a list's search box look through the newest n
// items of its kind, until restore.
func SetListSearchSpan(n int) (restore func()) {
	old := listSearchSpan
	listSearchSpan = n
	return func() { listSearchSpan = old }
}

// ItemSearchBothWays is a list search box's members (itemSearchCond's ids,
// newest first: walked in windows, the first width rowids wide) and those
// of one walk newest first over the same rows.
func (s *Store) ItemSearchBothWays(ctx context.Context, kind, query string, width int64) (windowed, plain []int64, err error) {
	old := searchWindowRowids
	searchWindowRowids = width
	defer func() { searchWindowRowids = old }()
	cond, args, err := s.itemSearchCond(ctx, "x", kind, query)
	if err != nil {
		return nil, nil, err
	}
	if len(args) == 1 {
		if err := json.Unmarshal([]byte(args[0].(string)), &windowed); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", cond, err)
		}
	}
	q := ParseSearchQuery(query)
	if !q.HasText() {
		return windowed, nil, nil
	}
	code := int64(kindCodes[kind][0])
	var newest int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM `+listSearchTables[kind]).Scan(&newest); err != nil {
		return nil, nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT f.rowid / 8 FROM search_index f
		WHERE search_index MATCH ? AND f.rowid % 8 = ? AND f.rowid >= ? ORDER BY f.rowid DESC LIMIT ?`,
		q.ftsExpression(searchTextColumns), code, max(newest-int64(listSearchSpan), 0)*8+code, ListSearchBound)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, nil, err
		}
		plain = append(plain, id)
	}
	return windowed, plain, rows.Err()
}

// SetSearchAsBefore makes Search find, rank and give snippets the way it
// did at the start of session 9 (see searchRankInWalk), until restore.
func SetSearchAsBefore() (restore func()) {
	old := searchRankInWalk
	searchRankInWalk = false
	return func() { searchRankInWalk = old }
}

// RequestSearchMembersByFTS5Prefix is RequestSearchMembers with the
// query's prefixes searched by FTS5's own prefix query.
func (s *Store) RequestSearchMembersByFTS5Prefix(ctx context.Context, query string) ([]int64, error) {
	q := ParseSearchQuery(query)
	ids, err := s.int64s(ctx, requestSearchMembersSQL+` ORDER BY rid DESC`, q.ftsExpression(searchTextColumns))
	if ids == nil {
		ids = []int64{}
	}
	return ids, err
}

// HoldsItsIDs is holdsItsIDs, for the tests of the statement cache.
func HoldsItsIDs(query string) bool { return holdsItsIDs(query) }

// ReaderKeeps says whether the readers keep query prepared.
func (s *Store) ReaderKeeps(query string) bool {
	s.r.mu.RLock()
	defer s.r.mu.RUnlock()
	_, ok := s.r.stmts[query]
	return ok
}

// SearchUnkept is Search worked out, never a page kept while nothing is
// committed: a search's first view, for the benchmarks.
func (s *Store) SearchUnkept(ctx context.Context, q SearchQuery, opt SearchOptions) (SearchResult, error) {
	return s.searchNow(ctx, q, opt)
}

// SetBulkFill sets, until the test ends, whether the end of a bulk load
// fills its full-text indexes beside the writer (fillBeside) and how many
// rows a transaction of a fill indexes.
func SetBulkFill(t interface{ Cleanup(func()) }, beside bool, rows int64) {
	was, wasRows := bulkFillBeside, bulkFillRows
	bulkFillBeside, bulkFillRows = beside, rows
	t.Cleanup(func() { bulkFillBeside, bulkFillRows = was, wasRows })
}
