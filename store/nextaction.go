package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// The stored next action (schema section "next action"): written with every
// change to a request's history or proposals, read by the pages, `due`, the
// reminders and the calendar feed, so that none of them replays histories.

// pendingReplies are the replies filed on the request whose proposed event
// waits for a person to confirm it, oldest first.
func (tx *Tx) pendingReplies(requestID int64) ([]tracker.PendingReply, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT classification FROM mail_messages
		WHERE request_id = ? AND direction = 'in' AND proposal_state = 'proposed' ORDER BY id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read proposals: %w", err)
	}
	defer rows.Close()
	var out []tracker.PendingReply
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("store: unable to read proposal: %w", err)
		}
		out = append(out, pendingReply(raw))
	}
	return out, rows.Err()
}

// RefreshRequest works out again, in the caller's transaction, everything
// stored about a request that derives from its history and proposals.
// Whoever changes a message's request or proposal state outside this
// package's methods must call it for every request concerned.
func (tx *Tx) RefreshRequest(id int64) error {
	return tx.refreshLater(id)
}

// planColumns read a stored plan (after requestColumns' table aliases).
const planColumns = `r.next_who, r.next_action, r.next_by, r.next_explanation, r.then_who, r.then_action, r.then_by, r.then_explanation, r.plan_since`

func scanPlanInto(dest *tracker.Plan) []any {
	return []any{&dest.Now.Who, &dest.Now.Action, &dest.Now.By, &dest.Now.Explanation,
		&dest.Then.Who, &dest.Then.Action, &dest.Then.By, &dest.Then.Explanation, &dest.Since}
}

// StoredPlan is a request's plan as stored, with its windows.
func (s *Store) StoredPlan(ctx context.Context, id int64) (tracker.Plan, error) {
	var p tracker.Plan
	var status string
	err := s.r.QueryRowContext(ctx, `SELECT r.status, `+planColumns+` FROM requests r WHERE r.id = ?`, id).
		Scan(append([]any{&status}, scanPlanInto(&p)...)...)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return p, notFound("request", id)
		}
		return p, fmt.Errorf("store: unable to read the next action of request %d: %w", id, err)
	}
	p.Status = tracker.Status(status)
	ws, err := s.WindowsOf(ctx, []int64{id})
	if err != nil {
		return p, err
	}
	p.Windows = ws[id]
	if p.Windows == nil {
		p.Windows = []tracker.Window{}
	}
	return p, nil
}

// WindowsOf reads the stored windows (tracker.Plan's) of the given
// requests, by request.
func (s *Store) WindowsOf(ctx context.Context, ids []int64) (map[int64][]tracker.Window, error) {
	out := make(map[int64][]tracker.Window, len(ids))
	// Every window read goes into one slice, and each request's are a part
	// of it (the rows come by request): a few allocations a call, not a
	// growing slice a request. of[i] is the request of all[i].
	var all []tracker.Window
	var of []int64
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		// The ids bound as one JSON array: one text for a page of any
		// length, kept prepared (a placeholder each made a text for
		// every length).
		rows, err := s.r.QueryContext(ctx, `SELECT request_id, kind, who, label, date, state, optional, explanation
			FROM request_windows WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY request_id, seq`, idJSON(batch))
		if err != nil {
			return nil, fmt.Errorf("store: unable to read windows: %w", err)
		}
		// One set of destinations for every row (each Scan sets them all):
		// a pointer given to Scan moves its variable to the heap, a row's
		// worth of allocations each row when declared in the loop. Kind,
		// Who and State are scanned as strings: database/sql fills a named
		// string type through reflection.
		var id int64
		var w tracker.Window
		var kind, who, state string
		dest := []any{&id, &kind, &who, &w.Label, &w.Date, &state, &w.Optional, &w.Explanation}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unable to read a window: %w", err)
			}
			w.Kind, w.Who, w.State = tracker.DeadlineKind(kind), tracker.Who(who), tracker.WindowState(state)
			all, of = append(all, w), append(of, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: unable to read windows: %w", err)
		}
	}
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && of[j] == of[i] {
			j++
		}
		// Capped at its end: appending to one request's windows never
		// writes over the next request's.
		if prev, ok := out[of[i]]; ok { // an id asked for twice
			out[of[i]] = append(prev[:len(prev):len(prev)], all[i:j]...)
		} else {
			out[of[i]] = all[i:j:j]
		}
		i = j
	}
	return out, nil
}

// ActionItem is a request with the step in force on a day, read from the
// stored plan.
type ActionItem struct {
	Request tracker.Request
	Step    tracker.Step
	Overdue bool
	// Cursor is its place in the list it was read from (NeedsYou's).
	Cursor Cursor
}

func scanActionItem(sc interface{ Scan(...any) error }, today tracker.Date) (ActionItem, error) {
	var it ActionItem
	var p tracker.Plan
	r, err := scanRequest(scanTail{sc, scanPlanInto(&p)})
	if err != nil {
		return it, err
	}
	it.Request = r
	it.Step, it.Overdue = p.StepAt(today)
	return it, nil
}

func readActionItems(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}, today tracker.Date) ([]ActionItem, error) {
	var out []ActionItem
	for rows.Next() {
		it, err := scanActionItem(rows, today)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read an action: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// inForce is the SQL for a column of the step in force on a day (its one
// parameter): then_* once next_by has passed and there is a then step.
func inForce(col string) string {
	return fmt.Sprintf("(CASE WHEN r.next_by IS NOT NULL AND r.next_by < ? AND r.then_action <> '' THEN r.then_%s ELSE r.next_%s END)", col, col)
}

// NeedsYou lists the requests on which the requester must act on today:
// replies to confirm first, then by the date the action is due (or became
// due), a page of limit from cur (NeedsYouCursor of a listed item; the
// zero Cursor for the first page), with the total.
func (s *Store) NeedsYou(ctx context.Context, today tracker.Date, limit int, cur Cursor) ([]ActionItem, int, error) {
	cond := `r.needs_from IS NOT NULL AND r.needs_from <= ? AND (r.needs_until IS NULL OR r.needs_until >= ?)`
	// Counted from the counts per date the schema's triggers keep
	// (request_day_counts): the totals less the dates still to come.
	var total int
	err := s.r.QueryRowContext(ctx, `SELECT `+dayCountsFrom("needs_from", ">")+` - `+dayCountsFrom("needs_until", ">="),
		today, today).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to count actions: %w", err)
	}
	if limit <= 0 {
		limit = 50
	}
	args := []any{today, today}
	order := "r.needs_rank, r.needs_sort, r.id"
	if cur.Set() {
		rank, sortKey, ok := splitNeedsKey(cur.Key)
		if !ok {
			return nil, 0, tracker.Errorf(tracker.EINVALID, "not a position in the list of what needs you: %q", cur.Key)
		}
		// The rows after (before) the cursor's in the index's order.
		if cur.Back {
			cond += ` AND (r.needs_rank, r.needs_sort, r.id) < (?, ?, ?)`
			order = "r.needs_rank DESC, r.needs_sort DESC, r.id DESC"
		} else {
			cond += ` AND (r.needs_rank, r.needs_sort, r.id) > (?, ?, ?)`
		}
		args = append(args, rank, sortKey, cur.ID)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+requestColumns+`, `+planColumns+`, r.needs_rank, r.needs_sort
		FROM requests r INDEXED BY requests_needs JOIN authorities a ON a.id = r.authority_id
		WHERE `+cond+` ORDER BY `+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list actions: %w", err)
	}
	defer rows.Close()
	var out []ActionItem
	for rows.Next() {
		var rank int64
		var sortKey string
		it, err := scanActionItem(scanTail{rows, []any{&rank, &sortKey}}, today)
		if err != nil {
			return nil, 0, fmt.Errorf("store: unable to read an action: %w", err)
		}
		it.Cursor = Cursor{ID: it.Request.ID, Key: strconv.FormatInt(rank, 10) + " " + sortKey}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: unable to list actions: %w", err)
	}
	return inListOrder(out, cur.Back && cur.Set()), total, nil
}

// splitNeedsKey reads the key of a NeedsYou cursor: the row's needs_rank
// and needs_sort ("" or a date).
func splitNeedsKey(key string) (int64, string, bool) {
	rankText, sortKey, ok := strings.Cut(key, " ")
	rank, err := strconv.ParseInt(rankText, 10, 64)
	if !ok || err != nil || rank < 0 || rank > 1 {
		return 0, "", false
	}
	if sortKey != "" {
		if _, err := tracker.ParseDate(sortKey); err != nil {
			return 0, "", false
		}
	}
	return rank, sortKey, true
}

// ValidNeedsYouCursor says whether c is a position NeedsYou can start from.
func ValidNeedsYouCursor(c Cursor) bool {
	_, _, ok := splitNeedsKey(c.Key)
	return ok
}

// DueFilter narrows DueActions.
type DueFilter struct {
	Today tracker.Date
	// Until: dated steps due on or before it (overdue ones included);
	// undated steps other than "nothing", and every step of the
	// requester's (as "Needs you" and the reminders have them), are
	// always listed. Zero: every open request's step, whatever its date.
	Until tracker.Date
	Who   tracker.Who // "" for both sides
	Limit int         // 0: no limit
}

// DueActions lists the open requests whose step in force on f.Today is
// due by f.Until (or has no date, or is the requester's), both sides,
// soonest first.
func (s *Store) DueActions(ctx context.Context, f DueFilter) ([]ActionItem, error) {
	by := inForce("by")
	q := `SELECT ` + requestColumns + `, ` + planColumns + `
		FROM requests r JOIN authorities a ON a.id = r.authority_id
		WHERE r.status NOT IN ` + closedStatuses + ` AND ` + inForce("action") + ` <> 'nothing'`
	args := []any{f.Today}
	if !f.Until.IsZero() {
		q += ` AND (` + by + ` IS NULL OR ` + by + ` <= ? OR ` + inForce("who") + ` = 'requester')`
		args = append(args, f.Today, f.Today, f.Until, f.Today)
	}
	if f.Who != "" {
		q += ` AND ` + inForce("who") + ` = ?`
		args = append(args, f.Today, string(f.Who))
	}
	q += ` ORDER BY ` + by + ` IS NULL, ` + by + `, r.id`
	args = append(args, f.Today, f.Today)
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list what is due: %w", err)
	}
	defer rows.Close()
	return readActionItems(rows, f.Today)
}

// ListState is what a list shows of a request beside its own fields, as
// stored: the step in force on a day, and what its standing is worked out
// from (tracker.StandingBasis).
type ListState struct {
	Step     tracker.Step
	Overdue  bool
	Standing tracker.StandingBasis
}

// listStateColumns read a ListState (after requestColumns' table aliases;
// the law is the request's).
const listStateColumns = `r.standing_code, r.standing_date, r.standing_long, r.standing_note, ` + planColumns

// listStateScan is where a row's listStateColumns are scanned into.
type listStateScan struct {
	code string
	b    tracker.StandingBasis
	p    tracker.Plan
}

// dest resets sc and gives the addresses to scan a row into (a list's
// rows can share them: reset before each).
func (sc *listStateScan) dest() []any {
	sc.reset()
	return append([]any{&sc.code, &sc.b.Date, &sc.b.LongOverdue, &sc.b.Note}, scanPlanInto(&sc.p)...)
}

func (sc *listStateScan) reset() { *sc = listStateScan{} }

// state is the ListState on today of the row scanned, under law.
func (sc *listStateScan) state(law string, today tracker.Date) ListState {
	ls := ListState{Standing: sc.b}
	ls.Standing.Code = tracker.StandingCode(sc.code)
	if l, ok := tracker.LawByCode(tracker.LawCode(law)); ok {
		ls.Standing.Calendar = l.Calendar
	}
	ls.Step, ls.Overdue = sc.p.StepAt(today)
	return ls
}

// ListStates reads the list state on today of the given requests (one
// lookup by id each; no history is read). A list read by
// RequestsWithStates has them already.
func (s *Store) ListStates(ctx context.Context, ids []int64, today tracker.Date) (map[int64]ListState, error) {
	out := make(map[int64]ListState, len(ids))
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		// One JSON array: one text for any length (see WindowsOf).
		rows, err := s.r.QueryContext(ctx, `SELECT r.id, r.law, `+listStateColumns+`
			FROM requests r WHERE r.id IN (SELECT value FROM json_each(?))`, idJSON(batch))
		if err != nil {
			return nil, fmt.Errorf("store: unable to read next actions: %w", err)
		}
		var st listStateScan
		for rows.Next() {
			var id int64
			var law string
			if err := rows.Scan(append([]any{&id, &law}, st.dest()...)...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unable to read a next action: %w", err)
			}
			out[id] = st.state(law, today)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: unable to read next actions: %w", err)
		}
	}
	return out, nil
}

// AwaitedBetween lists the requests whose step in force is the authority's
// or the regulator's, dated from from to to (both included), soonest first,
// a page at a time, with the total.
func (s *Store) AwaitedBetween(ctx context.Context, from, to tracker.Date, limit int) ([]ActionItem, int, error) {
	cond := `r.next_by >= ? AND r.next_by <= ? AND r.next_who IN ('authority', 'regulator')`
	// Counted from the counts per date the schema's triggers keep
	// (request_day_counts' kind 'awaited': these requests' next_by), a row
	// a date of the window; listed by walking requests_awaited, which holds
	// just these requests in the order listed, and stopping after a page.
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(sum(n), 0) FROM request_day_counts
		WHERE kind = 'awaited' AND day >= ? AND day <= ?`, from, to).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count what is awaited: %w", err)
	}
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+requestColumns+`, `+planColumns+`
		FROM requests r INDEXED BY requests_awaited JOIN authorities a ON a.id = r.authority_id
		WHERE `+cond+` ORDER BY r.next_by, r.id LIMIT ?`, from, to, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list what is awaited: %w", err)
	}
	defer rows.Close()
	out, err := readActionItems(rows, from)
	return out, total, err
}

// dayCountsFrom is the SQL for the count of kind's requests (in
// request_day_counts) whose date is not op the one parameter: the kind's
// total (day '*', which sorts before every date) less the dates op it.
func dayCountsFrom(kind, op string) string {
	return `(COALESCE((SELECT n FROM request_day_counts WHERE kind = '` + kind + `' AND day = '*'), 0) -
		(SELECT COALESCE(sum(n), 0) FROM request_day_counts WHERE kind = '` + kind + `' AND day ` + op + ` ?))`
}

// CountLate counts the requests whose authority missed its date before
// today and has not answered (the step in force is a chaser).
func (s *Store) CountLate(ctx context.Context, today tracker.Date) (int, error) {
	// The total less the dates still to come (request_day_counts).
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT `+dayCountsFrom("late", ">="), today).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count late requests: %w", err)
	}
	return n, nil
}

// FeedWindow is an open window with what a calendar entry says about its request.
type FeedWindow struct {
	tracker.Window
	Request tracker.Request
	Seq     int
}

// OpenWindowsFrom lists every window still open dated from since on, of
// open requests, by date: the calendar feed's entries (both sides' dates,
// the requester's windows included).
func (s *Store) OpenWindowsFrom(ctx context.Context, since tracker.Date) ([]FeedWindow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+requestColumns+`, w.seq, w.kind, w.who, w.label, w.date, w.state, w.optional, w.explanation
		FROM request_windows w JOIN requests r ON r.id = w.request_id JOIN authorities a ON a.id = r.authority_id
		WHERE w.state = 'open' AND w.date >= ? AND r.status NOT IN `+closedStatuses+`
		ORDER BY w.date, w.request_id, w.seq`, since)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list open windows: %w", err)
	}
	defer rows.Close()
	var out []FeedWindow
	for rows.Next() {
		var fw FeedWindow
		w := &fw.Window
		r, err := scanRequest(scanTail{rows, []any{&fw.Seq, &w.Kind, &w.Who, &w.Label, &w.Date, &w.State, &w.Optional, &w.Explanation}})
		if err != nil {
			return nil, fmt.Errorf("store: unable to read an open window: %w", err)
		}
		fw.Request = r
		out = append(out, fw)
	}
	return out, rows.Err()
}
