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

// Email states of a reminder (reminder_log.email_state).
const (
	EmailNone    = "none"    // no mail server configured when it was given
	EmailOff     = "off"     // the user turned email reminders off
	EmailPending = "pending" // to be sent
	EmailSending = "sending" // claimed by one process; never claimed twice
	EmailSent    = "sent"    // the server accepted it
	EmailFailed  = "failed"  // refused or unreachable; retried a few times
)

// Reminder is one reminder given to one user: the reminder_log row.
type Reminder struct {
	ID             int64        `json:"id"`
	RequestID      int64        `json:"request_id"`
	Deadline       string       `json:"deadline"` // response, extended, review, clarification, regulator_window…
	Kind           string       `json:"kind"`     // due_soon, due_today, overdue, long_overdue…
	DueDate        tracker.Date `json:"due_date"`
	UserID         int64        `json:"user_id"`
	Stage          int          `json:"stage"`
	Reason         string       `json:"reason"`
	NotificationID int64        `json:"notification_id,omitempty"`
	EmailState     string       `json:"email_state"`
	EmailError     string       `json:"email_error,omitempty"`
	EmailAttempts  int          `json:"email_attempts"`
	EmailedAt      time.Time    `json:"emailed_at,omitzero"`
	// EmailAttemptedAt is when the email was last claimed or handed to the
	// server (states sending and failed).
	EmailAttemptedAt time.Time `json:"email_attempted_at,omitzero"`
	// EmailInterrupted: sending for longer than SendInterruptedAfter since
	// the last attempt (the process died midway): resolved by an admin.
	EmailInterrupted bool      `json:"email_interrupted,omitempty"`
	CreatedAt        time.Time `json:"created_at"`

	// Filled by ClaimReminderEmails for the mail.
	UserEmail string `json:"user_email,omitempty"`
	UserName  string `json:"user_name,omitempty"`
	Title     string `json:"title,omitempty"`
	Body      string `json:"body,omitempty"`
	Link      string `json:"link,omitempty"`
}

const reminderColumns = `l.id, l.request_id, l.deadline, l.kind, l.due_date, l.user_id, l.stage, l.reason, l.notification_id,
	l.email_state, l.email_error, l.email_attempts, l.emailed_at, l.created_at`

func scanReminder(sc interface{ Scan(...any) error }, extra ...any) (Reminder, error) {
	var r Reminder
	var notif sql.NullInt64
	var emailed sql.NullString
	var created string
	dst := append([]any{&r.ID, &r.RequestID, &r.Deadline, &r.Kind, &r.DueDate, &r.UserID, &r.Stage, &r.Reason, &notif,
		&r.EmailState, &r.EmailError, &r.EmailAttempts, &emailed, &created}, extra...)
	err := sc.Scan(dst...)
	r.NotificationID, r.CreatedAt = notif.Int64, parseTS(created)
	// emailed_at is the time of the email's last step: when the server
	// accepted it once sent, when it was last claimed or handed over before.
	if emailed.Valid && r.EmailState == EmailSent {
		r.EmailedAt = parseTS(emailed.String)
	} else if emailed.Valid {
		r.EmailAttemptedAt = parseTS(emailed.String)
	}
	return r, err
}

// emailInterruptedAt reports whether the reminder's email counts as
// interrupted at now. A row claimed before claims were timed (no time) ages
// from when the reminder was given.
func (r Reminder) emailInterruptedAt(now time.Time) bool {
	if r.EmailState != EmailSending {
		return false
	}
	at := r.EmailAttemptedAt
	if at.IsZero() {
		at = r.CreatedAt
	}
	return now.Sub(at) > SendInterruptedAfter
}

// ReminderGiven reports whether the user has had this reminder, or a later
// one (a higher stage) for the same deadline and due date.
func (s *Store) ReminderGiven(ctx context.Context, requestID int64, deadline string, due tracker.Date, userID int64, stage int) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM reminder_log
		WHERE request_id = ? AND deadline = ? AND due_date = ? AND user_id = ? AND stage >= ?`,
		requestID, deadline, due, userID, stage).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: unable to read reminder log: %w", err)
	}
	return n > 0, nil
}

// GiveReminder records a reminder and its in-app notification in one
// transaction, unless the user has had it (or a later stage of the same
// deadline) already; given reports whether it was recorded now. The
// database's UNIQUE key makes this safe against a second process doing the
// same at the same moment: exactly one of them records it.
func (s *Store) GiveReminder(ctx context.Context, r *Reminder, n *Notification) (given bool, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		var later int
		if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM reminder_log
			WHERE request_id = ? AND deadline = ? AND due_date = ? AND user_id = ? AND stage >= ?`,
			r.RequestID, r.Deadline, r.DueDate, r.UserID, r.Stage).Scan(&later); err != nil {
			return fmt.Errorf("store: unable to read reminder log: %w", err)
		}
		if later > 0 {
			return nil
		}
		r.CreatedAt = tx.now
		res, err := tx.ExecContext(tx.ctx, `
			INSERT INTO reminder_log (request_id, deadline, kind, due_date, user_id, stage, reason, email_state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (request_id, deadline, kind, due_date, user_id) DO NOTHING`,
			r.RequestID, r.Deadline, r.Kind, r.DueDate, r.UserID, r.Stage, r.Reason, r.EmailState, ts(r.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: unable to record reminder: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		r.ID, _ = res.LastInsertId()
		if n != nil {
			n.UserID, n.RequestID = r.UserID, r.RequestID
			if err := tx.AddNotification(n); err != nil {
				return err
			}
			r.NotificationID = n.ID
			if _, err := tx.ExecContext(tx.ctx, `UPDATE reminder_log SET notification_id = ? WHERE id = ?`, n.ID, r.ID); err != nil {
				return fmt.Errorf("store: unable to link notification: %w", err)
			}
		}
		given = true
		return tx.Audit("remind", "request", r.RequestID, nil, map[string]any{
			"deadline": r.Deadline, "kind": r.Kind, "due_date": r.DueDate, "user_id": r.UserID, "email": r.EmailState})
	})
	return given, err
}

// ClaimReminderEmails takes up to limit reminders whose email is pending
// (with retryFailed, also those that failed fewer than maxAttempts times) and
// marks them sending, so that no other process sends them too. The rows come
// with the text to send.
func (s *Store) ClaimReminderEmails(ctx context.Context, retryFailed bool, maxAttempts, limit int) ([]Reminder, error) {
	if limit <= 0 {
		limit = 100
	}
	if !retryFailed {
		maxAttempts = 0
	}
	var out []Reminder
	err := s.Update(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(tx.ctx, `SELECT `+reminderColumns+`, u.email, u.name, coalesce(n.title, ''), coalesce(n.body, ''), coalesce(n.link, '')
			FROM reminder_log l JOIN users u ON u.id = l.user_id LEFT JOIN notifications n ON n.id = l.notification_id
			WHERE (l.email_state = ? OR (l.email_state = ? AND l.email_attempts < ?)) AND u.disabled = 0
			ORDER BY l.id LIMIT ?`, EmailPending, EmailFailed, maxAttempts, limit)
		if err != nil {
			return fmt.Errorf("store: unable to list reminder emails: %w", err)
		}
		for rows.Next() {
			var email, name, title, body, link string
			r, err := scanReminder(rows, &email, &name, &title, &body, &link)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: unable to read reminder: %w", err)
			}
			r.UserEmail, r.UserName, r.Title, r.Body, r.Link = email, name, title, body, link
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: unable to list reminder emails: %w", err)
		}
		for i := range out {
			if _, err := tx.ExecContext(tx.ctx, `UPDATE reminder_log SET email_state = ?, email_attempts = email_attempts + 1, emailed_at = ?
				WHERE id = ?`, EmailSending, ts(tx.now), out[i].ID); err != nil {
				return fmt.Errorf("store: unable to claim reminder email: %w", err)
			}
			out[i].EmailState = EmailSending
			out[i].EmailAttempts++
			out[i].EmailedAt, out[i].EmailAttemptedAt = time.Time{}, tx.now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReminderEmailAttempt records that a claimed reminder email is being handed
// to the server now, so that it does not count as interrupted while it waits
// its turn in a long run. It returns false when the email is no longer
// claimed (an admin resolved it meanwhile): it must not be sent then.
func (s *Store) ReminderEmailAttempt(ctx context.Context, id int64) (claimed bool, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(tx.ctx, `UPDATE reminder_log SET emailed_at = ? WHERE id = ? AND email_state = ?`, ts(tx.now), id, EmailSending)
		if err != nil {
			return fmt.Errorf("store: unable to record reminder email attempt: %w", err)
		}
		n, _ := res.RowsAffected()
		claimed = n == 1
		return nil
	})
	return claimed, err
}

// MarkReminderEmailed records the outcome of sending a claimed reminder
// email: sent when sendErr is nil, failed with its text otherwise.
func (s *Store) MarkReminderEmailed(ctx context.Context, id int64, sendErr error) error {
	return s.Update(ctx, func(tx *Tx) error {
		var err error
		if sendErr == nil {
			_, err = tx.ExecContext(tx.ctx, `UPDATE reminder_log SET email_state = ?, email_error = '', emailed_at = ? WHERE id = ? AND email_state = ?`,
				EmailSent, ts(tx.now), id, EmailSending)
		} else {
			msg := sendErr.Error()
			if len(msg) > 1000 {
				msg = msg[:1000]
			}
			_, err = tx.ExecContext(tx.ctx, `UPDATE reminder_log SET email_state = ?, email_error = ? WHERE id = ? AND email_state = ?`,
				EmailFailed, msg, id, EmailSending)
		}
		if err != nil {
			return fmt.Errorf("store: unable to record reminder email: %w", err)
		}
		return nil
	})
}

// ReminderFilter narrows Reminders; zero values do not filter.
type ReminderFilter struct {
	RequestID int64
	UserID    int64
	// EmailInterrupted keeps only reminders whose email is interrupted.
	EmailInterrupted bool
	Limit            int
}

// Reminders lists the reminder log, newest first.
func (s *Store) Reminders(ctx context.Context, f ReminderFilter) ([]Reminder, error) {
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	state := ""
	if f.EmailInterrupted {
		state = EmailSending
	}
	now := s.Now()
	// Only the conditions that apply, so that SQLite can use their indexes
	// ("(? = 0 OR l.request_id = ?)" made it walk the whole log).
	conds, args := []string{"1 = 1"}, []any{}
	if f.RequestID != 0 {
		conds, args = append(conds, "l.request_id = ?"), append(args, f.RequestID)
	}
	if f.UserID != 0 {
		conds, args = append(conds, "l.user_id = ?"), append(args, f.UserID)
	}
	if state != "" {
		conds, args = append(conds, "l.email_state = ?"), append(args, state)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+reminderColumns+` FROM reminder_log l
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY l.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list reminders: %w", err)
	}
	defer rows.Close()
	var out []Reminder
	for rows.Next() {
		r, err := scanReminder(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read reminder: %w", err)
		}
		if r.EmailInterrupted = r.emailInterruptedAt(now); f.EmailInterrupted && !r.EmailInterrupted {
			continue
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResolveInterruptedReminderEmail settles a reminder email whose sending was
// interrupted: emailed (the person knows it arrived) marks it sent as of its
// last attempt; otherwise it is pending again, and the next reminder run
// sends it (perhaps a second time). attemptedAt is the attempt the person
// was shown: an email tried again meanwhile is not theirs to settle. It fails
// with ECONFLICT unless the email is interrupted.
func (s *Store) ResolveInterruptedReminderEmail(ctx context.Context, id int64, attemptedAt time.Time, emailed bool) error {
	return s.Update(ctx, func(tx *Tx) error {
		r, err := scanReminder(tx.QueryRowContext(tx.ctx, `SELECT `+reminderColumns+` FROM reminder_log l WHERE l.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("reminder", id)
		} else if err != nil {
			return fmt.Errorf("store: unable to read reminder %d: %w", id, err)
		}
		switch {
		case r.EmailState != EmailSending:
			return tracker.Errorf(tracker.ECONFLICT, "the email of reminder %d is %s now: there is nothing to resolve", id, r.EmailState)
		case !r.emailInterruptedAt(tx.now):
			return tracker.Errorf(tracker.ECONFLICT, "the email of reminder %d may still be being sent: it counts as interrupted %s after its last attempt",
				id, SendInterruptedAfter)
		case !r.EmailAttemptedAt.Equal(attemptedAt):
			return tracker.Errorf(tracker.ECONFLICT, "the email of reminder %d was tried again meanwhile: look at it again", id)
		}
		action, state := "resolve_email_sent", EmailSent
		if !emailed {
			action, state = "resolve_email_again", EmailPending
		}
		// emailed_at keeps the attempt: when it was sent, or when it was last tried.
		if _, err := tx.ExecContext(tx.ctx, `UPDATE reminder_log SET email_state = ?, email_error = '' WHERE id = ? AND email_state = ?`,
			state, id, EmailSending); err != nil {
			return fmt.Errorf("store: unable to resolve reminder email: %w", err)
		}
		var at any
		if !r.EmailAttemptedAt.IsZero() {
			at = ts(r.EmailAttemptedAt)
		}
		return tx.Audit(action, "reminder", id, map[string]any{"email_state": r.EmailState},
			map[string]any{"email_state": state, "request_id": r.RequestID, "user_id": r.UserID, "attempted_at": at})
	})
}

// ReminderRun is one pass of the reminder job.
type ReminderRun struct {
	ID         int64     `json:"id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	Clock      time.Time `json:"clock"`
	Given      int       `json:"given"`
	Emailed    int       `json:"emailed"`
	Failed     int       `json:"failed"`
	Error      string    `json:"error,omitempty"`
}

// StartReminderRun records the start of a run at the given clock.
func (s *Store) StartReminderRun(ctx context.Context, clock time.Time) (int64, error) {
	var id int64
	err := s.Update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(tx.ctx, `INSERT INTO reminder_runs (started_at, clock) VALUES (?, ?)`, ts(tx.now), ts(clock))
		if err != nil {
			return fmt.Errorf("store: unable to record reminder run: %w", err)
		}
		id, _ = res.LastInsertId()
		return nil
	})
	return id, err
}

// FinishReminderRun records a run's result.
func (s *Store) FinishReminderRun(ctx context.Context, run ReminderRun) error {
	return s.Update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(tx.ctx, `UPDATE reminder_runs SET finished_at = ?, given = ?, emailed = ?, failed = ?, error = ? WHERE id = ?`,
			ts(tx.now), run.Given, run.Emailed, run.Failed, run.Error, run.ID)
		if err != nil {
			return fmt.Errorf("store: unable to record reminder run: %w", err)
		}
		return nil
	})
}

// LastReminderRun returns the newest run (found false when there is none).
func (s *Store) LastReminderRun(ctx context.Context) (run ReminderRun, found bool, err error) {
	var started, clock string
	var finished sql.NullString
	err = s.r.QueryRowContext(ctx, `SELECT id, started_at, finished_at, clock, given, emailed, failed, error
		FROM reminder_runs ORDER BY id DESC LIMIT 1`).Scan(&run.ID, &started, &finished, &clock, &run.Given, &run.Emailed, &run.Failed, &run.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return run, false, nil
	} else if err != nil {
		return run, false, fmt.Errorf("store: unable to read reminder run: %w", err)
	}
	run.StartedAt, run.Clock = parseTS(started), parseTS(clock)
	if finished.Valid {
		run.FinishedAt = parseTS(finished.String)
	}
	return run, true, nil
}

// RequestPlan is an open request with its stored plan and windows: what
// the reminder job works from.
type RequestPlan struct {
	Request tracker.Request
	Plan    tracker.Plan
}

// EachOpenPlan calls fn with every open request and its stored plan, a page
// of openPlanPage requests at a time by id: never a silent cap (a request
// left out would never be reminded of), and never every request in memory
// at once. No rows are held open while fn runs, so fn may read the store.
func (s *Store) EachOpenPlan(ctx context.Context, fn func(RequestPlan) error) error {
	for after := int64(0); ; {
		rows, err := s.r.QueryContext(ctx, `SELECT `+requestColumns+`, `+planColumns+`
			FROM requests r JOIN authorities a ON a.id = r.authority_id
			WHERE r.id > ? AND r.status NOT IN `+closedStatuses+` ORDER BY r.id LIMIT ?`, after, openPlanPage)
		if err != nil {
			return fmt.Errorf("store: unable to list open requests: %w", err)
		}
		var page []RequestPlan
		for rows.Next() {
			var rp RequestPlan
			r, err := scanRequest(scanTail{rows, scanPlanInto(&rp.Plan)})
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: unable to read an open request: %w", err)
			}
			rp.Request, rp.Plan.Status = r, r.Status
			page = append(page, rp)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: unable to list open requests: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		ids := make([]int64, len(page))
		for i, rp := range page {
			ids[i] = rp.Request.ID
		}
		ws, err := s.WindowsOf(ctx, ids)
		if err != nil {
			return err
		}
		for _, rp := range page {
			rp.Plan.Windows = ws[rp.Request.ID]
			if err := fn(rp); err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
}

// openPlanPage is how many open requests EachOpenPlan reads at a time
// (tests lower it).
var openPlanPage = 1000
