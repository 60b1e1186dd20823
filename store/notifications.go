package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// Notification is a message to one user in the app (the bell).
type Notification struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	RequestID int64     `json:"request_id,omitempty"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body,omitempty"`
	Link      string    `json:"link,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ReadAt    time.Time `json:"read_at,omitzero"`
}

// Unread reports whether the user has not seen it yet.
func (n Notification) Unread() bool { return n.ReadAt.IsZero() }

const notificationColumns = `id, user_id, request_id, kind, title, body, link, created_at, read_at`

func scanNotification(sc interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var req sql.NullInt64
	var created string
	var read sql.NullString
	err := sc.Scan(&n.ID, &n.UserID, &req, &n.Kind, &n.Title, &n.Body, &n.Link, &created, &read)
	n.RequestID, n.CreatedAt = req.Int64, parseTS(created)
	if read.Valid {
		n.ReadAt = parseTS(read.String)
	}
	return n, err
}

// AddNotification is the in-transaction insert, for callers that notify
// together with another change (a reminder given).
func (tx *Tx) AddNotification(n *Notification) error {
	n.CreatedAt = tx.now
	var req any
	if n.RequestID != 0 {
		req = n.RequestID
	}
	res, err := tx.ExecContext(tx.ctx, `INSERT INTO notifications (user_id, request_id, kind, title, body, link, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.UserID, req, n.Kind, n.Title, n.Body, n.Link, ts(n.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: unable to add notification: %w", err)
	}
	n.ID, _ = res.LastInsertId()
	return nil
}

// AddNotification notifies one user.
func (s *Store) AddNotification(ctx context.Context, n *Notification) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.AddNotification(n) })
}

// Notifications lists a user's notifications, newest first, a page of
// limit at a time from cur.
func (s *Store) Notifications(ctx context.Context, userID int64, unreadOnly bool, limit int, cur Cursor) ([]Notification, error) {
	if limit <= 0 {
		limit = 50
	}
	page, pageArgs, order, reversed := idKeyset("id", true, cur)
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE user_id = ? AND ` + page
	if unreadOnly {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY `+order+` LIMIT ?`, append(append([]any{userID}, pageArgs...), limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read notification: %w", err)
		}
		out = append(out, n)
	}
	return inListOrder(out, reversed), rows.Err()
}

// UnreadNotifications counts a user's unread notifications.
func (s *Store) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count notifications: %w", err)
	}
	return n, nil
}

// NotificationByID returns one of the user's notifications (ENOTFOUND for
// another user's: ids are not secrets, but they are not shared).
func (s *Store) NotificationByID(ctx context.Context, userID, id int64) (Notification, error) {
	n, err := scanNotification(s.r.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = ? AND user_id = ?`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return n, notFound("notification", id)
	} else if err != nil {
		return n, fmt.Errorf("store: unable to read notification: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead marks the user's notifications read: the given ones,
// or all of them when ids is empty. It returns how many changed.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID int64, ids ...int64) (int64, error) {
	var n int64
	err := s.Update(ctx, func(tx *Tx) error {
		q := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`
		args := []any{ts(tx.now), userID}
		if len(ids) > 0 {
			q += ` AND id IN (SELECT value FROM json_each(?))`
			args = append(args, jsonInts(ids))
		}
		res, err := tx.ExecContext(tx.ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: unable to mark notifications read: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// Preferences are a user's own choices about reminders.
type Preferences struct {
	UserID         int64 `json:"user_id"`
	EmailReminders bool  `json:"email_reminders"`
}

// UserPreferences returns the user's preferences (the defaults when unset).
func (s *Store) UserPreferences(ctx context.Context, userID int64) (Preferences, error) {
	p := Preferences{UserID: userID, EmailReminders: true}
	err := s.r.QueryRowContext(ctx, `SELECT email_reminders FROM user_preferences WHERE user_id = ?`, userID).Scan(&p.EmailReminders)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: unable to read preferences: %w", err)
	}
	return p, nil
}

// SaveUserPreferences stores the user's preferences, audited.
func (s *Store) SaveUserPreferences(ctx context.Context, p Preferences) error {
	return s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO user_preferences (user_id, email_reminders, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET email_reminders = excluded.email_reminders, updated_at = excluded.updated_at`,
			p.UserID, p.EmailReminders, ts(tx.now)); err != nil {
			if isForeignKey(err) {
				return notFound("user", p.UserID)
			}
			return fmt.Errorf("store: unable to save preferences: %w", err)
		}
		return tx.Audit("preferences", "user", p.UserID, nil, p)
	})
}

// SetRequestOwner makes userID (0: nobody) the request's owner, who gets its
// reminders.
func (s *Store) SetRequestOwner(ctx context.Context, requestID, userID int64) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.SetRequestOwner(requestID, userID) })
}

// SetRequestOwner is the in-transaction form (creating a request and owning it at once).
func (tx *Tx) SetRequestOwner(requestID, userID int64) error {
	if k := tx.keptRequestOf(requestID); k != nil {
		// Kept back: written with the request (requests_kept.go).
		if userID != 0 && !tx.usersSeen[userID] {
			// Looked up once a batch: the foreign key checks it again
			// when the request is written.
			var one int
			err := tx.QueryRowContext(tx.ctx, `SELECT 1 FROM users WHERE id = ?`, userID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return tracker.Errorf(tracker.EINVALID, "user %d does not exist", userID)
			} else if err != nil {
				return fmt.Errorf("store: unable to read user: %w", err)
			}
			if tx.usersSeen == nil {
				tx.usersSeen = map[int64]bool{}
			}
			tx.usersSeen[userID] = true
		}
		before := k.owner
		k.owner = userID
		return tx.Audit("owner", "request", requestID, before, userID)
	}
	var before sql.NullInt64
	err := tx.QueryRowContext(tx.ctx, `SELECT owner_id FROM requests WHERE id = ?`, requestID).Scan(&before)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("request", requestID)
	} else if err != nil {
		return fmt.Errorf("store: unable to read request owner: %w", err)
	}
	var owner any
	if userID != 0 {
		owner = userID
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE requests SET owner_id = ? WHERE id = ?`, owner, requestID); err != nil {
		if isForeignKey(err) {
			return tracker.Errorf(tracker.EINVALID, "user %d does not exist", userID)
		}
		return fmt.Errorf("store: unable to set request owner: %w", err)
	}
	return tx.Audit("owner", "request", requestID, before.Int64, userID)
}

// RequestOwner returns the id of the request's owner (0: none).
func (s *Store) RequestOwner(ctx context.Context, requestID int64) (int64, error) {
	var owner sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT owner_id FROM requests WHERE id = ?`, requestID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("request", requestID)
	} else if err != nil {
		return 0, fmt.Errorf("store: unable to read request owner: %w", err)
	}
	return owner.Int64, nil
}

// SetWatching adds the user to (or removes them from) the request's watchers.
func (s *Store) SetWatching(ctx context.Context, requestID, userID int64, watch bool) error {
	return s.Update(ctx, func(tx *Tx) error {
		var err error
		if watch {
			_, err = tx.ExecContext(tx.ctx, `INSERT INTO request_watchers (request_id, user_id, created_at) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, requestID, userID, ts(tx.now))
		} else {
			_, err = tx.ExecContext(tx.ctx, `DELETE FROM request_watchers WHERE request_id = ? AND user_id = ?`, requestID, userID)
		}
		if err != nil {
			if isForeignKey(err) {
				return tracker.Errorf(tracker.ENOTFOUND, "no such request or user")
			}
			return fmt.Errorf("store: unable to change watchers: %w", err)
		}
		action := "watch"
		if !watch {
			action = "unwatch"
		}
		return tx.Audit(action, "request", requestID, nil, userID)
	})
}

// Watchers returns the ids of the users watching the request.
func (s *Store) Watchers(ctx context.Context, requestID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT user_id FROM request_watchers WHERE request_id = ? ORDER BY user_id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list watchers: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: unable to read watcher: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Recipient is a user told about a request, with why and whether they take email.
type Recipient struct {
	User           User
	Why            string // owner, watcher, admin (nobody owns or watches the request)
	EmailReminders bool
}

// RequestRecipients returns who is told about a request: its owner and its
// watchers; when there are none, the admins, so that no deadline goes
// unnoticed. Disabled accounts are left out.
func (s *Store) RequestRecipients(ctx context.Context, requestID int64) ([]Recipient, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+prefixed("u.", userColumns)+`, x.why, coalesce(p.email_reminders, 1) FROM (
			SELECT owner_id AS user_id, 'owner' AS why, 0 AS ord FROM requests WHERE id = ? AND owner_id IS NOT NULL
			UNION ALL
			SELECT user_id, 'watcher', 1 FROM request_watchers WHERE request_id = ?
		) x JOIN users u ON u.id = x.user_id LEFT JOIN user_preferences p ON p.user_id = u.id
		WHERE u.disabled = 0 ORDER BY x.ord, u.id`, requestID, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list recipients: %w", err)
	}
	out, err := scanRecipients(rows)
	if err != nil || len(out) > 0 {
		return out, err
	}
	rows, err = s.r.QueryContext(ctx, `SELECT `+prefixed("u.", userColumns)+`, 'admin', coalesce(p.email_reminders, 1)
		FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id
		WHERE u.role = 'admin' AND u.disabled = 0 ORDER BY u.id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list admins: %w", err)
	}
	return scanRecipients(rows)
}

func scanRecipients(rows *sql.Rows) ([]Recipient, error) {
	defer rows.Close()
	var out []Recipient
	seen := map[int64]bool{}
	for rows.Next() {
		var r Recipient
		var role, created, updated string
		var last sql.NullString
		u := &r.User
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.Disabled, &created, &updated, &last,
			&r.Why, &r.EmailReminders); err != nil {
			return nil, fmt.Errorf("store: unable to read recipient: %w", err)
		}
		u.Role, u.CreatedAt, u.UpdatedAt, u.PasswordHash = Role(role), parseTS(created), parseTS(updated), ""
		if last.Valid {
			u.LastLoginAt = parseTS(last.String)
		}
		if !seen[u.ID] { // an owner who also watches is told once
			seen[u.ID] = true
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// prefixed qualifies each column of a comma-separated list with p.
func prefixed(p, columns string) string {
	var out []byte
	start := true
	for i := 0; i < len(columns); i++ {
		c := columns[i]
		if start && c != ' ' && c != '\n' && c != '\t' {
			out = append(out, p...)
			start = false
		}
		out = append(out, c)
		if c == ',' {
			start = true
		}
	}
	return string(out)
}
