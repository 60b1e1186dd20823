package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// CalendarFeed is a user's secret calendar address. Only the sha256 of its
// token is stored; the token itself is shown once, when it is made.
type CalendarFeed struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Prefix     string    `json:"prefix"` // the token's first characters, to recognise it
	CreatedAt  time.Time `json:"created_at"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

const calendarFeedColumns = `f.id, f.user_id, f.prefix, f.created_at, f.revoked_at, f.last_used_at`

func scanCalendarFeed(sc interface{ Scan(...any) error }, extra ...any) (CalendarFeed, error) {
	var f CalendarFeed
	var created string
	var revoked, used sql.NullString
	err := sc.Scan(append([]any{&f.ID, &f.UserID, &f.Prefix, &created, &revoked, &used}, extra...)...)
	f.CreatedAt = parseTS(created)
	if revoked.Valid {
		f.RevokedAt = parseTS(revoked.String)
	}
	if used.Valid {
		f.LastUsedAt = parseTS(used.String)
	}
	return f, err
}

// CreateCalendarFeed makes a new secret feed address for the user, revoking
// any earlier one, and returns the token (the only copy of it).
func (s *Store) CreateCalendarFeed(ctx context.Context, userID int64) (token string, f CalendarFeed, err error) {
	token, hash := newSecret()
	err = s.Update(ctx, func(tx *Tx) error {
		revoked, err := tx.revokeFeeds(userID)
		if err != nil {
			return err
		}
		f = CalendarFeed{UserID: userID, Prefix: token[:6], CreatedAt: tx.now}
		res, err := tx.ExecContext(tx.ctx, `INSERT INTO calendar_feeds (user_id, token_hash, prefix, created_at) VALUES (?, ?, ?, ?)`,
			userID, hash, f.Prefix, ts(f.CreatedAt))
		if err != nil {
			if isForeignKey(err) {
				return notFound("user", userID)
			}
			return fmt.Errorf("store: unable to create calendar feed: %w", err)
		}
		f.ID, _ = res.LastInsertId()
		// The feeds it revoked are listed, for `audit verify` (an older
		// entry without the list revoked every live feed of the user).
		return tx.Audit("create", "calendar_feed", f.ID, nil, struct {
			CalendarFeed
			Revoked   []int64 `json:"revoked_ids"` // null: none
			HashCheck string  `json:"token_hash_check"`
		}{f, revoked, hashCheck(hash)})
	})
	return token, f, err
}

// ActiveCalendarFeed returns the user's live feed (found false when none).
func (s *Store) ActiveCalendarFeed(ctx context.Context, userID int64) (CalendarFeed, bool, error) {
	f, err := scanCalendarFeed(s.r.QueryRowContext(ctx, `SELECT `+calendarFeedColumns+` FROM calendar_feeds f
		WHERE f.user_id = ? AND f.revoked_at IS NULL ORDER BY f.id DESC LIMIT 1`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	} else if err != nil {
		return f, false, fmt.Errorf("store: unable to read calendar feed: %w", err)
	}
	return f, true, nil
}

// RevokeCalendarFeed stops the user's feed address from working.
func (s *Store) RevokeCalendarFeed(ctx context.Context, userID int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		ids, err := tx.revokeFeeds(userID)
		if err != nil || len(ids) == 0 {
			return err
		}
		return tx.Audit("revoke", "calendar_feed", 0, nil, map[string]any{"user_id": userID, "ids": ids})
	})
}

// revokeFeeds revokes the user's live feeds and returns their ids.
func (tx *Tx) revokeFeeds(userID int64) ([]int64, error) {
	rows, err := tx.QueryContext(tx.ctx, `UPDATE calendar_feeds SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING id`,
		ts(tx.now), userID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to revoke calendar feeds: %w", err)
	}
	return scanIDs(rows)
}

// scanIDs reads a column of ids (sorted), and closes rows.
func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// CalendarFeedUser returns the user a live feed token belongs to, and notes
// its use. A revoked or unknown token, or a disabled user, is ENOTFOUND
// (the same answer, so that a probe learns nothing).
func (s *Store) CalendarFeedUser(ctx context.Context, token string) (User, CalendarFeed, error) {
	var u User
	var role, created, updated string
	var last sql.NullString
	f, err := scanCalendarFeed(s.r.QueryRowContext(ctx, `SELECT `+calendarFeedColumns+`, `+prefixed("u.", userColumns)+`
		FROM calendar_feeds f JOIN users u ON u.id = f.user_id
		WHERE f.token_hash = ? AND f.revoked_at IS NULL AND u.disabled = 0`, HashSecret(token)),
		&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.Disabled, &created, &updated, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return u, f, tracker.Errorf(tracker.ENOTFOUND, "no such calendar feed")
	} else if err != nil {
		return u, f, fmt.Errorf("store: unable to read calendar feed: %w", err)
	}
	u.Role, u.CreatedAt, u.UpdatedAt, u.PasswordHash = Role(role), parseTS(created), parseTS(updated), ""
	if last.Valid {
		u.LastLoginAt = parseTS(last.String)
	}
	// Best effort, in the background (as for API tokens): a calendar app's
	// fetch must not fail because another process holds the write lock.
	id := f.ID
	s.bestEffort(func(ctx context.Context) error {
		return s.Update(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(tx.ctx, `UPDATE calendar_feeds SET last_used_at = ? WHERE id = ?`, ts(tx.now), id)
			return err
		})
	})
	return u, f, nil
}
