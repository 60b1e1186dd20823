package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// requestWordsBits: request_search_index's rowid is its request's id
// shifted left by this many bits, plus the row's rowid in search_index
// (schema section 38), so that its rows are in the request list's order.
const requestWordsBits = 32

// requestWordsChunk is how many rows of request_search_index the request
// list reads at a time at first (then twice as many each time, up to
// requestWordsMaxChunk): a request is found in a few rows (its text, some
// replies), so a page's worth of requests usually takes one chunk.
// (Variables for the tests.)
var (
	requestWordsChunk    = 256
	requestWordsMaxChunk = 8192
)

// requestWordsWalk reads the requests whose words match a query from
// request_search_index, newest first (back: oldest first) from a cursor,
// each request once, a chunk of rows at a time. Its cost is the rows it
// reads, not the number of requests the words find.
type requestWordsWalk struct {
	s     *Store
	expr  string
	back  bool
	bound int64 // the next row is below it (back: above it)
	last  int64 // the request of the last row read
	rows  int   // the next chunk's rows
	done  bool
}

func (s *Store) newRequestWordsWalk(expr string, c Cursor) *requestWordsWalk {
	w := &requestWordsWalk{s: s, expr: expr, bound: math.MaxInt64, rows: requestWordsChunk}
	if c.Set() {
		w.back = c.Back
		w.bound = c.ID << requestWordsBits // below the cursor's rows
		if c.Back {
			w.bound = (c.ID+1)<<requestWordsBits - 1 // above them
		}
	}
	return w
}

// next is the requests of the next chunk of rows not met before, in the
// walk's order (none when the walk is done).
func (w *requestWordsWalk) next(ctx context.Context) ([]int64, error) {
	if w.done {
		return nil, nil
	}
	cond, order := "rowid < ?", "DESC"
	if w.back {
		cond, order = "rowid > ?", "ASC"
	}
	rows, err := w.s.r.QueryContext(ctx, `SELECT rowid FROM request_search_index
		WHERE request_search_index MATCH ? AND `+cond+` ORDER BY rowid `+order+` LIMIT ?`, w.expr, w.bound, w.rows)
	if err != nil {
		return nil, fmt.Errorf("store: unable to search requests: %w", err)
	}
	defer rows.Close()
	var ids []int64
	n := 0
	for rows.Next() {
		var rowid int64
		if err := rows.Scan(&rowid); err != nil {
			return nil, fmt.Errorf("store: unable to search requests: %w", err)
		}
		n++
		w.bound = rowid
		// A request's rows are together: it is new when it changes.
		if id := rowid >> requestWordsBits; id != w.last {
			w.last = id
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to search requests: %w", err)
	}
	w.done = n < w.rows
	w.rows = min(2*w.rows, requestWordsMaxChunk)
	return ids, nil
}

// wordsFilter is a request list's filter with words, as the walk of
// request_search_index reads it: the FTS5 query, and the rest of the
// filter (its other fields, the query's field filters) as conditions on a
// request r; filtered says whether they keep fewer than all.
type wordsFilter struct {
	expr     string
	where    string
	args     []any
	filtered bool
}

// byWords is f as a wordsFilter, when its requests are found that way:
// when it has words and is in the newest-first order (the "due" order
// reads the matches' requests through requestSearchCond, QueryMembers).
func (s *Store) byWords(ctx context.Context, f RequestFilter) (wordsFilter, bool, error) {
	if f.Query == "" || f.OrderBy != "" {
		return wordsFilter{}, false, nil
	}
	q := ParseSearchQuery(f.Query)
	if !q.HasText() {
		return wordsFilter{}, false, nil
	}
	// A prefix as its words, as Search does (walked lazily: FTS5 merged
	// every word's postings before the first match).
	if err := s.expandPrefixes(ctx, &q); err != nil {
		return wordsFilter{}, false, err
	}
	rest := f
	rest.Query, rest.QueryMembers = "", nil
	rest.Limit, rest.Cursor = 0, Cursor{}
	where, args := requestWhere(rest)
	conds, cargs := requestFieldConds(q)
	return wordsFilter{
		expr:     q.ftsExpression(searchTextColumns),
		where:    where + " AND " + strings.Join(conds, " AND "),
		args:     append(args, cargs...),
		filtered: where != "1 = 1" || len(conds) > 1,
	}, true, nil
}

// requestsByWords is Requests for a filter with words, newest first: the
// requests the words find, walked in request_search_index from the
// cursor, each chunk's kept by the other filters, until there is a page.
func (s *Store) requestsByWords(ctx context.Context, f RequestFilter, wf wordsFilter, ls *listStates) ([]tracker.Request, error) {
	w := s.newRequestWordsWalk(wf.expr, f.Cursor)
	order := "r.id DESC"
	if w.back {
		order = "r.id"
	}
	var out []tracker.Request
	for len(out) < f.Limit && !w.done {
		ids, err := w.next(ctx)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			continue
		}
		// The chunk's ids all lie beyond the requests read before it. They
		// are bound as one JSON array, so that the query's text is the same
		// for every chunk and page (kept prepared; see holdsItsIDs).
		args := append(slices.Clone(wf.args), idJSON(ids))
		found, err := s.readRequests(ctx, "requests r", wf.where+" AND r.id IN (SELECT value FROM json_each(?))", args, order, f.Limit-len(out), ls)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return inListOrder(out, w.back), nil
}

// countRequestsByWords counts the requests the words find that pass the
// rest of the filter, up to bound: more says there are more than bound
// (the count then stops, its cost bounded). One statement: each request
// once (DISTINCT, as the index is read), its row read only to filter.
func (s *Store) countRequestsByWords(ctx context.Context, wf wordsFilter, bound int) (n int, more bool, err error) {
	key := fmt.Sprintf("%d\x00%s\x00%s\x00%#v", bound, wf.expr, wf.where, wf.args)
	c, err := keep(ctx, s, &s.wordCounts, key, func() (wordCount, error) {
		n, more, err := s.countRequestsByWordsNow(ctx, wf, bound)
		return wordCount{n, more}, err
	})
	if err != nil {
		return 0, false, err
	}
	return c.n, c.more, nil
}

// wordCount is a count kept by countRequestsByWords.
type wordCount struct {
	n    int
	more bool
}

// countRequestsByWordsNow is countRequestsByWords, counted.
func (s *Store) countRequestsByWordsNow(ctx context.Context, wf wordsFilter, bound int) (n int, more bool, err error) {
	found := `SELECT DISTINCT rowid >> ` + strconv.Itoa(requestWordsBits) + ` AS id FROM request_search_index WHERE request_search_index MATCH ?`
	q := `SELECT count(*) FROM (` + found + ` LIMIT ?)`
	args := []any{wf.expr, int64(bound) + 1}
	if wf.filtered {
		q = `SELECT count(*) FROM (SELECT 1 FROM (` + found + `) w CROSS JOIN requests r ON r.id = w.id WHERE ` + wf.where + ` LIMIT ?)`
		args = append(append([]any{wf.expr}, wf.args...), int64(bound)+1)
	}
	if err := s.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("store: unable to count requests: %w", err)
	}
	if n > bound {
		return bound, true, nil
	}
	return n, false, nil
}

// idJSON is ids as a JSON array, for json_each(?).
func idJSON(ids []int64) string {
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}
