package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// Timeline events: the front matter text is the truth (timeline.Event reads
// and edits it); the other columns are derived from it on every write.

// TimelineEvent is a stored timeline event.
type TimelineEvent struct {
	ID        int64           `json:"id"`
	Event     *timeline.Event `json:"-"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	// date and slug are the row's columns the timeline is ordered by, as
	// stored: where a walk of the timeline a page at a time goes on from.
	date, slug string
}

// timelineRow is a timeline_events row as the audit log records it.
type timelineRow struct {
	ID          int64           `json:"id"`
	Slug        string          `json:"slug"`
	Date        string          `json:"date"`
	Title       string          `json:"title"`
	Importance  int             `json:"importance"`
	Status      string          `json:"status"`
	Tags        []string        `json:"tags"`
	Actors      []string        `json:"actors"`
	Sources     json.RawMessage `json:"sources"`
	Extra       json.RawMessage `json:"extra"`
	FrontMatter string          `json:"front_matter"`
	Body        string          `json:"body"`
	Format      string          `json:"format"`
	FileName    string          `json:"file_name"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
	// Nodes is the front matter's node tree (timeline.Nodes; "" when none
	// is kept): derived from FrontMatter, so not audited.
	Nodes string `json:"-"`
}

const timelineColumns = `t.id, t.slug, t.date, t.title, COALESCE(t.importance, 0), t.status, t.tags, t.actors, t.sources, t.extra,
	t.front_matter, COALESCE(t.front_matter_nodes, x''), t.body, t.format, t.file_name, t.created_at, t.updated_at`

func scanTimelineRow(sc interface{ Scan(...any) error }) (timelineRow, error) {
	var r timelineRow
	var tags, actors, sources, extra string
	err := sc.Scan(&r.ID, &r.Slug, &r.Date, &r.Title, &r.Importance, &r.Status, &tags, &actors, &sources, &extra,
		&r.FrontMatter, &r.Nodes, &r.Body, &r.Format, &r.FileName, &r.CreatedAt, &r.UpdatedAt)
	r.Tags, r.Actors, r.Sources, r.Extra = parseList(tags), parseList(actors), json.RawMessage(sources), json.RawMessage(extra)
	return r, err
}

// rowFor derives the row of an event.
func rowFor(ev *timeline.Event) timelineRow {
	format, fm, body := ev.Stored()
	return timelineRow{Slug: ev.ID(), Date: ev.Date(), Title: ev.Title(), Importance: ev.Importance(), Status: ev.Status(),
		Tags: ev.Tags(), Actors: ev.Actors(), Sources: json.RawMessage(ev.SourcesJSON()), Extra: json.RawMessage(ev.ExtraJSON()),
		FrontMatter: fm, Body: body, Format: format, FileName: strings.Join(append([]string{ev.FileName()}, ev.AlsoAs()...), "\n")}
}

// sameContent reports whether two rows hold the same event (timestamps aside).
func (r timelineRow) sameContent(o timelineRow) bool {
	return r.Slug == o.Slug && r.FrontMatter == o.FrontMatter && r.Body == o.Body && r.Format == o.Format && r.FileName == o.FileName
}

func (r timelineRow) event() (TimelineEvent, error) {
	ev, err := timeline.LoadStored(r.Format, r.FrontMatter, r.Nodes, r.Body)
	if err != nil {
		return TimelineEvent{}, fmt.Errorf("store: timeline event %d: %w", r.ID, err)
	}
	// file_name is the event's file, then any other file holding the same
	// event in the other format, one per line (names never hold a line break:
	// only plain names are kept as file names).
	names := strings.Split(r.FileName, "\n")
	ev.SetFileName(names[0])
	if len(names) > 1 {
		ev.SetAlsoAs(names[1:])
	}
	ev.SetImplicitID(r.Slug)
	return TimelineEvent{ID: r.ID, Event: ev, CreatedAt: parseTS(r.CreatedAt), UpdatedAt: parseTS(r.UpdatedAt), date: r.Date, slug: r.Slug}, nil
}

// nodesValue is a front matter's node tree as its column holds it: a blob,
// or NULL when none is kept.
func nodesValue(nodes string) any {
	if nodes == "" {
		return nil
	}
	return []byte(nodes)
}

// fillTimelineNodes is schema section "timeline front matter kept parsed"'s
// Go step: the node tree of every event stored before it, parsed as a write
// parses it. A front matter that does not parse keeps none (reading it
// reports the error, as before): the upgrade never fails for one.
func fillTimelineNodes(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		id                  int64
		format, frontMatter string
	}
	for after := int64(-1 << 63); ; {
		rows, err := tx.QueryContext(ctx, `SELECT id, format, front_matter FROM timeline_events WHERE id > ? ORDER BY id LIMIT 500`, after)
		if err != nil {
			return fmt.Errorf("store: unable to read timeline events: %w", err)
		}
		var chunk []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.format, &r.frontMatter); err != nil {
				rows.Close()
				return fmt.Errorf("store: unable to read timeline event: %w", err)
			}
			chunk = append(chunk, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: unable to read timeline events: %w", err)
		}
		if len(chunk) == 0 {
			return nil
		}
		for _, r := range chunk {
			if nodes := timeline.Nodes(r.format, r.frontMatter); nodes != nil {
				if _, err := tx.ExecContext(ctx, `UPDATE timeline_events SET front_matter_nodes = ? WHERE id = ?`, nodes, r.id); err != nil {
					return fmt.Errorf("store: unable to keep timeline event %d's front matter parsed: %w", r.id, err)
				}
			}
		}
		after = chunk[len(chunk)-1].id
	}
}

func nullImportance(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// saveTimelineEvent inserts or updates (by id, else by slug) in the caller's
// transaction; it returns "create", "update" or "" when nothing changed.
func (tx *Tx) saveTimelineEvent(te *TimelineEvent, bySlug bool) (string, error) {
	if err := te.Event.Validate(); err != nil {
		return "", tracker.Errorf(tracker.EINVALID, "%s", err.Error())
	}
	row := rowFor(te.Event)
	var before timelineRow
	var err error
	switch {
	case te.ID != 0:
		before, err = scanTimelineRow(tx.QueryRowContext(tx.ctx, `SELECT `+timelineColumns+` FROM timeline_events t WHERE t.id = ?`, te.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return "", notFound("timeline event", te.ID)
		}
	case bySlug:
		before, err = scanTimelineRow(tx.QueryRowContext(tx.ctx, `SELECT `+timelineColumns+` FROM timeline_events t WHERE t.slug = ?`, row.Slug))
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("store: unable to read timeline event: %w", err)
	}
	if before.ID != 0 && before.sameContent(row) {
		te.ID, te.CreatedAt, te.UpdatedAt = before.ID, parseTS(before.CreatedAt), parseTS(before.UpdatedAt)
		return "", nil
	}
	// Parsed here, once, for every later reading of the event (only when it
	// changed: an unchanged event keeps its tree).
	row.Nodes = string(timeline.Nodes(row.Format, row.FrontMatter))
	row.UpdatedAt = ts(tx.now)
	if before.ID == 0 {
		row.CreatedAt = row.UpdatedAt
		res, err := tx.ExecContext(tx.ctx, `
			INSERT INTO timeline_events (slug, date, title, importance, status, tags, actors, sources, extra, front_matter,
				front_matter_nodes, body, format, file_name, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			row.Slug, row.Date, row.Title, nullImportance(row.Importance), row.Status, jsonList(row.Tags), jsonList(row.Actors),
			string(row.Sources), string(row.Extra), row.FrontMatter, nodesValue(row.Nodes), row.Body, row.Format, row.FileName,
			row.CreatedAt, row.UpdatedAt)
		if err != nil {
			if isUnique(err) {
				return "", tracker.Errorf(tracker.ECONFLICT, "there is already an event with id %q", row.Slug)
			}
			return "", fmt.Errorf("store: unable to create timeline event: %w", err)
		}
		row.ID, _ = res.LastInsertId()
		te.ID, te.CreatedAt, te.UpdatedAt = row.ID, tx.now, tx.now
		return "create", tx.Audit("create", "timeline_event", row.ID, nil, row)
	}
	row.ID, row.CreatedAt = before.ID, before.CreatedAt
	_, err = tx.ExecContext(tx.ctx, `
		UPDATE timeline_events SET slug = ?, date = ?, title = ?, importance = ?, status = ?, tags = ?, actors = ?, sources = ?,
			extra = ?, front_matter = ?, front_matter_nodes = ?, body = ?, format = ?, file_name = ?, updated_at = ?
		WHERE id = ?`,
		row.Slug, row.Date, row.Title, nullImportance(row.Importance), row.Status, jsonList(row.Tags), jsonList(row.Actors),
		string(row.Sources), string(row.Extra), row.FrontMatter, nodesValue(row.Nodes), row.Body, row.Format, row.FileName,
		row.UpdatedAt, row.ID)
	if err != nil {
		if isUnique(err) {
			return "", tracker.Errorf(tracker.ECONFLICT, "there is already an event with id %q", row.Slug)
		}
		return "", fmt.Errorf("store: unable to update timeline event: %w", err)
	}
	te.ID, te.CreatedAt, te.UpdatedAt = row.ID, parseTS(row.CreatedAt), tx.now
	return "update", tx.Audit("update", "timeline_event", row.ID, before, row)
}

// SaveTimelineEvent creates the event (ID 0) or saves its changes.
func (s *Store) SaveTimelineEvent(ctx context.Context, te *TimelineEvent) error {
	return s.Update(ctx, func(tx *Tx) error {
		_, err := tx.saveTimelineEvent(te, false)
		return err
	})
}

// SaveTimelineEvent is SaveTimelineEvent in the caller's transaction.
func (tx *Tx) SaveTimelineEvent(te *TimelineEvent) error {
	_, err := tx.saveTimelineEvent(te, false)
	return err
}

// TimelineImportItem is what an import did with one event.
type TimelineImportItem struct {
	File   string
	Slug   string
	ID     int64
	Action string // create, update or unchanged
}

// ImportTimelineEvents stores events read from files, matching existing
// ones by their id (slug): a re-import updates, never duplicates, and an
// unchanged event is not written (nor audited) again. Sources and withheld
// items that foitrack itself wrote from this event's links are dropped (the
// links make them again on export). All in one transaction.
func (s *Store) ImportTimelineEvents(ctx context.Context, files []timeline.FileEvent) ([]TimelineImportItem, error) {
	var out []TimelineImportItem
	err := s.Update(ctx, func(tx *Tx) error {
		out = out[:0]
		for i, fe := range files {
			reportProgress(ctx, i, len(files))
			ev := fe.Event.Clone()
			var id int64
			err := tx.QueryRowContext(tx.ctx, `SELECT id FROM timeline_events WHERE slug = ?`, ev.ID()).Scan(&id)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: unable to look up timeline event: %w", err)
			}
			if id != 0 {
				links, err := tx.linkIDs(id)
				if err != nil {
					return err
				}
				ev.StripLinks(func(l int64) bool { return links[l] })
			}
			te := &TimelineEvent{Event: ev}
			action, err := tx.saveTimelineEvent(te, true)
			if err != nil {
				return fmt.Errorf("%s: %w", fe.File, err)
			}
			if action == "" {
				action = "unchanged"
			}
			out = append(out, TimelineImportItem{File: fe.File, Slug: ev.ID(), ID: te.ID, Action: action})
		}
		return nil
	})
	return out, err
}

// DeleteTimelineEvent removes an event and its links.
func (s *Store) DeleteTimelineEvent(ctx context.Context, id int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		before, err := scanTimelineRow(tx.QueryRowContext(tx.ctx, `SELECT `+timelineColumns+` FROM timeline_events t WHERE t.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("timeline event", id)
		} else if err != nil {
			return fmt.Errorf("store: unable to read timeline event: %w", err)
		}
		// The links go with it (ON DELETE CASCADE); each leaves its own entry.
		links, err := tx.linkRows(`l.event_id = ?`, id)
		if err != nil {
			return err
		}
		for _, l := range links {
			if err := tx.Audit("unlink", "event_link", l.ID, l, nil); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM timeline_events WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: unable to delete timeline event: %w", err)
		}
		return tx.Audit("delete", "timeline_event", id, before, nil)
	})
}

// TimelineEventByID returns one event.
func (s *Store) TimelineEventByID(ctx context.Context, id int64) (TimelineEvent, error) {
	r, err := scanTimelineRow(s.r.QueryRowContext(ctx, `SELECT `+timelineColumns+` FROM timeline_events t WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return TimelineEvent{}, notFound("timeline event", id)
	} else if err != nil {
		return TimelineEvent{}, fmt.Errorf("store: unable to read timeline event %d: %w", id, err)
	}
	return r.event()
}

// TimelineEventBySlug returns the event with that front-matter id.
func (s *Store) TimelineEventBySlug(ctx context.Context, slug string) (TimelineEvent, error) {
	r, err := scanTimelineRow(s.r.QueryRowContext(ctx, `SELECT `+timelineColumns+` FROM timeline_events t WHERE t.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return TimelineEvent{}, notFound("timeline event", slug)
	} else if err != nil {
		return TimelineEvent{}, fmt.Errorf("store: unable to read timeline event %s: %w", slug, err)
	}
	return r.event()
}

// TimelineFilter narrows TimelineEvents. Dates compare as written
// (YYYY-MM-DD), so From "2020" includes all of 2020.
type TimelineFilter struct {
	Tag           string
	Actor         string
	MinImportance int
	From, To      string
	Query         string // the search box (see ParseSearchQuery): title and body
	IDs           []int64
	// AfterDate and AfterSlug, when AfterSlug is set, select the events
	// after that one in the timeline's order (date, then slug): the next
	// page of a walk that reads a timeline of any size a page at a time.
	AfterDate, AfterSlug string
	Limit, Offset        int
	// queryMembers, when not nil, is itemSearchIDs of Query, worked out
	// once by a walk that reads the timeline a page at a time.
	queryMembers []int64
}

// timelineWhere is f's conditions, its words' (itemSearchCond) worked out.
func (s *Store) timelineWhere(ctx context.Context, f TimelineFilter) (string, []any, error) {
	var where []string
	var args []any
	if f.Tag != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(t.tags) WHERE lower(value) = lower(?))`)
		args = append(args, f.Tag)
	}
	if f.Actor != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(t.actors) WHERE lower(value) = lower(?))`)
		args = append(args, f.Actor)
	}
	if f.MinImportance > 0 {
		where = append(where, `t.importance >= ?`)
		args = append(args, f.MinImportance)
	}
	if f.From != "" {
		where = append(where, `t.date >= ?`)
		args = append(args, f.From)
	}
	if f.To != "" {
		// "2020" or "2020-06" as the end includes the whole year or month.
		where = append(where, `substr(t.date, 1, length(?)) <= ?`)
		args = append(args, f.To, f.To)
	}
	if q := strings.TrimSpace(f.Query); q != "" && f.queryMembers != nil {
		where = append(where, membersCond("t.id"))
		args = append(args, jsonIDs(f.queryMembers))
	} else if q != "" {
		c, a, err := s.itemSearchCond(ctx, "t.id", KindEvent, q)
		if err != nil {
			return "", nil, err
		}
		where = append(where, c)
		args = append(args, a...)
	}
	if len(f.IDs) > 0 {
		where = append(where, `t.id IN (SELECT value FROM json_each(?))`)
		b, _ := json.Marshal(f.IDs)
		args = append(args, string(b))
	}
	if f.AfterSlug != "" {
		where = append(where, `(t.date, t.slug) > (?, ?)`)
		args = append(args, f.AfterDate, f.AfterSlug)
	}
	if len(where) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(where, " AND "), args, nil
}

// TimelineEvents lists events chronologically.
func (s *Store) TimelineEvents(ctx context.Context, f TimelineFilter) ([]TimelineEvent, error) {
	if f.Limit <= 0 {
		f.Limit = 100000
	}
	where, args, err := s.timelineWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	// The event is read from its front matter (its kept node tree) and body
	// alone: the other columns derived from them are not read (decoding its
	// tags and actors was a twenty-fifth of a timeline download's work).
	rows, err := s.r.QueryContext(ctx, `SELECT t.id, t.slug, t.date, t.front_matter, COALESCE(t.front_matter_nodes, x''), t.body, t.format,
		t.file_name, t.created_at, t.updated_at
		FROM timeline_events t`+where+` ORDER BY t.date, t.slug LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list timeline events: %w", err)
	}
	defer rows.Close()
	var out []TimelineEvent
	for rows.Next() {
		var r timelineRow
		err := rows.Scan(&r.ID, &r.Slug, &r.Date, &r.FrontMatter, &r.Nodes, &r.Body, &r.Format, &r.FileName, &r.CreatedAt, &r.UpdatedAt)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read timeline event: %w", err)
		}
		te, err := r.event()
		if err != nil {
			return nil, err
		}
		out = append(out, te)
	}
	return out, rows.Err()
}

// TimelineSummary is what a list shows of an event: the columns derived
// from its front matter on every write, read without parsing it.
type TimelineSummary struct {
	ID         int64
	Slug       string
	Date       string
	Title      string
	Importance int
	Status     string
	Tags       []string
	Actors     []string
}

// TimelineSummaries lists events chronologically as TimelineEvents does,
// from their derived columns (parsing each event's front matter was a
// seventh of the timeline page's work).
func (s *Store) TimelineSummaries(ctx context.Context, f TimelineFilter) ([]TimelineSummary, error) {
	if f.Limit <= 0 {
		f.Limit = 100000
	}
	where, args, err := s.timelineWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT t.id, t.slug, t.date, t.title, COALESCE(t.importance, 0), t.status, t.tags, t.actors
		FROM timeline_events t`+where+` ORDER BY t.date, t.slug LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list timeline events: %w", err)
	}
	defer rows.Close()
	var out []TimelineSummary
	for rows.Next() {
		var e TimelineSummary
		var tags, actors string
		if err := rows.Scan(&e.ID, &e.Slug, &e.Date, &e.Title, &e.Importance, &e.Status, &tags, &actors); err != nil {
			return nil, fmt.Errorf("store: unable to read timeline event: %w", err)
		}
		e.Tags, e.Actors = parseList(tags), parseList(actors)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountTimelineEvents counts the events f selects (ignoring Limit and Offset).
func (s *Store) CountTimelineEvents(ctx context.Context, f TimelineFilter) (int, error) {
	where, args, err := s.timelineWhere(ctx, f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM timeline_events t`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count timeline events: %w", err)
	}
	return n, nil
}

// TimelineFacets are the tags and actors in use, most used first, for filters.
func (s *Store) TimelineFacets(ctx context.Context) (tags, actors []string, err error) {
	q := func(col string) ([]string, error) {
		rows, err := s.r.QueryContext(ctx, `SELECT value FROM timeline_events t, json_each(t.`+col+`)
			GROUP BY value ORDER BY count(*) DESC, value LIMIT 500`)
		if err != nil {
			return nil, fmt.Errorf("store: unable to list %s: %w", col, err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
	if tags, err = q("tags"); err != nil {
		return nil, nil, err
	}
	actors, err = q("actors")
	return tags, actors, err
}

// TimelineEventTitle is an event's number, date and title, for choosing one.
type TimelineEventTitle struct {
	ID    int64
	Date  string
	Title string
}

// TimelineEventTitles lists every event's date and title, newest first,
// without reading their front matter (a select list of thousands stays cheap).
func (s *Store) TimelineEventTitles(ctx context.Context, limit int) ([]TimelineEventTitle, error) {
	if limit <= 0 {
		limit = 5000
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, date, title FROM timeline_events ORDER BY date DESC, slug DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list timeline events: %w", err)
	}
	defer rows.Close()
	var out []TimelineEventTitle
	for rows.Next() {
		var t TimelineEventTitle
		if err := rows.Scan(&t.ID, &t.Date, &t.Title); err != nil {
			return nil, fmt.Errorf("store: unable to read timeline event: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
