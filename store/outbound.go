package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// States of an outgoing mail_messages row.
const (
	OutQueued     = "queued"      // written, being handed to the SMTP server
	OutSent       = "sent"        // the server accepted it
	OutSendFailed = "send_failed" // the server refused it or could not be reached: retryable
)

// SendInterruptedAfter is how long after its last attempt a message may stay
// queued (or a reminder email sending) before it counts as interrupted: the
// process handing it over died (kill -9, a power cut) and nobody knows
// whether the server accepted it. It is never re-sent on its own; a person
// resolves it. One SMTP conversation times out after a minute, so a live send
// is never taken for an interrupted one.
const SendInterruptedAfter = 15 * time.Minute

// OutgoingMessage is a mail foitrack sends to an authority: the mail_messages
// row (direction 'out') that keeps the raw message in the request's history,
// with its outbound_sends row.
type OutgoingMessage struct {
	ID           int64     `json:"id"`
	RequestID    int64     `json:"request_id"`
	Purpose      string    `json:"purpose"` // request, chaser, internal_review, regulator_complaint
	MessageID    string    `json:"message_id"`
	InReplyTo    string    `json:"in_reply_to,omitempty"`
	References   []string  `json:"references,omitempty"`
	Subject      string    `json:"subject"`
	From         string    `json:"from"`
	FromName     string    `json:"from_name,omitempty"`
	To           []string  `json:"to"`
	Cc           []string  `json:"cc,omitempty"`
	EnvelopeFrom string    `json:"envelope_from"`
	Recipients   []string  `json:"recipients"`
	RawSHA256    string    `json:"raw_sha256"`
	RawSize      int64     `json:"raw_size"`
	TextBody     string    `json:"text_body"`
	State        string    `json:"state"`
	Error        string    `json:"error,omitempty"`
	Attempts     int       `json:"attempts"`
	LastAttempt  time.Time `json:"last_attempt_at,omitzero"`
	SentAt       time.Time `json:"sent_at,omitzero"`
	EventID      int64     `json:"event_id,omitempty"`
	CreatedBy    string    `json:"created_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	// Interrupted: queued for longer than SendInterruptedAfter since it was
	// last handed to the server (set when read, on the store's clock).
	Interrupted bool `json:"interrupted,omitempty"`
}

// AttemptedAt is when the message was last handed to the server (when it
// was queued if it never was).
func (m OutgoingMessage) AttemptedAt() time.Time {
	if !m.LastAttempt.IsZero() {
		return m.LastAttempt
	}
	return m.CreatedAt
}

// interruptedAt reports whether the message counts as interrupted at now.
func (m OutgoingMessage) interruptedAt(now time.Time) bool {
	return m.State == OutQueued && now.Sub(m.AttemptedAt()) > SendInterruptedAfter
}

const outgoingColumns = `m.id, o.request_id, o.purpose, m.message_id, m.in_reply_to, m.refs, m.subject, m.from_addr, m.from_name,
	m.to_addrs, m.cc_addrs, o.envelope_from, o.recipients, m.raw_sha256, m.raw_size, m.text_body, m.state, m.error,
	o.attempts, o.last_attempt_at, m.sent_at, o.event_id, o.created_by, m.created_at`

func scanOutgoing(sc interface{ Scan(...any) error }) (OutgoingMessage, error) {
	var m OutgoingMessage
	var refs, to, cc, rcpts, created string
	var raw, last, sent sql.NullString
	var event sql.NullInt64
	err := sc.Scan(&m.ID, &m.RequestID, &m.Purpose, &m.MessageID, &m.InReplyTo, &refs, &m.Subject, &m.From, &m.FromName,
		&to, &cc, &m.EnvelopeFrom, &rcpts, &raw, &m.RawSize, &m.TextBody, &m.State, &m.Error,
		&m.Attempts, &last, &sent, &event, &m.CreatedBy, &created)
	m.References, m.To, m.Cc, m.Recipients = parseList(refs), parseList(to), parseList(cc), parseList(rcpts)
	m.RawSHA256, m.EventID, m.CreatedAt = raw.String, event.Int64, parseTS(created)
	if last.Valid {
		m.LastAttempt = parseTS(last.String)
	}
	if sent.Valid {
		m.SentAt = parseTS(sent.String)
	}
	return m, err
}

// CreateOutgoing records a composed message as queued, with its raw bytes
// already in the blob store (WriteBlob). It refuses a second message of the
// same purpose for a request while one is still being handed to the server,
// so that two clicks on "send" cannot send twice.
func (s *Store) CreateOutgoing(ctx context.Context, m *OutgoingMessage) error {
	return s.Update(ctx, func(tx *Tx) error {
		var busy int64
		err := tx.QueryRowContext(tx.ctx, `SELECT m.id FROM outbound_sends o JOIN mail_messages m ON m.id = o.message_id
			WHERE o.request_id = ? AND o.purpose = ? AND m.state = ? LIMIT 1`, m.RequestID, m.Purpose, OutQueued).Scan(&busy)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: unable to check outgoing mail: %w", err)
		}
		if busy != 0 {
			if cur, err := tx.outgoing(busy); err == nil && cur.Interrupted {
				return tracker.Errorf(tracker.ECONFLICT, "the last %s for this request was interrupted while being sent: "+
					"mark it sent or send it again on the request's letters page first", m.Purpose)
			}
			return tracker.Errorf(tracker.ECONFLICT, "a %s for this request is being sent already", m.Purpose)
		}
		if err := tx.PutBlob(m.RawSHA256, m.RawSize); err != nil {
			return err
		}
		m.State, m.CreatedBy, m.CreatedAt = OutQueued, tx.actor, tx.now
		res, err := tx.ExecContext(tx.ctx, `
			INSERT INTO mail_messages (direction, raw_sha256, raw_size, message_id, in_reply_to, refs, subject, from_addr,
				from_name, to_addrs, cc_addrs, request_id, state, text_body, created_at)
			VALUES ('out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.RawSHA256, m.RawSize, m.MessageID, m.InReplyTo, jsonList(m.References), m.Subject, m.From, m.FromName,
			jsonList(m.To), jsonList(m.Cc), m.RequestID, m.State, m.TextBody, ts(m.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: unable to record outgoing mail: %w", err)
		}
		m.ID, _ = res.LastInsertId()
		if _, err := tx.ExecContext(tx.ctx, `
			INSERT INTO outbound_sends (message_id, request_id, purpose, envelope_from, recipients, created_by)
			VALUES (?, ?, ?, ?, ?, ?)`, m.ID, m.RequestID, m.Purpose, m.EnvelopeFrom, jsonList(m.Recipients), m.CreatedBy); err != nil {
			return fmt.Errorf("store: unable to record outgoing mail: %w", err)
		}
		return tx.Audit("queue", "mail_message", m.ID, nil, map[string]any{
			"request_id": m.RequestID, "purpose": m.Purpose, "message_id": m.MessageID, "to": m.To, "subject": m.Subject,
			"raw_sha256": m.RawSHA256})
	})
}

// ClaimOutgoingRetry moves a failed message back to queued for another try;
// it fails with ECONFLICT when the message is not (or no longer) failed, so
// that two retries at once send it once.
func (s *Store) ClaimOutgoingRetry(ctx context.Context, id int64) (OutgoingMessage, error) {
	var m OutgoingMessage
	err := s.Update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(tx.ctx, `UPDATE mail_messages SET state = ? WHERE id = ? AND direction = 'out' AND state = ?`,
			OutQueued, id, OutSendFailed)
		if err != nil {
			return fmt.Errorf("store: unable to claim outgoing mail: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			cur, err := tx.outgoing(id)
			if err != nil {
				return err
			}
			return tracker.Errorf(tracker.ECONFLICT, "message %d is %s, not failed: nothing to retry", id, cur.State)
		}
		if m, err = tx.outgoing(id); err != nil {
			return err
		}
		return tx.Audit("retry", "mail_message", id, nil, nil)
	})
	return m, err
}

// OutgoingAttempt records that the message is being handed to the server now.
func (s *Store) OutgoingAttempt(ctx context.Context, id int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(tx.ctx, `UPDATE outbound_sends SET attempts = attempts + 1, last_attempt_at = ? WHERE message_id = ?`,
			ts(tx.now), id)
		if err != nil {
			return fmt.Errorf("store: unable to record send attempt: %w", err)
		}
		return nil
	})
}

// MarkOutgoingSent records that the SMTP server accepted the message and, in
// the same transaction, the lifecycle event the sending stands for (nil for
// none). When the event no longer fits the history (someone recorded another
// step meanwhile) the message is still marked sent, because it was, and the
// event's error is returned for the caller to show.
func (s *Store) MarkOutgoingSent(ctx context.Context, id int64, sentAt time.Time, e *tracker.Event) (eventErr error, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		eventErr, err = tx.markOutgoingSent(id, sentAt, e)
		return err
	})
	return eventErr, err
}

func (tx *Tx) markOutgoingSent(id int64, sentAt time.Time, e *tracker.Event) (eventErr error, err error) {
	if _, err := tx.ExecContext(tx.ctx, `UPDATE mail_messages SET state = ?, error = '', sent_at = ? WHERE id = ? AND direction = 'out'`,
		OutSent, ts(sentAt), id); err != nil {
		return nil, fmt.Errorf("store: unable to mark mail sent: %w", err)
	}
	if err := tx.Audit("sent", "mail_message", id, nil, map[string]any{"sent_at": ts(sentAt)}); err != nil {
		return nil, err
	}
	if e == nil {
		return nil, nil
	}
	e.MessageID = id
	if _, err := tx.ExecContext(tx.ctx, `SAVEPOINT outbound_event`); err != nil {
		return nil, fmt.Errorf("store: unable to record event: %w", err)
	}
	if eventErr = tx.AddEvent(e); eventErr != nil {
		if _, err := tx.ExecContext(tx.ctx, `ROLLBACK TO outbound_event`); err != nil {
			return nil, fmt.Errorf("store: unable to record event: %w", err)
		}
		return eventErr, nil
	}
	if _, err := tx.ExecContext(tx.ctx, `RELEASE outbound_event`); err != nil {
		return nil, fmt.Errorf("store: unable to record event: %w", err)
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE outbound_sends SET event_id = ? WHERE message_id = ?`, e.ID, id); err != nil {
		return nil, fmt.Errorf("store: unable to link event: %w", err)
	}
	return nil, nil
}

// interruptedOutgoing reads message id and fails with ECONFLICT unless it is
// interrupted now and was last attempted at attemptedAt (what the person
// resolving it was shown: a retry meanwhile makes their answer stale).
func (tx *Tx) interruptedOutgoing(id int64, attemptedAt time.Time) (OutgoingMessage, error) {
	m, err := tx.outgoing(id)
	if err != nil {
		return m, err
	}
	switch {
	case m.State != OutQueued:
		return m, tracker.Errorf(tracker.ECONFLICT, "message %d is %s now: there is nothing to resolve", id, m.State)
	case !m.Interrupted:
		return m, tracker.Errorf(tracker.ECONFLICT, "message %d may still be being sent: it counts as interrupted %s after its last attempt",
			id, SendInterruptedAfter)
	case !m.AttemptedAt().Equal(attemptedAt):
		return m, tracker.Errorf(tracker.ECONFLICT, "message %d was tried again meanwhile: look at it again", id)
	}
	return m, nil
}

// ResolveInterruptedSent records a person's word that an interrupted message
// did reach the server (they found it in the sent mail, or the authority
// confirmed it): the message is marked sent as of sentAt, its last attempt,
// with the lifecycle event the sending stands for (nil for none), exactly as
// MarkOutgoingSent records an acceptance seen. note (how they know) goes to
// the audit log. It fails with ECONFLICT unless the message is interrupted.
func (s *Store) ResolveInterruptedSent(ctx context.Context, id int64, sentAt time.Time, e *tracker.Event, note string) (eventErr error, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		m, err := tx.interruptedOutgoing(id, sentAt)
		if err != nil {
			return err
		}
		if err := tx.Audit("resolve_sent", "mail_message", id, map[string]any{"state": m.State},
			map[string]any{"attempted_at": ts(sentAt), "note": note}); err != nil {
			return err
		}
		eventErr, err = tx.markOutgoingSent(id, sentAt, e)
		return err
	})
	return eventErr, err
}

// ReleaseInterrupted gives up on an interrupted message's last attempt: it
// becomes failed, and so retryable (ClaimOutgoingRetry), with the reason as
// its error. It fails with ECONFLICT unless the message is interrupted and
// was last attempted at attemptedAt.
func (s *Store) ReleaseInterrupted(ctx context.Context, id int64, attemptedAt time.Time) error {
	return s.Update(ctx, func(tx *Tx) error {
		m, err := tx.interruptedOutgoing(id, attemptedAt)
		if err != nil {
			return err
		}
		reason := fmt.Sprintf("sending was interrupted at %s: it is not known whether the server accepted it", ts(m.AttemptedAt()))
		if _, err := tx.ExecContext(tx.ctx, `UPDATE mail_messages SET state = ?, error = ? WHERE id = ? AND state = ?`,
			OutSendFailed, reason, id, OutQueued); err != nil {
			return fmt.Errorf("store: unable to release outgoing mail: %w", err)
		}
		return tx.Audit("resolve_send_again", "mail_message", id, map[string]any{"state": m.State},
			map[string]any{"state": OutSendFailed, "attempted_at": ts(m.AttemptedAt())})
	})
}

// MarkOutgoingFailed records the server's error; the message can be retried.
func (s *Store) MarkOutgoingFailed(ctx context.Context, id int64, reason string) error {
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	return s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE mail_messages SET state = ?, error = ? WHERE id = ? AND direction = 'out'`,
			OutSendFailed, reason, id); err != nil {
			return fmt.Errorf("store: unable to mark mail failed: %w", err)
		}
		return tx.Audit("send_failed", "mail_message", id, nil, map[string]any{"error": reason})
	})
}

func (tx *Tx) outgoing(id int64) (OutgoingMessage, error) {
	m, err := scanOutgoing(tx.QueryRowContext(tx.ctx, `SELECT `+outgoingColumns+`
		FROM mail_messages m JOIN outbound_sends o ON o.message_id = m.id WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("outgoing message", id)
	} else if err != nil {
		return m, fmt.Errorf("store: unable to read outgoing mail %d: %w", id, err)
	}
	m.Interrupted = m.interruptedAt(tx.now)
	return m, nil
}

// Outgoing returns one outgoing message.
func (s *Store) Outgoing(ctx context.Context, id int64) (OutgoingMessage, error) {
	m, err := scanOutgoing(s.r.QueryRowContext(ctx, `SELECT `+outgoingColumns+`
		FROM mail_messages m JOIN outbound_sends o ON o.message_id = m.id WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("outgoing message", id)
	} else if err != nil {
		return m, fmt.Errorf("store: unable to read outgoing mail %d: %w", id, err)
	}
	m.Interrupted = m.interruptedAt(s.Now())
	return m, nil
}

// OutgoingFilter narrows OutgoingMessages; zero values do not filter.
type OutgoingFilter struct {
	RequestID  int64
	RequestIDs []int64
	Purpose    string
	State      string
	// Interrupted keeps only interrupted messages (queued, and not tried
	// for SendInterruptedAfter).
	Interrupted bool
}

// OutgoingMessages lists outgoing mail, oldest first.
func (s *Store) OutgoingMessages(ctx context.Context, f OutgoingFilter) ([]OutgoingMessage, error) {
	q := `SELECT ` + outgoingColumns + ` FROM mail_messages m JOIN outbound_sends o ON o.message_id = m.id WHERE 1 = 1`
	var args []any
	if f.RequestID != 0 {
		q += ` AND o.request_id = ?`
		args = append(args, f.RequestID)
	}
	if len(f.RequestIDs) > 0 {
		q += ` AND o.request_id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonInts(f.RequestIDs))
	}
	if f.Purpose != "" {
		q += ` AND o.purpose = ?`
		args = append(args, f.Purpose)
	}
	if f.State != "" {
		q += ` AND m.state = ?`
		args = append(args, f.State)
	}
	if f.Interrupted {
		q += ` AND m.state = ?`
		args = append(args, OutQueued)
	}
	now := s.Now()
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list outgoing mail: %w", err)
	}
	defer rows.Close()
	var out []OutgoingMessage
	for rows.Next() {
		m, err := scanOutgoing(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read outgoing mail: %w", err)
		}
		// Timestamps may be written with or without fractions of a second,
		// so their text does not sort as time: the age is checked here.
		if m.Interrupted = m.interruptedAt(now); f.Interrupted && !m.Interrupted {
			continue
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// jsonInts encodes ids as a JSON array for json_each.
func jsonInts(ids []int64) string {
	b := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%d", id)
	}
	return string(append(b, ']'))
}
