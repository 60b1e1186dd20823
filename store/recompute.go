package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/foitrack/foitrack/tracker"
)

// RecomputeResult says what Recompute did.
type RecomputeResult struct {
	// Requests were looked at; WorkedOut of them had their standing worked
	// out again (the others' inputs and rules were those it was stored
	// from), and Changed of those had a stored standing that differed from
	// the fresh one, and were rewritten.
	Requests  int `json:"recomputed"`
	WorkedOut int `json:"worked_out"`
	Changed   int `json:"changed"`
}

// recomputeSpan is how many request ids one page of Recompute covers.
const recomputeSpan = 4096

// RecomputeAll is Recompute, returning how many requests it worked out.
func (s *Store) RecomputeAll(ctx context.Context, all bool) (int, error) {
	res, err := s.Recompute(ctx, all)
	return res.Requests, err
}

// Recompute works out again the stored standing (status, due date,
// figures, first response, next action and windows: tracker.ComputeDerived)
// of every request whose plan is older than tracker.PlanVersion (all of
// them with all set), after a change of the rules or of a holiday table.
// With all, a request whose inputs (tracker.InputsFingerprint) are those
// its standing was stored from is left as it is while the rules
// (tracker.RulesFingerprint) are those of the last such pass: the same
// inputs under the same rules give the same standing. When the rules have
// changed since (a release added a holiday), it is left as it is too
// unless the change can affect it (tracker.RulesChange.Affects, from the
// rules of the last pass, kept whole, and the days its standing read): a
// holiday added changes no standing that never asked about its day.
// RecomputeEvery works every one out regardless.
//
// It goes through the ids a span at a time (recomputePipeline): the spans
// are read in the order of the ids, their requests, histories and replies awaiting
// confirmation in a few ordered queries, worked out on as many goroutines
// as there are cores, each standing with its fingerprint; only the
// requests whose fingerprint differs from the stored plan_hash are
// written, in the order of their ids, through the same storeStanding as
// every other write, and then only their changed columns and windows.
func (s *Store) Recompute(ctx context.Context, all bool) (RecomputeResult, error) {
	return s.recompute(ctx, all, false)
}

// RecomputeEvery is Recompute of all requests, working out every one (to
// check the stored standings, or after a change of the rules that kept
// tracker.PlanVersion).
func (s *Store) RecomputeEvery(ctx context.Context) (RecomputeResult, error) {
	return s.recompute(ctx, true, true)
}

func (s *Store) recompute(ctx context.Context, all, every bool) (RecomputeResult, error) {
	var res RecomputeResult
	if s.noPlans || s.noHash {
		return res, nil
	}
	var maxID int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM requests`).Scan(&maxID); err != nil {
		return res, fmt.Errorf("store: unable to list requests to recompute: %w", err)
	}
	// Unchanged inputs may be passed over only where the rules of the
	// last pass that worked every request out give what the current ones
	// do: change is what differs between them (nil: not known, none may
	// be passed over).
	rules := tracker.RulesFingerprint()
	var change *tracker.RulesChange
	var cur tracker.RuleSet
	upToDate := false // plan_rules holds the current rules, whole
	if all && !s.noInputs {
		cur = tracker.CurrentRules()
	}
	if all && !every && !s.noInputs {
		var last int64
		var kept sql.NullString
		q := `SELECT fingerprint, rules FROM plan_rules WHERE id = 1`
		if s.noReads {
			q = `SELECT fingerprint, NULL FROM plan_rules WHERE id = 1`
		}
		err := s.r.QueryRowContext(ctx, q).Scan(&last, &kept)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return res, fmt.Errorf("store: unable to read the rules of the stored standings: %w", err)
		}
		var old tracker.RuleSet
		switch {
		case err != nil:
		case last == rules:
			change, upToDate = &tracker.RulesChange{}, kept.Valid || s.noReads
		case kept.Valid && json.Unmarshal([]byte(kept.String), &old) == nil:
			// A change that shows in the fingerprint but in no part of
			// the rules kept whole is not understood: all are worked out.
			if c := tracker.RulesChanged(old, cur); !c.IsZero() && !c.All {
				change = &c
			}
		}
	}
	if err := s.recomputePipeline(ctx, maxID, all, change, &res); err != nil {
		return res, err
	}
	if all && !upToDate && !s.noInputs {
		// Every standing is now the rules' own.
		err := s.Update(ctx, func(tx *Tx) error {
			if s.noReads {
				_, err := tx.ExecContext(tx.ctx, `INSERT INTO plan_rules (id, fingerprint) VALUES (1, ?)
					ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint`, rules)
				return err
			}
			kept, err := json.Marshal(cur)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(tx.ctx, `INSERT INTO plan_rules (id, fingerprint, rules) VALUES (1, ?, ?)
				ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, rules = excluded.rules`, rules, string(kept))
			return err
		})
		if err != nil {
			return res, fmt.Errorf("store: unable to store the rules of the standings: %w", err)
		}
	}
	return res, nil
}

// recomputeReq is a request as Recompute reads it.
type recomputeReq struct {
	id     int64
	law    tracker.LawCode
	stored storedFingerprints
}

// recomputePage is one span of ids on its way through the pipeline of
// Recompute: read, then worked out, then written.
type recomputePage struct {
	seq     int // its place in the order of the spans
	reqs    []recomputeReq
	events  []tracker.Event // the histories, in the order queryEvents gives them
	pending map[int64][]tracker.PendingReply
	// What working it out found: how many requests it looked at and
	// worked out, and those whose stored standing or fingerprints differ.
	n, worked int
	changed   []recomputed
	err       error
}

type recomputed struct {
	id           int64
	row          storedStanding
	hash, inputs int64
	read         tracker.DaySpan
	stored       storedFingerprints
}

// recomputePipeline is the pass of Recompute over the ids 1 to maxID, a
// span at a time: a goroutine or two read the spans in the order of the
// ids (each in one read transaction), a goroutine per core works them
// out, and this one, the only writer, writes what differs span by span in the order of the ids,
// in transactions of about recomputeSpan changed requests. No more than a
// few spans are on their way at once, whatever the number of requests.
//
// A span is read outside the writer's transaction: a write through the
// store between the reading and the writing stores the standing of the
// inputs it leaves, with their fingerprints, so a request whose stored
// fingerprints are no longer those read is left as that write left it.
func (s *Store) recomputePipeline(ctx context.Context, maxID int64, all bool, change *tracker.RulesChange, res *RecomputeResult) error {
	workers, span := s.recomputeWorkers, s.recomputeSpan
	if workers <= 0 {
		workers = max(1, min(runtime.GOMAXPROCS(0), 4))
	}
	if span <= 0 {
		span = recomputeSpan
	}
	reads := s.planReadColumns()
	if change != nil && change.IsZero() {
		// Only the inputs decide (the days read are compared only with
		// those of a standing worked out again): two strings fewer a row.
		reads = "NULL, NULL"
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A token for each span on its way: taken before it is read, given
	// back once it is written.
	tokens := make(chan struct{}, 2*workers+1)
	read, done := make(chan *recomputePage), make(chan *recomputePage)
	// Reading is as much work as working out one span (SQLite's stepping
	// and the driver's values): a reader per core, at most two. Each takes
	// the next span in the order of the ids once it holds a token, so the
	// spans on their way are always the first ones not yet written, and
	// the writer, which puts them back in order, never waits for one no
	// reader can take.
	readers := s.recomputeReaders
	if readers <= 0 {
		readers = max(1, min(runtime.GOMAXPROCS(0), 2))
	}
	var claimed atomic.Int64 // spans taken by a reader
	var rg sync.WaitGroup
	for range readers {
		rg.Go(func() {
			for {
				select {
				case tokens <- struct{}{}:
				case <-ctx.Done():
					return
				}
				seq := claimed.Add(1) - 1
				if seq > (maxID-1)/span {
					<-tokens
					return
				}
				lo := 1 + seq*span
				p := s.readRecomputePage(ctx, lo, min(maxID, lo+span-1), all, reads)
				p.seq = int(seq)
				select {
				case read <- p:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		rg.Wait()
		close(read)
	}()
	var wg sync.WaitGroup
	// The deadlines that follow from a law and a day alone, worked out
	// once a pass for all the workers.
	dv := tracker.NewDeriver()
	for range workers {
		wg.Go(func() {
			for p := range read {
				if p.err == nil {
					s.workOutPage(p, change, dv)
				}
				select {
				case done <- p:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	var err error
	next := 0
	waiting := map[int]*recomputePage{}
	var batch []recomputed
	write := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.Update(ctx, func(tx *Tx) error {
			for _, c := range batch {
				// The request as it was read, or as a write since left it.
				now := storedFingerprints{}
				err := tx.QueryRowContext(tx.ctx, `SELECT plan_hash, plan_version, `+s.planInputsColumn()+`, `+reads+` FROM requests WHERE id = ?`, c.id).
					Scan(&now.hash, &now.version, &now.inputs, &now.readFrom, &now.readTo)
				if errors.Is(err, sql.ErrNoRows) || err == nil && now != c.stored {
					continue
				}
				if err != nil {
					return fmt.Errorf("store: unable to read request %d to recompute: %w", c.id, err)
				}
				changed, err := tx.storeStanding(c.id, c.row, c.hash, c.inputs, c.read, c.stored)
				if err != nil {
					return err
				}
				if changed {
					res.Changed++
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	for p := range done {
		if err != nil {
			continue // the others stop on cancel; done closes once they have
		}
		waiting[p.seq] = p
		for p := waiting[next]; p != nil; p = waiting[next] {
			delete(waiting, next)
			next++
			if err = p.err; err == nil {
				res.Requests += p.n
				res.WorkedOut += p.worked
				batch = append(batch, p.changed...)
				if len(batch) >= recomputeSpan {
					err = write()
				}
			}
			<-tokens
			if err != nil {
				cancel()
				break
			}
			reportProgress(ctx, res.Requests, -1)
		}
	}
	if err == nil {
		err = write()
	}
	if err == nil {
		// The reader stopped early only if the context was cancelled.
		err = ctx.Err()
	}
	return err
}

// readRecomputePage reads the requests with ids from lo to hi (those with
// a stale plan only, unless all), their histories and their replies
// awaiting confirmation, in one read transaction.
//
// It reads through the driver's own rows (driver.Rows, on a connection of
// the readers' pool) rather than database/sql's: Scan's conversions, by
// reflection for the named types, were a sixth of the reading, a few
// hundred thousand rows a pass. The values are converted by database/sql's
// own Scanners (rawString, rawInt64, sql.NullInt64, sql.NullString,
// tracker.Date), so they are what Scan gave.
func (s *Store) readRecomputePage(ctx context.Context, lo, hi int64, all bool, reads string) *recomputePage {
	p := &recomputePage{reqs: make([]recomputeReq, 0, min(hi-lo+1, 4096))}
	conn, err := s.r.Conn(ctx)
	if err != nil {
		p.err = fmt.Errorf("store: unable to read requests to recompute: %w", err)
		return p
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(interface {
			driver.ConnBeginTx
			driver.QueryerContext
		})
		if !ok {
			return fmt.Errorf("the driver's connection %T does not query", dc)
		}
		tx, err := c.BeginTx(ctx, driver.TxOptions{})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		return s.readRecomputeRows(ctx, c, p, lo, hi, all, reads)
	})
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("store: unable to read requests to recompute: %w", err)
	}
	return p
}

// readRecomputeRows is readRecomputePage's reading, in a transaction on c.
func (s *Store) readRecomputeRows(ctx context.Context, c driver.QueryerContext, p *recomputePage, lo, hi int64, all bool, reads string) error {
	query := func(q string, args ...any) (driver.Rows, error) {
		s.r.traced(q, args)
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		return c.QueryContext(ctx, q, named)
	}
	q := `SELECT id, law, plan_hash, plan_version, ` + s.planInputsColumn() + `, ` + reads + ` FROM requests WHERE id BETWEEN ? AND ?`
	args := []any{lo, hi}
	if !all {
		q += ` AND plan_version < ?`
		args = append(args, int64(tracker.PlanVersion))
	}
	rows, err := query(q+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("unable to list requests to recompute: %w", err)
	}
	dest := make([]driver.Value, 7)
	for {
		if err := rows.Next(dest); err != nil {
			rows.Close()
			if err != io.EOF {
				return fmt.Errorf("unable to read a request to recompute: %w", err)
			}
			break
		}
		var r recomputeReq
		var law string
		var version int64
		err := errors.Join(rawInt64(&r.id, dest[0]), rawString(&law, dest[1]), r.stored.hash.Scan(dest[2]), rawInt64(&version, dest[3]),
			r.stored.inputs.Scan(dest[4]), r.stored.readFrom.Scan(dest[5]), r.stored.readTo.Scan(dest[6]))
		if err != nil {
			rows.Close()
			return fmt.Errorf("unable to read a request to recompute: %w", err)
		}
		r.law, r.stored.version = tracker.LawCode(law), int(version)
		p.reqs = append(p.reqs, r)
	}
	if len(p.reqs) == 0 {
		return nil
	}
	lo, hi = p.reqs[0].id, p.reqs[len(p.reqs)-1].id

	rows, err = query(`SELECT request_id, kind, date, outcome, new_due_date, reason FROM request_events
		WHERE request_id BETWEEN ? AND ? ORDER BY request_id, date, id`, lo, hi)
	if err != nil {
		return fmt.Errorf("unable to read histories: %w", err)
	}
	p.events = make([]tracker.Event, 0, 4*len(p.reqs)) // about three events a request
	dest = dest[:6]
	for {
		if err := rows.Next(dest); err != nil {
			rows.Close()
			if err != io.EOF {
				return fmt.Errorf("unable to read an event: %w", err)
			}
			break
		}
		var e tracker.Event
		var kind string
		err := errors.Join(rawInt64(&e.RequestID, dest[0]), rawString(&kind, dest[1]), e.Date.Scan(dest[2]), rawString(&e.Outcome, dest[3]),
			e.NewDueDate.Scan(dest[4]), rawString(&e.Reason, dest[5]))
		if err != nil {
			rows.Close()
			return fmt.Errorf("unable to read an event: %w", err)
		}
		e.Kind = tracker.EventKind(kind)
		p.events = append(p.events, e)
	}

	// The replies waiting to be confirmed, oldest first.
	p.pending = map[int64][]tracker.PendingReply{}
	rows, err = query(`SELECT request_id, classification FROM mail_messages
		WHERE direction = 'in' AND proposal_state = 'proposed' AND request_id BETWEEN ? AND ? ORDER BY request_id, id`, lo, hi)
	if err != nil {
		return fmt.Errorf("unable to read proposals: %w", err)
	}
	dest = dest[:2]
	for {
		if err := rows.Next(dest); err != nil {
			rows.Close()
			if err != io.EOF {
				return fmt.Errorf("unable to read a proposal: %w", err)
			}
			return nil
		}
		var id int64
		var raw string
		if err := errors.Join(rawInt64(&id, dest[0]), rawString(&raw, dest[1])); err != nil {
			rows.Close()
			return fmt.Errorf("unable to read a proposal: %w", err)
		}
		p.pending[id] = append(p.pending[id], pendingReply(raw))
	}
}

// rawString sets *s to the driver's value v as Scan into a *string would:
// a string or bytes as they are, anything else as sql.NullString converts
// it, NULL an error.
func rawString(s *string, v driver.Value) error {
	switch v := v.(type) {
	case string:
		*s = v
		return nil
	case []byte:
		*s = string(v)
		return nil
	}
	var n sql.NullString
	if err := n.Scan(v); err != nil {
		return err
	}
	if !n.Valid {
		return errors.New("converting NULL to string is unsupported")
	}
	*s = n.String
	return nil
}

// rawInt64 is rawString for an int64.
func rawInt64(i *int64, v driver.Value) error {
	if v, ok := v.(int64); ok {
		*i = v
		return nil
	}
	var n sql.NullInt64
	if err := n.Scan(v); err != nil {
		return err
	}
	if !n.Valid {
		return errors.New("converting NULL to int64 is unsupported")
	}
	*i = n.Int64
	return nil
}

// workOutPage works out the standing of the requests of p through dv;
// with a change of the rules, not those whose inputs are those their
// standing was stored from and that the change cannot affect.
func (s *Store) workOutPage(p *recomputePage, change *tracker.RulesChange, dv *tracker.Deriver) {
	next := 0
	for _, r := range p.reqs {
		for next < len(p.events) && p.events[next].RequestID < r.id {
			next++
		}
		end := next
		for end < len(p.events) && p.events[end].RequestID == r.id {
			end++
		}
		history := p.events[next:end:end]
		next = end
		p.n++
		pending := p.pending[r.id]
		inputs := tracker.InputsFingerprint(r.law, history, pending)
		if change != nil && r.stored.hash.Valid && r.stored.version == tracker.PlanVersion && r.stored.inputs.Valid && r.stored.inputs.Int64 == inputs &&
			!r.stored.affectedBy(change, r.law) {
			continue
		}
		law, ok := tracker.LawByCode(r.law)
		if !ok {
			p.err = tracker.Errorf(tracker.EINVALID, "unknown law %q", r.law)
			return
		}
		d, err := dv.ComputeDerived(law, history, pending)
		if err != nil {
			p.err = fmt.Errorf("store: request %d: %w", r.id, err)
			return
		}
		p.worked++
		// The values to store are made only for a standing to write.
		h := standingHash(d)
		if !r.stored.hash.Valid || r.stored.hash.Int64 != h || r.stored.version != tracker.PlanVersion ||
			!s.noInputs && (!r.stored.inputs.Valid || r.stored.inputs.Int64 != inputs) || !s.noReads && !r.stored.readIs(d.Read) {
			p.changed = append(p.changed, recomputed{id: r.id, row: standingRow(d), hash: h, inputs: inputs, read: d.Read, stored: r.stored})
		}
	}
	// What was read is no longer needed; the counts and changes go on.
	p.reqs, p.events, p.pending = nil, nil, nil
}
