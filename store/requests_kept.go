package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// A batch (UpdateBatch) keeps back the rows of the requests it creates, as
// it keeps back mail (mail_kept.go): the request itself, written once,
// complete (our reference, owner and every derived field worked out in Go),
// rather than inserted as a draft and updated after each change; and the
// rows that name it (its public page, events, documents, their blobs and
// exemption claims), many to a statement. Each row with an id carries the one SQLite
// would have given it: one more than the last (rowids never reused while
// rows are only inserted). A dev seed creates every request this way, and
// each statement of its own was a fifth of the writer's time.
//
// Nothing reads them out of date: the kept rows are written (requests
// first, for the foreign keys) before any statement that names a table of
// the request side (requestSide: those kept, and those naming a request),
// before the mail kept back, before a savepoint, the derived fields and the
// commit. A request written before the batch ends is written with its
// derived fields as they stand then, and worked out again at the commit as
// any other.

// keptRequest is a request created in the batch and not written yet.
type keptRequest struct {
	r       tracker.Request // as created (a draft), with its id and our_ref
	owner   int64           // 0: nobody
	history []tracker.Event // as request_events will hold it (ORDER BY date, id)
}

// keptRows are the INSERTs of one table a batch keeps back: head + one row
// placeholder per row, cols values a row (see insertChunked).
type keptRows struct {
	table, head, row, tail string
	cols                   int
	args                   []any
	lastID                 int64 // the id of the last row kept (tables with ids)
}

// requestSide names the tables before whose statements the kept rows of a
// batch's requests are written: any naming a request (requests,
// request_events, request_windows, request_owners…, a request_id column)
// and those that refer to one under another name.
var requestSide = []string{"request", "blobs", "documents", "exemption_claims", "public_pages", "event_links", "notifications",
	"outbound_sends", "reminder_log", "mail_messages"}

// keepsRequests says whether a batch keeps its requests back: a database
// at an older schema version (only tests open one) has not every column
// the complete row names.
func (tx *Tx) keepsRequests() bool {
	s := tx.s
	return tx.batch && !s.noPlans && !s.noHash && !s.noFigures && !s.noInputs && !s.noReads
}

// keptRequestOf is request id when the batch keeps it back, or nil.
func (tx *Tx) keptRequestOf(id int64) *keptRequest {
	if len(tx.reqKept) == 0 {
		return nil
	}
	i := id - tx.reqKept[0].r.ID
	if i < 0 || i >= int64(len(tx.reqKept)) {
		return nil
	}
	return tx.reqKept[i]
}

// keptRequestRows are the request side's kept tables, in the order they
// are written (a row after those it refers to).
func (tx *Tx) keptRequestRows() []*keptRows {
	return []*keptRows{&tx.blobsKept, &tx.pagesKept, &tx.eventsKept, &tx.documentsKept, &tx.claimsKept}
}

func (tx *Tx) initKeptRows() {
	if tx.eventsKept.table != "" {
		return
	}
	tx.blobsKept = keptRows{table: "blobs", head: `INSERT INTO blobs (sha256, size, created_at) VALUES `, row: `(?, ?, ?)`, cols: 3,
		tail: ` ON CONFLICT (sha256) DO NOTHING`}
	tx.pagesKept = keptRows{table: "public_pages", head: `INSERT INTO public_pages (request_id, slug, created_at) VALUES `,
		row: `(?, ?, ?)`, cols: 3, tail: ` ON CONFLICT (request_id) DO NOTHING`}
	tx.eventsKept = keptRows{table: "request_events", head: `INSERT INTO request_events (id, request_id, kind, date, outcome, new_due_date, reason, note, exemptions, message_id, created_by, created_at) VALUES `,
		row: `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cols: 12}
	tx.documentsKept = keptRows{table: "documents", head: `INSERT INTO documents (id, request_id, message_id, filename, media_type, sniffed_type, size, sha256, disposition, description, created_at) VALUES `,
		row: `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cols: 11}
	tx.claimsKept = keptRows{table: "exemption_claims", head: `INSERT INTO exemption_claims (request_id, event_id, document_id, law, code) VALUES `,
		row: `(?, ?, ?, ?, ?)`, cols: 5}
}

// lastID is the largest id in table (0: none), which the next row kept
// back after it is written under, plus one.
func (tx *Tx) lastID(table string) (int64, error) {
	var id int64
	if err := tx.queryRowKept(tx.ctx, `SELECT COALESCE(max(id), 0) FROM `+table).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: unable to read the last id of %s: %w", table, err)
	}
	return id, nil
}

// nextID is the id the next row kept in k is written under.
func (tx *Tx) nextID(k *keptRows) (int64, error) {
	if len(k.args) == 0 {
		var err error
		if k.lastID, err = tx.lastID(k.table); err != nil {
			return 0, err
		}
	}
	k.lastID++
	return k.lastID, nil
}

// keepRequest keeps back the INSERT of r (validated, its law, token, status
// and times set) and gives it its id and, when it has none, our reference.
func (tx *Tx) keepRequest(r *tracker.Request) error {
	var id int64
	if len(tx.reqKept) == 0 {
		var err error
		if id, err = tx.lastID("requests"); err != nil {
			return err
		}
	} else {
		id = tx.reqKept[len(tx.reqKept)-1].r.ID
	}
	r.ID = id + 1
	if r.OurRef == "" {
		r.OurRef = ourRef(tx.now.Year(), r.ID)
	}
	tx.initKeptRows()
	tx.reqKept = append(tx.reqKept, &keptRequest{r: *r})
	return nil
}

// ourRef is a request's reference of our own, quoted in subjects so that
// replies can be matched.
func ourRef(year int, id int64) string { return fmt.Sprintf("FT-%d-%04d", year, id) }

// keptPending is what pendingReplies reads for a kept request: only rows
// the batch wrote can name it, and those are kept back too (any written
// would have written the request first). A processed message filed to it
// (SetMailProcessed) writes it first, so only inserted ones are looked at.
func (tx *Tx) keptPending(id int64) []tracker.PendingReply {
	var out []tracker.PendingReply
	for _, m := range tx.mailInserts {
		if m.requestID == id && m.proposed {
			out = append(out, pendingReply(m.classification))
		}
	}
	return out
}

// requestKeptInsert writes a kept request complete: its columns as
// createRequest, SetRequestOwner and derive would have left them.
var requestKeptInsert = `INSERT INTO requests (id, title, body, authority_id, law, tags, our_ref, their_ref, visibility, reply_token, notes,
	created_at, updated_at, owner_id, ` + strings.Join(standingColumns, ", ") + `, plan_version, plan_hash, plan_inputs, plan_read_from, plan_read_to) VALUES `

var requestKeptCols = 14 + len(standingColumns) + 5

var requestKeptRow = "(" + strings.TrimSuffix(strings.Repeat("?, ", requestKeptCols), ", ") + ")"

// flushRequestSide writes the kept requests, complete with their derived
// fields as they stand, then the rows that name them.
func (tx *Tx) flushRequestSide() error {
	if len(tx.reqKept) == 0 && !tx.keptRowsLeft() {
		return nil
	}
	reqs := tx.reqKept
	tables := make([]keptRows, 0, 5)
	for _, k := range tx.keptRequestRows() {
		tables = append(tables, *k)
		k.args = nil // the statements below name their tables
	}
	tx.reqKept = nil
	var rows, windows []any
	for _, k := range reqs {
		r := k.r
		d, err := deriveStanding(&r, k.history, tx.keptPending(r.ID))
		if err != nil {
			return err
		}
		readFrom, readTo := readText(d.st.Read)
		rows = append(rows, r.ID, r.Title, r.Body, r.AuthorityID, r.Law, jsonList(r.Tags), r.OurRef, r.TheirRef, r.Visibility,
			r.ReplyToken, r.Notes, ts(r.CreatedAt), ts(tx.now), nullID(k.owner))
		for _, v := range d.row.vals {
			rows = append(rows, v.any())
		}
		rows = append(rows, tracker.PlanVersion, d.hash, d.inputs, readFrom, readTo)
		for seq, w := range d.row.windows {
			windows = append(windows, append([]any{r.ID, seq}, windowArgs(w)...)...)
		}
	}
	if err := tx.insertChunked(requestKeptInsert, requestKeptRow, requestKeptCols, "", rows, nil); err != nil {
		if isUnique(err) {
			return tracker.Errorf(tracker.ECONFLICT, "a request of the batch is stored already: %v", err)
		}
		return fmt.Errorf("store: unable to create request: %w", err)
	}
	if err := tx.insertChunked(`INSERT INTO request_windows (request_id, seq, kind, who, label, date, state, optional, explanation) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?, ?)`, 9, "", windows, nil); err != nil {
		return fmt.Errorf("store: unable to store a window: %w", err)
	}
	for _, k := range tables {
		if err := tx.insertChunked(k.head, k.row, k.cols, k.tail, k.args, nil); err != nil {
			return fmt.Errorf("store: unable to write the batch's %s: %w", k.table, err)
		}
	}
	return nil
}

// keptRowsLeft says whether a request-side table has rows kept back.
func (tx *Tx) keptRowsLeft() bool {
	for _, k := range tx.keptRequestRows() {
		if len(k.args) > 0 {
			return true
		}
	}
	return false
}

// dropKept forgets every row kept back (a rollback to a savepoint undid
// them: the savepoint wrote those kept before it).
func (tx *Tx) dropKept() {
	tx.mailKept, tx.mailInserts = tx.mailKept[:0], tx.mailInserts[:0]
	tx.reqKept = nil
	for _, k := range tx.keptRequestRows() {
		k.args = k.args[:0]
	}
}

// keepEvent keeps back the INSERT of e on a kept request, stored under the
// id it returns, and adds it to the request's history.
func (tx *Tx) keepEvent(k *keptRequest, e tracker.Event) (int64, error) {
	id, err := tx.nextID(&tx.eventsKept)
	if err != nil {
		return 0, err
	}
	e.ID = id
	tx.eventsKept.args = append(tx.eventsKept.args, id, k.r.ID, e.Kind, e.Date, e.Outcome, e.NewDueDate, e.Reason, e.Note,
		jsonList(e.Exemptions), nullID(e.MessageID), e.CreatedBy, ts(e.CreatedAt))
	k.history = append(k.history, storedEvent(e, k.r.ID))
	tracker.SortEvents(k.history)
	return id, nil
}

// keptHistory is a kept request's history, as eventsOf gives it.
func (k *keptRequest) keptHistory() []tracker.Event { return slices.Clone(k.history) }
