package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

const eventColumns = `id, request_id, kind, date, outcome, new_due_date, reason, note, exemptions, message_id, created_by, created_at`

func scanEvent(sc interface{ Scan(...any) error }) (tracker.Event, error) {
	var e tracker.Event
	var kind, exemptions, created string
	var msg sql.NullInt64
	err := sc.Scan(&e.ID, &e.RequestID, &kind, &e.Date, &e.Outcome, &e.NewDueDate, &e.Reason, &e.Note, &exemptions, &msg, &e.CreatedBy, &created)
	e.Kind, e.Exemptions, e.MessageID, e.CreatedAt = tracker.EventKind(kind), parseList(exemptions), msg.Int64, parseTS(created)
	return e, err
}

func queryEvents(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, requestID int64) ([]tracker.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM request_events WHERE request_id = ? ORDER BY date, id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list events: %w", err)
	}
	defer rows.Close()
	var out []tracker.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read event: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Events returns a request's history in the order it happened.
func (s *Store) Events(ctx context.Context, requestID int64) ([]tracker.Event, error) {
	return queryEvents(ctx, s.r, requestID)
}

// AddEvent records a lifecycle event. The whole history with the new event
// must replay without an illegal transition (events may be back-dated, so it
// is the history that is checked, not just the last step); the request's
// status and due date are recomputed in the same transaction.
func (s *Store) AddEvent(ctx context.Context, e *tracker.Event) error {
	return s.Update(ctx, func(tx *Tx) error {
		r, err := tx.requestByID(e.RequestID)
		if err != nil {
			return err
		}
		return tx.addEvent(&r, e)
	})
}

// AddEvent is the in-transaction form, for callers (mail ingest) that record
// an event together with other rows.
func (tx *Tx) AddEvent(e *tracker.Event) error {
	if k := tx.keptRequestOf(e.RequestID); k != nil {
		// Kept back (requests_kept.go): its law is all there is to read.
		r := tracker.Request{ID: e.RequestID, Law: k.r.Law}
		return tx.addEvent(&r, e)
	}
	if c, ok := tx.created[e.RequestID]; ok && tx.batch {
		// A request this batch created: in a batch, adding an event
		// reads nothing of the request but its id and law (the status
		// before comes from the replayed history, the rest is worked
		// out before the commit).
		r := tracker.Request{ID: e.RequestID, Law: c.law}
		return tx.addEvent(&r, e)
	}
	r, err := tx.requestByID(e.RequestID)
	if err != nil {
		return err
	}
	return tx.addEvent(&r, e)
}

func (tx *Tx) addEvent(r *tracker.Request, e *tracker.Event) error {
	var err error
	if e.Exemptions, err = tracker.NormalizeExemptionCodes(r.Law, e.Exemptions); err != nil {
		return err
	}
	history, err := tx.eventsOf(r.ID)
	if err != nil {
		return err
	}
	// Known again below only once the event is written with everything
	// else (a caller may roll a failure back to a savepoint).
	known := tx.forgetEvents(r.ID)
	statusBefore := r.Status
	if tx.batch {
		// The stored status may be behind (worked out at the commit):
		// the history before this event says what it is.
		if st, err := tracker.Replay(history); err == nil {
			statusBefore = st.Status
		}
	}
	history = append(history, *e)
	tracker.SortEvents(history)
	replayed, err := tracker.Replay(history)
	if err != nil {
		return err
	}
	e.CreatedBy, e.CreatedAt = tx.actor, tx.now
	var msg any
	if e.MessageID != 0 {
		msg = e.MessageID
	}
	if k := tx.keptRequestOf(r.ID); k != nil {
		if e.ID, err = tx.keepEvent(k, *e); err != nil {
			return err
		}
	} else {
		res, err := tx.ExecContext(tx.ctx, `
			INSERT INTO request_events (request_id, kind, date, outcome, new_due_date, reason, note, exemptions, message_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, e.Kind, e.Date, e.Outcome, e.NewDueDate, e.Reason, e.Note, jsonList(e.Exemptions), msg, e.CreatedBy, ts(e.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: unable to record event: %w", err)
		}
		e.ID, _ = res.LastInsertId()
	}
	stored := storedEvent(*e, r.ID)
	if err := tx.claimExemptions(*r, "event_id", e.ID, e.Exemptions); err != nil {
		return err
	}
	if err := tx.Audit("event", "request", r.ID, nil, e); err != nil {
		return err
	}
	var after tracker.Request
	if tx.batch {
		// The rest is worked out once, before the commit; what the
		// caller reads back now is what the replay gives.
		tx.refreshLater(r.ID)
		after = *r
		after.Status, after.Outcome, after.SentOn, after.UpdatedAt = replayed.Status, replayed.Outcome, replayed.SentOn, tx.now
	} else if after, err = tx.refreshRequest(r.ID); err != nil {
		return err
	}
	if after.Status != statusBefore {
		if err := tx.Audit("status", "request", r.ID, statusBefore, after.Status); err != nil {
			return err
		}
	}
	*r = after
	if known != nil {
		known.history = append(known.history, stored)
		tracker.SortEvents(known.history)
		tx.created[r.ID] = known
	}
	return nil
}

// eventsOf is a request's history as queryEvents reads it: in a batch, for
// a request created in it, from what the batch wrote.
func (tx *Tx) eventsOf(id int64) ([]tracker.Event, error) {
	if k := tx.keptRequestOf(id); k != nil {
		return k.keptHistory(), nil
	}
	if c, ok := tx.created[id]; ok {
		return slices.Clone(c.history), nil
	}
	return queryEvents(tx.ctx, tx, id)
}

// forgetEvents leaves request id out of those the batch knows (it is read
// until known again) and returns what was known, or nil.
func (tx *Tx) forgetEvents(id int64) *createdRequest {
	c := tx.created[id]
	delete(tx.created, id)
	return c
}

// storedEvent is e as scanEvent reads back the row addEvent writes for it.
func storedEvent(e tracker.Event, requestID int64) tracker.Event {
	e.RequestID = requestID
	e.Exemptions = parseList(jsonList(e.Exemptions))
	e.CreatedAt = parseTS(ts(e.CreatedAt))
	return e
}

// DeleteEvent removes a mistaken event, if the history still replays without it.
func (s *Store) DeleteEvent(ctx context.Context, requestID, eventID int64) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.deleteEvent(requestID, eventID) })
}

// deleteEvent is DeleteEvent in the caller's transaction.
func (tx *Tx) deleteEvent(requestID, eventID int64) error {
	tx.forgetEvents(requestID)
	history, err := queryEvents(tx.ctx, tx, requestID)
	if err != nil {
		return err
	}
	var gone *tracker.Event
	var rest []tracker.Event
	for i := range history {
		if history[i].ID == eventID {
			gone = &history[i]
		} else {
			rest = append(rest, history[i])
		}
	}
	if gone == nil {
		return notFound("event", eventID)
	}
	if _, err := tracker.Replay(rest); err != nil {
		// Name the event that depends on it, in words.
		st := tracker.State{Status: tracker.StatusDraft}
		for _, e := range rest {
			next, err := tracker.Apply(st, e)
			if err != nil {
				return tracker.Errorf(tracker.ECONFLICT, "This %s of %s cannot be deleted: the later %s of %s depends on it. Delete the later events first, newest first.",
					strings.ToLower(gone.Kind.Label()), gone.Date.Long(), strings.ToLower(e.Kind.Label()), e.Date.Long())
			}
			st = next
		}
		return tracker.Errorf(tracker.ECONFLICT, "This %s of %s cannot be deleted: the history would not hold without it.",
			strings.ToLower(gone.Kind.Label()), gone.Date.Long())
	}
	if _, err := tx.ExecContext(tx.ctx, `DELETE FROM request_events WHERE id = ?`, eventID); err != nil {
		return fmt.Errorf("store: unable to delete event: %w", err)
	}
	if err := tx.Audit("delete_event", "request", requestID, gone, nil); err != nil {
		return err
	}
	return tx.refreshLater(requestID)
}

// refreshLater is refreshRequest for a caller that does not read the
// result: in a batch (UpdateBatch) it is done once per request, before the
// commit.
func (tx *Tx) refreshLater(id int64) error {
	if tx.later(id, true) {
		return nil
	}
	_, err := tx.refreshRequest(id)
	return err
}

// deriveLater is derive for a caller that does not read the result.
func (tx *Tx) deriveLater(id int64) error {
	if tx.later(id, false) {
		return nil
	}
	_, err := tx.derive(id)
	return err
}

// later notes, in a batch, that request id's derived fields (and, with
// touch, its updated_at) are to be worked out before the commit, and says
// whether it did.
func (tx *Tx) later(id int64, touch bool) bool {
	if !tx.batch {
		return false
	}
	if tx.dirty == nil {
		tx.dirty = map[int64]bool{}
	}
	t, seen := tx.dirty[id]
	if !seen {
		tx.order = append(tx.order, id)
	}
	tx.dirty[id] = t || touch
	return true
}

// flushDerived works out what was left for the commit (UpdateBatch), in the
// order the requests were first changed.
func (tx *Tx) flushDerived() error {
	// The requests still kept back are written now, complete: nothing
	// changes them any more.
	var complete map[int64]bool
	for _, k := range tx.reqKept {
		if complete == nil {
			complete = make(map[int64]bool, len(tx.reqKept))
		}
		complete[k.r.ID] = true
	}
	if err := tx.flushKept(); err != nil {
		return err
	}
	if len(tx.order) == 0 {
		return nil
	}
	tx.batch = false
	defer func() { tx.batch = true }()
	order, dirty := tx.order, tx.dirty
	tx.order, tx.dirty = nil, nil
	for _, id := range order {
		if complete[id] {
			continue
		}
		var err error
		if dirty[id] {
			_, err = tx.refreshRequest(id)
		} else {
			_, err = tx.derive(id)
		}
		if tracker.ErrorCode(err) == tracker.ENOTFOUND {
			// Gone since it changed (created after a savepoint rolled
			// back, or deleted): nothing of it to work out.
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// refreshRequest recomputes the fields derived from the history and the
// proposals (status, outcome, sent date, due date in force, next action and
// windows), stores them and marks the request updated.
func (tx *Tx) refreshRequest(id int64) (tracker.Request, error) {
	r, err := tx.derive(id)
	if err != nil {
		return r, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE requests SET updated_at = ? WHERE id = ?`, ts(tx.now), id); err != nil {
		return r, fmt.Errorf("store: unable to update request: %w", err)
	}
	return r, nil
}

// derive recomputes and stores what derives from a request's history and
// proposals (tracker.ComputeDerived), without touching updated_at (a
// recomputation is not an edit). Only what differs from the stored
// standing is written (storeStanding).
func (tx *Tx) derive(id int64) (tracker.Request, error) {
	r, err := tx.requestByID(id)
	if err != nil {
		return r, err
	}
	history, err := tx.eventsOf(id)
	if err != nil {
		return r, err
	}
	var pending []tracker.PendingReply
	if !tx.s.noPlans {
		if _, ok := tracker.LawByCode(r.Law); ok {
			if pending, err = tx.pendingReplies(id); err != nil {
				return r, err
			}
		}
	}
	d, err := deriveStanding(&r, history, pending)
	if err != nil {
		return r, err
	}
	st := d.st
	if tx.s.noPlans || tx.s.noHash {
		// A database at a schema version before the stored standing's
		// fingerprint (only tests open one): the columns all of them have.
		_, err = tx.ExecContext(tx.ctx, `UPDATE requests SET status = ?, outcome = ?, sent_on = ?, due_date = ? WHERE id = ?`,
			r.Status, r.Outcome, r.SentOn, r.DueDate, id)
		if err == nil && !tx.s.noFigures {
			f := st.Figures
			_, err = tx.ExecContext(tx.ctx, `UPDATE requests SET first_outcome = ?, review_days = ?, review_outcome = ?, regulator_outcome = ?
				WHERE id = ?`, f.FirstOutcome, f.ReviewDays, f.ReviewOutcome, f.RegulatorOutcome, id)
		}
		if err != nil {
			return r, fmt.Errorf("store: unable to update request status: %w", err)
		}
		return r, nil
	}
	var stored storedFingerprints
	if err := tx.QueryRowContext(tx.ctx, `SELECT plan_hash, plan_version, `+tx.s.planInputsColumn()+`, `+tx.s.planReadColumns()+` FROM requests WHERE id = ?`, id).Scan(
		&stored.hash, &stored.version, &stored.inputs, &stored.readFrom, &stored.readTo); err != nil {
		return r, fmt.Errorf("store: unable to read request %d: %w", id, err)
	}
	_, err = tx.storeStanding(id, d.row, d.hash, d.inputs, st.Read, stored)
	return r, err
}

// derived is what derives from a request's history and proposals, as
// stored: the fields, the standing's row and its fingerprints.
type derived struct {
	st     tracker.Derived
	row    storedStanding
	hash   int64 // row.hash()
	inputs int64 // tracker.InputsFingerprint
}

// deriveStanding works out what derives from r's history and pending
// replies and sets r's status, outcome, sent and due dates from it: the
// computing half of derive, which stores it with an UPDATE, and of a batch
// writing a request it created complete (flushRequestSide).
func deriveStanding(r *tracker.Request, history []tracker.Event, pending []tracker.PendingReply) (derived, error) {
	law, ok := tracker.LawByCode(r.Law)
	if !ok {
		if _, err := tracker.Replay(history); err != nil {
			return derived{}, err
		}
		return derived{}, tracker.Errorf(tracker.EINVALID, "unknown law %q", r.Law)
	}
	st, err := tracker.ComputeDerived(law, history, pending)
	if err != nil {
		return derived{}, err
	}
	r.Status, r.Outcome, r.SentOn, r.DueDate = st.Status, st.Outcome, st.SentOn, st.DueDate
	row := standingRow(st)
	return derived{st: st, row: row, hash: row.hash(), inputs: tracker.InputsFingerprint(r.Law, history, pending)}, nil
}

// EventByID returns one event.
func (s *Store) EventByID(ctx context.Context, id int64) (tracker.Event, error) {
	e, err := scanEvent(s.r.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM request_events WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, notFound("event", id)
	} else if err != nil {
		return e, fmt.Errorf("store: unable to read event: %w", err)
	}
	return e, nil
}

// claimExemptions records each code as claimed on the request's event or
// document (column is event_id or document_id), for the statistics.
func (tx *Tx) claimExemptions(r tracker.Request, column string, id int64, codes []string) error {
	if tx.keptRequestOf(r.ID) != nil {
		for _, code := range codes {
			event, document := any(id), any(nil)
			if column == "document_id" {
				event, document = nil, id
			}
			tx.claimsKept.args = append(tx.claimsKept.args, r.ID, event, document, r.Law, code)
		}
		return nil
	}
	for _, code := range codes {
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO exemption_claims (request_id, `+column+`, law, code) VALUES (?, ?, ?, ?)`,
			r.ID, id, r.Law, code); err != nil {
			return fmt.Errorf("store: unable to record exemption claim: %w", err)
		}
	}
	return nil
}
