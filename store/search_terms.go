package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// A prefix (survei*) is searched as an OR of the indexed words it stands
// for ("surveil" OR …), read from search_terms (schema section 44): given
// a prefix, FTS5 merged the posting lists of every word it stands for
// before it gave the first match (O(every occurrence): 74 ms of CPU for
// survei* at a million requests), where an OR of words is walked lazily,
// newest first, and stops with the page.
//
// The words found are those FTS5's own prefix query finds: the prefix is
// tokenized by SQLite (the scratch table, same tokenizer) as FTS5 does a
// query's (porter stems a prefix too: agree* is agr*), the words are read
// from search_terms and from the words written since the worker last moved
// them (search_terms_new), and each is written in the query as FTS5 reads
// it back to that word: "word" when the tokenizer leaves it as it is, else
// "word" * when what it makes of it (respons → respon) is a prefix of the
// word and starts with the prefix (then its words are among the prefix's),
// else the prefix is searched as before.

// prefixWordsBound is how many words a prefix may stand for to be
// searched as their OR; one standing for more (a short, common start of
// words) is searched as a prefix, as before.
const prefixWordsBound = 64

// searchTermsFillChunk and searchTermsFillFor bound one step of the fill:
// it reads this many of search_index's words, or for this long (a common
// word's posting list is walked whole to count it: a million rows), then
// writes them in one transaction.
const (
	searchTermsFillChunk = 5000
	searchTermsFillFor   = time.Second
)

// expandPrefixes sets, for each prefix term of q that can be, the words
// it is searched as (SearchQuery.prefixWords). Nothing changes until search_terms
// holds every word of the index (its fill done).
func (s *Store) expandPrefixes(ctx context.Context, q *SearchQuery) error {
	if !q.hasPrefix() {
		return nil
	}
	filled, err := s.searchTermsFilled(ctx)
	if err != nil || !filled {
		return err
	}
	expanded := map[int][]string{}
	for i, t := range q.Terms {
		if !t.Prefix || t.Phrase {
			continue
		}
		words, err := s.prefixWords(ctx, t.Text)
		if err != nil {
			return err
		}
		if words != nil {
			expanded[i] = words
		}
	}
	q.prefixWords = expanded
	return nil
}

// searchTermsFilled reports whether search_terms holds every word of
// search_index (kept once seen: only a bulk load starts the fill again,
// and it says so).
func (s *Store) searchTermsFilled(ctx context.Context) (bool, error) {
	if s.termsFilled.Load() {
		return true, nil
	}
	var done bool
	err := s.r.QueryRowContext(ctx, `SELECT after IS NULL FROM search_terms_fill WHERE id = 1`).Scan(&done)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: unable to read the search words' fill: %w", err)
	}
	if done {
		s.termsFilled.Store(true)
	}
	return done, nil
}

// prefixWords is the FTS5 alternatives a prefix is searched as, nil when
// it is searched as a prefix (see above).
func (s *Store) prefixWords(ctx context.Context, text string) ([]string, error) {
	toks, err := prefixTokens(ctx, text)
	if err != nil {
		return nil, err
	}
	if len(toks) != 1 {
		return nil, nil // no word, or several (e-mai*): a phrase with a prefix
	}
	p := toks[0]
	query := map[string]string{} // word → what a query makes of it
	rows, err := s.r.QueryContext(ctx, `SELECT term, query FROM search_terms WHERE term >= ? ORDER BY term LIMIT ?`, p, prefixWordsBound+1)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the search words: %w", err)
	}
	for rows.Next() {
		var term, q string
		if err := rows.Scan(&term, &q); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read the search words: %w", err)
		}
		if !strings.HasPrefix(term, p) {
			break
		}
		query[term] = q
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the search words: %w", err)
	}
	if len(query) > prefixWordsBound {
		return nil, nil
	}
	// The words written since the worker last moved them: a few.
	var fresh []string
	rows, err = s.r.QueryContext(ctx, `SELECT term FROM search_terms_new_words WHERE term >= ?`, p)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the new search words: %w", err)
	}
	for rows.Next() {
		var term string
		if err := rows.Scan(&term); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read the new search words: %w", err)
		}
		if !strings.HasPrefix(term, p) || len(query)+len(fresh) > prefixWordsBound {
			break
		}
		if _, ok := query[term]; !ok {
			fresh = append(fresh, term)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the new search words: %w", err)
	}
	if len(query)+len(fresh) > prefixWordsBound {
		return nil, nil
	}
	if len(fresh) > 0 {
		qs, err := termQueries(ctx, fresh)
		if err != nil {
			return nil, err
		}
		for i, w := range fresh {
			query[w] = qs[i]
		}
	}
	if len(query) == 0 {
		return nil, nil // nothing to find: FTS5's prefix finds it at once
	}
	words := make([]string, 0, len(query))
	for w, q := range query {
		switch {
		case q == w:
			words = append(words, ftsString(w))
		case q != "" && strings.HasPrefix(q, p) && strings.HasPrefix(w, q):
			words = append(words, ftsString(w)+" *")
		default:
			return nil, nil
		}
	}
	sort.Strings(words)
	return words, nil
}

// prefixTokens is scratchTokens of one prefix, kept: the tokenizer makes
// the same tokens of a text every time, and a search box's prefix is
// tokenized on every page of its list (twice on the request list's: its
// count and its page), each time in a scratch FTS5 table (most of the
// cost of expanding a prefix).
func prefixTokens(ctx context.Context, text string) ([]string, error) {
	prefixTokensKept.mu.Lock()
	toks, ok := prefixTokensKept.m[text]
	prefixTokensKept.mu.Unlock()
	if ok {
		return toks, nil
	}
	all, err := scratchTokens(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	toks = all[0]
	prefixTokensKept.mu.Lock()
	defer prefixTokensKept.mu.Unlock()
	if prefixTokensKept.m == nil || len(prefixTokensKept.m) >= prefixTokensBound {
		prefixTokensKept.m = map[string][]string{} // bounded: started again when full
	}
	prefixTokensKept.m[text] = toks
	return toks, nil
}

// prefixTokensBound is how many prefixes' tokens are kept.
const prefixTokensBound = 1024

var prefixTokensKept struct {
	mu sync.Mutex
	m  map[string][]string
}

// termQueries is what a query makes of each word (the tokenizer's one
// token of it; "" when it makes none or several).
func termQueries(ctx context.Context, words []string) ([]string, error) {
	toks, err := scratchTokens(ctx, words)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(words))
	for i, t := range toks {
		if len(t) == 1 {
			out[i] = t[0]
		}
	}
	return out, nil
}

// scratchTokens is the tokens search_index's tokenizer makes of each text,
// in order: the texts are put in a scratch FTS5 table (in memory, rolled
// back) and read back from its vocabulary.
func scratchTokens(ctx context.Context, texts []string) ([][]string, error) {
	out := make([][]string, len(texts))
	conn, err := scratchConn(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS tok USING fts5 (text,
		tokenize = 'porter unicode61 remove_diacritics 2')`, `CREATE VIRTUAL TABLE IF NOT EXISTS tok_words USING fts5vocab (tok, instance)`)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to tokenize: %w", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO tok (rowid, text) VALUES (?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to tokenize: %w", err)
	}
	defer ins.Close()
	for i, t := range texts {
		if _, err := ins.ExecContext(ctx, i+1, t); err != nil {
			return nil, fmt.Errorf("store: unable to tokenize: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT doc, term FROM tok_words ORDER BY doc, offset`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to tokenize: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var doc int
		var term string
		if err := rows.Scan(&doc, &term); err != nil {
			return nil, fmt.Errorf("store: unable to tokenize: %w", err)
		}
		if doc >= 1 && doc <= len(texts) {
			out[doc-1] = append(out[doc-1], term)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to tokenize: %w", err)
	}
	return out, nil
}

// KeepSearchTerms is one step of the background work on search_terms: a
// chunk of the fill from search_index's words while it is not done, and
// the words written since the last step moved in (search_terms_new
// emptied). done says the fill is complete (until then, call again).
func (s *Store) KeepSearchTerms(ctx context.Context) (done bool, err error) {
	var after sql.NullString
	if err := s.r.QueryRowContext(ctx, `SELECT after FROM search_terms_fill WHERE id = 1`).Scan(&after); err != nil {
		return false, fmt.Errorf("store: unable to read the search words' fill: %w", err)
	}
	if after.Valid {
		if err := s.fillSearchTerms(ctx, after.String); err != nil {
			return false, err
		}
	}
	if err := s.moveNewSearchTerms(ctx); err != nil {
		return false, err
	}
	return s.searchTermsFilled(ctx)
}

// fillSearchTerms adds the next chunk of search_index's words after the
// word after (each read walks its posting list: a chunk at a time, a
// transaction each). Words written meanwhile reach search_terms through
// search_terms_new.
func (s *Store) fillSearchTerms(ctx context.Context, after string) error {
	var words []string
	rows, err := s.r.QueryContext(ctx, `SELECT term FROM search_words WHERE term > ? LIMIT `+fmt.Sprint(searchTermsFillChunk), after)
	if err != nil {
		return fmt.Errorf("store: unable to read the search words: %w", err)
	}
	start, more := time.Now(), false
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			rows.Close()
			return fmt.Errorf("store: unable to read the search words: %w", err)
		}
		words = append(words, w)
		if len(words) == searchTermsFillChunk || time.Since(start) > searchTermsFillFor {
			more = true
			break
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to read the search words: %w", err)
	}
	qs, err := termQueries(ctx, words)
	if err != nil {
		return err
	}
	var next any // NULL: done
	if more {
		next = words[len(words)-1]
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to fill the search words: %w", err)
	}
	defer s.rollbackWriter(tx)
	for i, w := range words {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO search_terms (term, query) VALUES (?, ?)`, w, qs[i]); err != nil {
			return noSpace(fmt.Errorf("store: unable to fill the search words: %w", err))
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_terms_fill SET after = ? WHERE id = 1 AND after = ?`, next, after); err != nil {
		return noSpace(fmt.Errorf("store: unable to fill the search words: %w", err))
	}
	return noSpace(tx.Commit())
}

// moveNewSearchTerms moves the words of search_terms_new into
// search_terms and empties it, in one transaction (a word written
// meanwhile waits for the next step).
func (s *Store) moveNewSearchTerms(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to move the new search words: %w", err)
	}
	defer s.rollbackWriter(tx)
	var words []string
	rows, err := tx.QueryContext(ctx, `SELECT term FROM search_terms_new_words`)
	if err != nil {
		return fmt.Errorf("store: unable to read the new search words: %w", err)
	}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			rows.Close()
			return fmt.Errorf("store: unable to read the new search words: %w", err)
		}
		words = append(words, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to read the new search words: %w", err)
	}
	if len(words) == 0 {
		// Committed, not rolled back: nothing was written, and a bulk load
		// keeping no journal takes any rollback of the writer's for a write
		// it cannot undo (the server's step runs every 10 s, beside it).
		return noSpace(tx.Commit())
	}
	qs, err := termQueries(ctx, words)
	if err != nil {
		return err
	}
	for i, w := range words {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO search_terms (term, query) VALUES (?, ?)`, w, qs[i]); err != nil {
			return noSpace(fmt.Errorf("store: unable to move the new search words: %w", err))
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_terms_new (search_terms_new) VALUES ('delete-all')`); err != nil {
		return noSpace(fmt.Errorf("store: unable to move the new search words: %w", err))
	}
	return noSpace(tx.Commit())
}
