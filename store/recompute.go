package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"

	"github.com/foitrack/foitrack/tracker"
)

// RecomputeResult says what Recompute did.
type RecomputeResult struct {
	// Requests were worked out again; Changed of them had a stored
	// standing that differed from the fresh one, and were rewritten.
	Requests int `json:"recomputed"`
	Changed  int `json:"changed"`
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
	var res RecomputeResult
	if s.noPlans || s.noHash {
		return res, nil
	}
	var maxID int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM requests`).Scan(&maxID); err != nil {
		return res, fmt.Errorf("store: unable to list requests to recompute: %w", err)
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
				wg.Go(func() { parts[w] = s.recomputeRange(ctx, a, b, all) })
			}
			wg.Wait()
			for _, p := range parts {
				if p.err != nil {
					return p.err
				}
				res.Requests += p.n
			}
			for _, p := range parts {
				for _, c := range p.changed {
					changed, err := tx.storeStanding(c.id, c.row, c.hash, c.storedHash, c.version)
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
	return res, nil
}

// recomputePart is what one goroutine found in its part of a span: how
// many requests it worked out, and those whose fingerprint differs.
type recomputePart struct {
	n       int
	changed []recomputed
	err     error
}

type recomputed struct {
	id         int64
	row        storedStanding
	hash       int64
	storedHash sql.NullInt64
	version    int
}

// recomputeRange works out the standing of the requests with ids from lo
// to hi (those with a stale plan only, unless all), reading with the
// readers.
func (s *Store) recomputeRange(ctx context.Context, lo, hi int64, all bool) (p recomputePart) {
	type req struct {
		id      int64
		law     tracker.LawCode
		hash    sql.NullInt64
		version int
	}
	var reqs []req
	q := `SELECT id, law, plan_hash, plan_version FROM requests WHERE id BETWEEN ? AND ?`
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
		if err := rows.Scan(&r.id, &r.law, &r.hash, &r.version); err != nil {
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
		p.n++
		row := standingRow(d)
		if h := row.hash(); !r.hash.Valid || r.hash.Int64 != h || r.version != tracker.PlanVersion {
			p.changed = append(p.changed, recomputed{id: r.id, row: row, hash: h, storedHash: r.hash, version: r.version})
		}
	}
	return p
}
