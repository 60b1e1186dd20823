package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// States of a mail message (mail_messages.state).
const (
	MailNew       = "new"        // stored raw, not processed yet (a crash in between leaves this)
	MailMatched   = "matched"    // attached to its request and processed
	MailUnmatched = "unmatched"  // in the holding pen, waiting for an editor
	MailNotFOI    = "not_foi"    // an editor said it is not about any request
	MailFailed    = "failed"     // kept raw; could not be parsed (error says why)
	MailOverLimit = "over_limit" // over the size limit: header kept, body not fetched
)

// Match rules (mail_messages.match_rule), strongest first.
const (
	MatchReplyAddress = "reply_address"
	MatchInReplyTo    = "in_reply_to"
	MatchReference    = "reference"
	MatchSenderDomain = "sender_domain"
	MatchManual       = "manual"
)

// Proposal states (mail_messages.proposal_state) of a classification.
const (
	ProposalNone      = ""
	ProposalProposed  = "proposed"
	ProposalConfirmed = "confirmed"
	ProposalDismissed = "dismissed"
	ProposalApplied   = "applied" // recorded automatically
)

// MailMessage is one row of mail_messages.
type MailMessage struct {
	ID          int64     `json:"id"`
	Direction   string    `json:"direction"`
	RawSHA256   string    `json:"raw_sha256"` // "" for an over-limit message whose body was not fetched
	RawSize     int64     `json:"raw_size"`
	MessageID   string    `json:"message_id"`
	InReplyTo   string    `json:"in_reply_to"`
	References  []string  `json:"references"`
	Subject     string    `json:"subject"`
	FromAddr    string    `json:"from_addr"`
	FromName    string    `json:"from_name"`
	To          []string  `json:"to"`
	Cc          []string  `json:"cc"`
	SentAt      time.Time `json:"sent_at"` // the Date header; zero when missing
	DateHeader  string    `json:"date_header"`
	Received    []string  `json:"received"`
	Mailbox     string    `json:"mailbox"`
	UIDValidity uint32    `json:"uidvalidity"`
	UID         uint32    `json:"uid"`
	FetchedAt   time.Time `json:"fetched_at"`
	// DKIM is the JSON list of verification results (mailsync.VerifyDKIM).
	DKIM           json.RawMessage `json:"dkim"`
	RequestID      int64           `json:"request_id"`
	MatchRule      string          `json:"match_rule"`
	State          string          `json:"state"`
	Error          string          `json:"error"`
	Classification json.RawMessage `json:"classification"` // "" until classified
	ProposalState  string          `json:"proposal_state"`
	TextBody       string          `json:"-"`
	HTMLBody       string          `json:"-"` // sanitised
	RawHeaders     string          `json:"-"`
	Warnings       []string        `json:"warnings"`
	ProcessedAt    time.Time       `json:"processed_at"`
	CreatedAt      time.Time       `json:"created_at"`

	// Filled by queries that join the request.
	RequestTitle  string `json:"request_title,omitempty"`
	RequestOurRef string `json:"request_our_ref,omitempty"`
}

const mailColumns = `m.id, m.direction, COALESCE(m.raw_sha256, ''), m.raw_size, m.message_id, m.in_reply_to, m.refs, m.subject,
	m.from_addr, m.from_name, m.to_addrs, m.cc_addrs, COALESCE(m.sent_at, ''), m.date_header, m.received_chain,
	m.mailbox, m.uidvalidity, m.uid, COALESCE(m.fetched_at, ''), m.dkim, COALESCE(m.request_id, 0), m.match_rule,
	m.state, m.error, m.classification, m.proposal_state, m.text_body, m.html_body, m.raw_headers, m.warnings,
	COALESCE(m.processed_at, ''), m.created_at, COALESCE(r.title, ''), COALESCE(r.our_ref, '')`

// mailSummaryColumns are mailColumns for a list: the bodies, headers,
// addresses, Received chain and DKIM results left empty (a list shows none
// of them, and reading them was most of a list row's cost).
const mailSummaryColumns = `m.id, m.direction, COALESCE(m.raw_sha256, ''), m.raw_size, m.message_id, m.in_reply_to, '[]', m.subject,
	m.from_addr, m.from_name, '[]', '[]', COALESCE(m.sent_at, ''), m.date_header, '[]',
	m.mailbox, m.uidvalidity, m.uid, COALESCE(m.fetched_at, ''), '', COALESCE(m.request_id, 0), m.match_rule,
	m.state, m.error, m.classification, m.proposal_state, '', '', '', '[]',
	COALESCE(m.processed_at, ''), m.created_at, COALESCE(r.title, ''), COALESCE(r.our_ref, '')`

const mailFrom = ` FROM mail_messages m LEFT JOIN requests r ON r.id = m.request_id `

func scanMail(sc interface{ Scan(...any) error }) (MailMessage, error) {
	var m MailMessage
	var refs, to, cc, sent, received, fetched, dkim, class, warnings, processed, created string
	err := sc.Scan(&m.ID, &m.Direction, &m.RawSHA256, &m.RawSize, &m.MessageID, &m.InReplyTo, &refs, &m.Subject,
		&m.FromAddr, &m.FromName, &to, &cc, &sent, &m.DateHeader, &received,
		&m.Mailbox, &m.UIDValidity, &m.UID, &fetched, &dkim, &m.RequestID, &m.MatchRule,
		&m.State, &m.Error, &class, &m.ProposalState, &m.TextBody, &m.HTMLBody, &m.RawHeaders, &warnings,
		&processed, &created, &m.RequestTitle, &m.RequestOurRef)
	m.References, m.To, m.Cc, m.Received, m.Warnings = parseList(refs), parseList(to), parseList(cc), parseList(received), parseList(warnings)
	m.SentAt, m.FetchedAt, m.ProcessedAt, m.CreatedAt = parseTS(sent), parseTS(fetched), parseTS(processed), parseTS(created)
	m.DKIM = json.RawMessage(dkim)
	if class != "" {
		m.Classification = json.RawMessage(class)
	}
	return m, err
}

// nullTS stores a zero instant as NULL.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func rawJSON(b json.RawMessage, def string) string {
	if len(b) == 0 {
		return def
	}
	return string(b)
}

// InsertIncomingMail records a message fetched from a mailbox, in the
// caller's transaction (which also holds its blob and its checkpoint). A
// message already stored under the same mailbox, UIDVALIDITY and UID is an
// ECONFLICT error.
func (tx *Tx) InsertIncomingMail(m *MailMessage) error {
	if m.RawSHA256 != "" {
		if err := tx.PutBlob(m.RawSHA256, m.RawSize); err != nil {
			return err
		}
	}
	m.Direction, m.CreatedAt = "in", tx.now
	if m.State == "" {
		m.State = MailNew
	}
	if m.FetchedAt.IsZero() {
		m.FetchedAt = tx.now
	}
	res, err := tx.ExecContext(tx.ctx, `
		INSERT INTO mail_messages (direction, raw_sha256, raw_size, message_id, in_reply_to, refs, subject, from_addr,
			from_name, to_addrs, cc_addrs, sent_at, date_header, received_chain, mailbox, uidvalidity, uid, fetched_at,
			dkim, state, error, raw_headers, warnings, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Direction, nullString(m.RawSHA256), m.RawSize, m.MessageID, m.InReplyTo, jsonList(m.References), m.Subject, m.FromAddr,
		m.FromName, jsonList(m.To), jsonList(m.Cc), nullTS(m.SentAt), m.DateHeader, jsonList(m.Received), m.Mailbox,
		m.UIDValidity, m.UID, ts(m.FetchedAt), rawJSON(m.DKIM, "[]"), m.State, m.Error, m.RawHeaders, jsonList(m.Warnings),
		ts(m.CreatedAt))
	if err != nil {
		if isUnique(err) {
			return tracker.Errorf(tracker.ECONFLICT, "message %s/%d/%d is stored already", m.Mailbox, m.UIDValidity, m.UID)
		}
		return fmt.Errorf("store: unable to record mail message: %w", err)
	}
	m.ID, _ = res.LastInsertId()
	return tx.auditFetch(*m)
}

// auditFetch is the audit entry of a fetched message stored.
func (tx *Tx) auditFetch(m MailMessage) error {
	return tx.Audit("fetch", "mail_message", m.ID, nil, map[string]any{
		"mailbox": m.Mailbox, "uidvalidity": m.UIDValidity, "uid": m.UID, "message_id": m.MessageID,
		"raw_sha256": m.RawSHA256, "raw_size": m.RawSize, "state": m.State,
	})
}

// InsertIncomingMails records the messages of one fetched batch as
// InsertIncomingMail records each, in order (the same rows, blobs and audit
// entries), with a few multi-row statements instead of three per message:
// inside a transaction, each statement that writes the search index makes
// it flush what it holds, so statements per message were most of the cost.
// dup[i] says messages[i] was stored already under its mailbox, UIDVALIDITY
// and UID (or earlier in the batch): it is not recorded again.
func (tx *Tx) InsertIncomingMails(messages []*MailMessage) (dup []bool, err error) {
	dup = make([]bool, len(messages))
	var blobArgs []any
	seenBlob := map[string]bool{}
	for _, m := range messages {
		if m.RawSHA256 == "" || seenBlob[m.RawSHA256] {
			continue
		}
		if _, err := tx.s.blobPath(m.RawSHA256); err != nil {
			return nil, err
		}
		seenBlob[m.RawSHA256] = true
		blobArgs = append(blobArgs, m.RawSHA256, m.RawSize, ts(tx.now))
	}
	if err := tx.insertChunked(`INSERT INTO blobs (sha256, size, created_at) VALUES `, `(?, ?, ?)`, 3,
		` ON CONFLICT (sha256) DO NOTHING`, blobArgs, nil); err != nil {
		return nil, fmt.Errorf("store: unable to record blob: %w", err)
	}
	type key struct {
		mailbox string
		uv, uid uint32
	}
	var args []any
	var rows []*MailMessage
	seen := map[key]bool{}
	for i, m := range messages {
		k := key{m.Mailbox, m.UIDValidity, m.UID}
		if seen[k] {
			dup[i] = true // the same UID twice in one answer
			continue
		}
		seen[k] = true
		m.Direction, m.CreatedAt = "in", tx.now
		if m.State == "" {
			m.State = MailNew
		}
		if m.FetchedAt.IsZero() {
			m.FetchedAt = tx.now
		}
		rows = append(rows, m)
		args = append(args, m.Direction, nullString(m.RawSHA256), m.RawSize, m.MessageID, m.InReplyTo, jsonList(m.References), m.Subject, m.FromAddr,
			m.FromName, jsonList(m.To), jsonList(m.Cc), nullTS(m.SentAt), m.DateHeader, jsonList(m.Received), m.Mailbox,
			m.UIDValidity, m.UID, ts(m.FetchedAt), rawJSON(m.DKIM, "[]"), m.State, m.Error, m.RawHeaders, jsonList(m.Warnings),
			ts(m.CreatedAt))
	}
	// The UNIQUE (mailbox, uidvalidity, uid) key skips a message stored
	// already; RETURNING names those recorded.
	ids := map[key]int64{}
	err = tx.insertChunked(`INSERT INTO mail_messages (direction, raw_sha256, raw_size, message_id, in_reply_to, refs, subject, from_addr,
			from_name, to_addrs, cc_addrs, sent_at, date_header, received_chain, mailbox, uidvalidity, uid, fetched_at,
			dkim, state, error, raw_headers, warnings, created_at) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, 24,
		` ON CONFLICT DO NOTHING RETURNING id, mailbox, uidvalidity, uid`, args, func(r *sql.Rows) error {
			var id int64
			var k key
			if err := r.Scan(&id, &k.mailbox, &k.uv, &k.uid); err != nil {
				return err
			}
			ids[k] = id
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: unable to record mail message: %w", err)
	}
	for i, m := range messages {
		if dup[i] {
			continue
		}
		id, ok := ids[key{m.Mailbox, m.UIDValidity, m.UID}]
		if !ok {
			dup[i] = true
			continue
		}
		m.ID = id
		if err := tx.auditFetch(*m); err != nil {
			return nil, err
		}
	}
	return dup, nil
}

// insertChunked runs head + n row placeholders + tail over args (cols
// values a row), in statements of 128, 64, …, 1 rows: few statements, and
// few different texts for the statement cache. scan, when set, reads each
// row a RETURNING tail gives.
func (tx *Tx) insertChunked(head, row string, cols int, tail string, args []any, scan func(*sql.Rows) error) error {
	for n := 128; len(args) > 0; n /= 2 {
		for len(args) >= n*cols {
			q := head + row + strings.Repeat(", "+row, n-1) + tail
			if scan == nil {
				if _, err := tx.ExecContext(tx.ctx, q, args[:n*cols]...); err != nil {
					return err
				}
			} else {
				r, err := tx.QueryContext(tx.ctx, q, args[:n*cols]...)
				if err != nil {
					return err
				}
				for r.Next() {
					if err := scan(r); err != nil {
						r.Close()
						return err
					}
				}
				if err := r.Close(); err != nil {
					return err
				}
				if err := r.Err(); err != nil {
					return err
				}
			}
			args = args[n*cols:]
		}
	}
	return nil
}

// MailUnderOtherUIDValidity reports whether messages of mailbox are stored
// under a UIDVALIDITY other than uidValidity: only then can a fetched
// message be one stored already under another UID (see FindDuplicateMail).
func (s *Store) MailUnderOtherUIDValidity(ctx context.Context, mailbox string, uidValidity uint32) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM mail_messages
		WHERE direction = 'in' AND mailbox = ? AND uidvalidity <> ? LIMIT 1)`, mailbox, uidValidity).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: unable to look up earlier UIDVALIDITY: %w", err)
	}
	return n > 0, nil
}

// FindDuplicateMail returns the id of a message of mailbox stored under an
// earlier UIDVALIDITY with the same content: the same Message-ID and raw
// sha256, or, for an over-limit message whose body was never fetched, the
// same Message-ID, size and header block. It is how the rescan after a
// UIDVALIDITY change (and its continuation after a crash) recognises what it
// has; messages under the current UIDVALIDITY are told apart by UID alone, so
// two identical copies in a mailbox are both kept.
func (tx *Tx) FindDuplicateMail(mailbox string, uidValidity uint32, messageID, rawSHA256 string, rawSize int64, rawHeaders string) (int64, bool, error) {
	var id int64
	var err error
	if rawSHA256 != "" {
		err = tx.QueryRowContext(tx.ctx, `SELECT id FROM mail_messages
			WHERE direction = 'in' AND mailbox = ? AND uidvalidity <> ? AND message_id = ? AND raw_sha256 = ?
			ORDER BY id LIMIT 1`, mailbox, uidValidity, messageID, rawSHA256).Scan(&id)
	} else {
		err = tx.QueryRowContext(tx.ctx, `SELECT id FROM mail_messages
			WHERE direction = 'in' AND mailbox = ? AND uidvalidity <> ? AND message_id = ? AND raw_sha256 IS NULL
			  AND raw_size = ? AND raw_headers = ?
			ORDER BY id LIMIT 1`, mailbox, uidValidity, messageID, rawSize, rawHeaders).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("store: unable to look for a duplicate message: %w", err)
	}
	return id, true, nil
}

// MailProcessing is what processing a stored message decided.
type MailProcessing struct {
	State          string
	Error          string
	RequestID      int64
	MatchRule      string
	Classification json.RawMessage
	ProposalState  string
	Warnings       []string
	// Parsed header fields and bodies (zero values leave what was stored at fetch time).
	MessageID  string
	InReplyTo  string
	References []string
	Subject    string
	FromAddr   string
	FromName   string
	To, Cc     []string
	SentAt     time.Time
	DateHeader string
	Received   []string
	DKIM       json.RawMessage
	TextBody   string
	HTMLBody   string
}

// SetMailProcessed records the outcome of processing message before (as
// the caller read it). When the row changed meanwhile (its state or
// request), nothing is written and the error is ECONFLICT: someone else
// processed or filed it first.
func (tx *Tx) SetMailProcessed(before MailMessage, p MailProcessing) error {
	m := before.processed(p, tx.now)
	if tx.batch && before.Direction == "in" {
		if tx.keptRequestOf(m.RequestID) != nil {
			// Filed to a request the batch keeps back: the request is
			// written first, and its proposals read from the rows.
			if err := tx.flushRequestSide(); err != nil {
				return err
			}
		}
		// Kept back, and written with the batch's others (see keptMail).
		tx.mailKept = append(tx.mailKept, keptMail{id: before.ID, messageID: m.MessageID, state: m.State, requestID: m.RequestID,
			values: append(append([]any{before.ID}, m.processingValues()...), before.State, before.RequestID)})
		return tx.afterProcessing(before, m)
	}
	res, err := tx.ExecContext(tx.ctx, `
		UPDATE mail_messages SET message_id = ?, in_reply_to = ?, refs = ?, subject = ?, from_addr = ?, from_name = ?,
			to_addrs = ?, cc_addrs = ?, sent_at = ?, date_header = ?, received_chain = ?, dkim = ?, request_id = ?,
			match_rule = ?, state = ?, error = ?, classification = ?, proposal_state = ?, warnings = ?, text_body = ?,
			html_body = ?, processed_at = ?
		WHERE id = ? AND state = ? AND COALESCE(request_id, 0) = ?`,
		append(m.processingValues(), before.ID, before.State, before.RequestID)...)
	if err != nil {
		return fmt.Errorf("store: unable to record processed message: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tracker.Errorf(tracker.ECONFLICT, "message %d changed while it was processed", before.ID)
	}
	return tx.afterProcessing(before, m)
}

// afterProcessing is what follows the processing of message before into m
// being written: the requests it concerns worked out again, and its audit
// entry.
func (tx *Tx) afterProcessing(before, m MailMessage) error {
	// A proposal made, or a message filed elsewhere, changes what comes next.
	for i, rid := range []int64{before.RequestID, m.RequestID} {
		if rid == 0 || (i == 1 && rid == before.RequestID) {
			continue
		}
		if err := tx.RefreshRequest(rid); err != nil {
			return err
		}
	}
	return tx.Audit("process", "mail_message", before.ID, mailAuditView(before), mailAuditView(m))
}

// InsertProcessedMail is InsertIncomingMail followed by SetMailProcessed,
// for a bulk load (dev seed): the message is inserted already processed,
// in one statement, and the store holds what the two would have left (the
// same row, the same two audit entries, the same counts), one INSERT
// where there were an INSERT and an UPDATE of the row and its indexes.
// In a batch (UpdateBatch) the INSERT and its blob's are kept back and
// written with the batch's others, many rows to a statement (see
// keptMailInsert); the message's id is the one SQLite would give it.
func (tx *Tx) InsertProcessedMail(m *MailMessage, p MailProcessing) error {
	if !tx.newMailCounted {
		// The fetch counted every message as new before its processing
		// moved it on (mail_state_counts_update): the row for new
		// messages is there, if at zero.
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO mail_state_counts (direction, state, messages) VALUES ('in', ?, 0)
			ON CONFLICT (direction, state) DO NOTHING`, MailNew); err != nil {
			return fmt.Errorf("store: unable to record mail message: %w", err)
		}
		tx.newMailCounted = true
	}
	fetched := *m
	fetched.Direction, fetched.CreatedAt, fetched.State = "in", tx.now, MailNew
	if fetched.FetchedAt.IsZero() {
		fetched.FetchedAt = tx.now
	}
	pm := fetched.processed(p, tx.now)
	if tx.batch {
		id, err := tx.keepMailInsert(fetched, pm)
		if err != nil {
			return err
		}
		fetched.ID = id
	} else {
		if m.RawSHA256 != "" {
			if err := tx.PutBlob(m.RawSHA256, m.RawSize); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(tx.ctx, processedMailInsert+processedMailRow, processedMailValues(fetched, pm)...)
		if err != nil {
			if isUnique(err) {
				return tracker.Errorf(tracker.ECONFLICT, "message %s/%d/%d is stored already", m.Mailbox, m.UIDValidity, m.UID)
			}
			return fmt.Errorf("store: unable to record mail message: %w", err)
		}
		fetched.ID, _ = res.LastInsertId()
	}
	pm.ID = fetched.ID
	if err := tx.auditFetch(fetched); err != nil {
		return err
	}
	if err := tx.afterProcessing(fetched, pm); err != nil {
		return err
	}
	*m = pm
	return nil
}

const (
	processedMailInsert = `INSERT INTO mail_messages (message_id, in_reply_to, refs, subject, from_addr, from_name, to_addrs, cc_addrs, sent_at,
			date_header, received_chain, dkim, request_id, match_rule, state, error, classification, proposal_state, warnings,
			text_body, html_body, processed_at,
			direction, raw_sha256, raw_size, mailbox, uidvalidity, uid, fetched_at, raw_headers, created_at, id)
		VALUES `
	processedMailRow  = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	processedMailCols = 32
)

// processedMailValues are processedMailRow's values for a message fetched
// and processed into pm (id NULL, SQLite's next, when fetched has none).
func processedMailValues(fetched, pm MailMessage) []any {
	return append(pm.processingValues(), fetched.Direction, nullString(fetched.RawSHA256), fetched.RawSize, fetched.Mailbox,
		fetched.UIDValidity, fetched.UID, ts(fetched.FetchedAt), fetched.RawHeaders, ts(fetched.CreatedAt), nullID(fetched.ID))
}

// processed is the message as processing p, at now, leaves it.
func (before MailMessage) processed(p MailProcessing, now time.Time) MailMessage {
	m := before
	if p.MessageID != "" {
		m.MessageID = p.MessageID
	}
	if p.InReplyTo != "" {
		m.InReplyTo = p.InReplyTo
	}
	if p.References != nil {
		m.References = p.References
	}
	if p.Subject != "" {
		m.Subject = p.Subject
	}
	if p.FromAddr != "" || p.FromName != "" {
		m.FromAddr, m.FromName = p.FromAddr, p.FromName
	}
	if p.To != nil {
		m.To = p.To
	}
	if p.Cc != nil {
		m.Cc = p.Cc
	}
	if !p.SentAt.IsZero() {
		m.SentAt = p.SentAt
	}
	if p.DateHeader != "" {
		m.DateHeader = p.DateHeader
	}
	if p.Received != nil {
		m.Received = p.Received
	}
	if len(p.DKIM) > 0 {
		m.DKIM = p.DKIM
	}
	m.State, m.Error, m.RequestID, m.MatchRule = p.State, p.Error, p.RequestID, p.MatchRule
	m.Classification, m.ProposalState, m.Warnings = p.Classification, p.ProposalState, p.Warnings
	m.TextBody, m.HTMLBody, m.ProcessedAt = p.TextBody, p.HTMLBody, now
	return m
}

// processingValues are the values of the columns processing sets, in the
// order SetMailProcessed's UPDATE names them.
func (m MailMessage) processingValues() []any {
	return []any{m.MessageID, m.InReplyTo, jsonList(m.References), m.Subject, m.FromAddr, m.FromName,
		jsonList(m.To), jsonList(m.Cc), nullTS(m.SentAt), m.DateHeader, jsonList(m.Received), rawJSON(m.DKIM, "[]"), nullID(m.RequestID),
		m.MatchRule, m.State, m.Error, rawJSON(m.Classification, ""), m.ProposalState, jsonList(m.Warnings), m.TextBody,
		m.HTMLBody, ts(m.ProcessedAt)}
}

// mailAuditView is what the audit log keeps of a message's processing (not
// its bodies: they are derived from the raw blob).
func mailAuditView(m MailMessage) map[string]any {
	return map[string]any{"state": m.State, "request_id": m.RequestID, "match_rule": m.MatchRule,
		"error": m.Error, "proposal_state": m.ProposalState}
}

// SetMailProposalState moves a message's classification proposal on
// (confirmed, dismissed) in the caller's transaction.
func (tx *Tx) SetMailProposalState(id int64, state string) error {
	before, err := tx.mailByID(id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE mail_messages SET proposal_state = ? WHERE id = ?`, state, id); err != nil {
		return fmt.Errorf("store: unable to update proposal: %w", err)
	}
	if before.RequestID != 0 {
		if err := tx.RefreshRequest(before.RequestID); err != nil {
			return err
		}
	}
	return tx.Audit("proposal", "mail_message", id, before.ProposalState, state)
}

// MarkMailNotFOI takes an unmatched message out of the holding pen.
func (s *Store) MarkMailNotFOI(ctx context.Context, id int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		m, err := tx.mailByID(id)
		if err != nil {
			return err
		}
		if m.State != MailUnmatched && m.State != MailFailed && m.State != MailOverLimit {
			return tracker.Errorf(tracker.ECONFLICT, "message %d is %s, not waiting in the holding pen", id, m.State)
		}
		if m.RequestID != 0 {
			return tracker.Errorf(tracker.ECONFLICT, "message %d belongs to a request already", id)
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE mail_messages SET state = ?, processed_at = ? WHERE id = ?`,
			MailNotFOI, ts(tx.now), id); err != nil {
			return fmt.Errorf("store: unable to update message: %w", err)
		}
		return tx.Audit("not_foi", "mail_message", id, m.State, MailNotFOI)
	})
}

// SetMailRequest files a message that is not about any request yet on one,
// by hand (from the holding pen), and returns the row as it now is.
func (tx *Tx) SetMailRequest(id, requestID int64) (MailMessage, error) {
	m, err := tx.mailByID(id)
	if err != nil {
		return m, err
	}
	if m.RequestID != 0 {
		return m, tracker.Errorf(tracker.ECONFLICT, "message %d belongs to request %d already", id, m.RequestID)
	}
	if m.State == MailNew || m.State == MailMatched {
		return m, tracker.Errorf(tracker.ECONFLICT, "message %d is %s, not waiting in the holding pen", id, m.State)
	}
	r, err := tx.requestByID(requestID)
	if err != nil {
		return m, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE mail_messages SET request_id = ?, match_rule = ? WHERE id = ?`,
		requestID, MatchManual, id); err != nil {
		return m, fmt.Errorf("store: unable to assign message: %w", err)
	}
	m.RequestID, m.MatchRule, m.RequestTitle, m.RequestOurRef = requestID, MatchManual, r.Title, r.OurRef
	if err := tx.RefreshRequest(requestID); err != nil {
		return m, err
	}
	return m, tx.Audit("assign", "mail_message", id, nil, map[string]any{"request_id": requestID})
}

func (tx *Tx) mailByID(id int64) (MailMessage, error) {
	m, err := scanMail(tx.QueryRowContext(tx.ctx, `SELECT `+mailColumns+mailFrom+`WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("mail message", id)
	} else if err != nil {
		return m, fmt.Errorf("store: unable to read mail message %d: %w", id, err)
	}
	return m, nil
}

// MailByID is the in-transaction form of MailMessageByID.
func (tx *Tx) MailByID(id int64) (MailMessage, error) { return tx.mailByID(id) }

// MailMessageByID returns one message.
func (s *Store) MailMessageByID(ctx context.Context, id int64) (MailMessage, error) {
	m, err := scanMail(s.r.QueryRowContext(ctx, `SELECT `+mailColumns+mailFrom+`WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("mail message", id)
	} else if err != nil {
		return m, fmt.Errorf("store: unable to read mail message %d: %w", id, err)
	}
	return m, nil
}

// MailFilter narrows MailMessages. Zero values do not filter.
type MailFilter struct {
	Direction string
	State     string
	States    []string
	RequestID int64
	Mailbox   string
	Proposal  string // proposal_state
	Query     string // the search box (see ParseSearchQuery)
	// Selected, when not nil, is SelectMail(f): the messages the search
	// box's words find that the other conditions keep, worked out once by a
	// page that both counts and lists, so the index is walked once, not
	// twice.
	Selected []int64
	Limit    int
	Cursor   Cursor // the page: messages after (or Back, before) this id, in the list's order
	// Summary leaves out what a list does not show (see mailSummaryColumns).
	Summary bool
}

// mailStates are the states f selects (none: any).
func mailStates(f MailFilter) []string {
	states := append([]string{}, f.States...)
	if f.State != "" {
		states = append(states, f.State)
	}
	return states
}

// mailSearch is the condition of f's search box (see itemSearchCond),
// worked out once for a listing: "" without words.
func (s *Store) mailSearch(ctx context.Context, f MailFilter) (string, []any, error) {
	if f.Query == "" {
		return "", nil, nil
	}
	if f.Selected != nil {
		return membersCond("m.id"), []any{jsonIDs(f.Selected)}, nil
	}
	return s.itemSearchCond(ctx, "m.id", KindMail, f.Query)
}

// SelectMail is the messages f selects with its search box's words (see
// itemSearchCond) and its other conditions, newest first, whatever its
// page: for MailFilter.Selected. Nil when the query has no words.
func (s *Store) SelectMail(ctx context.Context, f MailFilter) ([]int64, error) {
	members, err := s.itemSearchIDs(ctx, KindMail, f.Query)
	if err != nil || len(members) == 0 {
		return members, err
	}
	// Each match's row read once, by its id, in the matches' order (the
	// CROSS JOIN keeps them the outer loop): sorted here, not by SQLite.
	where, args := mailWhere(f, "", nil)
	ids, err := s.int64s(ctx, `SELECT m.id FROM json_each(?) j CROSS JOIN mail_messages m ON m.id = j.value WHERE `+where,
		append([]any{jsonIDs(members)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to select mail: %w", err)
	}
	if ids == nil {
		ids = []int64{}
	}
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(b, a) }) // newest first
	return ids, nil
}

// mailWhere is f's conditions, with search (mailSearch's) for its words.
func mailWhere(f MailFilter, search string, searchArgs []any) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	switch f.Direction {
	case "":
	case "in", "out":
		// Written into the statement: bound, it made SQLite prepare the
		// statement again at every use, to plan for the value (the partial
		// indexes' direction = 'in'), a fifth of a mail list's query.
		conds = append(conds, "m.direction = '"+f.Direction+"'")
	default:
		conds = append(conds, "m.direction = ?")
		args = append(args, f.Direction)
	}
	if states := mailStates(f); len(states) > 0 {
		conds = append(conds, "m.state IN ("+strings.TrimSuffix(strings.Repeat("?,", len(states)), ",")+")")
		for _, s := range states {
			args = append(args, s)
		}
	}
	if f.RequestID != 0 {
		conds = append(conds, "m.request_id = ?")
		args = append(args, f.RequestID)
	}
	if f.Mailbox != "" {
		conds = append(conds, "m.mailbox = ?")
		args = append(args, f.Mailbox)
	}
	if f.Proposal != "" {
		conds = append(conds, "m.proposal_state = ?")
		args = append(args, f.Proposal)
	}
	if search != "" {
		conds = append(conds, search)
		args = append(args, searchArgs...)
	}
	return strings.Join(conds, " AND "), args
}

// MailMessages lists messages, oldest first (the order they arrived), a page
// at a time from f.Cursor.
func (s *Store) MailMessages(ctx context.Context, f MailFilter) ([]MailMessage, error) {
	if f.Limit <= 0 {
		f.Limit = 100000
	}
	if f.Selected != nil {
		// Only the page's own: the query reads no other match's row.
		f.Selected = selectedPage(f.Selected, f.Cursor, f.Limit)
	}
	search, searchArgs, err := s.mailSearch(ctx, f)
	if err != nil {
		return nil, err
	}
	where, args := mailWhere(f, search, searchArgs)
	page, pageArgs, order, reversed := idKeyset("m.id", false, f.Cursor)
	if states := mailStates(f); len(states) > 1 {
		// Several states (the unreadable and the over-limit): the state
		// index gives each state's messages in id order, but SQLite reads
		// all of them and sorts them to merge. Instead, a page of each
		// state, merged: at most a page per state is sorted.
		var parts []string
		args = nil
		for _, st := range states {
			one := f
			one.State, one.States = st, nil
			w, a := mailWhere(one, search, searchArgs)
			parts = append(parts, `SELECT id FROM (SELECT m.id AS id FROM mail_messages m WHERE `+w+` AND `+page+` ORDER BY `+order+` LIMIT ?)`)
			args = append(append(append(args, a...), pageArgs...), f.Limit)
		}
		where = "m.id IN (" + strings.Join(parts, " UNION ALL ") + ")"
	}
	args = append(append(args, pageArgs...), f.Limit)
	cols := mailColumns
	if f.Summary {
		cols = mailSummaryColumns
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+cols+mailFrom+`WHERE `+where+` AND `+page+` ORDER BY `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list mail messages: %w", err)
	}
	defer rows.Close()
	var out []MailMessage
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read mail message: %w", err)
		}
		out = append(out, m)
	}
	return inListOrder(out, reversed), rows.Err()
}

// selectedPage is the ids of a selection (SelectMail's, newest first) on
// the page MailMessages lists from cursor (idKeyset's, in the oldest-first
// order), at most limit of them.
func selectedPage(selected []int64, c Cursor, limit int) []int64 {
	ids := slices.Clone(selected)
	slices.Sort(ids)
	if !c.Set() {
		return ids[:min(limit, len(ids))]
	}
	at, found := slices.BinarySearch(ids, c.ID) // the first at or after the cursor
	if c.Back {
		return ids[max(0, at-limit):at] // the ones just before it
	}
	if found {
		at++
	}
	return ids[at:min(at+limit, len(ids))]
}

// CountMail counts the messages MailMessages would list without paging.
func (s *Store) CountMail(ctx context.Context, f MailFilter) (int, error) {
	if f.Selected != nil {
		return len(f.Selected), nil // what f selects, worked out already
	}
	if f.Direction != "" && f.RequestID == 0 && f.Mailbox == "" && f.Proposal == "" && f.Query == "" {
		// Messages of one direction in some states: the counts the
		// schema's triggers keep, a row per state.
		states := mailStates(f)
		q, args := `SELECT COALESCE(sum(messages), 0) FROM mail_state_counts WHERE direction = ?`, []any{f.Direction}
		if len(states) > 0 {
			q += ` AND state IN (` + strings.TrimSuffix(strings.Repeat("?,", len(states)), ",") + `)`
			for _, st := range states {
				args = append(args, st)
			}
		}
		var n int
		if err := s.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: unable to count mail messages: %w", err)
		}
		return n, nil
	}
	search, searchArgs, err := s.mailSearch(ctx, f)
	if err != nil {
		return 0, err
	}
	where, args := mailWhere(f, search, searchArgs)
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM mail_messages m WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count mail messages: %w", err)
	}
	return n, nil
}

// UnmatchedMailCount is how many messages wait in the holding pen (for the dashboard).
func (s *Store) UnmatchedMailCount(ctx context.Context) (int, error) {
	return s.CountMail(ctx, MailFilter{Direction: "in", State: MailUnmatched})
}

// NoteMailProcessAttempt records that processing of a stored message is
// started again after the program stopped during it, and returns how many
// attempts there have been (kept as warnings, shown with the message).
func (s *Store) NoteMailProcessAttempt(ctx context.Context, id int64) (int, error) {
	const note = "processing was interrupted (the program stopped) and started again"
	var attempts int
	err := s.Update(ctx, func(tx *Tx) error {
		m, err := tx.mailByID(id)
		if err != nil {
			return err
		}
		for _, w := range m.Warnings {
			if w == note {
				attempts++
			}
		}
		attempts++
		_, err = tx.ExecContext(tx.ctx, `UPDATE mail_messages SET warnings = ? WHERE id = ?`, jsonList(append(m.Warnings, note)), id)
		if err != nil {
			return fmt.Errorf("store: unable to note processing attempt: %w", err)
		}
		return nil
	})
	return attempts, err
}

// MailIDsToProcess lists incoming messages stored but not processed yet
// (state new), oldest first: what a crash between storing and processing
// left behind.
func (s *Store) MailIDsToProcess(ctx context.Context) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM mail_messages WHERE direction = 'in' AND state = ? ORDER BY id`, MailNew)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list messages to process: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: unable to read message id: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RequestForMessageIDs returns the request of the newest message among ids
// (Message-IDs without angle brackets) that foitrack sent (direction out)
// or, failing that, that was received and attached to a request: the
// thread a reply's In-Reply-To and References point into.
func (tx *Tx) RequestForMessageIDs(ids []string) (requestID int64, found bool, err error) {
	if len(ids) == 0 {
		return 0, false, nil
	}
	if err := tx.flushMailInserts(); err != nil { // the kept rows below are processed ones only
		return 0, false, err
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT request_id, direction, id FROM mail_messages
		WHERE message_id IN (` + ph + `) AND message_id <> '' AND request_id IS NOT NULL
		  AND (direction = 'out' OR state = 'matched')
		ORDER BY direction = 'out' DESC, id DESC LIMIT 1`
	// Matching asks this for each message of a batch: the messages the
	// batch has filed but keeps back (see keptMail) are looked at here,
	// instead of being written for every question.
	kept, best := map[int64]bool{}, keptMail{}
	for _, k := range tx.mailKept {
		kept[k.id] = true
		if k.state == MailMatched && k.requestID != 0 && k.messageID != "" && slices.Contains(ids, k.messageID) && k.id > best.id {
			best = k
		}
	}
	var direction string
	var id int64
	err = tx.queryRowKept(tx.ctx, q, args...).Scan(&requestID, &direction, &id)
	if err == nil && kept[id] {
		// The row found is one kept back: as stored, it is out of date.
		if err := tx.flushMailProcessed(); err != nil {
			return 0, false, err
		}
		err = tx.queryRowKept(tx.ctx, q, args...).Scan(&requestID, &direction, &id)
		best = keptMail{}
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if best.id != 0 {
			return best.requestID, true, nil
		}
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("store: unable to look up message thread: %w", err)
	case direction != "out" && best.id > id:
		return best.requestID, true, nil
	}
	return requestID, true, nil
}

// RequestByReplyToken is the in-transaction form of Store.RequestByReplyToken.
func (tx *Tx) RequestByReplyToken(token string) (tracker.Request, bool, error) {
	r, err := scanRequest(tx.QueryRowContext(tx.ctx, `SELECT `+requestColumns+`
		FROM requests r JOIN authorities a ON a.id = r.authority_id WHERE r.reply_token = ?`, strings.ToLower(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	} else if err != nil {
		return r, false, fmt.Errorf("store: unable to read request by token: %w", err)
	}
	return r, true, nil
}

// RequestByID is the in-transaction form of Store.RequestByID.
func (tx *Tx) RequestByID(id int64) (tracker.Request, error) { return tx.requestByID(id) }

// RequestRef is a request's references, for finding them in mail.
type RequestRef struct {
	ID       int64
	OurRef   string
	TheirRef string
	Open     bool
}

// RequestRefs lists every request that has a reference.
func (tx *Tx) RequestRefs() ([]RequestRef, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT id, our_ref, their_ref, status FROM requests
		WHERE our_ref <> '' OR their_ref <> '' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list references: %w", err)
	}
	defer rows.Close()
	var out []RequestRef
	for rows.Next() {
		var r RequestRef
		var status string
		if err := rows.Scan(&r.ID, &r.OurRef, &r.TheirRef, &status); err != nil {
			return nil, fmt.Errorf("store: unable to read reference: %w", err)
		}
		r.Open = tracker.Status(status).Open()
		out = append(out, r)
	}
	return out, rows.Err()
}

// OpenRequestsForDomain lists the open requests to authorities that write
// from mail domain (exactly as listed in an authority's domains).
func (tx *Tx) OpenRequestsForDomain(domain string) ([]int64, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT r.id FROM requests r JOIN authorities a ON a.id = r.authority_id
		WHERE EXISTS (SELECT 1 FROM json_each(a.domains) WHERE lower(value) = lower(?))
		  AND r.status NOT IN `+closedStatuses+` ORDER BY r.id`, domain)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list requests for domain: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: unable to read request id: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// LawsForDomain lists the default laws of the authorities that write from
// mail domain (exactly as listed in an authority's domains).
func (tx *Tx) LawsForDomain(domain string) ([]tracker.LawCode, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT DISTINCT a.default_law FROM authorities a
		WHERE EXISTS (SELECT 1 FROM json_each(a.domains) WHERE lower(value) = lower(?)) ORDER BY 1`, domain)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list laws for domain: %w", err)
	}
	defer rows.Close()
	var out []tracker.LawCode
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, fmt.Errorf("store: unable to read law: %w", err)
		}
		out = append(out, tracker.LawCode(l))
	}
	return out, rows.Err()
}

// LearnTheirRef sets a request's authority reference when it has none yet
// (learned from the first reply that quotes one). It reports whether it did.
func (tx *Tx) LearnTheirRef(requestID int64, ref string) (bool, error) {
	res, err := tx.ExecContext(tx.ctx, `UPDATE requests SET their_ref = ?, updated_at = ? WHERE id = ? AND their_ref = ''`,
		ref, ts(tx.now), requestID)
	if err != nil {
		return false, fmt.Errorf("store: unable to set the authority's reference: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, tx.Audit("learn_ref", "request", requestID, "", ref)
}

// MailCheckpoint is how far the sync of one mailbox got: the highest UID
// stored under a UIDVALIDITY.
type MailCheckpoint struct {
	Mailbox     string
	UIDValidity uint32
	LastUID     uint32
	UpdatedAt   time.Time
}

// MailCheckpoint returns the checkpoint of mailbox; found is false before
// its first message is stored.
func (s *Store) MailCheckpoint(ctx context.Context, mailbox string) (cp MailCheckpoint, found bool, err error) {
	return scanCheckpoint(s.r.QueryRowContext(ctx, `SELECT mailbox, uidvalidity, last_uid, updated_at FROM mail_checkpoints WHERE mailbox = ?`, mailbox))
}

// MailCheckpoint is the in-transaction form.
func (tx *Tx) MailCheckpoint(mailbox string) (cp MailCheckpoint, found bool, err error) {
	return scanCheckpoint(tx.QueryRowContext(tx.ctx, `SELECT mailbox, uidvalidity, last_uid, updated_at FROM mail_checkpoints WHERE mailbox = ?`, mailbox))
}

func scanCheckpoint(row *sql.Row) (cp MailCheckpoint, found bool, err error) {
	var updated string
	err = row.Scan(&cp.Mailbox, &cp.UIDValidity, &cp.LastUID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, false, nil
	} else if err != nil {
		return cp, false, fmt.Errorf("store: unable to read mail checkpoint: %w", err)
	}
	cp.UpdatedAt = parseTS(updated)
	return cp, true, nil
}

// SaveMailCheckpoint records that every message of mailbox up to uid under
// uidValidity is stored. Under the same UIDVALIDITY the checkpoint only moves
// forward; a new UIDVALIDITY replaces it (the rescan starts from zero).
func (tx *Tx) SaveMailCheckpoint(mailbox string, uidValidity, uid uint32) error {
	_, err := tx.ExecContext(tx.ctx, `
		INSERT INTO mail_checkpoints (mailbox, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET
			last_uid = CASE WHEN uidvalidity = excluded.uidvalidity THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid END,
			uidvalidity = excluded.uidvalidity, updated_at = excluded.updated_at`,
		mailbox, uidValidity, uid, ts(tx.now))
	if err != nil {
		return fmt.Errorf("store: unable to save mail checkpoint: %w", err)
	}
	return nil
}

// MailSyncRun is one sync pass.
type MailSyncRun struct {
	ID         int64     `json:"id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"` // zero while running (or when the process died)
	Fetched    int       `json:"fetched"`
	Matched    int       `json:"matched"`
	Unmatched  int       `json:"unmatched"`
	Duplicates int       `json:"duplicates"`
	Failed     int       `json:"failed"`
	Resumed    int       `json:"resumed"` // stored by an interrupted pass, processed in this one
	Pending    int       `json:"pending"` // stored in this pass, left for the next to process
	Error      string    `json:"error"`
}

// StartMailSyncRun records the start of a pass and sets run.ID.
func (s *Store) StartMailSyncRun(ctx context.Context, run *MailSyncRun) error {
	return s.Update(ctx, func(tx *Tx) error {
		run.StartedAt = tx.now
		res, err := tx.ExecContext(tx.ctx, `INSERT INTO mail_sync_runs (started_at) VALUES (?)`, ts(run.StartedAt))
		if err != nil {
			return fmt.Errorf("store: unable to record sync run: %w", err)
		}
		run.ID, _ = res.LastInsertId()
		return nil
	})
}

// FinishMailSyncRun records the counts and error of a finished pass.
func (s *Store) FinishMailSyncRun(ctx context.Context, run *MailSyncRun) error {
	return s.Update(ctx, func(tx *Tx) error {
		run.FinishedAt = tx.now
		_, err := tx.ExecContext(tx.ctx, `UPDATE mail_sync_runs SET finished_at = ?, fetched = ?, matched = ?, unmatched = ?,
			duplicates = ?, failed = ?, resumed = ?, pending = ?, error = ? WHERE id = ?`,
			ts(run.FinishedAt), run.Fetched, run.Matched, run.Unmatched, run.Duplicates, run.Failed, run.Resumed, run.Pending, run.Error, run.ID)
		if err != nil {
			return fmt.Errorf("store: unable to record sync run: %w", err)
		}
		return nil
	})
}

// MailSyncRuns lists the latest passes, newest first.
func (s *Store) MailSyncRuns(ctx context.Context, limit int) ([]MailSyncRun, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, started_at, COALESCE(finished_at, ''), fetched, matched, unmatched,
		duplicates, failed, resumed, pending, error FROM mail_sync_runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list sync runs: %w", err)
	}
	defer rows.Close()
	var out []MailSyncRun
	for rows.Next() {
		var r MailSyncRun
		var started, finished string
		if err := rows.Scan(&r.ID, &started, &finished, &r.Fetched, &r.Matched, &r.Unmatched, &r.Duplicates, &r.Failed, &r.Resumed, &r.Pending, &r.Error); err != nil {
			return nil, fmt.Errorf("store: unable to read sync run: %w", err)
		}
		r.StartedAt, r.FinishedAt = parseTS(started), parseTS(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}

// LastMailSyncRun returns the latest pass (for the dashboard); found is false
// before the first.
func (s *Store) LastMailSyncRun(ctx context.Context) (MailSyncRun, bool, error) {
	runs, err := s.MailSyncRuns(ctx, 1)
	if err != nil || len(runs) == 0 {
		return MailSyncRun{}, false, err
	}
	return runs[0], true, nil
}
