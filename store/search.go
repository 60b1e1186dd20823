package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/foitrack/foitrack/tracker"
)

// SearchScope is whose search it is: what they may find.
type SearchScope int

const (
	// SearchSignedIn: any signed-in user (viewers read everything).
	SearchSignedIn SearchScope = iota
	// SearchPublic: anyone. Only public requests' titles and texts and the
	// published documents of public requests; never notes, references,
	// mail, senders or unpublished files.
	SearchPublic
)

// SearchOptions narrow a search beyond the query.
type SearchOptions struct {
	Scope     SearchScope
	RequestID int64    // only hits about this request (0: any)
	Kinds     []string // only these kinds, on top of the query's kind: filter
	Limit     int      // default 20
	Offset    int
	// Before continues a walk that stopped (SearchResult.Next): only
	// matches below this rowid are looked through (0: from the newest).
	Before int64
	// WalkBudget is how many matches a search with filters looks through
	// at most (0: searchWalkBudget; see there).
	WalkBudget int
}

// searchCandidates bounds the work of one search: the newest this many
// matches are ranked, counted and paged through, so a common word costs
// the same at a million rows as at a thousand; the result says when there
// were more ("More than 200 found"), the same signed in and in public. It
// was 2,000: walking 2,001 matches newest first only to print the number
// was most of a search for a common word at a million requests (88% of
// kind:document foi, stepping FTS5's doclists backwards; most of the public
// phrase search), ten times the matches of 201. Two hundred hits, four
// pages of 50, is as far as people page; past it the page asks for another
// word or a filter. (A variable for the tests of the bound.)
var searchCandidates = 200

// searchWalkBudget bounds the matches a search with filters looks
// through: the newest this many matches of its words (a public search's:
// the newest this many rows of the public index, whatever their words).
// The filters are checked on each match (its request read by key, ~3.4 µs
// at 100,000 requests): a common word whose newest matches rarely pass
// them (police authority:council: none of 113,000) walked them all, 390
// ms of CPU at 100,000 requests, seconds at a million. When the budget
// runs out before a page of hits is found, the result says so (Stopped)
// and where to go on from (Next), so that every match can still be
// reached, a bounded step at a time. (A variable for the tests.)
var searchWalkBudget = 2000

// searchFilterWalkBudget bounds the requests a search by filters alone
// looks through, as searchWalkBudget bounds a word search's matches: the
// newest this many (each read by its key in one forward step of the
// table, far cheaper than a match's). A filter that few requests pass (to:
// a year before any request) read every request to find that none did:
// 7.9 s at a million requests. Large enough that a filter one request in
// a hundred passes still fills the page of candidates in one step. (A
// variable for the tests.)
var searchFilterWalkBudget = 20000

// filterWalkBudget is a search by filters alone's budget of requests.
func filterWalkBudget(opt SearchOptions) int {
	if opt.WalkBudget > 0 {
		return opt.WalkBudget
	}
	return searchFilterWalkBudget
}

// searchRankedCandidates is how many of the candidates, the newest, bm25
// ranks: it reads each one's column sizes (a b-tree descent a row, 2.3 µs).
// The best of the newest this many come first, then the older candidates
// newest first; as many as searchCandidates, all are ranked. (A variable
// for the tests.)
var searchRankedCandidates = 200

// searchIDsBound is how many of the newest matches SearchRequestIDs and
// SearchItemIDs read (searchCandidates' old bound, twice over), to find
// their distinct requests or items.
const searchIDsBound = 4000

// searchRankInWalk: a ranked search ranks its candidates in the walk
// that finds them (see Search). A variable for the test that compares it
// with ranking them in a second pass.
var searchRankInWalk = true

// searchRankableRows is how many rows may hold a word of the query for
// bm25 to rank its hits: bm25 weighs each word by reading every row that
// holds it (FTS5's xQueryPhrase), once per search, whatever the LIMIT — a
// word in most rows ("police", "foi") cost more than the rest of the search
// at 100,000 requests, and ten times that at a million. A query with a
// more common word lists its hits newest first (Ranked false). (A
// variable for the tests.)
var searchRankableRows = 20000

// searchRankablePhraseRows is how many rows may hold a phrase of two or
// more words for bm25 to rank: to weigh a phrase, bm25 counts its rows by
// reading each candidate row's positions of its words, not only the rows'
// ids as for a word (at a million requests a public phrase in ~9,500 rows
// cost 4.5 ms a search of its 12.4, a third). A query with a more common
// phrase lists its hits newest first, as one with a common word does.
var searchRankablePhraseRows = 2000

// SearchHit is one thing found.
type SearchHit struct {
	Kind  string `json:"kind"`
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// Snippet is the text around the match; Marked is the same with each
	// matched word between \x01 and \x02 (see SnippetParts).
	Snippet      string  `json:"snippet"`
	Marked       string  `json:"-"`
	RequestID    int64   `json:"request_id,omitempty"`
	RequestTitle string  `json:"request_title,omitempty"`
	Date         string  `json:"date,omitempty"`
	Link         string  `json:"link"`
	Rank         float64 `json:"-"`
}

// SearchResult is a page of hits.
type SearchResult struct {
	Query SearchQuery `json:"query"`
	Hits  []SearchHit `json:"hits"`
	// Total counts the hits, up to the candidate bound; More says there
	// were more than that (the page then says "More than 200 found").
	Total int  `json:"total"`
	More  bool `json:"more"`
	// Ranked: best first (bm25); else newest first (a word of the query is
	// too common to rank by, or the query has only filters).
	Ranked bool `json:"ranked"`
	// Stopped: the walk looked through its budget of matches (Looked of
	// them, the newest: see searchWalkBudget) and found no more than the
	// bound of candidates there; Total counts those, and older matches
	// were not looked through. Next continues it (SearchOptions.Before);
	// BackTo is the date of the oldest match looked through (a public
	// search's: of the oldest public row). A public search's Next is a
	// rowid, an id: the page must not show it as it is (see the server's
	// sealSearchPlace).
	Stopped bool   `json:"stopped"`
	Looked  int    `json:"looked,omitempty"`
	BackTo  string `json:"back_to,omitempty"`
	Next    int64  `json:"next,omitempty"`
}

// SnippetPart is a piece of a snippet, matched or not.
type SnippetPart struct {
	Text  string
	Match bool
}

// SnippetParts splits a marked snippet for display, whatever the markers'
// balance (a marker byte inside the indexed text cannot open a tag that
// is never closed: the caller escapes each part's text).
func SnippetParts(marked string) []SnippetPart {
	var out []SnippetPart
	match := false
	for marked != "" {
		i := strings.IndexAny(marked, "\x01\x02")
		if i < 0 {
			out = append(out, SnippetPart{Text: marked, Match: match})
			break
		}
		if i > 0 {
			out = append(out, SnippetPart{Text: marked[:i], Match: match})
		}
		match = marked[i] == '\x01'
		marked = marked[i+1:]
	}
	return out
}

// unmarker takes a marked snippet's markers out (built once: a Replacer
// builds its tables on first use, 2% of a search's CPU when made anew).
var unmarker = strings.NewReplacer("\x01", "", "\x02", "")

func unmark(s string) string { return unmarker.Replace(s) }

// Search finds what matches q, best first among the newest matches.
//
// Its cost is bounded whatever the size of the database: the newest
// searchCandidates matches (by rowid, which FTS5 walks backwards without
// sorting) are the candidates, bm25 ranks only them, and only the page's
// hits are read and given a snippet. A public search leaves out, before it
// counts, every candidate a censor rule hides (see publicCandidates): the
// count and the pages never tell that a censored hit is there.
//
// A page of hits is kept while nothing is committed (see untilCommitted):
// the same search viewed again, or paged back to, is not worked out again.
func (s *Store) Search(ctx context.Context, q SearchQuery, opt SearchOptions) (SearchResult, error) {
	// Everything the hits depend on but the data: the query, the options
	// and the bounds (variables for the tests).
	key := fmt.Sprintf("%#v\x00%#v\x00%d %d %v %d %d %v %d %d %d %v", q, opt, searchCandidates, searchRankedCandidates,
		searchRankInWalk, searchRankableRows, searchRankablePhraseRows, searchByWindows, searchWindowRowids, searchWalkBudget, searchFilterWalkBudget, searchByAuthorityIndex)
	res, err := keep(ctx, s, &s.searchPages, key, func() (SearchResult, error) { return s.searchNow(ctx, q, opt) })
	res.Hits = slices.Clone(res.Hits) // the caller's to change
	return res, err
}

// searchNow is Search, worked out.
func (s *Store) searchNow(ctx context.Context, q SearchQuery, opt SearchOptions) (SearchResult, error) {
	res := SearchResult{Query: q, Hits: []SearchHit{}}
	if opt.Limit <= 0 || opt.Limit > 200 {
		opt.Limit = 20
	}
	if opt.Offset < 0 || opt.Offset > searchCandidates {
		opt.Offset = 0
	}
	if q.Empty() {
		return res, nil
	}
	if err := s.resolveExemption(ctx, &q); err != nil {
		return res, err
	}
	if !q.HasText() {
		return s.searchByFilters(ctx, q, opt)
	}
	if err := s.expandPrefixes(ctx, &q); err != nil {
		return res, err
	}
	public := opt.Scope == SearchPublic
	expr := q.ftsExpression(searchColumns(opt.Scope))
	var censors *publicCensors
	var err error
	if public {
		if censors, err = s.newPublicCensors(ctx); err != nil {
			return res, err
		}
	}
	if res.Ranked, err = s.rankable(ctx, q, opt.Scope); err != nil {
		return res, err
	}
	// The candidates are ranked as they are found, in the one walk newest
	// first: a second pass newest first over the same matches only to rank
	// them cost as much again as the walk (a phrase's positions read twice:
	// 1.5 of the public phrase search's 3.3 ms at 100,000 requests). Not
	// a signed-in search by kind, unless it has a prefix: it walks windows
	// read upwards with the kind's word in the query, which bm25 would
	// weigh, each window a statement that would count every match of each
	// word again for bm25 (see rankNewest). (A prefix's words are gathered
	// on each pass of the index: one pass.)
	kinds, _ := searchKinds(q, opt)
	rankInWalk := res.Ranked && (public || len(kinds) == 0 || q.hasPrefix()) && searchRankInWalk
	cands, walk, err := s.searchCandidates(ctx, q, expr, opt, rankInWalk, censors)
	if err != nil {
		return res, err
	}
	if walk.floor > 0 && len(cands) <= searchCandidates {
		// The budget ran out before the walk found more than the bound of
		// candidates (a public one's, those the public may find: see
		// searchCandidates): say so, and where to go on from.
		res.Stopped, res.Looked, res.BackTo, res.Next = true, walkBudget(opt), walk.date, walk.floor
	}
	if len(cands) > searchCandidates {
		cands, res.More = cands[:searchCandidates], true
	}
	res.Total = len(cands)
	if res.Ranked {
		// bm25: lower is better; ties newest first.
		newest := cands[:min(len(cands), searchRankedCandidates)]
		if !rankInWalk {
			if err := s.rankNewest(ctx, expr, opt.Scope, newest); err != nil {
				return res, err
			}
		}
		slices.SortStableFunc(newest, func(a, b searchCand) int { return cmp.Compare(a.rank, b.rank) })
	}
	if opt.Offset >= len(cands) {
		return res, nil
	}
	page := cands[opt.Offset:min(len(cands), opt.Offset+opt.Limit)]
	if res.Hits, err = s.searchHits(ctx, q, expr, page, opt.Scope, snippetsUpward(q, opt)); err != nil {
		return res, err
	}
	if censors != nil {
		censors.apply(res.Hits, page)
	}
	return res, nil
}

// rankable reports whether bm25 may rank the query's hits: whether no
// word or phrase of it (wanted or not: bm25 weighs each) is in more than
// searchRankableRows rows of the scope's index. Each is counted up to
// that bound only.
func (s *Store) rankable(ctx context.Context, q SearchQuery, scope SearchScope) (bool, error) {
	for i, t := range q.Terms {
		e := q.termFTS(i)
		// The columns the query's words are matched in (see ftsExpression).
		e = searchColumns(scope) + " : " + e
		bound := searchRankableRows
		if t.Phrase && phraseWords(t.Text) > 1 {
			bound = searchRankablePhraseRows
		}
		n, err := s.termRows(ctx, searchIndexOf(scope), e, bound+1)
		if err != nil {
			return false, err
		}
		if n > bound {
			return false, nil
		}
	}
	return true, nil
}

// phraseWords is how many words the index's tokenizer (unicode61: runs of
// letters and digits) finds in a phrase.
func phraseWords(text string) int {
	return len(strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }))
}

// termCountsFor is how long a term's count is kept (see termRows): it
// only chooses between ranking and newest first, and a word's frequency
// changes slowly.
const termCountsFor = 10 * time.Minute

// termCounts keeps the counts of termRows (a Store's field: a table of
// the package keyed by store kept every store it had met alive).
type termCounts struct {
	sync.Mutex
	m map[termCountKey]termCount
}

type termCountKey struct {
	index string
	expr  string
	bound int
}

type termCount struct {
	n  int
	at time.Time
}

// termRows counts the rows of an index (search_index or public_search)
// that hold an FTS5 term, up to bound: the count of a common word walks
// bound rows (4 ms of CPU for 20,001 at 100,000 requests), so it is kept
// a while.
func (s *Store) termRows(ctx context.Context, index, expr string, bound int) (int, error) {
	key := termCountKey{index, expr, bound}
	s.termCounts.Lock()
	c, ok := s.termCounts.m[key]
	s.termCounts.Unlock()
	if ok && time.Since(c.at) < termCountsFor {
		return c.n, nil
	}
	var n int
	// index is one of two names of ours: safe inside the SQL.
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM `+index+` WHERE `+index+` MATCH ? LIMIT ?)`,
		expr, bound).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unable to search: %w", err)
	}
	s.termCounts.Lock()
	if s.termCounts.m == nil || len(s.termCounts.m) >= 4096 {
		s.termCounts.m = map[termCountKey]termCount{}
	}
	s.termCounts.m[key] = termCount{n, time.Now()}
	s.termCounts.Unlock()
	return n, nil
}

// searchCand is a candidate hit: its rowid in search_index, its bm25 rank,
// and (public search) its request and that request's authority.
type searchCand struct {
	rowid       int64
	rank        float64
	requestID   int64
	authorityID int64
}

// searchColumns are the columns a scope's words are matched in: the public
// never the private one; nobody the kind column (see withKinds).
func searchColumns(scope SearchScope) string {
	if scope == SearchPublic {
		return "{title body}"
	}
	return searchTextColumns
}

// searchIndexOf is the full-text index a scope searches: the public its
// own (schema section 34), which holds only what it may find, so that its
// walk newest first meets no private row.
func searchIndexOf(scope SearchScope) string {
	if scope == SearchPublic {
		return "public_search"
	}
	return "search_index"
}

// searchWalk is where a search's walk was bounded: the lowest rowid it
// looked through (0: it walked to the oldest match), and that row's date.
type searchWalk struct {
	floor int64
	date  string
}

// walkBounded says whether a search with words has its walk bounded by
// searchWalkBudget: when something other than its words and kinds decides
// (a field filter, or one request), so that a match may fail. Without
// them the walk stops at the bound of candidates, every match one.
func walkBounded(q SearchQuery, opt SearchOptions) bool {
	return q.Authority != "" || q.Law != "" || q.Status != "" || q.Exemption != "" || q.From != "" || q.To != "" || opt.RequestID != 0
}

// walkBudget is the search's budget of matches (see searchWalkBudget).
func walkBudget(opt SearchOptions) int {
	if opt.WalkBudget > 0 {
		return opt.WalkBudget
	}
	return searchWalkBudget
}

// walkFloor is the lowest rowid a bounded walk from below the rowid
// below looks through: the searchWalkBudget-th newest match of the words
// (expr, without the kinds: FTS5 steps one word's doclist back cheaply),
// or for a public search the searchWalkBudget-th newest row of the public
// index, whatever its words — so that where a public walk stops tells
// nothing of which rows hold the words (a censor rule may hide them: see
// search_censored.go), only of the public rows, which anyone may see.
// Zero when there are fewer: the walk goes on to the oldest match.
func (s *Store) walkFloor(ctx context.Context, expr string, opt SearchOptions, below int64) (searchWalk, error) {
	var w searchWalk
	var err error
	if opt.Scope == SearchPublic {
		// The rows counted in the index's table of their sizes, a small
		// row each, not in the table of their texts (a page or more each).
		err = s.r.QueryRowContext(ctx, `SELECT rowid, date FROM public_search WHERE rowid = (
			SELECT id FROM public_search_docsize WHERE id < ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
			below, walkBudget(opt)-1).Scan(&w.floor, &w.date)
	} else {
		err = s.r.QueryRowContext(ctx, `SELECT rowid, date FROM search_index WHERE search_index MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT 1 OFFSET ?`,
			expr, below, walkBudget(opt)-1).Scan(&w.floor, &w.date)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return searchWalk{}, nil
	}
	if err != nil {
		return w, fmt.Errorf("store: unable to search: %w", err)
	}
	return w, nil
}

// searchCandidates are the newest searchCandidates+1 matches that pass the
// filters and the scope, newest first. A public search finds only public
// requests and their published documents, in the public index; each
// match's request is found from the rowid (a request's own, or its
// document's), never by reading its stored columns, and is checked public
// again (as is a document's publication), whatever the index holds.
// ranked: each with its bm25 rank (else 0). Only matches below
// opt.Before, when set; and when walkBounded, only those at or above the
// walk's floor (see walkFloor), which it returns. censors: a public
// search's, whose hidden hits it leaves out (see uncensoredCandidates).
func (s *Store) searchCandidates(ctx context.Context, q SearchQuery, expr string, opt SearchOptions, ranked bool, censors *publicCensors) ([]searchCand, searchWalk, error) {
	from := "search_index f LEFT JOIN requests r ON r.id = f.request_id"
	rank := "0"
	if ranked {
		rank = "f.rank"
	}
	cols := "f.rowid, " + rank + ", 0, 0"
	if opt.Scope == SearchPublic {
		// CROSS JOIN: the matches drive, each one's request read by its key
		// in the index of public requests (schema section 29).
		from = `public_search f CROSS JOIN requests r INDEXED BY requests_public ON r.id = (CASE f.rowid % 8 WHEN 1 THEN f.rowid / 8
			ELSE (SELECT d.request_id FROM documents d INDEXED BY documents_id_request WHERE d.id = f.rowid / 8) END)`
		cols = "f.rowid, " + rank + ", r.id, r.authority_id"
	}
	where, args := searchFilters(q, opt)
	words := expr
	below := int64(math.MaxInt64)
	if opt.Before > 0 {
		below = opt.Before
	}
	var walk searchWalk
	if opt.Scope != SearchPublic && !ranked {
		// The kinds asked for are part of the full-text query (not when
		// bm25 ranks here: it would weigh the kind word).
		kinds, _ := searchKinds(q, opt)
		expr = withKinds(expr, kinds)
		if len(kinds) > 0 && searchByWindows {
			var top int64
			if opt.Before > 0 || walkBounded(q, opt) {
				// The walk's budget counts the words' matches from the
				// kinds' newest row down (the mail's rowids lie far above
				// the documents').
				var err error
				if top, err = s.kindsNewest(ctx, kindExpression(kinds), below); err != nil || top == 0 {
					return nil, walk, err
				}
				if walkBounded(q, opt) {
					if walk, err = s.walkFloor(ctx, words, opt, top+1); err != nil {
						return nil, walk, err
					}
				}
			}
			cands, _, err := s.candidatesByWindows(ctx, cols, from, expr, kindExpression(kinds), where, args, searchCandidates+1, walk.floor, top)
			return cands, walk, err
		}
	}
	if walkBounded(q, opt) {
		var err error
		if walk, err = s.walkFloor(ctx, words, opt, below); err != nil {
			return nil, walk, err
		}
	}
	if opt.Before > 0 || walk.floor > 0 {
		// FTS5 takes the rowid range: its walk starts below the top and
		// ends at the floor.
		where += " AND f.rowid BETWEEN ? AND ?"
		args = append(args, walk.floor, below-1)
	}
	query := `SELECT ` + cols + ` FROM ` + from + `
		WHERE f.` + searchIndexOf(opt.Scope) + ` MATCH ? AND ` + where + `
		ORDER BY f.rowid DESC LIMIT ?`
	var cands []searchCand
	for {
		found, err := s.readCandidates(ctx, query, append(append([]any{expr}, args...), searchCandidates+1)...)
		if err != nil || censors == nil {
			return found, walk, err
		}
		kept, err := s.uncensoredCandidates(ctx, q, expr, found, censors)
		if err != nil {
			return nil, walk, err
		}
		cands = append(cands, kept...)
		// A bounded public walk reads on until it has more than the
		// bound of hits the public may find, or reaches its floor, so
		// that whether it stopped short is decided by those hits alone,
		// never by how many hidden ones came first. (Unbounded, it reads
		// the bound's worth once, as it always has.)
		if walk.floor == 0 || len(found) <= searchCandidates || len(cands) > searchCandidates {
			return cands, walk, nil
		}
		args[len(args)-1] = found[len(found)-1].rowid - 1
	}
}

// kindsNewest is the rowid of the kinds' newest row below the rowid
// below (0: none), found by the kinds' word alone (see
// candidatesByWindows).
func (s *Store) kindsNewest(ctx context.Context, kindExpr string, below int64) (int64, error) {
	var newest sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT max(rowid) FROM (SELECT rowid FROM search_index
		WHERE search_index MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT 1)`, kindExpr, below).Scan(&newest); err != nil {
		return 0, fmt.Errorf("store: unable to search: %w", err)
	}
	return newest.Int64, nil
}

// readCandidates runs a query of searchCandidates' columns.
func (s *Store) readCandidates(ctx context.Context, query string, args ...any) ([]searchCand, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to search: %w", err)
	}
	defer rows.Close()
	var cands []searchCand
	for rows.Next() {
		var c searchCand
		if err := rows.Scan(&c.rowid, &c.rank, &c.requestID, &c.authorityID); err != nil {
			return nil, fmt.Errorf("store: unable to read search hit: %w", err)
		}
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to search: %w", err)
	}
	return cands, nil
}

// searchByWindows: a search by kind walks its matches in windows (see
// candidatesByWindows). A variable for the test that compares the two
// walks.
var searchByWindows = true

// searchWindowRowids is the width, in rowids, of the first window
// candidatesByWindows reads below the newest match; the next ones are
// sized from the matches found per rowid so far. kind:document foi's
// newest 201 matches span about 1,700 rowids at 100,000 requests as at a
// million. (A variable for the tests.)
var searchWindowRowids int64 = 2048

// candidatesByWindows are searchCandidates for a query with a kind: the
// newest searchCandidates+1 matches, newest first, read in windows of
// rowids from the newest match down, each window read upwards, FTS5's own
// order, until there are enough. Walked newest first, a kind's word (k3:
// one row in eight or fewer) AND-ed with a common word made FTS5 step both
// doclists backwards, and each step back over a page re-reads the doclist
// index's page from its start (fts5DlidxLvlPrev): 88% of kind:document foi
// at a million requests, 3 to 4 times a window's read at 100,000. It also
// returns how many windows it read.
//
// It reads want matches at most, and none below the rowid floor; from the
// rowid top down, or when top is 0 from the kinds' newest row.
func (s *Store) candidatesByWindows(ctx context.Context, cols, from, expr, kindExpr, where string, args []any, want int, floor, top int64) ([]searchCand, int, error) {
	// The walk starts at the kinds' newest row, found by their word alone
	// (FTS5 starts a single word's doclist at its end): the newest match
	// of the whole query, walked to backwards, stepped the common word's
	// doclist back over every newer row of other kinds (a kind's rows may
	// all be far older than the newest mail).
	if top == 0 {
		var newest sql.NullInt64
		if err := s.r.QueryRowContext(ctx, `SELECT max(rowid) FROM (SELECT rowid FROM search_index
			WHERE search_index MATCH ? ORDER BY rowid DESC LIMIT 1)`, kindExpr).Scan(&newest); err != nil {
			return nil, 0, fmt.Errorf("store: unable to search: %w", err)
		}
		if !newest.Valid {
			return nil, 0, nil
		}
		top = newest.Int64
	}
	var cands []searchCand
	hi, width, windows := top, searchWindowRowids, 0
	for len(cands) < want && hi >= floor {
		lo := max(hi-width+1, floor)
		found, err := s.readCandidates(ctx, `SELECT `+cols+` FROM `+from+`
			WHERE f.search_index MATCH ? AND f.rowid BETWEEN ? AND ? AND `+where+`
			ORDER BY f.rowid`, append([]any{expr, lo, hi}, args...)...)
		if err != nil {
			return nil, windows, err
		}
		windows++
		slices.Reverse(found)
		cands = append(cands, found[:min(len(found), want-len(cands))]...)
		// The next window: as wide as the matches per rowid so far say
		// the rest needs, a quarter more; four times as wide when this
		// one found none.
		walked := top - lo + 1
		next := width * 4
		if n := int64(len(cands)); n > 0 {
			next = min(next, walked*int64(want-len(cands))/n*5/4+1)
		}
		hi, width = lo-1, max(next, searchWindowRowids)
	}
	return cands, windows, nil
}

// rankNewest gives the candidates (the newest, in the walk's order) their
// bm25 rank. One pass over the matches between the oldest and the newest of
// them, bm25 worked out only for theirs (the CASE: FTS5 computes rank
// when it is read). Newest first, as the candidates were found: FTS5
// starts a walk at its end and steps to the range (walked upwards, it
// stepped through every older match to reach it).
func (s *Store) rankNewest(ctx context.Context, expr string, scope SearchScope, cands []searchCand) error {
	if len(cands) == 0 {
		return nil
	}
	at := make(map[int64]int, len(cands))
	ids := make([]int64, len(cands))
	for i, c := range cands {
		at[c.rowid], ids[i] = i, c.rowid
	}
	index := searchIndexOf(scope)
	// index is one of two names of ours: safe inside the SQL. The rowids
	// are bound as one JSON array, so that the text is the same for every
	// search and kept prepared (see holdsItsIDs); SQLite reads the array
	// once, into a list it probes for each match.
	rows, err := s.r.QueryContext(ctx, `SELECT rowid, CASE WHEN rowid IN (SELECT value FROM json_each(?)) THEN rank END FROM `+index+`
		WHERE `+index+` MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid DESC`, idJSON(ids), expr, cands[len(cands)-1].rowid, cands[0].rowid)
	if err != nil {
		return fmt.Errorf("store: unable to rank search hits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rowid int64
		var rank sql.NullFloat64
		if err := rows.Scan(&rowid, &rank); err != nil {
			return fmt.Errorf("store: unable to rank search hits: %w", err)
		}
		if i, ok := at[rowid]; ok && rank.Valid {
			cands[i].rank = rank.Float64
		}
	}
	return rows.Err()
}

// indexSnippets is the snippet of column col (-1: the best) of each of the
// rows, matched by expr in the scope's index: one pass over its matches
// between the oldest and the newest of them, a snippet made only for
// theirs. (A query with a prefix gets its snippets in the scratch table:
// FTS5 gathers every word a prefix stands for on each pass of the index,
// which at 100,000 requests cost more than the scratch table's.) Read
// newest first, or upwards when upward (see snippetsUpward).
func (s *Store) indexSnippets(ctx context.Context, expr string, scope SearchScope, rowids []int64, col int, upward bool) (map[int64]string, error) {
	out := make(map[int64]string, len(rowids))
	if len(rowids) == 0 {
		return out, nil
	}
	index := searchIndexOf(scope)
	order := "DESC"
	if upward {
		order = "ASC"
	}
	// index is one of two names of ours, col an integer: safe inside the
	// SQL. The rowids are bound as one JSON array (see rankNewest).
	rows, err := s.r.QueryContext(ctx, `SELECT rowid, CASE WHEN rowid IN (SELECT value FROM json_each(?)) THEN snippet(`+index+`, `+strconv.Itoa(col)+`, char(1), char(2), '…', 24) END
		FROM `+index+` WHERE `+index+` MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid `+order, idJSON(rowids), expr, slices.Min(rowids), slices.Max(rowids))
	if err != nil {
		return nil, fmt.Errorf("store: unable to read search snippets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rowid int64
		var snip sql.NullString
		if err := rows.Scan(&rowid, &snip); err != nil {
			return nil, fmt.Errorf("store: unable to read search snippets: %w", err)
		}
		if snip.Valid {
			out[rowid] = snip.String
		}
	}
	return out, rows.Err()
}

// searchHits reads the page's hits, in the page's order: their stored
// columns by rowid, and a snippet of each (see indexSnippets).
func (s *Store) searchHits(ctx context.Context, q SearchQuery, expr string, page []searchCand, scope SearchScope, upward bool) ([]SearchHit, error) {
	ids := make([]int64, len(page))
	order := make(map[int64]int, len(page))
	for i, c := range page {
		ids[i] = c.rowid
		order[c.rowid] = i
	}
	// The texts are read only for the scratch table's snippets (a
	// prefix's): a request's or a document's body runs over several pages.
	textCols := "f.body, f.private"
	if !q.hasPrefix() {
		textCols = "'', ''"
	}
	// The rowids are bound as one JSON array, each looked up by rowid (the
	// text the same for every page: kept prepared, see holdsItsIDs).
	rows, err := s.r.QueryContext(ctx, `SELECT f.rowid, f.title, `+textCols+`,
			f.request_id, f.date, COALESCE(r.title, ''), COALESCE(p.slug, ''), COALESCE(d.sha256, '')
		FROM search_index f
		LEFT JOIN requests r ON r.id = f.request_id
		LEFT JOIN public_pages p ON p.request_id = f.request_id
		LEFT JOIN documents d ON d.id = f.rowid / 8 AND f.rowid % 8 = 3
		WHERE f.rowid IN (SELECT value FROM json_each(?))`, idJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("store: unable to read search hits: %w", err)
	}
	defer rows.Close()
	hits := make([]SearchHit, len(page))
	texts := make([]scratchText, len(page))
	for rows.Next() {
		var h SearchHit
		var t scratchText
		var slug, sum string
		if err := rows.Scan(&t.rowid, &h.Title, &t.body, &t.private, &h.RequestID, &h.Date, &h.RequestTitle, &slug, &sum); err != nil {
			return nil, fmt.Errorf("store: unable to read search hit: %w", err)
		}
		rowid := t.rowid
		t.title = h.Title
		if scope == SearchPublic {
			t.private = "" // never the private column
		}
		code := rowid % 8
		h.Kind, h.ID = kindOfCode(code), rowid/8
		h.Rank = page[order[rowid]].rank
		switch {
		case scope == SearchPublic && code == 1:
			h.Link = "/p/" + slug
		case scope == SearchPublic && code == 3:
			h.Link = "/p/" + slug + "/documents/" + sum
		case code == 1:
			h.Link = fmt.Sprintf("/requests/%d", h.ID)
		case code == 6:
			// A note in a request's history: the hit is the request.
			h.Link = fmt.Sprintf("/requests/%d#history", h.RequestID)
			h.Title = h.RequestTitle + " — " + tracker.Capitalize(h.Title)
			h.ID = h.RequestID
		case code == 2:
			h.Link = fmt.Sprintf("/mail/%d", h.ID)
			if h.Title == "" {
				h.Title = "(no subject)"
			}
		case code == 3:
			h.Link = fmt.Sprintf("/documents/%d", h.ID)
		case code == 4:
			h.Link = fmt.Sprintf("/timeline/events/%d", h.ID)
		case code == 5:
			h.Link = fmt.Sprintf("/authorities/%d", h.ID)
		}
		hits[order[rowid]] = h
		texts[order[rowid]] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read search hits: %w", err)
	}
	snippetCol := -1
	if scope == SearchPublic {
		snippetCol = 1 // body: never the private column
	}
	var snips map[int64]string
	if q.hasPrefix() {
		snips, err = scratchMatch(ctx, expr, texts, snippetCol)
	} else {
		rowids := make([]int64, len(page))
		for i, c := range page {
			rowids[i] = c.rowid
		}
		snips, err = s.indexSnippets(ctx, expr, scope, rowids, snippetCol, upward)
	}
	if err != nil {
		return nil, err
	}
	for i := range hits {
		hits[i].Marked = snips[texts[i].rowid]
		hits[i].Snippet = unmark(hits[i].Marked)
	}
	return hits, nil
}

// snippetsUpward says whether a page's snippets are read upwards, from
// its oldest hit, rather than newest first from its newest (see
// indexSnippets): for a search narrowed to kinds, whose page lies below
// many newer rows that hold its words (a document's among newer mail),
// when no term is a phrase. Newest first, FTS5 steps back to the page's
// newest hit over each page of the words' doclists, and each step back
// re-reads the doclist index's page from its start (fts5DlidxLvlPrev):
// 3-4 ms for kind:document foi's snippets at 100,000 requests, 0.2-0.3 ms
// upwards (its doclist index walked forwards). A phrase goes the other
// way: 1-3 ms newest first, 6-10 ms upwards, FTS5 stepping through its
// older matches; a page at the top of a word's rows costs nothing newest
// first.
func snippetsUpward(q SearchQuery, opt SearchOptions) bool {
	if kinds, none := searchKinds(q, opt); none || len(kinds) == 0 || !q.HasText() {
		return false
	}
	for _, t := range q.Terms {
		// A term FTS5 splits into several words is a phrase too.
		if t.Phrase || strings.IndexFunc(t.Text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
			return false
		}
	}
	return true
}

// searchFilters is the SQL for the query's field filters and the scope,
// over search_index f and the request r it is about (see
// searchCandidates).
func searchFilters(q SearchQuery, opt SearchOptions) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	// The request's id: a public hit's r is found from its rowid, without
	// reading the hit's stored request_id.
	reqCol := "f.request_id"
	if opt.Scope == SearchPublic {
		reqCol = "r.id"
	}
	kinds, none := searchKinds(q, opt)
	if none {
		return "0 = 1", nil
	}
	if len(kinds) > 0 {
		// Bound, not written into the text (see holdsItsIDs): a text for
		// each number of codes, a handful.
		var ph []string
		for _, k := range kinds {
			for _, c := range kindCodes[k] {
				ph = append(ph, "?")
				args = append(args, c)
			}
		}
		conds = append(conds, "f.rowid % 8 IN ("+strings.Join(ph, ", ")+")")
	}
	if opt.RequestID != 0 {
		conds = append(conds, reqCol+" = ?")
		args = append(args, opt.RequestID)
	}
	if q.Authority != "" {
		ids, a := authorityIDsSQL(q.Authority)
		conds = append(conds, "(r.authority_id IN ("+ids+") OR (f.rowid % 8 = 5 AND f.rowid / 8 IN ("+ids+")))")
		args = append(append(args, a...), a...)
	}
	if q.Law != "" {
		conds = append(conds, "r.law = ?")
		args = append(args, q.Law)
	}
	if q.Status != "" {
		conds = append(conds, "(r.status = ? OR r.outcome = ?)")
		args = append(args, q.Status, q.Status)
	}
	if q.Exemption != "" {
		c, a := exemptionProbeSQL(reqCol, q)
		conds = append(conds, c)
		args = append(args, a...)
	}
	if q.From != "" {
		conds = append(conds, "f.date <> '' AND f.date >= ?")
		args = append(args, q.From)
	}
	if q.To != "" {
		// A date written as a month or a year (a timeline event) is in
		// range when it starts on or before the end.
		conds = append(conds, "f.date <> '' AND f.date <= ?")
		args = append(args, q.To)
	}
	if opt.Scope == SearchPublic {
		// A request or a document (written as two comparisons: holdsItsIDs
		// takes a list of numbers for ids, and would not keep the text).
		conds = append(conds, `(f.rowid % 8 = 1 OR f.rowid % 8 = 3) AND r.visibility = 'public' AND (f.rowid % 8 = 1 OR EXISTS (
			SELECT 1 FROM documents d JOIN document_publications p ON p.document_id = d.id
			WHERE d.id = f.rowid / 8 AND d.disposition IN ('released', 'released_redacted')))`)
	}
	return strings.Join(conds, " AND "), args
}

// searchKinds are the kinds a search may find, the query's and the
// options' (nil: any); none when they have none in common.
func searchKinds(q SearchQuery, opt SearchOptions) (kinds []string, none bool) {
	kinds = q.Kinds
	if len(opt.Kinds) > 0 {
		if len(kinds) == 0 {
			kinds = opt.Kinds
		} else if kinds = intersect(kinds, opt.Kinds); len(kinds) == 0 {
			return nil, true
		}
	}
	return kinds, false
}

// kindExpression is an FTS5 condition that a row of search_index is of
// one of the kinds: its kind column holds the word k1 to k6 (schema
// section 37). "" for any kind.
func kindExpression(kinds []string) string {
	var words []string
	for _, k := range kinds {
		for _, c := range kindCodes[k] {
			words = append(words, "k"+strconv.Itoa(c))
		}
	}
	if len(words) == 0 {
		return ""
	}
	return "{kind} : (" + strings.Join(words, " OR ") + ")"
}

// withKinds narrows an FTS5 expression of search_index to the kinds, so
// that FTS5 skips the other kinds' rows as it walks: only for a search
// listed newest first. bm25 weighs each part of an expression by reading
// every row that holds it, so a ranked search (whose words are rare)
// filters on the rowid instead.
func withKinds(expr string, kinds []string) string {
	k := kindExpression(kinds)
	if expr == "" || k == "" {
		return expr
	}
	return "(" + expr + ") AND " + k
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
			}
		}
	}
	return out
}

// authorityIDsSQL selects the authorities an authority: filter names: by
// number, or by a part of the name or short name.
func authorityIDsSQL(v string) (string, []any) {
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		return "?", []any{id}
	}
	like := "%" + likeEscape(v) + "%"
	return `SELECT id FROM authorities WHERE name LIKE ? ESCAPE '\' OR short_name LIKE ? ESCAPE '\'`, []any{like, like}
}

// exemptionCodes are the lower-case codes an exemption: filter's value
// stands for: "s31" is s31 and every subsection of it (s31(1)(a)),
// "s31(1)" its subsections; written as the catalogue writes it, or as
// people do ("section 31", "31", "reg 12(4)(b)").
func exemptionCodes(v string) []string {
	codes := map[string]bool{}
	for _, law := range []tracker.LawCode{tracker.UKFOIA, tracker.UKEIR, tracker.USFOIA} {
		if c, ok := tracker.NormalizeExemptionCode(law, v); ok {
			codes[strings.ToLower(c)] = true
		}
	}
	raw := strings.ToLower(strings.Join(strings.Fields(v), ""))
	if raw != "" && raw[0] >= '0' && raw[0] <= '9' {
		codes["s"+raw] = true
		codes["reg"+raw] = true
	}
	codes[raw] = true
	out := make([]string, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	sort.Strings(out) // stable SQL text
	return out
}

// exemptionMatches says whether a cited code is one of codes, or a
// subsection of one.
func exemptionMatches(code string, codes []string) bool {
	code = strings.ToLower(code)
	for _, c := range codes {
		if code == c || strings.HasPrefix(code, c+"(") {
			return true
		}
	}
	return false
}

// resolveExemption finds the (law, code) pairs cited anywhere that the
// query's exemption: filter matches, by a walk of the distinct entries of
// the claims' (law, code) index (a few dozen: one indexed read each), so
// that the filter reads only the matching claims, not every claim with a
// LIKE each.
func (s *Store) resolveExemption(ctx context.Context, q *SearchQuery) error {
	if q.Exemption == "" {
		return nil
	}
	codes := exemptionCodes(q.Exemption)
	q.exemptionPairs = [][2]string{}
	for _, law := range tracker.Laws {
		code := ""
		for {
			err := s.r.QueryRowContext(ctx, `SELECT code FROM exemption_claims INDEXED BY exemption_claims_code_request
				WHERE law = ? AND code > ? ORDER BY code LIMIT 1`, string(law.Code), code).Scan(&code)
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if err != nil {
				return fmt.Errorf("store: unable to read the exemptions cited: %w", err)
			}
			if exemptionMatches(code, codes) {
				q.exemptionPairs = append(q.exemptionPairs, [2]string{string(law.Code), code})
			}
		}
	}
	return nil
}

// exemptionSQL is a condition that the request in col cited the
// exemption (see exemptionCodes): by the pairs resolveExemption found,
// else by every claim's code.
func exemptionSQL(col string, q SearchQuery) (string, []any) {
	if q.exemptionPairs != nil {
		if len(q.exemptionPairs) == 0 {
			return "0 = 1", nil
		}
		vals := make([]string, len(q.exemptionPairs))
		var args []any
		for i, p := range q.exemptionPairs {
			vals[i] = "(?, ?)"
			args = append(args, p[0], p[1])
		}
		return col + " IN (SELECT c.request_id FROM exemption_claims c WHERE (c.law, c.code) IN (VALUES " + strings.Join(vals, ", ") + "))", args
	}
	var ors []string
	var args []any
	for _, c := range exemptionCodes(q.Exemption) {
		ors = append(ors, "lower(c.code) = ? OR lower(c.code) LIKE ? ESCAPE '\\'")
		args = append(args, c, likeEscape(c)+"(%")
	}
	// IN (a list made once, from a covering index) rather than EXISTS per
	// row: a rare exemption had the newest-first walk probe the claims of
	// every request.
	return col + " IN (SELECT c.request_id FROM exemption_claims c WHERE " + strings.Join(ors, " OR ") + ")", args
}

// exemptionProbeSQL is exemptionSQL for a walk of matches, which a filter
// bounds (see searchWalkBudget): each match's request's claims probed by
// their (request, law, code) index, not a list of every request that
// cited the exemption made first (14,705 claims of s40 at 100,000
// requests: 8 ms of CPU before the walk began, whatever it found, ten
// times that at a million).
func exemptionProbeSQL(col string, q SearchQuery) (string, []any) {
	if len(q.exemptionPairs) == 0 {
		return exemptionSQL(col, q)
	}
	vals := make([]string, len(q.exemptionPairs))
	var args []any
	for i, p := range q.exemptionPairs {
		vals[i] = "(?, ?)"
		args = append(args, p[0], p[1])
	}
	return "EXISTS (SELECT 1 FROM exemption_claims c INDEXED BY exemption_claims_request_code WHERE c.request_id = " + col +
		" AND (c.law, c.code) IN (VALUES " + strings.Join(vals, ", ") + "))", args
}

// searchByFilters answers a query with filters and no words: the requests
// that pass the filters, newest first.
func (s *Store) searchByFilters(ctx context.Context, q SearchQuery, opt SearchOptions) (SearchResult, error) {
	res := SearchResult{Query: q, Hits: []SearchHit{}}
	kinds := q.Kinds
	if len(opt.Kinds) > 0 {
		kinds = opt.Kinds
		if len(q.Kinds) > 0 {
			kinds = intersect(q.Kinds, opt.Kinds)
		}
	}
	if len(kinds) > 0 && !contains(kinds, KindRequest) {
		return res, nil
	}
	// The newest ids first (for the count), then the page's rows.
	var cands []searchCand
	var err error
	merged := false
	switch {
	case len(q.exemptionPairs) > 0 && len(q.exemptionPairs) <= maxMergedExemptions:
		cands, err = s.exemptionCandidates(ctx, q, opt)
		merged = true
	case q.Authority != "" && q.Exemption == "" && searchByAuthorityIndex:
		cands, merged, err = s.authorityCandidates(ctx, q, opt)
	}
	var walk searchWalk
	if err == nil && !merged {
		cands, walk, err = s.filterCandidatesBounded(ctx, q, opt)
	}
	if err != nil {
		return res, err
	}
	if walk.floor > 0 && len(cands) <= searchCandidates {
		// As a search with words whose filter few of its newest matches
		// pass: say where the walk stopped and go on from there. Next is
		// the floor request's rowid in the index (id * 8 + 1), as a
		// word search's Next is a match's.
		res.Stopped, res.Looked, res.BackTo, res.Next = true, filterWalkBudget(opt), walk.date, walk.floor*8+1
	}
	var censors *publicCensors
	if opt.Scope == SearchPublic {
		if censors, err = s.newPublicCensors(ctx); err != nil {
			return res, err
		}
		if cands, err = s.uncensoredCandidates(ctx, q, "", cands, censors); err != nil {
			return res, err
		}
	}
	if len(cands) > searchCandidates {
		cands, res.More = cands[:searchCandidates], true
	}
	res.Total = len(cands)
	if opt.Offset >= len(cands) {
		return res, nil
	}
	page := cands[opt.Offset:min(len(cands), opt.Offset+opt.Limit)]
	ids := make([]int64, len(page))
	for i, c := range page {
		ids[i] = c.requestID
	}
	// The ids bound as one JSON array: one text, kept prepared.
	rows, err := s.r.QueryContext(ctx, `SELECT r.id, r.title, substr(r.body, 1, 200), COALESCE(r.sent_on, substr(r.created_at, 1, 10)),
			COALESCE(p.slug, '')
		FROM requests r LEFT JOIN public_pages p ON p.request_id = r.id
		WHERE r.id IN (SELECT value FROM json_each(?))`, idJSON(ids))
	if err != nil {
		return res, fmt.Errorf("store: unable to search: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]SearchHit, len(page))
	for rows.Next() {
		var h SearchHit
		var slug string
		if err := rows.Scan(&h.ID, &h.Title, &h.Snippet, &h.Date, &slug); err != nil {
			return res, fmt.Errorf("store: unable to read search hit: %w", err)
		}
		h.Kind, h.RequestID, h.RequestTitle, h.Marked = KindRequest, h.ID, h.Title, h.Snippet
		h.Link = fmt.Sprintf("/requests/%d", h.ID)
		if opt.Scope == SearchPublic {
			h.Link = "/p/" + slug
		}
		byID[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("store: unable to search: %w", err)
	}
	shown := page[:0:0] // in the page's order; a request deleted since is left out
	for _, c := range page {
		if h, ok := byID[c.requestID]; ok {
			res.Hits, shown = append(res.Hits, h), append(shown, c)
		}
	}
	if censors != nil {
		censors.apply(res.Hits, shown)
	}
	return res, nil
}

// filterCandidatesBounded are filterCandidates among the newest
// filterWalkBudget requests the scope may find below opt.Before (a rowid of
// the index: a request's is id * 8 + 1), and the walk's floor: the oldest
// of them, zero when there are no more below it. A filter that few
// requests pass (to: a year before any request, a rare status) read the
// whole table to find that none did: 7.9 s at a million requests.
func (s *Store) filterCandidatesBounded(ctx context.Context, q SearchQuery, opt SearchOptions) ([]searchCand, searchWalk, error) {
	var w searchWalk
	if opt.RequestID != 0 {
		cands, err := s.filterCandidates(ctx, q, opt, nil, 0, 0)
		return cands, w, err
	}
	below := int64(math.MaxInt64)
	if opt.Before > 0 {
		below = (opt.Before + 6) / 8 // the ids whose rowid id * 8 + 1 is below it
	}
	// The budget-th newest request below, by the primary key (in public,
	// of the public requests, by their index): a step of that many rows
	// of a key, no row's columns read but its own.
	floorSQL := `SELECT r.id, COALESCE(r.sent_on, substr(r.created_at, 1, 10)) FROM requests r WHERE r.id = (
		SELECT id FROM requests WHERE id < ? ORDER BY id DESC LIMIT 1 OFFSET ?)`
	if opt.Scope == SearchPublic {
		floorSQL = `SELECT r.id, COALESCE(r.sent_on, substr(r.created_at, 1, 10)) FROM requests r WHERE r.id = (
		SELECT id FROM requests INDEXED BY requests_public WHERE visibility = 'public' AND id < ? ORDER BY id DESC LIMIT 1 OFFSET ?)`
	}
	err := s.r.QueryRowContext(ctx, floorSQL, below, filterWalkBudget(opt)-1).Scan(&w.floor, &w.date)
	if errors.Is(err, sql.ErrNoRows) {
		w = searchWalk{}
	} else if err != nil {
		return nil, w, fmt.Errorf("store: unable to search: %w", err)
	}
	cands, err := s.filterCandidates(ctx, q, opt, nil, w.floor, below)
	return cands, w, err
}

// filterCandidates are the newest searchCandidates+1 requests that pass
// the query's filters and the scope, newest first; among ids only, when
// not nil; with an id from floor and below below, when they are not 0.
func (s *Store) filterCandidates(ctx context.Context, q SearchQuery, opt SearchOptions, ids []int64, floor, below int64) ([]searchCand, error) {
	conds, args := requestFieldConds(q)
	if floor > 0 || below > 0 {
		conds = append(conds, "r.id >= ? AND r.id < ?")
		args = append(args, floor, below)
	}
	if opt.RequestID != 0 {
		conds = append(conds, "r.id = ?")
		args = append(args, opt.RequestID)
	}
	if opt.Scope == SearchPublic {
		conds = append(conds, "r.visibility = 'public'")
	}
	if ids != nil {
		// Bound as one JSON array: one text, kept prepared.
		conds = append(conds, "r.id IN (SELECT value FROM json_each(?))")
		args = append(args, idJSON(ids))
	}
	// A bounded walk (floor, below) goes by the key, newest first, and
	// stops at the page's bound: left to itself, SQLite read an authority
	// filter naming many authorities (authority:council: 2,692 of 5,000 at
	// a million requests) by each one's index range and sorted them all.
	// In public by the index of public requests, which holds each one's
	// authority.
	table := "requests r"
	if floor > 0 || below > 0 {
		table = "requests r NOT INDEXED"
		if opt.Scope == SearchPublic {
			table = "requests r INDEXED BY requests_public"
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT r.id, r.authority_id FROM `+table+`
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY r.id DESC LIMIT ?`, append(args, searchCandidates+1)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to search: %w", err)
	}
	defer rows.Close()
	var cands []searchCand
	for rows.Next() {
		var c searchCand
		if err := rows.Scan(&c.requestID, &c.authorityID); err != nil {
			return nil, fmt.Errorf("store: unable to read search hit: %w", err)
		}
		c.rowid = c.requestID*8 + 1
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to search: %w", err)
	}
	return cands, nil
}

// maxMergedExemptions bounds the (law, code) pairs exemptionCandidates
// merges in one statement (SQLite allows 500 parts to a compound SELECT);
// a filter that matches more is answered by filterCandidates.
const maxMergedExemptions = 100

// exemptionCandidates are filterCandidates for a query with an exemption:
// filter, found from the claims rather than the requests: the requests
// that cited each (law, code) pair, newest first from the claims' (law,
// code, request_id) index, merged into one list without repeats (SQLite
// merges the parts of an ordered compound SELECT), a bound's worth at a
// time, and the query's other filters and the scope applied to each such
// list. Its cost is the bound's, not the number of claims, unless the
// other filters leave few of the requests (then it reads on until they
// run out, as the filter over every claim did).
func (s *Store) exemptionCandidates(ctx context.Context, q SearchQuery, opt SearchOptions) ([]searchCand, error) {
	rest := q
	rest.Exemption, rest.exemptionPairs = "", nil
	// The requests' rows are read only when something else decides.
	others := rest.HasFilters() || opt.RequestID != 0 || opt.Scope == SearchPublic
	parts := make([]string, len(q.exemptionPairs))
	for i := range parts {
		parts[i] = `SELECT request_id FROM exemption_claims INDEXED BY exemption_claims_code_request
			WHERE law = ? AND code = ? AND request_id < ?`
	}
	stmt := strings.Join(parts, " UNION ") + " ORDER BY 1 DESC LIMIT ?"
	var cands []searchCand
	below := int64(math.MaxInt64)
	for len(cands) <= searchCandidates {
		var args []any
		for _, p := range q.exemptionPairs {
			args = append(args, p[0], p[1], below)
		}
		chunk := searchCandidates + 1
		ids, err := s.int64s(ctx, stmt, append(args, chunk)...)
		if err != nil {
			return nil, fmt.Errorf("store: unable to search: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		below = ids[len(ids)-1]
		if !others {
			for _, id := range ids {
				cands = append(cands, searchCand{rowid: id*8 + 1, requestID: id})
			}
		} else {
			found, err := s.filterCandidates(ctx, rest, opt, ids, 0, 0)
			if err != nil {
				return nil, err
			}
			cands = append(cands, found...)
		}
		if len(ids) < chunk {
			break
		}
	}
	return cands, nil
}

// searchByAuthorityIndex: a search by filters alone with an authority:
// filter reads the authorities' requests from their index (see
// authorityCandidates). A variable for the test that compares it with
// the walk of the requests.
var searchByAuthorityIndex = true

// authorityCandidates are filterCandidates for a query whose only filter
// is an authority: (and kind:), found from the requests' authority index
// rather than as SQLite chose to (reading every request of the
// authorities named and sorting them: authority:council read 45,000 of
// 100,000 requests, 21 ms of CPU in public): each authority's requests
// newest first (in public: the public ones), merged into one list by
// SQLite (an ordered compound SELECT), which stops at the bound. ok is
// false when the query has another filter, or names more authorities
// than one statement merges: the caller walks the requests as before.
func (s *Store) authorityCandidates(ctx context.Context, q SearchQuery, opt SearchOptions) (cands []searchCand, ok bool, err error) {
	if q.Law != "" || q.Status != "" || q.Exemption != "" || q.From != "" || q.To != "" || opt.RequestID != 0 {
		// Another filter: SQLite's plan (an index of its own, or the
		// walk) as before; a part per authority walked newest first
		// until enough passed it read more when few did.
		return nil, false, nil
	}
	sub, subArgs := authorityIDsSQL(q.Authority)
	authorities, err := s.int64s(ctx, `SELECT id FROM authorities WHERE id IN (`+sub+`) ORDER BY id`, subArgs...)
	if err != nil {
		return nil, false, fmt.Errorf("store: unable to search: %w", err)
	}
	if len(authorities) == 0 {
		return nil, true, nil
	}
	if len(authorities) > maxMergedExemptions {
		return nil, false, nil
	}
	part := `SELECT r.id, r.authority_id FROM requests r INDEXED BY requests_authority WHERE r.authority_id = ?`
	if opt.Scope == SearchPublic {
		part += " AND r.visibility = 'public'"
	}
	parts := make([]string, len(authorities))
	var args []any
	for i, a := range authorities {
		parts[i] = part
		args = append(args, a)
	}
	rows, err := s.r.QueryContext(ctx, strings.Join(parts, " UNION ALL ")+" ORDER BY 1 DESC LIMIT ?", append(args, searchCandidates+1)...)
	if err != nil {
		return nil, true, fmt.Errorf("store: unable to search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c searchCand
		if err := rows.Scan(&c.requestID, &c.authorityID); err != nil {
			return nil, true, fmt.Errorf("store: unable to read search hit: %w", err)
		}
		c.rowid = c.requestID*8 + 1
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return nil, true, fmt.Errorf("store: unable to search: %w", err)
	}
	return cands, true, nil
}

// int64s runs a query of one integer column on a reader.
func (s *Store) int64s(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// SearchRequestIDs is the set of requests a query finds something about
// (the request itself, its mail, its documents, its history), for the
// request list's search box: at most limit, newest first.
func (s *Store) SearchRequestIDs(ctx context.Context, q SearchQuery, limit int) ([]int64, error) {
	return s.searchIDs(ctx, q, "f.request_id", "f.request_id <> 0", limit)
}

// SearchItemIDs is the IDs of the things of one kind (mail, document,
// event) a query finds, newest first, at most limit.
func (s *Store) SearchItemIDs(ctx context.Context, q SearchQuery, kind string, limit int) ([]int64, error) {
	codes := kindCodes[kind]
	if len(codes) != 1 {
		return nil, fmt.Errorf("store: no item search for kind %q", kind)
	}
	return s.searchIDs(ctx, q, "f.rowid / 8", "f.rowid % 8 = "+strconv.Itoa(codes[0]), limit, kind)
}

// searchIDs lists col of the newest matches that pass cond, of the kinds
// (any when none are given).
func (s *Store) searchIDs(ctx context.Context, q SearchQuery, col, cond string, limit int, kinds ...string) ([]int64, error) {
	if !q.HasText() {
		return nil, nil
	}
	if err := s.expandPrefixes(ctx, &q); err != nil {
		return nil, err
	}
	where, args := searchFilters(q, SearchOptions{})
	// The newest matches, bounded as Search is, then one row per item.
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM (
			SELECT `+col+` AS id, f.rowid AS rid FROM search_index f
			LEFT JOIN requests r ON r.id = f.request_id
			WHERE search_index MATCH ? AND `+cond+` AND `+where+`
			ORDER BY f.rowid DESC LIMIT ?)
		GROUP BY id ORDER BY max(rid) DESC LIMIT ?`,
		append(append([]any{withKinds(q.ftsExpression(searchTextColumns), kinds)}, args...), searchIDsBound, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to search: %w", err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: unable to read search hit: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// requestFieldConds are the query's field filters as conditions on a
// request r (for filter-only searches and the request list).
func requestFieldConds(q SearchQuery) ([]string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if q.Authority != "" {
		ids, a := authorityIDsSQL(q.Authority)
		conds = append(conds, "r.authority_id IN ("+ids+")")
		args = append(args, a...)
	}
	if q.Law != "" {
		conds = append(conds, "r.law = ?")
		args = append(args, q.Law)
	}
	if q.Status != "" {
		conds = append(conds, "(r.status = ? OR r.outcome = ?)")
		args = append(args, q.Status, q.Status)
	}
	if q.Exemption != "" {
		c, a := exemptionSQL("r.id", q)
		conds = append(conds, c)
		args = append(args, a...)
	}
	if q.From != "" {
		conds = append(conds, "COALESCE(r.sent_on, substr(r.created_at, 1, 10)) >= ?")
		args = append(args, q.From)
	}
	if q.To != "" {
		conds = append(conds, "COALESCE(r.sent_on, substr(r.created_at, 1, 10)) <= ?")
		args = append(args, q.To)
	}
	return conds, args
}

// searchMembershipBound bounds the matches a list's search box considers
// (the newest), so a common word costs the same on any size of database.
const searchMembershipBound = 5000

// requestSearchMembersSQL is the requests about which the query's words
// find something (the request, its history, mail or documents): those of
// the first searchMembershipBound matches in request_search_index (schema
// section 38), newest request first, each once. Its rowid names the
// request: no match's item is read (the list in the newest-first order
// reads no bound: requestsByWords).
var requestSearchMembersSQL = `SELECT DISTINCT rid FROM (SELECT rowid >> ` + strconv.Itoa(requestWordsBits) + ` AS rid FROM request_search_index
	WHERE request_search_index MATCH ? ORDER BY rowid DESC LIMIT ` + strconv.Itoa(searchMembershipBound) + `)`

// RequestSearchMembers is the set of requests the words of the request
// list's search box find (requestSearchCond's), newest first, worked out
// once: a page in the "due" order that both counts and lists passes it in
// RequestFilter.QueryMembers, so that the index is walked once, not twice.
// Nil when the query has no words.
func (s *Store) RequestSearchMembers(ctx context.Context, query string) ([]int64, error) {
	q := ParseSearchQuery(query)
	if !q.HasText() {
		return nil, nil
	}
	// A prefix as its indexed words, as the list in the newest-first order
	// has it (byWords).
	if err := s.expandPrefixes(ctx, &q); err != nil {
		return nil, err
	}
	ids, err := s.int64s(ctx, requestSearchMembersSQL+` ORDER BY rid DESC`, q.ftsExpression(searchTextColumns))
	if err != nil {
		return nil, fmt.Errorf("store: unable to search requests: %w", err)
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// requestSearchCond is the request list's search box: requests about which
// the query's words find something, and its field filters. members, when
// not nil, is RequestSearchMembers of the same query, worked out already.
func requestSearchCond(query string, members []int64) (string, []any) {
	q := ParseSearchQuery(query)
	conds, args := requestFieldConds(q)
	switch {
	case q.HasText() && members != nil:
		list, _ := json.Marshal(members)
		conds = append(conds, `r.id IN (SELECT value FROM json_each(?))`)
		args = append(args, string(list))
	case q.HasText():
		conds = append(conds, `r.id IN (`+requestSearchMembersSQL+`)`)
		args = append(args, q.ftsExpression(searchTextColumns))
	case !q.HasFilters():
		conds = append(conds, "0 = 1") // only "-word" or punctuation: nothing to look for
	}
	return "(" + strings.Join(conds, " AND ") + ")", args
}

// ListSearchBound is how many matches the search box of a list of one
// kind of thing considers: the newest, so that a common word costs the same
// on any size of database (5,000 newest matches of "police" among a
// million requests' documents were 140 ms of CPU a page, walked backwards).
// The lists say so; the search page ranks every match.
const ListSearchBound = 500

// ListSearchSpan is how many of the newest items of its kind a list's
// search box looks through for those matches. A word common elsewhere and
// rare (or absent) in the kind — police in the documents, which hold their
// own text — made FTS5 walk the whole of the word's posting list and the
// kind's, a million documents' worth: 100 ms of CPU a page at a million
// requests whatever the bound. The lists say so too.
const ListSearchSpan = 100000

// listSearchSpan is ListSearchSpan, a variable for the tests.
var listSearchSpan = ListSearchSpan

// listSearchBackwards are the kinds a list's search box finds in one walk
// of the index from the kind's newest row down (FTS5 stepping backwards),
// instead of windows read upwards (candidatesByWindows). Mail is most of
// the index's rows in its newest span, so the walk steps over few others:
// at 100,000 requests it cost a quarter to a third of the windows (0.3-0.4
// against 1.2-2.5 ms of CPU for a word, 0.9 against 7.8 for a phrase, 23
// against 95 for two common words that no message holds together). The
// documents and timeline events lie among many other rows, where a common
// word's walk backwards cost up to twice the windows (documents foi 1.3
// against 0.6 ms, events 1.1-1.3 against 0.5-0.7).
var listSearchBackwards = map[string]bool{KindMail: true}

// listSearchTables are the tables whose ids a list's search box finds.
var listSearchTables = map[string]string{KindMail: "mail_messages", KindDocument: "documents", KindEvent: "timeline_events"}

// itemSearchCond is the search box of the list of one kind of thing
// (mail, documents, timeline events), as a condition on col, its id
// column: the newest ListSearchBound items of the kind that query finds
// among the newest listSearchSpan of the kind. They are read in windows of
// rowids upwards from the kind's newest row (candidatesByWindows), FTS5's
// own order: walked newest first from the index's end, a word stepped back
// over every newer row of other kinds (the mail's rowids lie far above the
// documents'), and an AND with the kind's column read each row's positions
// (at a million requests, 100-150 ms of CPU for /documents?q=police, which
// no document holds). Within the windows, the rowid's kind code filters.
func (s *Store) itemSearchCond(ctx context.Context, col, kind, query string) (string, []any, error) {
	ids, err := s.itemSearchIDs(ctx, kind, query)
	switch {
	case err != nil:
		return "", nil, err
	case ids == nil: // no words to look for
		return "0 = 1", nil, nil
	}
	return membersCond(col), []any{jsonIDs(ids)}, nil
}

// membersCond is col among the ids of its argument, a JSON array (jsonIDs).
func membersCond(col string) string {
	return col + ` IN (SELECT value FROM json_each(?))`
}

// jsonIDs is ids as a JSON array ("[]" for none).
func jsonIDs(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// itemSearchIDs are itemSearchCond's ids, newest first: nil when the
// query has no words, empty (not nil) when they find nothing.
func (s *Store) itemSearchIDs(ctx context.Context, kind, query string) ([]int64, error) {
	q := ParseSearchQuery(query)
	if !q.HasText() {
		return nil, nil
	}
	// Kept while nothing is committed (see untilCommitted); a copy, the
	// caller's to keep.
	key := fmt.Sprintf("%s\x00%d\x00%s", kind, listSearchSpan, query)
	ids, err := keep(ctx, s, &s.itemMatches, key, func() ([]int64, error) { return s.itemSearchIDsNow(ctx, kind, q) })
	if err != nil {
		return nil, err
	}
	return slices.Clone(ids), nil
}

// itemSearchIDsNow is itemSearchIDs of q (with words), worked out.
func (s *Store) itemSearchIDsNow(ctx context.Context, kind string, q SearchQuery) ([]int64, error) {
	// A prefix as its indexed words, as Search has it.
	if err := s.expandPrefixes(ctx, &q); err != nil {
		return nil, err
	}
	code := int64(kindCodes[kind][0])
	var newest int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM `+listSearchTables[kind]).Scan(&newest); err != nil {
		return nil, fmt.Errorf("store: unable to search: %w", err)
	}
	if newest == 0 {
		return []int64{}, nil
	}
	// The kind's newest row in the index is its newest item's: no search
	// of the index for it.
	floor, top := max(newest-int64(listSearchSpan), 0)*8+code, newest*8+code
	isKind := "f.rowid % 8 = " + strconv.FormatInt(code, 10)
	expr := q.ftsExpression(searchTextColumns)
	var cands []searchCand
	var err error
	if listSearchBackwards[kind] {
		cands, err = s.readCandidates(ctx, `SELECT f.rowid, 0, 0, 0 FROM search_index f
			WHERE f.search_index MATCH ? AND f.rowid BETWEEN ? AND ? AND `+isKind+`
			ORDER BY f.rowid DESC LIMIT ?`, expr, floor, top, ListSearchBound)
	} else {
		cands, _, err = s.candidatesByWindows(ctx, "f.rowid, 0, 0, 0", "search_index f", expr,
			kindExpression([]string{kind}), isKind, nil, ListSearchBound, floor, top)
	}
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.rowid / 8
	}
	return ids, nil
}
