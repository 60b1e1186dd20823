package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// Session lifetimes: a session ends 30 days after login, or after 7 days
// without use, whichever comes first.
const (
	SessionMaxAge  = 30 * 24 * time.Hour
	SessionIdleMax = 7 * 24 * time.Hour
	// sessionTouchEvery limits the writes that keep a session alive.
	sessionTouchEvery = 5 * time.Minute
)

// Session is a signed-in browser. Only the sha256 of its token is stored.
type Session struct {
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

// newSecret returns 32 random bytes as unpadded base64url, and its sha256 in hex.
func newSecret() (secret, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret is the sha256 (hex) under which a session or API token is stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// hashCheck is what the audit log records of a stored secret's hash (an
// API token's, a calendar feed's): a digest of it, so that `audit verify`
// can tell a hash swapped behind the app's back (a secret someone knows put
// in place of one they do not), while neither the secret nor its hash is
// in the log in clear.
func hashCheck(hash string) string {
	sum := sha256.Sum256([]byte("foitrack audit hash check\x00" + hash))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for the user and returns the token for the
// cookie (the only copy of it).
func (s *Store) CreateSession(ctx context.Context, userID int64, ip, userAgent string) (token string, sess Session, err error) {
	token, hash := newSecret()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err = s.Update(ctx, func(tx *Tx) error {
		sess = Session{TokenHash: hash, UserID: userID, CreatedAt: tx.now, LastSeenAt: tx.now,
			ExpiresAt: tx.now.Add(SessionMaxAge), IP: ip, UserAgent: userAgent}
		_, err := tx.ExecContext(tx.ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hash, userID, ts(sess.CreatedAt), ts(sess.LastSeenAt), ts(sess.ExpiresAt), ip, userAgent)
		if err != nil {
			return fmt.Errorf("store: unable to create session: %w", err)
		}
		return nil
	})
	return token, sess, err
}

// SessionUser returns the session for a cookie token and its user. An
// unknown, expired or idle session, or one whose user is disabled, is an
// EUNAUTHORIZED error. A session in use is kept alive.
func (s *Store) SessionUser(ctx context.Context, token string) (Session, User, error) {
	var sess Session
	var created, seen, expires string
	hash := HashSecret(token)
	err := s.r.QueryRowContext(ctx, `SELECT token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent
		FROM sessions WHERE token_hash = ?`, hash).
		Scan(&sess.TokenHash, &sess.UserID, &created, &seen, &expires, &sess.IP, &sess.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, User{}, tracker.Errorf(tracker.EUNAUTHORIZED, "your session has ended; please sign in again")
	} else if err != nil {
		return sess, User{}, fmt.Errorf("store: unable to read session: %w", err)
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = parseTS(created), parseTS(seen), parseTS(expires)
	now := s.Now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > SessionIdleMax {
		_ = s.DeleteSession(ctx, token)
		return sess, User{}, tracker.Errorf(tracker.EUNAUTHORIZED, "your session has ended; please sign in again")
	}
	u, err := s.UserByID(ctx, sess.UserID)
	if err != nil {
		return sess, User{}, err
	}
	if u.Disabled {
		return sess, User{}, tracker.Errorf(tracker.EUNAUTHORIZED, "this account is disabled")
	}
	if now.Sub(sess.LastSeenAt) > sessionTouchEvery {
		// Best effort, in the background (as for API tokens): a page view
		// must not fail because another process holds the write lock.
		s.bestEffort(func(ctx context.Context) error {
			return s.Update(ctx, func(tx *Tx) error {
				_, err := tx.ExecContext(tx.ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, ts(tx.now), hash)
				return err
			})
		})
		sess.LastSeenAt = now
	}
	return sess, u, nil
}

// DeleteSession ends the session with the given cookie token (logout).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE token_hash = ?`, HashSecret(token)); err != nil {
			return fmt.Errorf("store: unable to delete session: %w", err)
		}
		return nil
	})
}

// DeleteExpiredSessions removes sessions past their end and login attempts
// older than a day; it returns how many sessions went.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := s.Update(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(tx.ctx, `SELECT token_hash, last_seen_at, expires_at FROM sessions`)
		if err != nil {
			return fmt.Errorf("store: unable to list sessions: %w", err)
		}
		var gone []string
		for rows.Next() {
			var h, seen, expires string
			if err := rows.Scan(&h, &seen, &expires); err != nil {
				rows.Close()
				return fmt.Errorf("store: unable to read session: %w", err)
			}
			// Instants are compared parsed: RFC 3339 with fractional seconds does not sort as text.
			if !tx.now.Before(parseTS(expires)) || tx.now.Sub(parseTS(seen)) > SessionIdleMax {
				gone = append(gone, h)
			}
		}
		rows.Close()
		for _, h := range gone {
			if _, err := tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE token_hash = ?`, h); err != nil {
				return fmt.Errorf("store: unable to delete session: %w", err)
			}
		}
		n = int64(len(gone))
		_, err = tx.ExecContext(tx.ctx, `DELETE FROM login_attempts WHERE at < ?`, attemptTS(tx.now.Add(-24*time.Hour)))
		return err
	})
	return n, err
}

// attemptTS is the fixed-width form of login_attempts.at, which sorts as text.
func attemptTS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// LoginLimit is how many failed password checks are allowed in Window: per
// address and account (PerAccount), and per address whatever the account
// (PerAddress).
type LoginLimit struct {
	Window     time.Duration
	PerAccount int
	PerAddress int
}

// ReserveLoginAttempt counts a password check from ip for email before it
// is made: in one write transaction (writes are serialised), it counts the
// failures so far and, when both limits allow another, records this attempt
// as a failure and returns its ID; LoginSucceeded turns it into a success
// once the password proved right. So any number of parallel attempts is
// checked at most the limit's worth of times. ok is false when a limit is
// reached (nothing is recorded then).
//
// The per-account count starts again after a successful login to that
// account from that address; the per-address count does not: signing in to
// one's own account must not buy more guesses at other accounts.
func (s *Store) ReserveLoginAttempt(ctx context.Context, ip, email string, lim LoginLimit) (id int64, ok bool, err error) {
	email = normEmail(email)
	err = s.Update(ctx, func(tx *Tx) error {
		since := attemptTS(tx.now.Add(-lim.Window))
		var perAccount, perAddress int
		err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM login_attempts
			WHERE ip = ? AND email = ? AND NOT success AND at >= ?
			  AND id > COALESCE((SELECT max(id) FROM login_attempts WHERE ip = ? AND email = ? AND success), 0)`,
			ip, email, since, ip, email).Scan(&perAccount)
		if err != nil {
			return fmt.Errorf("store: unable to count login failures: %w", err)
		}
		if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM login_attempts WHERE ip = ? AND NOT success AND at >= ?`,
			ip, since).Scan(&perAddress); err != nil {
			return fmt.Errorf("store: unable to count login failures: %w", err)
		}
		if perAccount >= lim.PerAccount || perAddress >= lim.PerAddress {
			return nil
		}
		res, err := tx.ExecContext(tx.ctx, `INSERT INTO login_attempts (ip, email, at, success) VALUES (?, ?, ?, 0)`,
			ip, email, attemptTS(tx.now))
		if err != nil {
			return fmt.Errorf("store: unable to record login attempt: %w", err)
		}
		id, _ = res.LastInsertId()
		ok = true
		return nil
	})
	return id, ok && err == nil, err
}

// LoginSucceeded marks a reserved attempt as a success (the password was right).
func (s *Store) LoginSucceeded(ctx context.Context, attemptID int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE login_attempts SET success = 1 WHERE id = ?`, attemptID); err != nil {
			return fmt.Errorf("store: unable to record login attempt: %w", err)
		}
		return nil
	})
}

func normEmail(e string) string {
	if len(e) > 254 {
		e = e[:254]
	}
	return strings.ToLower(strings.TrimSpace(e))
}

// Revoked says what RevokeAccess ended.
type Revoked struct{ Sessions, APITokens, CalendarFeeds int64 }

// RevokeAccess ends a user's sessions except keepSession (the sha256 of the
// session asking; "" ends them all), and, when asked, deletes their API
// tokens and revokes their calendar feed: "sign out everywhere", and what a
// password change offers. One transaction, audited.
func (s *Store) RevokeAccess(ctx context.Context, userID int64, keepSession string, tokens, feeds bool) (Revoked, error) {
	var r Revoked
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		r, err = tx.revokeAccess(userID, keepSession, tokens, feeds)
		return err
	})
	return r, err
}

func (tx *Tx) revokeAccess(userID int64, keepSession string, tokens, feeds bool) (Revoked, error) {
	var r Revoked
	err := func() error {
		res, err := tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keepSession)
		if err != nil {
			return fmt.Errorf("store: unable to end sessions: %w", err)
		}
		r.Sessions, _ = res.RowsAffected()
		// The tokens deleted and feeds revoked are listed by id, for `audit
		// verify` (older entries give the counts only).
		var tokenIDs, feedIDs []int64
		if tokens {
			rows, err := tx.QueryContext(tx.ctx, `DELETE FROM api_tokens WHERE user_id = ? RETURNING id`, userID)
			if err == nil {
				tokenIDs, err = scanIDs(rows)
			}
			if err != nil {
				return fmt.Errorf("store: unable to revoke API tokens: %w", err)
			}
			r.APITokens = int64(len(tokenIDs))
		}
		if feeds {
			var err error
			if feedIDs, err = tx.revokeFeeds(userID); err != nil {
				return err
			}
			r.CalendarFeeds = int64(len(feedIDs))
		}
		after := map[string]any{
			"sessions": r.Sessions, "api_tokens": r.APITokens, "calendar_feeds": r.CalendarFeeds, "kept_this_session": keepSession != ""}
		if len(tokenIDs) > 0 {
			after["api_token_ids"] = tokenIDs
		}
		if len(feedIDs) > 0 {
			after["calendar_feed_ids"] = feedIDs
		}
		return tx.Audit("revoke_access", "user", userID, nil, after)
	}()
	return r, err
}
