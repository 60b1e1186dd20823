package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"

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

// recomputeSpan is how many request ids one transaction of Recompute
// covers.
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
// It goes through the ids a span at a time, one transaction each. In each,
// holding the write lock (so that the readers see what the transaction
// sees), the readers read the span's requests, histories and replies
// awaiting confirmation in a few ordered queries, split between as many
// goroutines as there are cores, and work out each standing and its
// fingerprint; only the requests whose fingerprint differs from the stored
// plan_hash are written, through the same storeStanding as every other
// write, and then only their changed columns and windows.
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
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	for lo := int64(1); lo <= maxID; lo += recomputeSpan {
		hi := lo + recomputeSpan - 1
		err := s.Update(ctx, func(tx *Tx) error {
			parts := make([]recomputePart, workers)
			step := (hi - lo + int64(workers)) / int64(workers)
			var wg sync.WaitGroup
			for w := range workers {
				a := lo + int64(w)*step
				b := min(hi, a+step-1)
				wg.Go(func() { parts[w] = s.recomputeRange(ctx, a, b, all, change) })
			}
			wg.Wait()
			for _, p := range parts {
				if p.err != nil {
					return p.err
				}
				res.Requests += p.n
				res.WorkedOut += p.worked
			}
			for _, p := range parts {
				for _, c := range p.changed {
					changed, err := tx.storeStanding(c.id, c.row, c.hash, c.inputs, c.read, c.stored)
					if err != nil {
						return err
					}
					if changed {
						res.Changed++
					}
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		reportProgress(ctx, res.Requests, -1)
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

// recomputePart is what one goroutine found in its part of a span: how
// many requests it worked out, and those whose fingerprint differs.
type recomputePart struct {
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

// recomputeRange works out the standing of the requests with ids from lo
// to hi (those with a stale plan only, unless all), reading with the
// readers; with a change of the rules, not those whose inputs are those
// their standing was stored from and that the change cannot affect.
func (s *Store) recomputeRange(ctx context.Context, lo, hi int64, all bool, change *tracker.RulesChange) (p recomputePart) {
	type req struct {
		id     int64
		law    tracker.LawCode
		stored storedFingerprints
	}
	var reqs []req
	reads := s.planReadColumns()
	if change != nil && change.IsZero() {
		// Only the inputs decide (the days read are compared only with
		// those of a standing worked out again): two strings fewer a row.
		reads = "NULL, NULL"
	}
	q := `SELECT id, law, plan_hash, plan_version, ` + s.planInputsColumn() + `, ` + reads + ` FROM requests WHERE id BETWEEN ? AND ?`
	args := []any{lo, hi}
	if !all {
		q += ` AND plan_version < ?`
		args = append(args, tracker.PlanVersion)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		p.err = fmt.Errorf("store: unable to list requests to recompute: %w", err)
		return p
	}
	for rows.Next() {
		var r req
		if err := rows.Scan(&r.id, &r.law, &r.stored.hash, &r.stored.version, &r.stored.inputs, &r.stored.readFrom, &r.stored.readTo); err != nil {
			rows.Close()
			p.err = fmt.Errorf("store: unable to read a request to recompute: %w", err)
			return p
		}
		reqs = append(reqs, r)
	}
	rows.Close()
	if p.err = rows.Err(); p.err != nil || len(reqs) == 0 {
		return p
	}
	lo, hi = reqs[0].id, reqs[len(reqs)-1].id

	// The histories, in the order queryEvents gives them.
	var events []tracker.Event
	rows, err = s.r.QueryContext(ctx, `SELECT request_id, kind, date, outcome, new_due_date, reason FROM request_events
		WHERE request_id BETWEEN ? AND ? ORDER BY request_id, date, id`, lo, hi)
	if err != nil {
		p.err = fmt.Errorf("store: unable to read histories: %w", err)
		return p
	}
	for rows.Next() {
		var e tracker.Event
		var kind string
		if err := rows.Scan(&e.RequestID, &kind, &e.Date, &e.Outcome, &e.NewDueDate, &e.Reason); err != nil {
			rows.Close()
			p.err = fmt.Errorf("store: unable to read an event: %w", err)
			return p
		}
		e.Kind = tracker.EventKind(kind)
		events = append(events, e)
	}
	rows.Close()
	if p.err = rows.Err(); p.err != nil {
		return p
	}

	// The replies waiting to be confirmed, oldest first.
	pending := map[int64][]tracker.PendingReply{}
	rows, err = s.r.QueryContext(ctx, `SELECT request_id, classification FROM mail_messages
		WHERE direction = 'in' AND proposal_state = 'proposed' AND request_id BETWEEN ? AND ? ORDER BY request_id, id`, lo, hi)
	if err != nil {
		p.err = fmt.Errorf("store: unable to read proposals: %w", err)
		return p
	}
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			rows.Close()
			p.err = fmt.Errorf("store: unable to read a proposal: %w", err)
			return p
		}
		pending[id] = append(pending[id], pendingReply(raw))
	}
	rows.Close()
	if p.err = rows.Err(); p.err != nil {
		return p
	}

	next := 0
	for _, r := range reqs {
		for next < len(events) && events[next].RequestID < r.id {
			next++
		}
		end := next
		for end < len(events) && events[end].RequestID == r.id {
			end++
		}
		history := events[next:end:end]
		next = end
		p.n++
		inputs := tracker.InputsFingerprint(r.law, history, pending[r.id])
		if change != nil && r.stored.hash.Valid && r.stored.version == tracker.PlanVersion && r.stored.inputs.Valid && r.stored.inputs.Int64 == inputs &&
			!r.stored.affectedBy(change, r.law) {
			continue
		}
		law, ok := tracker.LawByCode(r.law)
		if !ok {
			p.err = tracker.Errorf(tracker.EINVALID, "unknown law %q", r.law)
			return p
		}
		d, err := tracker.ComputeDerived(law, history, pending[r.id])
		if err != nil {
			p.err = fmt.Errorf("store: request %d: %w", r.id, err)
			return p
		}
		p.worked++
		row := standingRow(d)
		h := row.hash()
		if !r.stored.hash.Valid || r.stored.hash.Int64 != h || r.stored.version != tracker.PlanVersion ||
			!s.noInputs && (!r.stored.inputs.Valid || r.stored.inputs.Int64 != inputs) || !s.noReads && !r.stored.readIs(d.Read) {
			p.changed = append(p.changed, recomputed{id: r.id, row: row, hash: h, inputs: inputs, read: d.Read, stored: r.stored})
		}
	}
	return p
}
