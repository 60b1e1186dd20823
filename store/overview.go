package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// Queries for the web app's overview pages (dashboard, lists): several
// requests at once rather than one at a time.

// EventsByRequest returns the histories of the given requests, each in the
// order it happened, in one query.
func (s *Store) EventsByRequest(ctx context.Context, ids []int64) (map[int64][]tracker.Event, error) {
	out := make(map[int64][]tracker.Event, len(ids))
	for len(ids) > 0 {
		// 500 at a time, as when each id was a parameter.
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		// One JSON array: one text for any length (see WindowsOf).
		rows, err := s.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM request_events
			WHERE request_id IN (SELECT value FROM json_each(?)) ORDER BY request_id, date, id`, idJSON(batch))
		if err != nil {
			return nil, fmt.Errorf("store: unable to list events: %w", err)
		}
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unable to read event: %w", err)
			}
			out[e.RequestID] = append(out[e.RequestID], e)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: unable to list events: %w", err)
		}
	}
	return out, nil
}

// RecentEvent is an event with what a list needs to show about its request.
type RecentEvent struct {
	tracker.Event
	RequestTitle  string `json:"request_title"`
	AuthorityID   int64  `json:"authority_id"`
	AuthorityName string `json:"authority_name"`
}

// RecentEvents lists events of the given kinds dated on or after since,
// newest first.
func (s *Store) RecentEvents(ctx context.Context, kinds []tracker.EventKind, since tracker.Date, limit int) ([]RecentEvent, error) {
	if limit <= 0 {
		limit = 20
	}
	args := []any{since}
	ph := make([]string, len(kinds))
	for i, k := range kinds {
		ph[i] = "?"
		args = append(args, string(k))
	}
	kindCond := "1 = 1"
	if len(kinds) > 0 {
		kindCond = "e.kind IN (" + strings.Join(ph, ",") + ")"
	}
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, `SELECT e.id, e.request_id, e.kind, e.date, e.outcome, e.new_due_date, e.reason, e.note,
			e.exemptions, e.message_id, e.created_by, e.created_at, r.title, a.id, a.name
		FROM request_events e JOIN requests r ON r.id = e.request_id JOIN authorities a ON a.id = r.authority_id
		WHERE e.date >= ? AND `+kindCond+`
		ORDER BY e.date DESC, e.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list recent events: %w", err)
	}
	defer rows.Close()
	var out []RecentEvent
	for rows.Next() {
		var re RecentEvent
		var title, name string
		var aid int64
		e, err := scanEvent(scanTail{rows, []any{&title, &aid, &name}})
		if err != nil {
			return nil, fmt.Errorf("store: unable to read event: %w", err)
		}
		re.Event, re.RequestTitle, re.AuthorityID, re.AuthorityName = e, title, aid, name
		out = append(out, re)
	}
	return out, rows.Err()
}

// scanTail lets a scan function written for a table's own columns read a
// row that has more columns after them.
type scanTail struct {
	sc   interface{ Scan(...any) error }
	tail []any
}

func (t scanTail) Scan(dest ...any) error { return t.sc.Scan(append(dest, t.tail...)...) }

// RequestCountsByAuthority counts the requests of the given authorities
// (those on one page of the list: counting every authority's would read the
// whole requests index on every view).
func (s *Store) RequestCountsByAuthority(ctx context.Context, authorityIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	for _, id := range authorityIDs {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM requests WHERE authority_id = ?`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: unable to count requests: %w", err)
		}
		if n > 0 {
			out[id] = n
		}
	}
	return out, nil
}

// AuthorityName is an authority's ID and name, for pickers.
type AuthorityName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// AuthoritiesWithRequests lists the authorities that have at least one
// request, by name (the choices of a request filter).
func (s *Store) AuthoritiesWithRequests(ctx context.Context) ([]AuthorityName, error) {
	// From the per-authority counts the insight triggers keep (a row per
	// authority and law), not a probe into the requests per authority:
	// 5,000 probes took 20 ms at a million requests.
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.name FROM authorities a
		WHERE a.id IN (SELECT authority_id FROM insight_counts WHERE requests > 0) ORDER BY a.name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list authorities: %w", err)
	}
	defer rows.Close()
	var out []AuthorityName
	for rows.Next() {
		var a AuthorityName
		if err := rows.Scan(&a.ID, &a.Name); err != nil {
			return nil, fmt.Errorf("store: unable to read authority: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RequestTags lists every tag used on a request, alphabetically (from the
// counts the schema's triggers keep, not from every request's tags).
func (s *Store) RequestTags(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tag FROM request_tag_counts WHERE requests > 0 ORDER BY tag`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list tags: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("store: unable to read tag: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
