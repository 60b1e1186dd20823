package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// A public search hit is found in the text as indexed, before censor rules;
// the public sees it after them. A hit that matched only through words a
// rule hides would tell that they are there, whatever the snippet shows:
// checking the typed words against the rules is not enough (a pattern rule
// does not match a word on its own, a stem or a prefix matches more than was
// typed). So a hit whose text a rule changes is matched again, as the public
// would see it, by the same FTS5 expression and tokenizer, in a private
// in-memory table.
var censoredMatcher struct {
	sync.Mutex
	db *sql.DB
}

func censoredMatchDB(ctx context.Context) (*sql.DB, error) {
	if censoredMatcher.db != nil {
		return censoredMatcher.db, nil
	}
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE m USING fts5 (title, body,
		tokenize = 'porter unicode61 remove_diacritics 2')`); err != nil {
		db.Close()
		return nil, err
	}
	censoredMatcher.db = db
	return db, nil
}

// PublicHitText is the title and body a public search hit was found in, as
// indexed (before censor rules).
func (s *Store) PublicHitText(ctx context.Context, h SearchHit) (title, body string, err error) {
	code := int64(1)
	if h.Kind == KindDocument {
		code = 3
	} else if h.Kind != KindRequest {
		return "", "", fmt.Errorf("store: %s is not a public search hit", h.Kind)
	}
	err = s.r.QueryRowContext(ctx, `SELECT title, body FROM search_index WHERE rowid = ?`, h.ID*8+code).Scan(&title, &body)
	if err != nil {
		return "", "", fmt.Errorf("store: unable to read search hit %s %d: %w", h.Kind, h.ID, err)
	}
	return title, body, nil
}

// MatchesPublicText reports whether a title and body (as the public sees
// them) match query in the public search's columns.
func MatchesPublicText(ctx context.Context, query, title, body string) (bool, error) {
	q := ParseSearchQuery(query)
	if !q.HasText() {
		return true, nil
	}
	expr := q.ftsExpression("{title body}")
	censoredMatcher.Lock()
	defer censoredMatcher.Unlock()
	db, err := censoredMatchDB(ctx)
	if err != nil {
		return false, fmt.Errorf("store: unable to open the censored-text matcher: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: unable to match censored text: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO m (title, body) VALUES (?, ?)`, title, body); err != nil {
		return false, fmt.Errorf("store: unable to match censored text: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM m WHERE m MATCH ?`, expr).Scan(&n); err != nil {
		return false, fmt.Errorf("store: unable to match censored text: %w", err)
	}
	return n > 0, nil
}
