package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/foitrack/foitrack/tracker"
)

// A public search hit is found in the text as indexed, before censor rules;
// the public sees it after them. A hit that matched only through words a
// rule hides would tell that they are there, whatever the snippet shows:
// checking the typed words against the rules is not enough (a pattern rule
// does not match a word on its own, a stem or a prefix matches more than was
// typed). So a hit whose text a rule changes is matched again, as the public
// would see it, by the same FTS5 expression and tokenizer, in a private
// in-memory table (see scratchMatch). This is done for every candidate
// before the hits are counted, so that neither the count nor the pages tell
// that a censored hit is there; a candidate no rule applies to costs
// nothing.

// publicCensors are the censor rules, read once per search, and the Censor
// of each request and authority met.
type publicCensors struct {
	rules []tracker.CensorRule
	byKey map[[2]int64]*tracker.Censor
}

func (s *Store) newPublicCensors(ctx context.Context) (*publicCensors, error) {
	rules, err := s.CensorRules(ctx, "", 0)
	if err != nil {
		return nil, err
	}
	return &publicCensors{rules: rules, byKey: map[[2]int64]*tracker.Censor{}}, nil
}

// of is the Censor of a candidate's request and authority (the global rules
// and theirs).
func (pc *publicCensors) of(c searchCand) *tracker.Censor {
	if len(pc.rules) == 0 {
		return nil
	}
	key := [2]int64{c.requestID, c.authorityID}
	if cen, ok := pc.byKey[key]; ok {
		return cen
	}
	cen := censorOf(pc.rules, []int64{c.requestID}, []int64{c.authorityID})
	pc.byKey[key] = cen
	return cen
}

// apply applies the rules to the page's hits (page[i] is hits[i]'s
// candidate): their titles and snippets as the public sees them.
func (pc *publicCensors) apply(hits []SearchHit, page []searchCand) {
	for i, h := range hits {
		c := pc.of(page[i])
		if c.Changes(h.Snippet) {
			// Its highlighting would show where the hidden text was.
			h.Marked = c.Apply(h.Snippet)
		}
		h.Title, h.Snippet, h.RequestTitle = c.Apply(h.Title), c.Apply(h.Snippet), c.Apply(h.RequestTitle)
		hits[i] = h
	}
}

// uncensoredCandidates keeps, in order, the candidates the public would
// find in the text as it sees it: those no rule applies to, and of the
// others those found by no word a rule hides and, when a rule changes
// their text, matched again in the censored text (expr: "" when the query
// has no words, only filters).
func (s *Store) uncensoredCandidates(ctx context.Context, q SearchQuery, expr string, cands []searchCand, pc *publicCensors) ([]searchCand, error) {
	if len(pc.rules) == 0 {
		return cands, nil
	}
	words := strings.FieldsFunc(q.String(), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	drop := map[int64]bool{}
	var read []int64 // the rowids whose text a rule may change
	for _, c := range cands {
		cen := pc.of(c)
		if cen.Empty() {
			continue
		}
		for _, w := range words {
			if cen.Hides(w) {
				drop[c.rowid] = true
				break
			}
		}
		if !drop[c.rowid] && expr != "" {
			read = append(read, c.rowid)
		}
	}
	var changed []scratchText
	byRowid := map[int64]searchCand{}
	for _, c := range cands {
		byRowid[c.rowid] = c
	}
	for len(read) > 0 {
		n := min(len(read), 500)
		ids := read[:n]
		read = read[n:]
		// The rowids bound as one JSON array: one text, kept prepared.
		rows, err := s.r.QueryContext(ctx, `SELECT rowid, title, body FROM search_index WHERE rowid IN (SELECT value FROM json_each(?))`, idJSON(ids))
		if err != nil {
			return nil, fmt.Errorf("store: unable to read search hits: %w", err)
		}
		for rows.Next() {
			var t scratchText
			if err := rows.Scan(&t.rowid, &t.title, &t.body); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unable to read search hit: %w", err)
			}
			if cen := pc.of(byRowid[t.rowid]); cen.Changes(t.title) || cen.Changes(t.body) {
				t.title, t.body = cen.Apply(t.title), cen.Apply(t.body)
				changed = append(changed, t)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: unable to read search hits: %w", err)
		}
	}
	if len(changed) > 0 {
		still, err := scratchMatch(ctx, expr, changed, -2)
		if err != nil {
			return nil, err
		}
		for _, t := range changed {
			if _, ok := still[t.rowid]; !ok {
				drop[t.rowid] = true
			}
		}
	}
	kept := cands[:0:0]
	for _, c := range cands {
		if !drop[c.rowid] {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// scratchText is a text to match or give a snippet of in the scratch
// table: a search_index row's columns.
type scratchText struct {
	rowid                int64
	title, body, private string
}

// The scratch table: an FTS5 table in memory with search_index's columns
// and tokenizer, on connections of its own. What is put in it is matched
// and rolled back within one transaction: it never holds anything between
// two calls, and nothing in it reaches the database.
var scratch struct {
	sync.Mutex
	db *sql.DB
}

func scratchDB() (*sql.DB, error) {
	scratch.Lock()
	defer scratch.Unlock()
	if scratch.db != nil {
		return scratch.db, nil
	}
	// Each connection to ":memory:" is a database of its own: the table is
	// created on each (see scratchMatch).
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	scratch.db = db
	return db, nil
}

// scratchConn is a connection to the scratch database (see scratchDB)
// with the tables create makes, if they are not there yet.
func scratchConn(ctx context.Context, create ...string) (*sql.Conn, error) {
	db, err := scratchDB()
	if err != nil {
		return nil, fmt.Errorf("store: unable to open the scratch search table: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unable to open the scratch search table: %w", err)
	}
	for _, q := range create {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			return nil, fmt.Errorf("store: unable to create the scratch search table: %w", err)
		}
	}
	return conn, nil
}

// scratchMatch puts texts in the scratch table and returns those that
// match the FTS5 expression, each with its snippet of column col (-1: the
// best column; -2: no snippet).
func scratchMatch(ctx context.Context, expr string, texts []scratchText, col int) (map[int64]string, error) {
	out := make(map[int64]string, len(texts))
	if len(texts) == 0 {
		return out, nil
	}
	conn, err := scratchConn(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS m USING fts5 (title, body, private,
		tokenize = 'porter unicode61 remove_diacritics 2')`)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to match in the scratch table: %w", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO m (rowid, title, body, private) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to match in the scratch table: %w", err)
	}
	defer ins.Close()
	for _, t := range texts {
		if _, err := ins.ExecContext(ctx, t.rowid, t.title, t.body, t.private); err != nil {
			return nil, fmt.Errorf("store: unable to match in the scratch table: %w", err)
		}
	}
	snippet := "''"
	if col >= -1 {
		snippet = `snippet(m, ` + strconv.Itoa(col) + `, char(1), char(2), '…', 24)`
	}
	rows, err := tx.QueryContext(ctx, `SELECT rowid, `+snippet+` FROM m WHERE m MATCH ?`, expr)
	if err != nil {
		return nil, fmt.Errorf("store: unable to match in the scratch table: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var snip string
		if err := rows.Scan(&id, &snip); err != nil {
			return nil, fmt.Errorf("store: unable to match in the scratch table: %w", err)
		}
		out[id] = snip
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to match in the scratch table: %w", err)
	}
	return out, nil
}
