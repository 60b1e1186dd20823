package store

import (
	"fmt"

	"github.com/foitrack/foitrack/tracker"
)

// Moving a filed message: an editor filed it on the wrong request, or it was
// matched wrongly. The message leaves its request with everything that came
// from it there: the events recorded from it (an acknowledgement recorded
// automatically, a proposal confirmed) are deleted from that request's
// history, and its documents go with it to the new request (or, back to the
// holding pen, are deleted: they are made again from the raw mail when it is
// filed). Every step is audited.

// DetachMail takes a filed message off its request, in the caller's
// transaction: it is back in the holding pen (unmatched, no proposal) and
// the events recorded from it are deleted from the request's history (an
// ECONFLICT error when the history does not hold without them: later events
// depend on them). Its documents are the caller's to move or delete (see
// MoveMailDocuments, DeleteMailDocuments). It returns the row as it was.
func (tx *Tx) DetachMail(id int64) (MailMessage, error) {
	m, err := tx.mailByID(id)
	if err != nil {
		return m, err
	}
	if m.Direction != "in" {
		return m, tracker.Errorf(tracker.ECONFLICT, "message %d is one we sent: it stays with its request", id)
	}
	if m.RequestID == 0 {
		return m, tracker.Errorf(tracker.ECONFLICT, "message %d is not filed on a request (file it from the holding pen)", id)
	}
	if m.State == MailNew {
		return m, tracker.Errorf(tracker.ECONFLICT, "message %d is still being processed; try again in a moment", id)
	}
	rows, err := tx.QueryContext(tx.ctx, `SELECT id FROM request_events WHERE message_id = ? AND request_id = ? ORDER BY date DESC, id DESC`, id, m.RequestID)
	if err != nil {
		return m, fmt.Errorf("store: unable to list the events of message %d: %w", id, err)
	}
	var events []int64
	for rows.Next() {
		var e int64
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return m, fmt.Errorf("store: unable to read event: %w", err)
		}
		events = append(events, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m, fmt.Errorf("store: unable to list the events of message %d: %w", id, err)
	}
	for _, e := range events {
		if err := tx.deleteEvent(m.RequestID, e); err != nil {
			if tracker.ErrorCode(err) == tracker.ECONFLICT {
				return m, tracker.Errorf(tracker.ECONFLICT, "an event recorded from this message cannot leave the history of %s: %s", m.RequestOurRef, tracker.ErrorMessage(err))
			}
			return m, err
		}
	}
	state := MailUnmatched // back in the holding pen…
	if m.State == MailFailed || m.State == MailOverLimit {
		state = m.State // …unless it could not be read: it says so still
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE mail_messages SET request_id = NULL, match_rule = '', state = ?, proposal_state = '' WHERE id = ?`,
		state, id); err != nil {
		return m, fmt.Errorf("store: unable to take message %d off its request: %w", id, err)
	}
	if err := tx.RefreshRequest(m.RequestID); err != nil {
		return m, err
	}
	return m, tx.Audit("detach", "mail_message", id, mailAuditView(m),
		map[string]any{"state": state, "request_id": 0, "match_rule": "", "error": m.Error, "proposal_state": "", "events_deleted": len(events)})
}

// MoveMailDocuments moves the documents that came from message id to
// request toRequestID, with their exemption claims, and returns how many.
func (tx *Tx) MoveMailDocuments(id, toRequestID int64) (int, error) {
	docs, err := tx.mailDocumentIDs(id)
	if err != nil {
		return 0, err
	}
	for _, d := range docs {
		before, err := tx.documentByID(d)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE documents SET request_id = ? WHERE id = ?`, toRequestID, d); err != nil {
			return 0, fmt.Errorf("store: unable to move document %d: %w", d, err)
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE exemption_claims SET request_id = ? WHERE document_id = ?`, toRequestID, d); err != nil {
			return 0, fmt.Errorf("store: unable to move the exemptions of document %d: %w", d, err)
		}
		after, err := tx.documentByID(d)
		if err != nil {
			return 0, err
		}
		if err := tx.Audit("update", "document", d, before, after); err != nil {
			return 0, err
		}
	}
	return len(docs), nil
}

// DeleteMailDocuments deletes the documents that came from message id (as
// DeleteDocument does: their links and publication too) and returns how
// many. Their files stay: they are the raw mail's too.
func (tx *Tx) DeleteMailDocuments(id int64) (int, error) {
	docs, err := tx.mailDocumentIDs(id)
	if err != nil {
		return 0, err
	}
	for _, d := range docs {
		if _, err := tx.deleteDocument(d); err != nil {
			return 0, err
		}
	}
	return len(docs), nil
}

func (tx *Tx) mailDocumentIDs(id int64) ([]int64, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT id FROM documents WHERE message_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the documents of message %d: %w", id, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("store: unable to read document: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
