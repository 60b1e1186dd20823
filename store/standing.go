package store

import (
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/foitrack/foitrack/internal/crc"
	"github.com/foitrack/foitrack/tracker"
)

// A request's standing (tracker.Derived: status, due date, figures, first
// response, plan and windows) is stored in the requests row's derived
// columns and in request_windows, with plan_hash, a fingerprint of all of
// it as written. Every path that stores a standing goes through
// storeStanding: it compares the fresh standing with the stored one and
// writes only the groups of columns and the windows that differ, so that a
// recomputation that changes nothing writes nothing, and one that moves a
// due date rewrites that request's date columns and changed windows only.

// The derived columns, in groups written together when one of them changes.
var standingGroups = []struct {
	name string
	cols []string
}{
	{"status", []string{"status", "outcome", "sent_on", "due_date"}},
	{"figures", []string{"first_outcome", "review_days", "review_outcome", "regulator_outcome"}},
	{"first response", []string{"responded_on", "response_due_on", "response_days"}},
	{"next action", []string{"next_who", "next_action", "next_by", "next_explanation", "then_who", "then_action", "then_by",
		"then_explanation", "plan_since", "needs_from", "needs_until", "needs_rank", "needs_sort"}},
	{"standing basis", []string{"standing_code", "standing_date", "standing_long", "standing_note"}},
}

// standingColumns is every derived column, in the groups' order.
var standingColumns = func() []string {
	var out []string
	for _, g := range standingGroups {
		out = append(out, g.cols...)
	}
	return out
}()

// storedStanding is a standing as the database holds it: the derived
// columns' values (in standingColumns' order) and the windows.
type storedStanding struct {
	vals    []sval
	windows []tracker.Window
}

// sval is a stored value: NULL, TEXT or INTEGER (held unboxed: a recompute
// makes some fifty of them for every request).
type sval struct {
	kind byte // 'n', 's' or 'i'
	s    string
	i    int64
}

func sStr(s string) sval { return sval{kind: 's', s: s} }
func sInt(i int64) sval  { return sval{kind: 'i', i: i} }

func sDate(d tracker.Date) sval {
	if d.IsZero() {
		return sval{kind: 'n'}
	}
	return sStr(d.String())
}

// any is v as an SQL argument.
func (v sval) any() any {
	switch v.kind {
	case 's':
		return v.s
	case 'i':
		return v.i
	}
	return nil
}

// svalOf is a value read from SQLite.
func svalOf(v any) sval {
	switch v := v.(type) {
	case string:
		return sStr(v)
	case []byte:
		return sStr(string(v))
	case int64:
		return sInt(v)
	case int:
		return sInt(int64(v))
	case bool:
		if v {
			return sInt(1)
		}
		return sInt(0)
	}
	return sval{kind: 'n'}
}

func dateOrNil(d tracker.Date) any { return sDate(d).any() }

// standingRow is how st is stored.
func standingRow(st tracker.Derived) storedStanding {
	var vals valuesOf
	vals.s = make([]sval, 0, len(standingColumns))
	visitStanding(st, &vals)
	return storedStanding{vals: vals.s, windows: st.Plan.Windows}
}

// standingHash is standingRow(st).hash(), without making the values: a
// recompute of every request needs only the fingerprint of the many that
// are unchanged.
func standingHash(st tracker.Derived) int64 {
	h := hashBufs.Get().(*hashOf)
	defer hashBufs.Put(h)
	h.reset()
	visitStanding(st, h)
	for _, w := range st.Plan.Windows {
		visitWindow(w, h)
	}
	return h.sum()
}

// A valueSink takes a standing's stored values, in the order of
// standingColumns (visitStanding) and of a window's columns (visitWindow).
type valueSink interface {
	null()
	str(s string)
	int(i int64)
	// date is d as TEXT YYYY-MM-DD, "" for the zero Date (sStr(d.String())).
	date(d tracker.Date)
}

// nullDate is d as stored in a column of dates: NULL for the zero Date
// (sDate).
func nullDate(v valueSink, d tracker.Date) {
	if d.IsZero() {
		v.null()
	} else {
		v.date(d)
	}
}

// visitStanding gives v the values of st's derived columns, in
// standingColumns' order: the one place that says how a standing is
// stored.
func visitStanding(st tracker.Derived, v valueSink) {
	plan := st.Plan
	v.str(string(st.Status))
	v.str(st.Outcome)
	nullDate(v, st.SentOn)
	nullDate(v, st.DueDate)
	v.str(st.Figures.FirstOutcome)
	v.int(int64(st.Figures.ReviewDays))
	v.str(st.Figures.ReviewOutcome)
	v.str(st.Figures.RegulatorOutcome)
	nullDate(v, st.First.On)
	nullDate(v, st.First.DueOn)
	if st.First.Days >= 0 {
		v.int(int64(st.First.Days))
	} else {
		v.null()
	}
	v.str(string(plan.Now.Who))
	v.str(string(plan.Now.Action))
	nullDate(v, plan.Now.By)
	v.str(plan.Now.Explanation)
	v.str(string(plan.Then.Who))
	v.str(string(plan.Then.Action))
	nullDate(v, plan.Then.By)
	v.str(plan.Then.Explanation)
	nullDate(v, plan.Since)
	// needs_from, needs_until, needs_rank, needs_sort.
	switch {
	case plan.Now.Who == tracker.WhoRequester:
		v.str("")
		// Until the date passes, when the step after it is not ours too
		// (an Australian requester may still go to the Commissioner).
		if !plan.Now.By.IsZero() && !plan.Then.IsZero() && plan.Then.Who != tracker.WhoRequester {
			v.date(plan.Now.By)
		} else {
			v.null()
		}
		if plan.Now.Action == tracker.ActionConfirmReply {
			v.int(0)
		} else {
			v.int(1)
		}
		v.date(plan.Now.By)
	case plan.Then.Who == tracker.WhoRequester && !plan.Now.By.IsZero():
		from := plan.Now.By.AddDays(1)
		v.date(from)
		v.null()
		v.int(1)
		if plan.Then.By.IsZero() {
			// Undated (a chaser): it became due the day after the date missed.
			v.date(from)
		} else {
			v.date(plan.Then.By)
		}
	default:
		v.null()
		v.null()
		v.int(1)
		v.str("")
	}
	v.str(string(st.Basis.Code))
	nullDate(v, st.Basis.Date)
	nullDate(v, st.Basis.LongOverdue)
	v.str(st.Basis.Note)
}

// visitWindow gives v a window's columns after request_id and seq, as
// stored.
func visitWindow(w tracker.Window, v valueSink) {
	v.str(string(w.Kind))
	v.str(string(w.Who))
	v.str(w.Label)
	v.date(w.Date)
	v.str(string(w.State))
	if w.Optional {
		v.int(1)
	} else {
		v.int(0)
	}
	v.str(w.Explanation)
}

// valuesOf is a valueSink that keeps the values.
type valuesOf struct{ s []sval }

func (v *valuesOf) null()               { v.s = append(v.s, sval{kind: 'n'}) }
func (v *valuesOf) str(s string)        { v.s = append(v.s, sStr(s)) }
func (v *valuesOf) int(i int64)         { v.s = append(v.s, sInt(i)) }
func (v *valuesOf) date(d tracker.Date) { v.s = append(v.s, sStr(d.String())) }

// hashOf is a valueSink that encodes the values for their fingerprint:
// each its kind, then a string's length and bytes or an integer's varint.
// The encoding is summed as it goes: crc is the Checksum of what came
// before b, and a long string is summed where it lies (most of the bytes
// are a few long explanations, not worth copying).
type hashOf struct {
	b   []byte
	crc uint64
}

// hashInline: strings shorter than this are copied into b.
const hashInline = 64

func (h *hashOf) reset() { h.b, h.crc = h.b[:0], 0 }

// sum is the Checksum of the encoding.
func (h *hashOf) sum() int64 { return int64(crc.Update(h.crc, h.b)) }

func (h *hashOf) val(v sval) {
	switch v.kind {
	case 's':
		h.str(v.s)
	case 'i':
		h.int(v.i)
	default:
		h.b = append(h.b, v.kind)
	}
}

func (h *hashOf) null() { h.b = append(h.b, 'n') }

func (h *hashOf) str(s string) {
	h.b = append(h.b, 's')
	h.b = binary.AppendUvarint(h.b, uint64(len(s)))
	if len(s) < hashInline {
		h.b = append(h.b, s...)
		return
	}
	h.crc = crc.Update(h.crc, h.b)
	h.b = h.b[:0]
	h.crc = crc.UpdateString(h.crc, s)
}

func (h *hashOf) int(i int64) {
	h.b = append(h.b, 'i')
	h.b = binary.AppendVarint(h.b, i)
}

func (h *hashOf) date(d tracker.Date) {
	var text [16]byte
	t := d.AppendISO(text[:0])
	h.b = append(h.b, 's')
	h.b = binary.AppendUvarint(h.b, uint64(len(t)))
	h.b = append(h.b, t...)
}

// crc: a CRC-64 tells a changed standing from an unchanged one (nobody
// chooses the values to collide: whoever could write them could write the
// columns themselves).
var hashBufs = sync.Pool{New: func() any { return new(hashOf) }}

// hash is the fingerprint stored in plan_hash.
func (s storedStanding) hash() int64 {
	h := hashBufs.Get().(*hashOf)
	defer hashBufs.Put(h)
	h.reset()
	for _, v := range s.vals {
		h.val(v)
	}
	for _, w := range s.windows {
		for _, v := range windowValues(w) {
			h.val(v)
		}
	}
	return h.sum()
}

// windowValues are a window's columns after request_id and seq, as stored.
func windowValues(w tracker.Window) [7]sval {
	var v valuesOf
	var out [7]sval
	v.s = out[:0]
	visitWindow(w, &v)
	return out
}

// windowArgs are windowValues as SQL arguments.
func windowArgs(w tracker.Window) []any {
	var out []any
	for _, v := range windowValues(w) {
		out = append(out, v.any())
	}
	return out
}

// readStanding reads request id's stored standing in the transaction.
func (tx *Tx) readStanding(id int64) (storedStanding, error) {
	var s storedStanding
	raw := make([]any, len(standingColumns))
	ptrs := make([]any, len(raw))
	for i := range ptrs {
		ptrs[i] = &raw[i]
	}
	err := tx.QueryRowContext(tx.ctx, `SELECT `+strings.Join(standingColumns, ", ")+` FROM requests WHERE id = ?`, id).Scan(ptrs...)
	if err != nil {
		return s, fmt.Errorf("store: unable to read the standing of request %d: %w", id, err)
	}
	s.vals = make([]sval, len(raw))
	for i, v := range raw {
		s.vals[i] = svalOf(v)
	}
	rows, err := tx.QueryContext(tx.ctx, `SELECT kind, who, label, date, state, optional, explanation
		FROM request_windows WHERE request_id = ? ORDER BY seq`, id)
	if err != nil {
		return s, fmt.Errorf("store: unable to read the windows of request %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var w tracker.Window
		if err := rows.Scan(&w.Kind, &w.Who, &w.Label, &w.Date, &w.State, &w.Optional, &w.Explanation); err != nil {
			return s, fmt.Errorf("store: unable to read a window of request %d: %w", id, err)
		}
		s.windows = append(s.windows, w)
	}
	return s, rows.Err()
}

// storedFingerprints are a request's plan_hash, plan_version, plan_inputs,
// plan_read_from and plan_read_to, as read before its standing is stored
// again.
type storedFingerprints struct {
	hash             sql.NullInt64
	version          int
	inputs           sql.NullInt64
	readFrom, readTo sql.NullString
}

// planInputsColumn is plan_inputs, or NULL in a database from before it.
func (s *Store) planInputsColumn() string {
	if s.noInputs {
		return "NULL"
	}
	return "plan_inputs"
}

// planReadColumns are plan_read_from and plan_read_to, or NULLs in a
// database from before them.
func (s *Store) planReadColumns() string {
	if s.noReads {
		return "NULL, NULL"
	}
	return "plan_read_from, plan_read_to"
}

// readText is how the days a standing read are stored in plan_read_from
// and plan_read_to: both ” for none.
func readText(read tracker.DaySpan) (from, to string) {
	if read.IsZero() {
		return "", ""
	}
	return read.From.String(), read.To.String()
}

// storedRead is the days the stored standing read, as readText stored
// them; ok is false when they are not known (NULL: a row from before
// plan_read_from) or not readable.
func (f storedFingerprints) storedRead() (read tracker.DaySpan, ok bool) {
	if !f.readFrom.Valid || !f.readTo.Valid {
		return read, false
	}
	if f.readFrom.String == "" && f.readTo.String == "" {
		return read, true
	}
	from, err1 := tracker.ParseDate(f.readFrom.String)
	to, err2 := tracker.ParseDate(f.readTo.String)
	return tracker.DaySpan{From: from, To: to}, err1 == nil && err2 == nil
}

// readIs reports whether the stored days read are read.
func (f storedFingerprints) readIs(read tracker.DaySpan) bool {
	from, to := readText(read)
	return f.readFrom.Valid && f.readFrom.String == from && f.readTo.Valid && f.readTo.String == to
}

// affectedBy reports whether change can affect the stored standing of a
// request of law (when the days it read are not known: whether it can
// affect any of law's).
func (f storedFingerprints) affectedBy(change *tracker.RulesChange, law tracker.LawCode) bool {
	if !change.AffectsLaw(law) {
		return false // the usual case, without reading the days
	}
	if read, ok := f.storedRead(); ok {
		return change.Affects(law, read)
	}
	return change.AffectsLaw(law)
}

// storeStanding stores fresh (standingRow of a fresh tracker.Derived, with
// its hash, worked out from inputs: tracker.InputsFingerprint, having read
// the days read: Derived.Read) as request id's standing, writing only what
// differs from what is stored. stored are the request's fingerprints as
// the caller read them: with the fresh fingerprint, inputs and days read
// under the current rules, nothing is read or written. It reports whether
// a stored value differed (a write of plan_hash, plan_version, plan_inputs
// or the days read alone does not count).
func (tx *Tx) storeStanding(id int64, fresh storedStanding, hash, inputs int64, read tracker.DaySpan, stored storedFingerprints) (bool, error) {
	sameInputs := tx.s.noInputs || stored.inputs.Valid && stored.inputs.Int64 == inputs
	readFrom, readTo := readText(read)
	sameRead := tx.s.noReads || stored.readIs(read)
	if stored.hash.Valid && stored.hash.Int64 == hash && stored.version == tracker.PlanVersion {
		if sameInputs && sameRead {
			return false, nil
		}
		// The same standing from other inputs (an event's note edited, a
		// row from before plan_inputs or plan_read_from): only the
		// fingerprints are new.
		set, args := []string{"plan_inputs = ?"}, []any{inputs}
		if !tx.s.noReads {
			set, args = append(set, "plan_read_from = ?", "plan_read_to = ?"), append(args, readFrom, readTo)
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE requests SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...); err != nil {
			return false, fmt.Errorf("store: unable to store the standing of request %d: %w", id, err)
		}
		return false, nil
	}
	old, err := tx.readStanding(id)
	if err != nil {
		return false, err
	}
	var set []string
	var args []any
	i, differs := 0, false
	for _, g := range standingGroups {
		changed := false
		for j := range g.cols {
			if fresh.vals[i+j] != old.vals[i+j] {
				changed = true
			}
		}
		if changed {
			differs = true
			for j, c := range g.cols {
				set = append(set, c+" = ?")
				args = append(args, fresh.vals[i+j].any())
			}
		}
		i += len(g.cols)
	}
	set = append(set, "plan_version = ?", "plan_hash = ?")
	args = append(args, tracker.PlanVersion, hash)
	if !tx.s.noInputs {
		set = append(set, "plan_inputs = ?")
		args = append(args, inputs)
	}
	if !tx.s.noReads {
		set = append(set, "plan_read_from = ?", "plan_read_to = ?")
		args = append(args, readFrom, readTo)
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE requests SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, id)...); err != nil {
		return false, fmt.Errorf("store: unable to store the standing of request %d: %w", id, err)
	}
	// The windows, seq by seq: rewritten where they differ, added or
	// removed at the end.
	for seq, w := range fresh.windows {
		if seq < len(old.windows) {
			if old.windows[seq] == w {
				continue
			}
			differs = true
			_, err = tx.ExecContext(tx.ctx, `UPDATE request_windows SET kind = ?, who = ?, label = ?, date = ?, state = ?, optional = ?, explanation = ?
				WHERE request_id = ? AND seq = ?`, append(windowArgs(w), id, seq)...)
		} else {
			differs = true
			_, err = tx.ExecContext(tx.ctx, `INSERT INTO request_windows (request_id, seq, kind, who, label, date, state, optional, explanation)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, append([]any{id, seq}, windowArgs(w)...)...)
		}
		if err != nil {
			return false, fmt.Errorf("store: unable to store a window of request %d: %w", id, err)
		}
	}
	if len(old.windows) > len(fresh.windows) {
		differs = true
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM request_windows WHERE request_id = ? AND seq >= ?`, id, len(fresh.windows)); err != nil {
			return false, fmt.Errorf("store: unable to remove the windows of request %d: %w", id, err)
		}
	}
	return differs, nil
}

// pendingReply reads the fields of a proposal (mailsync.Proposal, stored
// as the message's classification) that the plan needs.
func pendingReply(raw string) tracker.PendingReply {
	var p struct {
		Event   tracker.EventKind `json:"proposed_event"`
		Outcome string            `json:"proposed_outcome"`
		Date    tracker.Date      `json:"date"`
	}
	if json.Unmarshal([]byte(raw), &p) != nil || p.Event == "" {
		p.Event = tracker.EventNote
	}
	return tracker.PendingReply{Kind: p.Event, Outcome: p.Outcome, Date: p.Date}
}
