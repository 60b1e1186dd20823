package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

const requestColumns = `r.id, r.title, r.body, r.authority_id, r.law, r.tags, r.our_ref, r.their_ref, r.visibility,
	r.reply_token, r.notes, r.status, r.outcome, r.sent_on, r.due_date, r.created_at, r.updated_at, a.name`

func scanRequest(sc interface{ Scan(...any) error }) (tracker.Request, error) {
	return newRequestScan().scan(sc)
}

// requestScan is where rows of requestColumns (and the columns of tail
// after them) are scanned into, one set of destinations for all the rows
// of a list: a variable whose address is given to Scan lives on the heap,
// so scanning each row into fresh ones cost the request, its five text
// columns, the slice of their addresses and (with a tail) a second slice
// and a boxed scanTail, about ten allocations a row.
type requestScan struct {
	r                                   tracker.Request
	law, tags, status, created, updated string
	dest                                []any
}

func newRequestScan(tail ...any) *requestScan {
	x := &requestScan{}
	x.dest = append([]any{&x.r.ID, &x.r.Title, &x.r.Body, &x.r.AuthorityID, &x.law, &x.tags, &x.r.OurRef, &x.r.TheirRef, &x.r.Visibility,
		&x.r.ReplyToken, &x.r.Notes, &x.status, &x.r.Outcome, &x.r.SentOn, &x.r.DueDate, &x.created, &x.updated, &x.r.AuthorityName}, tail...)
	return x
}

// scan reads the next row of sc into the destinations and returns its
// request.
func (x *requestScan) scan(sc interface{ Scan(...any) error }) (tracker.Request, error) {
	x.r = tracker.Request{}
	err := sc.Scan(x.dest...)
	r := x.r
	r.Law, r.Tags, r.Status = tracker.LawCode(x.law), parseList(x.tags), tracker.Status(x.status)
	r.CreatedAt, r.UpdatedAt = parseTS(x.created), parseTS(x.updated)
	return r, err
}

// NewReplyToken makes the secret part of a request's reply address: 16
// lower-case base32 characters (80 bits), safe in a mail local part.
func NewReplyToken() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// CreateRequest validates and inserts r as a draft, with its law defaulting
// from the authority. When sentOn is not zero, a "sent" event on that date is
// recorded in the same transaction.
func (s *Store) CreateRequest(ctx context.Context, r *tracker.Request, sentOn tracker.Date) error {
	return s.CreateRequestWith(ctx, r, NewRequest{SentOn: sentOn})
}

// NewRequest is what creating a request writes beside the request itself.
type NewRequest struct {
	SentOn  tracker.Date // the "sent" event's date (zero: a draft)
	OwnerID int64        // the user who gets its reminders (0: nobody)
}

// CreateRequestWith creates r as CreateRequest does, and its owner, in one
// transaction: the request, its public page (when public), its "sent"
// event, its owner and their audit entries are all written or none is. The
// web form, the API and the CLI (request add) all create requests here.
func (s *Store) CreateRequestWith(ctx context.Context, r *tracker.Request, n NewRequest) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error {
		if err := tx.CreateRequest(r, n.SentOn); err != nil {
			return err
		}
		if n.OwnerID != 0 {
			return tx.SetRequestOwner(r.ID, n.OwnerID)
		}
		return nil
	})
}

// CreateRequest is CreateRequest in the caller's transaction (r already
// validated), for callers that write many rows in one commit (dev seed).
func (tx *Tx) CreateRequest(r *tracker.Request, sentOn tracker.Date) error {
	if err := tx.createRequest(r); err != nil {
		return err
	}
	if !sentOn.IsZero() {
		return tx.addEvent(r, &tracker.Event{RequestID: r.ID, Kind: tracker.EventSent, Date: sentOn})
	}
	return nil
}

func (tx *Tx) createRequest(r *tracker.Request) error {
	authLaw, err := tx.authorityLaw(r.AuthorityID)
	if err != nil {
		return err
	}
	if r.Law == "" {
		r.Law = tracker.LawCode(authLaw)
	}
	if r.ReplyToken == "" {
		r.ReplyToken = NewReplyToken()
	}
	r.Status, r.CreatedAt, r.UpdatedAt = tracker.StatusDraft, tx.now, tx.now
	if tx.keepsRequests() {
		// Written once, complete, with the batch's others (requests_kept.go).
		if err := tx.keepRequest(r); err != nil {
			return err
		}
		return tx.createdRequest(r)
	}
	res, err := tx.ExecContext(tx.ctx, `
		INSERT INTO requests (title, body, authority_id, law, tags, our_ref, their_ref, visibility, reply_token, notes,
			status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Title, r.Body, r.AuthorityID, r.Law, jsonList(r.Tags), r.OurRef, r.TheirRef, r.Visibility, r.ReplyToken,
		r.Notes, r.Status, ts(r.CreatedAt), ts(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: unable to create request: %w", err)
	}
	r.ID, _ = res.LastInsertId()
	if r.OurRef == "" {
		// A reference of our own, quoted in subjects so replies can be matched.
		r.OurRef = ourRef(tx.now.Year(), r.ID)
		if _, err := tx.ExecContext(tx.ctx, `UPDATE requests SET our_ref = ? WHERE id = ?`, r.OurRef, r.ID); err != nil {
			return fmt.Errorf("store: unable to set reference: %w", err)
		}
	}
	return tx.createdRequest(r)
}

// authorityLaw is the default law of authority id. A batch remembers it
// (a seed creates thousands of requests to a few hundred authorities) until
// a statement of its own names authorities.
func (tx *Tx) authorityLaw(id int64) (string, error) {
	if law, ok := tx.authorityLaws[id]; ok {
		return law, nil
	}
	var law string
	err := tx.QueryRowContext(tx.ctx, `SELECT default_law FROM authorities WHERE id = ?`, id).Scan(&law)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &tracker.Error{Code: tracker.EINVALID, Message: fmt.Sprintf("authority %d does not exist", id),
			Fields: map[string]string{"authority_id": "no such authority"}}
	} else if err != nil {
		return "", fmt.Errorf("store: unable to read authority: %w", err)
	}
	if tx.batch {
		if tx.authorityLaws == nil {
			tx.authorityLaws = map[int64]string{}
		}
		tx.authorityLaws[id] = law
	}
	return law, nil
}

// createdRequest writes what follows a request's creation (r stored, or
// kept back): its public page, its derived fields, its audit entry.
func (tx *Tx) createdRequest(r *tracker.Request) error {
	if tx.batch {
		if tx.created == nil {
			tx.created = map[int64]*createdRequest{}
		}
		tx.created[r.ID] = &createdRequest{law: r.Law} // a new request has no events
	}
	if r.Visibility == tracker.VisibilityPublic {
		if err := tx.ensurePublicSlug(r.ID); err != nil {
			return err
		}
	}
	if err := tx.deriveLater(r.ID); err != nil {
		return err
	}
	return tx.Audit("create", "request", r.ID, nil, r)
}

// UpdateRequest saves the editable fields of r (not its history or the
// fields derived from it). Changing the law recomputes the due date.
func (s *Store) UpdateRequest(ctx context.Context, r *tracker.Request) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error {
		before, err := tx.requestByID(r.ID)
		if err != nil {
			return err
		}
		if r.Law == "" {
			r.Law = before.Law
		}
		_, err = tx.ExecContext(tx.ctx, `
			UPDATE requests SET title = ?, body = ?, authority_id = ?, law = ?, tags = ?, our_ref = ?, their_ref = ?,
				visibility = ?, notes = ?, updated_at = ?
			WHERE id = ?`,
			r.Title, r.Body, r.AuthorityID, r.Law, jsonList(r.Tags), r.OurRef, r.TheirRef, r.Visibility, r.Notes, ts(tx.now), r.ID)
		if err != nil {
			if isForeignKey(err) {
				return &tracker.Error{Code: tracker.EINVALID, Message: "no such authority", Fields: map[string]string{"authority_id": "no such authority"}}
			}
			return fmt.Errorf("store: unable to update request: %w", err)
		}
		after, err := tx.refreshRequest(r.ID)
		if err != nil {
			return err
		}
		*r = after
		if r.Visibility == tracker.VisibilityPublic {
			if err := tx.ensurePublicSlug(r.ID); err != nil {
				return err
			}
		}
		return tx.Audit("update", "request", r.ID, before, after)
	})
}

func (tx *Tx) requestByID(id int64) (tracker.Request, error) {
	r, err := scanRequest(tx.QueryRowContext(tx.ctx, `SELECT `+requestColumns+`
		FROM requests r JOIN authorities a ON a.id = r.authority_id WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("request", id)
	} else if err != nil {
		return r, fmt.Errorf("store: unable to read request %d: %w", id, err)
	}
	return r, nil
}

// RequestByID returns one request or an ENOTFOUND error.
func (s *Store) RequestByID(ctx context.Context, id int64) (tracker.Request, error) {
	return s.requestWhere1(ctx, "r.id = ?", id, "request", id)
}

// RequestByReplyToken finds the request whose reply address carries token.
func (s *Store) RequestByReplyToken(ctx context.Context, token string) (tracker.Request, error) {
	return s.requestWhere1(ctx, "r.reply_token = ?", strings.ToLower(token), "request with reply token", token)
}

// RequestByOurRef finds the request with our reference (FT-2026-0042).
func (s *Store) RequestByOurRef(ctx context.Context, ref string) (tracker.Request, error) {
	return s.requestWhere1(ctx, "r.our_ref = ?", strings.ToUpper(strings.TrimSpace(ref)), "request with reference", ref)
}

// requestWhere1 reads the one request matching cond (with one argument).
func (s *Store) requestWhere1(ctx context.Context, cond string, arg any, kind string, ref any) (tracker.Request, error) {
	r, err := scanRequest(s.r.QueryRowContext(ctx, `SELECT `+requestColumns+`
		FROM requests r JOIN authorities a ON a.id = r.authority_id WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound(kind, ref)
	} else if err != nil {
		return r, fmt.Errorf("store: unable to read %s %v: %w", kind, ref, err)
	}
	return r, nil
}

// RequestFilter narrows Requests. Zero values do not filter.
type RequestFilter struct {
	Status      tracker.Status
	AuthorityID int64
	Law         tracker.LawCode
	Tag         string
	Query       string // the search box (see ParseSearchQuery): the request, its history, mail, documents
	// QueryMembers, when not nil, is RequestSearchMembers(Query), worked
	// out once for a count and a page of the same query in the "due"
	// order (newest first, the words are walked in request_search_index:
	// see byWords).
	QueryMembers []int64
	DueBefore    tracker.Date // open requests due on or before this date
	OpenOnly     bool
	PublicOnly   bool
	IDs          []int64
	// BeforeID lists only requests with a smaller id (keyset paging, newest first).
	BeforeID int64
	// Cursor is the row the page starts after (or, with Back, ends
	// before): its id, and in the "due" order its due date as Key ("" for
	// an undated request). Never OFFSET: a page deep in the list costs
	// what the first does.
	Cursor Cursor
	Limit  int
	// OrderBy: "due" (soonest first, undated last) or "" (newest first).
	OrderBy string
}

// RequestCursor is r's place in a list of requests in order (OrderBy).
func RequestCursor(r tracker.Request, order string) Cursor {
	if order == "due" {
		return Cursor{ID: r.ID, Key: r.DueDate.String()}
	}
	return Cursor{ID: r.ID}
}

// Requests lists requests with their authority names, a page of f.Limit
// from f.Cursor.
func (s *Store) Requests(ctx context.Context, f RequestFilter) ([]tracker.Request, error) {
	return s.requests(ctx, f, nil)
}

// RequestsWithStates is Requests with the ListState on today of each
// request listed (by id), read from the rows the list reads: ListStates
// of the list's ids looked each row up again, wide rows read twice.
func (s *Store) RequestsWithStates(ctx context.Context, f RequestFilter, today tracker.Date) ([]tracker.Request, map[int64]ListState, error) {
	ls := &listStates{today: today, m: map[int64]ListState{}}
	reqs, err := s.requests(ctx, f, ls)
	if err != nil {
		return nil, nil, err
	}
	return reqs, ls.m, nil
}

// listStates, when given to readRequests, gathers the ListState on today
// of each request it reads.
type listStates struct {
	today tracker.Date
	m     map[int64]ListState
}

func (s *Store) requests(ctx context.Context, f RequestFilter, ls *listStates) ([]tracker.Request, error) {
	where, args := requestWhere(f)
	if f.OrderBy == "" && (f.OpenOnly || !f.DueBefore.IsZero()) {
		// Newest first among the open ones: walk the table by id and stop
		// after a page ("+" keeps SQLite from gathering every open request
		// through the status index and sorting them all first).
		where = strings.Replace(where, "r.status IN "+openStatuses, "+r.status IN "+openStatuses, 1)
	}
	if f.Limit <= 0 {
		f.Limit = 100000
	}
	if !f.Cursor.Set() {
		f.Cursor.Back = false // the start of the list
	}
	if wf, ok, err := s.byWords(ctx, f); err != nil {
		return nil, err
	} else if ok {
		return s.requestsByWords(ctx, f, wf, ls)
	}
	from := "requests r"
	if f.OrderBy == "due" {
		if bare := unpaged(f); (f.OpenOnly || !f.DueBefore.IsZero()) && reflect.DeepEqual(bare, RequestFilter{OpenOnly: f.OpenOnly, DueBefore: f.DueBefore, Law: f.Law, PublicOnly: f.PublicOnly, BeforeID: f.BeforeID}) {
			// The open requests in this order are an index of their own:
			// walk it and stop after a page (SQLite, without statistics,
			// would gather the open requests status by status and sort
			// them all). Not with a narrower filter (one authority, tag or
			// search), whose few rows it would look for among them all.
			from = "requests r INDEXED BY requests_open_due"
		}
		return s.requestsByDue(ctx, f, from, where, args, ls)
	}
	col := "r.id"
	if f.Tag != "" {
		// Newest first with a tag: walk the tag's entries, newest request
		// first, and stop after a page (SQLite otherwise walked the
		// requests by id, looking each up among the tag's).
		where = strings.Replace(where, tagCond, "t.tag = ? AND r.id = t.request_id", 1)
		where = strings.Replace(where, beforeIDCond, "t.request_id < ?", 1)
		from, col = "request_tags t CROSS JOIN requests r", "t.request_id"
	}
	cond, cargs, order, reversed := idKeyset(col, true, f.Cursor)
	out, err := s.readRequests(ctx, from, where+" AND "+cond, append(args, cargs...), order, f.Limit, ls)
	return inListOrder(out, reversed), err
}

// requestsByDue is Requests in the "due" order: the dated requests by
// (due_date, id), then the undated ones by id. Each part is a range of the
// (…, due_date IS NULL, due_date, id) indexes that a cursor's row starts
// (a single range over both, by row value, SQLite would not use as one:
// it walked the index from the start of the list); a page that spans both
// reads one part and then the other.
func (s *Store) requestsByDue(ctx context.Context, f RequestFilter, from, where string, args []any, ls *listStates) ([]tracker.Request, error) {
	c := f.Cursor
	fromUndated := c.Set() && c.Key == ""
	op, desc := ">", ""
	if c.Back {
		op, desc = "<", " DESC"
	}
	dated := func(limit int) ([]tracker.Request, error) {
		cond, a := "(r.due_date IS NULL) = 0", slices.Clone(args)
		if c.Set() && !fromUndated {
			cond += " AND (r.due_date, r.id) " + op + " (?, ?)"
			a = append(a, c.Key, c.ID)
		}
		return s.readRequests(ctx, from, where+" AND "+cond, a, "r.due_date"+desc+", r.id"+desc, limit, ls)
	}
	undated := func(limit int) ([]tracker.Request, error) {
		cond, a := "(r.due_date IS NULL) = 1 AND r.due_date IS NULL", slices.Clone(args)
		if fromUndated {
			cond += " AND r.id " + op + " ?"
			a = append(a, c.ID)
		}
		return s.readRequests(ctx, from, where+" AND "+cond, a, "r.id"+desc, limit, ls)
	}
	// The parts in the order the page reads them, from the cursor's.
	var parts []func(int) ([]tracker.Request, error)
	switch {
	case !c.Back && fromUndated:
		parts = append(parts, undated)
	case !c.Back:
		parts = append(parts, dated, undated)
	case fromUndated:
		parts = append(parts, undated, dated)
	default:
		parts = append(parts, dated)
	}
	var out []tracker.Request
	for _, part := range parts {
		if len(out) >= f.Limit {
			break
		}
		rows, err := part(f.Limit - len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return inListOrder(out, c.Back), nil
}

// readRequests reads the requests of from that match where, in order, at
// most limit, and their list states into ls when it is not nil.
func (s *Store) readRequests(ctx context.Context, from, where string, args []any, order string, limit int, ls *listStates) ([]tracker.Request, error) {
	cols := requestColumns
	if ls != nil {
		cols += `, ` + listStateColumns
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+cols+`
		FROM `+from+` JOIN authorities a ON a.id = r.authority_id
		WHERE `+where+` ORDER BY `+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list requests: %w", err)
	}
	defer rows.Close()
	// A page's worth of room at once (a list reads limit = page size + 1),
	// not eight doublings of a slice of wide rows.
	out := make([]tracker.Request, 0, min(limit, 128))
	var st listStateScan
	x := newRequestScan()
	if ls != nil {
		x = newRequestScan(st.dest()...)
	}
	for rows.Next() {
		if ls != nil {
			st.reset()
		}
		r, err := x.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read request: %w", err)
		}
		if ls != nil {
			ls.m[r.ID] = st.state(string(r.Law), ls.today)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountRequests counts the requests Requests would list without paging.
func (s *Store) CountRequests(ctx context.Context, f RequestFilter) (int, error) {
	n, _, err := s.CountRequestsUpTo(ctx, f, math.MaxInt-1)
	return n, err
}

// CountRequestsUpTo is CountRequests, but a list searched by words (see
// byWords) is counted up to bound only: more says there are more.
func (s *Store) CountRequestsUpTo(ctx context.Context, f RequestFilter, bound int) (n int, more bool, err error) {
	if wf, ok, err := s.byWords(ctx, f); err != nil {
		return 0, false, err
	} else if ok {
		return s.countRequestsByWords(ctx, wf, bound)
	}
	n, err = s.countRequests(ctx, f)
	return n, false, err
}

func (s *Store) countRequests(ctx context.Context, f RequestFilter) (int, error) {
	if statuses, ok := countedStatuses(f); ok {
		// All requests, one status or the open ones: the counts the
		// schema's triggers keep, a row per status.
		q, args := `SELECT COALESCE(sum(requests), 0) FROM request_status_counts`, []any{}
		if statuses != nil {
			q += ` WHERE status IN (` + strings.TrimSuffix(strings.Repeat("?,", len(statuses)), ",") + `)`
			for _, st := range statuses {
				args = append(args, string(st))
			}
		}
		var n int
		if err := s.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: unable to count requests: %w", err)
		}
		return n, nil
	}
	if bare := unpaged(f); f.Tag != "" && reflect.DeepEqual(bare, RequestFilter{Tag: f.Tag}) {
		// One tag: the count its triggers keep.
		var n int
		err := s.r.QueryRowContext(ctx, `SELECT COALESCE(sum(requests), 0) FROM request_tag_counts WHERE tag = ?`, strings.ToLower(f.Tag)).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("store: unable to count requests: %w", err)
		}
		return n, nil
	}
	if bare := unpaged(f); f.AuthorityID != 0 && reflect.DeepEqual(bare, RequestFilter{AuthorityID: f.AuthorityID, Law: f.Law}) {
		// One authority's (under one law): the counts the insight's
		// triggers keep by authority and law (insight_counts.requests,
		// every request's), a row a law, where counting its index entries
		// grew with the authority (~5,900 at 100,000 requests for the
		// largest, ten times that at a million).
		q, args := `SELECT COALESCE(sum(requests), 0) FROM insight_counts WHERE authority_id = ?`, []any{f.AuthorityID}
		if f.Law != "" {
			q, args = q+` AND law = ?`, append(args, string(f.Law))
		}
		var n int
		if err := s.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: unable to count requests: %w", err)
		}
		return n, nil
	}
	where, args := requestWhere(f)
	// No join with authorities (every request has one), and no WHERE when
	// nothing filters: SQLite then counts the smallest index's entries, not
	// each row.
	q := `SELECT count(*) FROM requests r`
	if f.QueryMembers != nil && f.Query != "" {
		// A search's members drive, each request read by its key: SQLite
		// does not know how few they are, and walked the requests of the
		// other filters (all the open ones), looking each up among them.
		list, _ := json.Marshal(f.QueryMembers)
		q = `SELECT count(*) FROM json_each(?) j CROSS JOIN requests r ON r.id = j.value`
		args = append([]any{string(list)}, args...)
	}
	if where != "1 = 1" {
		q += ` WHERE ` + where
	}
	var n int
	err := s.r.QueryRowContext(ctx, q, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count requests: %w", err)
	}
	return n, nil
}

// countedStatuses says whether f filters by nothing but status (one, or the
// open ones), and which (nil: all of them), so that request_status_counts
// answers CountRequests.
func countedStatuses(f RequestFilter) ([]tracker.Status, bool) {
	rest := unpaged(f)
	rest.Status, rest.OpenOnly = "", false
	if !reflect.DeepEqual(rest, RequestFilter{}) {
		return nil, false
	}
	out := []tracker.Status{} // none at all (a closed status, open only) is not nil
	for _, st := range tracker.Statuses {
		if (f.Status == "" || st.Status == f.Status) && (!f.OpenOnly || st.Status.Open()) {
			out = append(out, st.Status)
		}
	}
	if f.Status == "" && !f.OpenOnly {
		return nil, true
	}
	return out, true
}

// unpaged is f without its page and order.
func unpaged(f RequestFilter) RequestFilter {
	f.Limit, f.Cursor, f.OrderBy = 0, Cursor{}, ""
	return f
}

// closedStatuses are those with no live deadline.
var closedStatuses = `('draft', 'withdrawn', 'closed')`

// openStatuses are all the others, as an SQL list.
var openStatuses = func() string {
	var l []string
	for _, s := range tracker.Statuses {
		if s.Status.Open() {
			l = append(l, "'"+string(s.Status)+"'")
		}
	}
	return "(" + strings.Join(l, ", ") + ")"
}()

// The conditions on a tag and on BeforeID, as requestWhere writes them.
const (
	tagCond      = "r.id IN (SELECT request_id FROM request_tags WHERE tag = ?)"
	beforeIDCond = "r.id < ?"
)

func requestWhere(f RequestFilter) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if f.Status != "" {
		conds = append(conds, "r.status = ?")
		args = append(args, string(f.Status))
	}
	if f.AuthorityID != 0 {
		conds = append(conds, "r.authority_id = ?")
		args = append(args, f.AuthorityID)
	}
	if f.Law != "" {
		conds = append(conds, "r.law = ?")
		args = append(args, string(f.Law))
	}
	if f.Tag != "" {
		conds = append(conds, tagCond)
		args = append(args, strings.ToLower(f.Tag))
	}
	if f.Query != "" {
		c, a := requestSearchCond(f.Query, f.QueryMembers)
		conds = append(conds, c)
		args = append(args, a...)
	}
	if !f.DueBefore.IsZero() {
		conds = append(conds, "r.due_date IS NOT NULL AND r.due_date <= ?")
		args = append(args, f.DueBefore.String())
	}
	if f.OpenOnly || !f.DueBefore.IsZero() {
		// The open statuses named (not "NOT IN" the closed ones), so that
		// the (status, due_date) index finds them.
		conds = append(conds, "r.status IN "+openStatuses)
	}
	if f.BeforeID > 0 {
		conds = append(conds, beforeIDCond)
		args = append(args, f.BeforeID)
	}
	if f.PublicOnly {
		conds = append(conds, "r.visibility = 'public'")
	}
	if len(f.IDs) > 0 {
		// One JSON array, not a placeholder each: one text for any
		// number of ids, kept prepared.
		conds = append(conds, "r.id IN (SELECT value FROM json_each(?))")
		args = append(args, idJSON(f.IDs))
	}
	return strings.Join(conds, " AND "), args
}
