package store

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// In a batch (UpdateBatch) SetMailProcessed keeps its UPDATE back, and the
// kept ones are written together, up to 128 messages a statement: inside a
// transaction every statement that writes the search index makes it flush
// what it holds (and journal the pages it touches), so one UPDATE per
// message was most of the cost of filing a batch. Nothing reads a row out
// of date: the kept rows are written before any statement that names
// mail_messages runs (flushMailFor), before a savepoint, and before the
// derived fields and the commit; RequestForMessageIDs, which matching asks
// for every message, looks at the kept rows itself instead.

// keptMail is a processed message a batch has not written yet.
type keptMail struct {
	id        int64
	messageID string // as processing set it
	state     string
	requestID int64
	values    []any // the row of mailKeptUpdate's VALUES
}

const (
	mailKeptHead = `UPDATE mail_messages SET message_id = v.column2, in_reply_to = v.column3, refs = v.column4,
		subject = v.column5, from_addr = v.column6, from_name = v.column7, to_addrs = v.column8, cc_addrs = v.column9,
		sent_at = v.column10, date_header = v.column11, received_chain = v.column12, dkim = v.column13,
		request_id = v.column14, match_rule = v.column15, state = v.column16, error = v.column17,
		classification = v.column18, proposal_state = v.column19, warnings = v.column20, text_body = v.column21,
		html_body = v.column22, processed_at = v.column23
	FROM (VALUES `
	mailKeptRow  = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	mailKeptCols = 25
	// The row is written only as processing read it (its state and
	// request), as SetMailProcessed's own UPDATE.
	mailKeptTail = `) AS v
	WHERE mail_messages.id = v.column1 AND mail_messages.state = v.column24
	  AND COALESCE(mail_messages.request_id, 0) = v.column25`
)

// flushMailFor writes the kept rows before query when it names
// mail_messages.
func (tx *Tx) flushMailFor(query string) error {
	if len(tx.mailKept) == 0 || !strings.Contains(query, "mail_messages") {
		return nil
	}
	return tx.flushMailProcessed()
}

// flushMailProcessed writes the rows kept back. A row changed meanwhile
// (another process filed it first) fails the whole batch with ECONFLICT,
// as SetMailProcessed fails.
func (tx *Tx) flushMailProcessed() error {
	if len(tx.mailKept) == 0 {
		return nil
	}
	kept := tx.mailKept
	tx.mailKept = nil
	var args []any
	for _, k := range kept {
		args = append(args, k.values...)
	}
	var written int64
	for n := 128; len(args) > 0; n /= 2 {
		for len(args) >= n*mailKeptCols {
			q := mailKeptHead + mailKeptRow + strings.Repeat(", "+mailKeptRow, n-1) + mailKeptTail
			var res sql.Result
			var err error
			if st := tx.s.stmts.get(q); st != nil {
				res, err = tx.Tx.StmtContext(tx.ctx, st).ExecContext(tx.ctx, args[:n*mailKeptCols]...)
			} else {
				res, err = tx.Tx.ExecContext(tx.ctx, q, args[:n*mailKeptCols]...)
			}
			if err != nil {
				return fmt.Errorf("store: unable to record processed message: %w", err)
			}
			m, _ := res.RowsAffected()
			written += m
			args = args[n*mailKeptCols:]
		}
	}
	if written != int64(len(kept)) {
		return tracker.Errorf(tracker.ECONFLICT, "%d of %d messages changed while they were processed", int64(len(kept))-written, len(kept))
	}
	return nil
}
