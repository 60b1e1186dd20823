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

// Batch states.
const (
	BatchDraft   = "draft"   // created, nothing sent
	BatchSending = "sending" // being sent (a background job resumes it after a restart)
	BatchPaused  = "paused"  // stopped by a failure or by hand; resumable
	BatchDone    = "done"    // every request sent
)

// Batch is a campaign: the same request to many authorities, one request each.
type Batch struct {
	ID              int64     `json:"id"`
	Title           string    `json:"title"`
	Subject         string    `json:"subject,omitempty"`
	Body            string    `json:"body"` // the request text, with fields ({{.Authority}})
	Tags            []string  `json:"tags"`
	ThrottleSeconds int       `json:"throttle_seconds"`
	State           string    `json:"state"`
	LastError       string    `json:"last_error,omitempty"`
	CreatedBy       string    `json:"created_by"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	Size            int       `json:"size"` // number of requests
}

// Validate checks a batch before it is stored.
func (b *Batch) Validate() error {
	var v tracker.ValidationError
	b.Title = strings.TrimSpace(b.Title)
	if b.Title == "" {
		v.Add("title", "a title is required")
	} else if len(b.Title) > 300 {
		v.Add("title", "at most 300 characters")
	}
	if strings.TrimSpace(b.Body) == "" {
		v.Add("body", "the request text is required")
	} else if len(b.Body) > 100_000 {
		v.Add("body", "at most 100,000 characters")
	}
	if b.ThrottleSeconds < 0 || b.ThrottleSeconds > 3600 {
		v.Add("throttle_seconds", "between 0 and 3600 seconds")
	}
	b.Tags = tracker.NormalizeTags(b.Tags)
	return v.Err()
}

const batchColumns = `b.id, b.title, b.subject, b.body, b.tags, b.throttle_seconds, b.state, b.last_error, b.created_by, b.created_at,
	b.updated_at, (SELECT count(*) FROM batch_requests m WHERE m.batch_id = b.id)`

func scanBatch(sc interface{ Scan(...any) error }) (Batch, error) {
	var b Batch
	var tags, created, updated string
	err := sc.Scan(&b.ID, &b.Title, &b.Subject, &b.Body, &tags, &b.ThrottleSeconds, &b.State, &b.LastError, &b.CreatedBy,
		&created, &updated, &b.Size)
	b.Tags, b.CreatedAt, b.UpdatedAt = parseList(tags), parseTS(created), parseTS(updated)
	return b, err
}

// BatchRequestText renders a batch's text for one authority (the caller's
// template engine); it returns the request's title and body.
type BatchRequestText func(a tracker.Authority) (title, body string, err error)

// CreateBatch stores the batch and one draft request per authority, owned by
// ownerID (0: nobody), all in one transaction: a bad authority leaves nothing
// behind. Each request gets the authority's own law, a reply address and a
// reference of its own.
func (s *Store) CreateBatch(ctx context.Context, b *Batch, authorityIDs []int64, ownerID int64, text BatchRequestText) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if len(authorityIDs) == 0 {
		return &tracker.Error{Code: tracker.EINVALID, Message: "choose at least one authority", Fields: map[string]string{"authorities": "choose at least one"}}
	}
	seen := map[int64]bool{}
	return s.Update(ctx, func(tx *Tx) error {
		b.State, b.CreatedBy, b.CreatedAt, b.UpdatedAt = BatchDraft, tx.actor, tx.now, tx.now
		res, err := tx.ExecContext(tx.ctx, `INSERT INTO batches (title, subject, body, tags, throttle_seconds, state, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.Title, b.Subject, b.Body, jsonList(b.Tags), b.ThrottleSeconds, b.State, b.CreatedBy,
			ts(b.CreatedAt), ts(b.UpdatedAt))
		if err != nil {
			return fmt.Errorf("store: unable to create batch: %w", err)
		}
		b.ID, _ = res.LastInsertId()
		pos := 0
		for _, aid := range authorityIDs {
			if seen[aid] {
				continue // one request per authority
			}
			seen[aid] = true
			a, err := tx.authorityByID(aid)
			if tracker.ErrorCode(err) == tracker.ENOTFOUND {
				return &tracker.Error{Code: tracker.EINVALID, Message: fmt.Sprintf("authority %d does not exist", aid),
					Fields: map[string]string{"authorities": "no such authority"}}
			} else if err != nil {
				return fmt.Errorf("store: unable to read authority: %w", err)
			}
			title, body, err := text(a)
			if err != nil {
				return err
			}
			r := tracker.Request{Title: title, Body: body, AuthorityID: a.ID, Tags: b.Tags}
			if err := r.Validate(); err != nil {
				return fmt.Errorf("%s: %w", a.Name, err)
			}
			if err := tx.createRequest(&r); err != nil {
				return err
			}
			if ownerID != 0 {
				if err := tx.SetRequestOwner(r.ID, ownerID); err != nil {
					return err
				}
			}
			pos++
			if _, err := tx.ExecContext(tx.ctx, `INSERT INTO batch_requests (batch_id, request_id, position) VALUES (?, ?, ?)`,
				b.ID, r.ID, pos); err != nil {
				return fmt.Errorf("store: unable to add request to batch: %w", err)
			}
		}
		b.Size = pos
		return tx.Audit("create", "batch", b.ID, nil, b)
	})
}

// BatchByID returns one batch.
func (s *Store) BatchByID(ctx context.Context, id int64) (Batch, error) {
	b, err := scanBatch(s.r.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM batches b WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, notFound("batch", id)
	} else if err != nil {
		return b, fmt.Errorf("store: unable to read batch %d: %w", id, err)
	}
	return b, nil
}

// Batches lists batches, newest first; state "" for all.
func (s *Store) Batches(ctx context.Context, state string) ([]Batch, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+batchColumns+` FROM batches b WHERE (? = '' OR b.state = ?) ORDER BY b.id DESC`, state, state)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list batches: %w", err)
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read batch: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// SetBatchState records where the sending of a batch stands.
func (s *Store) SetBatchState(ctx context.Context, id int64, state, lastError string) error {
	return s.Update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(tx.ctx, `UPDATE batches SET state = ?, last_error = ?, updated_at = ? WHERE id = ?`, state, lastError, ts(tx.now), id)
		if err != nil {
			return fmt.Errorf("store: unable to update batch: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("batch", id)
		}
		return tx.Audit("state", "batch", id, nil, map[string]string{"state": state, "error": lastError})
	})
}

// Send states of a request in a batch, derived from its history and its
// outgoing mail: nothing is kept twice.
const (
	MemberNotSent = "not_sent"
	MemberSending = "sending" // handed to the server, no answer recorded yet
	MemberSent    = "sent"
	MemberFailed  = "failed"  // the last try failed: see SendError
	MemberDropped = "dropped" // withdrawn or closed before it was sent: skipped
)

// BatchMember is one request of a batch with its history and how its
// sending stands.
type BatchMember struct {
	Position  int             `json:"position"`
	Request   tracker.Request `json:"request"`
	Events    []tracker.Event `json:"events"`
	SendState string          `json:"send_state"`
	SendError string          `json:"send_error,omitempty"`
	// OutgoingID is the last outgoing copy of the request letter (0: none).
	OutgoingID int64 `json:"outgoing_id,omitempty"`
	// Interrupted: the send stopped midway (the process died) and nobody
	// knows whether the server accepted it; a person resolves it on the
	// request's letters page. SendState stays MemberSending.
	Interrupted bool `json:"interrupted,omitempty"`
}

// BatchMembers lists a batch's requests in order, with their histories.
func (s *Store) BatchMembers(ctx context.Context, batchID int64) ([]BatchMember, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT request_id, position FROM batch_requests WHERE batch_id = ? ORDER BY position`, batchID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list batch requests: %w", err)
	}
	var ids []int64
	pos := map[int64]int{}
	for rows.Next() {
		var id int64
		var p int
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read batch request: %w", err)
		}
		ids = append(ids, id)
		pos[id] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to list batch requests: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	reqs, err := s.Requests(ctx, RequestFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	byID := map[int64]tracker.Request{}
	for _, r := range reqs {
		byID[r.ID] = r
	}
	outgoing, err := s.OutgoingMessages(ctx, OutgoingFilter{RequestIDs: ids, Purpose: "request"})
	if err != nil {
		return nil, err
	}
	last := map[int64]OutgoingMessage{}
	for _, m := range outgoing { // oldest first: the last one wins
		last[m.RequestID] = m
	}
	out := make([]BatchMember, 0, len(ids))
	for _, id := range ids {
		r, ok := byID[id]
		if !ok {
			continue
		}
		events, err := s.Events(ctx, id)
		if err != nil {
			return nil, err
		}
		m := BatchMember{Position: pos[id], Request: r, Events: events, SendState: MemberNotSent}
		if o, ok := last[id]; ok {
			m.OutgoingID = o.ID
			switch o.State {
			case OutQueued:
				m.SendState = MemberSending
				if o.Interrupted {
					m.Interrupted = true
					m.SendError = fmt.Sprintf("interrupted while being sent (%s UTC): we do not know whether the server accepted it; "+
						"mark it sent or send it again on the request's letters page", o.AttemptedAt().UTC().Format("2006-01-02 15:04"))
				}
			case OutSendFailed:
				m.SendState, m.SendError = MemberFailed, o.Error
			case OutSent:
				m.SendState = MemberSent
			}
		}
		switch {
		case m.SendState == MemberSending:
		case !r.SentOn.IsZero():
			// Sent by hand (or recorded so) counts as sent too.
			m.SendState, m.SendError = MemberSent, ""
		case r.Status != tracker.StatusDraft:
			m.SendState = MemberDropped
		}
		out = append(out, m)
	}
	return out, nil
}

// BatchOfRequest returns the batch a request belongs to (0 when none).
func (s *Store) BatchOfRequest(ctx context.Context, requestID int64) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT batch_id FROM batch_requests WHERE request_id = ?`, requestID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("store: unable to read batch of request: %w", err)
	}
	return id, nil
}
