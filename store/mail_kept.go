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
// mail_messages runs (flushKeptFor), before a savepoint, and before the
// derived fields and the commit; RequestForMessageIDs, which matching asks
// for every message, looks at the kept rows itself instead.

// A batch keeps InsertProcessedMail's INSERTs back in the same way (with
// their blobs' rows, which the messages name), and writes them, up to 128
// to a statement, before anything that names mail_messages, before a
// savepoint, the derived fields and the commit: a bulk load (dev seed)
// stores about five messages a request, and one statement each was a
// sixth of its writer's time. Each kept row carries the id SQLite would
// have given it: one more than the last (the table's rowid, never reused
// while rows are only inserted).
type keptMailInsert struct {
	values []any // processedMailRow's
	blob   []any // the blobs row, or nil
	// What pendingReplies reads of it (see keptPending).
	requestID      int64
	proposed       bool
	classification string
}

// keepMailInsert keeps back the INSERT of a message fetched and processed
// into pm, and returns the id it is written under.
func (tx *Tx) keepMailInsert(fetched, pm MailMessage) (int64, error) {
	if fetched.RawSHA256 != "" {
		if _, err := tx.s.blobPath(fetched.RawSHA256); err != nil {
			return 0, err
		}
	}
	if len(tx.mailInserts) == 0 {
		var err error
		if tx.mailLastID, err = tx.lastID("mail_messages"); err != nil {
			return 0, err
		}
	}
	tx.mailLastID++
	fetched.ID = tx.mailLastID
	k := keptMailInsert{values: processedMailValues(fetched, pm), requestID: pm.RequestID,
		proposed: pm.ProposalState == "proposed", classification: rawJSON(pm.Classification, "")}
	if fetched.RawSHA256 != "" {
		k.blob = []any{fetched.RawSHA256, fetched.RawSize, ts(tx.now)}
	}
	tx.mailInserts = append(tx.mailInserts, k)
	return fetched.ID, nil
}

// flushMailInserts writes the kept INSERTs (and their blobs first), as
// InsertProcessedMail would have written each, after the requests they may
// name; the processed messages kept back (keptMail) stay kept.
func (tx *Tx) flushMailInserts() error {
	if len(tx.mailInserts) == 0 {
		return nil
	}
	if err := tx.flushRequestSide(); err != nil {
		return err
	}
	inserts, kept := tx.mailInserts, tx.mailKept
	tx.mailInserts, tx.mailKept = nil, nil // the statements below name mail_messages
	defer func() { tx.mailKept = append(kept, tx.mailKept...) }()
	var blobs, rows []any
	for _, k := range inserts {
		blobs = append(blobs, k.blob...)
		rows = append(rows, k.values...)
	}
	if err := tx.insertChunked(`INSERT INTO blobs (sha256, size, created_at) VALUES `, `(?, ?, ?)`, 3,
		` ON CONFLICT (sha256) DO NOTHING`, blobs, nil); err != nil {
		return fmt.Errorf("store: unable to record blob: %w", err)
	}
	if err := tx.insertChunked(processedMailInsert, processedMailRow, processedMailCols, "", rows, nil); err != nil {
		if isUnique(err) {
			return tracker.Errorf(tracker.ECONFLICT, "a message of the batch is stored already: %v", err)
		}
		return fmt.Errorf("store: unable to record mail message: %w", err)
	}
	return nil
}

// flushKept writes every row kept back: the requests and the rows naming
// them, the inserted messages, then the processed ones.
func (tx *Tx) flushKept() error {
	if err := tx.flushRequestSide(); err != nil {
		return err
	}
	if err := tx.flushMailInserts(); err != nil {
		return err
	}
	return tx.flushMailProcessed()
}

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

// flushKeptFor writes the kept rows before query when it names a table
// they are kept from (mail_messages, or one of the request side).
func (tx *Tx) flushKeptFor(query string) error {
	if (len(tx.mailKept) > 0 || len(tx.mailInserts) > 0) && strings.Contains(query, "mail_messages") {
		return tx.flushKept()
	}
	if len(tx.reqKept) > 0 || tx.keptRowsLeft() {
		for _, name := range requestSide {
			if strings.Contains(query, name) {
				return tx.flushKept()
			}
		}
	}
	return nil
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
