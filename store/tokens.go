package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// APITokenPrefix starts every API token, so that a leaked one is easy to
// recognise (and to search for in logs and repositories).
const APITokenPrefix = "foit_"

// APIToken is a personal token for the JSON API. The secret is shown once,
// when it is made; only its sha256 is kept.
type APIToken struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// tokenTouchEvery limits the writes that record a token's last use.
const tokenTouchEvery = time.Minute

// CreateAPIToken makes a token for the user and returns its secret (the
// only copy) with the stored record.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string) (string, APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", APIToken{}, &tracker.Error{Code: tracker.EINVALID, Message: "name: give the token a name (what uses it)",
			Fields: map[string]string{"name": "give the token a name (what uses it)"}}
	}
	if len(name) > 100 {
		return "", APIToken{}, &tracker.Error{Code: tracker.EINVALID, Message: "name: at most 100 characters",
			Fields: map[string]string{"name": "at most 100 characters"}}
	}
	secret, _ := newSecret()
	secret = APITokenPrefix + secret
	t := APIToken{UserID: userID, Name: name, Prefix: secret[:len(APITokenPrefix)+6]}
	err := s.Update(ctx, func(tx *Tx) error {
		t.CreatedAt = tx.now
		res, err := tx.ExecContext(tx.ctx, `INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)`,
			userID, t.Name, HashSecret(secret), t.Prefix, ts(tx.now))
		if err != nil {
			if isForeignKey(err) {
				return notFound("user", userID)
			}
			return fmt.Errorf("store: unable to create API token: %w", err)
		}
		t.ID, _ = res.LastInsertId()
		return tx.Audit("create", "api_token", t.ID, nil, struct {
			APIToken
			HashCheck string `json:"token_hash_check"` // for audit verify
		}{t, hashCheck(HashSecret(secret))})
	})
	return secret, t, err
}

func scanAPIToken(sc interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var created string
	var last sql.NullString
	err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &last)
	t.CreatedAt = parseTS(created)
	if last.Valid {
		t.LastUsedAt = parseTS(last.String)
	}
	return t, err
}

// APITokens lists a user's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, user_id, name, prefix, created_at, last_used_at
		FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list API tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read API token: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteAPIToken revokes one of the user's tokens.
func (s *Store) DeleteAPIToken(ctx context.Context, userID, tokenID int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(tx.ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID)
		if err != nil {
			return fmt.Errorf("store: unable to delete API token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("API token", tokenID)
		}
		return tx.Audit("delete", "api_token", tokenID, nil, nil)
	})
}

// UserByAPIToken returns the user a bearer token belongs to. An unknown
// token, or one whose user is disabled, is an EUNAUTHORIZED error.
func (s *Store) UserByAPIToken(ctx context.Context, secret string) (User, APIToken, error) {
	fail := tracker.Errorf(tracker.EUNAUTHORIZED, "invalid API token")
	if !strings.HasPrefix(secret, APITokenPrefix) {
		return User{}, APIToken{}, fail
	}
	hash := HashSecret(secret)
	t, err := scanAPIToken(s.r.QueryRowContext(ctx, `SELECT id, user_id, name, prefix, created_at, last_used_at
		FROM api_tokens WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, t, fail
	} else if err != nil {
		return User{}, t, fmt.Errorf("store: unable to read API token: %w", err)
	}
	u, err := s.UserByID(ctx, t.UserID)
	if err != nil {
		return User{}, t, err
	}
	if u.Disabled {
		return User{}, t, fail
	}
	if now := s.Now(); now.Sub(t.LastUsedAt) > tokenTouchEvery {
		// Best effort, in the background: a read must not wait for the
		// write lock (a long import elsewhere) nor fail for want of it.
		id := t.ID
		s.bestEffort(func(ctx context.Context) error {
			return s.Update(ctx, func(tx *Tx) error {
				_, err := tx.ExecContext(tx.ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, ts(tx.now), id)
				return err
			})
		})
		t.LastUsedAt = now
	}
	return u, t, nil
}
