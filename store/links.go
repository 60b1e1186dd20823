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

// Roles of a link between a timeline event and what it rests on.
const (
	LinkReleased = "released" // the document is the evidence: exported among the event's sources
	LinkWithheld = "withheld" // the authority refused it, citing exemptions: exported in `withheld`
	LinkContext  = "context"  // background; not exported
)

// LinkRoles lists the roles in display order.
var LinkRoles = []string{LinkReleased, LinkWithheld, LinkContext}

// EventLink ties a timeline event to one document, mail message or request.
type EventLink struct {
	ID         int64     `json:"id"`
	EventID    int64     `json:"event_id"`
	DocumentID int64     `json:"document_id,omitempty"`
	MessageID  int64     `json:"message_id,omitempty"`
	RequestID  int64     `json:"request_id,omitempty"`
	Role       string    `json:"role"`
	Exemptions []string  `json:"exemptions"`
	Tier       int       `json:"tier"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Target names what the link points at: "document", "message" or "request".
func (l EventLink) Target() string {
	switch {
	case l.DocumentID != 0:
		return "document"
	case l.MessageID != 0:
		return "message"
	}
	return "request"
}

const linkColumns = `l.id, l.event_id, COALESCE(l.document_id, 0), COALESCE(l.message_id, 0), COALESCE(l.request_id, 0),
	l.role, l.exemptions, l.tier, l.note, l.created_at, l.updated_at`

func scanLink(sc interface{ Scan(...any) error }, extra ...any) (EventLink, error) {
	var l EventLink
	var ex, created, updated string
	err := sc.Scan(append([]any{&l.ID, &l.EventID, &l.DocumentID, &l.MessageID, &l.RequestID, &l.Role, &ex, &l.Tier, &l.Note,
		&created, &updated}, extra...)...)
	l.Exemptions, l.CreatedAt, l.UpdatedAt = parseList(ex), parseTS(created), parseTS(updated)
	return l, err
}

// linkRows returns the links matching a condition on l, in the caller's transaction.
func (tx *Tx) linkRows(where string, args ...any) ([]EventLink, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT `+linkColumns+` FROM event_links l WHERE `+where+` ORDER BY l.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list event links: %w", err)
	}
	defer rows.Close()
	var out []EventLink
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read event link: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// linkIDs is the set of an event's link ids.
func (tx *Tx) linkIDs(eventID int64) (map[int64]bool, error) {
	links, err := tx.linkRows(`l.event_id = ?`, eventID)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, l := range links {
		out[l.ID] = true
	}
	return out, nil
}

// linkTarget checks the link's target and returns the request it belongs
// to (for the law its exemptions are read under) and, for a document, the
// exemptions claimed on it.
func (tx *Tx) linkTarget(l *EventLink) (tracker.Request, []string, error) {
	n := 0
	for _, id := range []int64{l.DocumentID, l.MessageID, l.RequestID} {
		if id != 0 {
			n++
		}
	}
	if n != 1 {
		return tracker.Request{}, nil, tracker.Errorf(tracker.EINVALID, "link exactly one document, message or request")
	}
	var requestID int64
	var docExemptions []string
	switch {
	case l.DocumentID != 0:
		d, err := tx.documentByID(l.DocumentID)
		if err != nil {
			return tracker.Request{}, nil, err
		}
		requestID, docExemptions = d.RequestID, d.Exemptions
	case l.MessageID != 0:
		var rid sql.NullInt64
		err := tx.QueryRowContext(tx.ctx, `SELECT request_id FROM mail_messages WHERE id = ?`, l.MessageID).Scan(&rid)
		if errors.Is(err, sql.ErrNoRows) {
			return tracker.Request{}, nil, notFound("message", l.MessageID)
		} else if err != nil {
			return tracker.Request{}, nil, fmt.Errorf("store: unable to read message: %w", err)
		}
		if !rid.Valid {
			return tracker.Request{}, nil, tracker.Errorf(tracker.EINVALID, "message %d is not assigned to a request yet", l.MessageID)
		}
		requestID = rid.Int64
	default:
		requestID = l.RequestID
	}
	r, err := tx.requestByID(requestID)
	return r, docExemptions, err
}

// validLink normalises role, tier and exemptions.
func (tx *Tx) validLink(l *EventLink) error {
	var v tracker.ValidationError
	switch l.Role {
	case LinkReleased, LinkWithheld, LinkContext:
	case "":
		l.Role = LinkReleased
	default:
		v.Add("role", "must be released, withheld or context")
	}
	if l.Tier == 0 {
		l.Tier = 1 // an authority's own disclosure is a primary source
	}
	if l.Tier < 1 || l.Tier > 3 {
		v.Add("tier", "must be 1, 2 or 3")
	}
	l.Note = strings.TrimSpace(l.Note)
	if err := v.Err(); err != nil {
		return err
	}
	r, docEx, err := tx.linkTarget(l)
	if err != nil {
		return err
	}
	codes, err := tracker.NormalizeExemptionCodes(r.Law, l.Exemptions)
	if err != nil {
		return err
	}
	if len(codes) == 0 && l.Role == LinkWithheld {
		codes = docEx // the exemptions claimed on the document itself
	}
	if l.Role == LinkContext {
		codes = nil // background cites nothing
	}
	l.Exemptions = codes
	var exists int
	if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM timeline_events WHERE id = ?`, l.EventID).Scan(&exists); err != nil {
		return fmt.Errorf("store: unable to read timeline event: %w", err)
	}
	if exists == 0 {
		return notFound("timeline event", l.EventID)
	}
	return nil
}

// LinkToEvent links a document, message or request to an event with a
// role; linking the same thing to the same event again updates the link.
func (s *Store) LinkToEvent(ctx context.Context, l *EventLink) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.LinkToEvent(l) })
}

// LinkToEvent is LinkToEvent in the caller's transaction.
func (tx *Tx) LinkToEvent(l *EventLink) error {
	if err := tx.validLink(l); err != nil {
		return err
	}
	existing, err := tx.linkRows(`l.event_id = ? AND COALESCE(l.document_id, 0) = ? AND COALESCE(l.message_id, 0) = ? AND COALESCE(l.request_id, 0) = ?`,
		l.EventID, l.DocumentID, l.MessageID, l.RequestID)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		l.ID = existing[0].ID
		return tx.updateLink(existing[0], l)
	}
	l.CreatedAt, l.UpdatedAt = tx.now, tx.now
	res, err := tx.ExecContext(tx.ctx, `
		INSERT INTO event_links (event_id, document_id, message_id, request_id, role, exemptions, tier, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.EventID, nullID(l.DocumentID), nullID(l.MessageID), nullID(l.RequestID), l.Role, jsonList(l.Exemptions), l.Tier, l.Note,
		ts(l.CreatedAt), ts(l.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: unable to link to event: %w", err)
	}
	l.ID, _ = res.LastInsertId()
	return tx.Audit("link", "event_link", l.ID, nil, l)
}

func (tx *Tx) updateLink(before EventLink, l *EventLink) error {
	after := before
	after.Role, after.Exemptions, after.Tier, after.Note = l.Role, l.Exemptions, l.Tier, l.Note
	if after.Role == before.Role && after.Tier == before.Tier && after.Note == before.Note &&
		jsonList(after.Exemptions) == jsonList(before.Exemptions) {
		*l = before
		return nil
	}
	after.UpdatedAt = tx.now
	if _, err := tx.ExecContext(tx.ctx, `UPDATE event_links SET role = ?, exemptions = ?, tier = ?, note = ?, updated_at = ? WHERE id = ?`,
		after.Role, jsonList(after.Exemptions), after.Tier, after.Note, ts(after.UpdatedAt), after.ID); err != nil {
		return fmt.Errorf("store: unable to update event link: %w", err)
	}
	*l = after
	return tx.Audit("update", "event_link", after.ID, before, after)
}

// UpdateEventLink changes a link's role, exemptions, tier and note.
func (s *Store) UpdateEventLink(ctx context.Context, l *EventLink) error {
	return s.Update(ctx, func(tx *Tx) error {
		cur, err := tx.linkRows(`l.id = ?`, l.ID)
		if err != nil {
			return err
		}
		if len(cur) == 0 {
			return notFound("event link", l.ID)
		}
		l.EventID, l.DocumentID, l.MessageID, l.RequestID = cur[0].EventID, cur[0].DocumentID, cur[0].MessageID, cur[0].RequestID
		if err := tx.validLink(l); err != nil {
			return err
		}
		return tx.updateLink(cur[0], l)
	})
}

// DeleteEventLink removes a link.
func (s *Store) DeleteEventLink(ctx context.Context, id int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		cur, err := tx.linkRows(`l.id = ?`, id)
		if err != nil {
			return err
		}
		if len(cur) == 0 {
			return notFound("event link", id)
		}
		return tx.deleteLink(cur[0])
	})
}

// deleteLink removes a link, audited with the link as it was.
func (tx *Tx) deleteLink(l EventLink) error {
	if _, err := tx.ExecContext(tx.ctx, `DELETE FROM event_links WHERE id = ?`, l.ID); err != nil {
		return fmt.Errorf("store: unable to delete event link: %w", err)
	}
	return tx.Audit("unlink", "event_link", l.ID, l, nil)
}

// EventLinkDetail is a link with what the pages and exports show of it:
// the event, the thing linked, its request and authority.
type EventLinkDetail struct {
	EventLink
	EventSlug  string
	EventTitle string
	EventDate  string

	DocumentFilename    string
	DocumentDescription string
	DocumentDisposition string
	DocumentMediaType   string
	DocumentSize        int64
	DocumentSHA256      string
	DocumentExemptions  []string
	DocumentPublished   bool // offered for download on its request's public page

	MessageSubject string
	MessageFrom    string

	// The request the linked thing belongs to (the request itself for a
	// request link); 0 when a message is not assigned to one.
	ReqID             int64
	RequestTitle      string
	RequestOurRef     string
	RequestTheirRef   string
	RequestLaw        tracker.LawCode
	RequestVisibility string
	RequestStatus     string
	RequestOutcome    string
	RequestSentOn     string
	RequestDueDate    string
	AuthorityID       int64
	AuthorityName     string
	PublicSlug        string // the request's public page, when it is public
	// ReceivedOn is the day the document or message arrived: the Date of
	// its mail, else the request's last response (or review outcome), else
	// the day the document was recorded.
	ReceivedOn string
}

// Label names the linked thing for people.
func (d EventLinkDetail) Label() string {
	switch d.Target() {
	case "document":
		if d.DocumentFilename != "" {
			return d.DocumentFilename
		}
		return d.DocumentDescription
	case "message":
		if d.MessageSubject != "" {
			return d.MessageSubject
		}
		return fmt.Sprintf("Message %d", d.MessageID)
	}
	return d.RequestTitle
}

// CitedExemptions are the exemptions the link records, else those claimed
// on the document.
func (d EventLinkDetail) CitedExemptions() []string {
	if len(d.Exemptions) > 0 {
		return d.Exemptions
	}
	return d.DocumentExemptions
}

const linkDetailSelect = `SELECT ` + linkColumns + `, e.slug, e.title, e.date,
	COALESCE(d.filename, ''), COALESCE(d.description, ''), COALESCE(d.disposition, ''), COALESCE(d.media_type, ''),
	COALESCE(d.size, 0), COALESCE(d.sha256, ''),
	COALESCE((SELECT json_group_array(code) FROM exemption_claims c WHERE c.document_id = d.id), '[]'),
	EXISTS (SELECT 1 FROM document_publications dp WHERE dp.document_id = d.id) AND d.disposition <> 'withheld',
	COALESCE(m.subject, ''), COALESCE(m.from_addr, ''),
	COALESCE(r.id, 0), COALESCE(r.title, ''), COALESCE(r.our_ref, ''), COALESCE(r.their_ref, ''), COALESCE(r.law, ''),
	COALESCE(r.visibility, ''), COALESCE(r.status, ''), COALESCE(r.outcome, ''), COALESCE(r.sent_on, ''), COALESCE(r.due_date, ''),
	COALESCE(a.id, 0), COALESCE(a.name, ''),
	CASE WHEN r.visibility = 'public' THEN COALESCE(p.slug, '') ELSE '' END,
	COALESCE(substr(COALESCE(m.sent_at, dm.sent_at), 1, 10),
		(SELECT max(ev.date) FROM request_events ev WHERE ev.request_id = r.id AND ev.kind IN ('response_received', 'review_outcome')),
		substr(d.created_at, 1, 10), '')
	FROM event_links l
	JOIN timeline_events e ON e.id = l.event_id
	LEFT JOIN documents d ON d.id = l.document_id
	LEFT JOIN mail_messages dm ON dm.id = d.message_id
	LEFT JOIN mail_messages m ON m.id = l.message_id
	LEFT JOIN requests r ON r.id = COALESCE(l.request_id, d.request_id, m.request_id)
	LEFT JOIN authorities a ON a.id = r.authority_id
	LEFT JOIN public_pages p ON p.request_id = r.id`

func scanLinkDetail(sc interface{ Scan(...any) error }) (EventLinkDetail, error) {
	var d EventLinkDetail
	var docEx string
	l, err := scanLink(sc, &d.EventSlug, &d.EventTitle, &d.EventDate,
		&d.DocumentFilename, &d.DocumentDescription, &d.DocumentDisposition, &d.DocumentMediaType, &d.DocumentSize, &d.DocumentSHA256,
		&docEx, &d.DocumentPublished, &d.MessageSubject, &d.MessageFrom,
		&d.ReqID, &d.RequestTitle, &d.RequestOurRef, &d.RequestTheirRef, &d.RequestLaw, &d.RequestVisibility, &d.RequestStatus,
		&d.RequestOutcome, &d.RequestSentOn, &d.RequestDueDate, &d.AuthorityID, &d.AuthorityName, &d.PublicSlug, &d.ReceivedOn)
	d.EventLink, d.DocumentExemptions = l, parseList(docEx)
	return d, err
}

// LinkFilter selects links. RequestID selects every link that concerns
// the request: to it, to its documents and to its messages.
type LinkFilter struct {
	EventIDs   []int64
	DocumentID int64
	MessageID  int64
	RequestID  int64
	Role       string
}

// EventLinkDetails lists links with their details, by event date then id.
func (s *Store) EventLinkDetails(ctx context.Context, f LinkFilter) ([]EventLinkDetail, error) {
	var where []string
	var args []any
	if len(f.EventIDs) > 0 {
		b, _ := json.Marshal(f.EventIDs)
		where = append(where, `l.event_id IN (SELECT value FROM json_each(?))`)
		args = append(args, string(b))
	}
	if f.DocumentID != 0 {
		where = append(where, `l.document_id = ?`)
		args = append(args, f.DocumentID)
	}
	if f.MessageID != 0 {
		where = append(where, `l.message_id = ?`)
		args = append(args, f.MessageID)
	}
	if f.RequestID != 0 {
		// The links of the request itself, of its documents and of its
		// mail, each found by its own index (r.id = ? alone, through the
		// COALESCE join, reads every link).
		where = append(where, `l.id IN (
			SELECT id FROM event_links WHERE request_id = ?
			UNION ALL SELECT el.id FROM documents dd JOIN event_links el ON el.document_id = dd.id WHERE dd.request_id = ?
			UNION ALL SELECT el.id FROM mail_messages mm JOIN event_links el ON el.message_id = mm.id WHERE mm.request_id = ?)`)
		args = append(args, f.RequestID, f.RequestID, f.RequestID)
	}
	if f.Role != "" {
		where = append(where, `l.role = ?`)
		args = append(args, f.Role)
	}
	q := linkDetailSelect
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY e.date, e.slug, l.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list event links: %w", err)
	}
	defer rows.Close()
	var out []EventLinkDetail
	for rows.Next() {
		d, err := scanLinkDetail(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read event link: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// EventLinkByID returns one link with its details.
func (s *Store) EventLinkByID(ctx context.Context, id int64) (EventLinkDetail, error) {
	d, err := scanLinkDetail(s.r.QueryRowContext(ctx, linkDetailSelect+` WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("event link", id)
	} else if err != nil {
		return d, fmt.Errorf("store: unable to read event link %d: %w", id, err)
	}
	return d, nil
}

// PublicRequestURL is where a public request can be read: baseURL + /p/SLUG
// (a path alone when baseURL is empty).
func PublicRequestURL(baseURL, slug string) string {
	if slug == "" {
		return ""
	}
	return strings.TrimRight(baseURL, "/") + "/p/" + slug
}

// PublicDocumentURL is where a published document of a public request can
// be downloaded.
func PublicDocumentURL(baseURL, slug, sha256 string) string {
	return PublicRequestURL(baseURL, slug) + "/documents/" + sha256
}

// PublicLinks are the links an export for the public carries: those to a
// public request's documents, mail or the request itself. A private
// request's title, reference, files' names and hashes and mail subjects
// never leave in a timeline export, as they never leave in a public
// evidence bundle, whatever an event links to them as; a message filed on
// no request is private too. (A timeline download reads only these:
// exportLinkSelect's condition, exportedLink, is this rule in SQL.)
func PublicLinks(links []EventLinkDetail) []EventLinkDetail {
	var out []EventLinkDetail
	for _, l := range links {
		if l.RequestVisibility == tracker.VisibilityPublic {
			out = append(out, l)
		}
	}
	return out
}

// LinkedForExport turns an event's links into what its exported file
// carries: released ones as sources, withheld ones as withheld items.
func LinkedForExport(links []EventLinkDetail, baseURL string) ([]timeline.LinkedSource, []timeline.Withheld) {
	var src []timeline.LinkedSource
	var wh []timeline.Withheld
	for _, l := range links {
		req := l.RequestTitle
		if l.RequestOurRef != "" {
			req += " (" + l.RequestOurRef + ")"
		}
		url := PublicRequestURL(baseURL, l.PublicSlug)
		if url != "" && l.DocumentPublished && l.DocumentSHA256 != "" {
			url = PublicDocumentURL(baseURL, l.PublicSlug, l.DocumentSHA256)
		}
		switch l.Role {
		case LinkReleased:
			src = append(src, timeline.LinkedSource{LinkID: l.ID, URL: url, Title: l.Label(), Publisher: l.AuthorityName,
				Date: l.ReceivedOn, Tier: l.Tier, Request: req, SHA256: l.DocumentSHA256})
		case LinkWithheld:
			wh = append(wh, timeline.Withheld{LinkID: l.ID, Title: l.Label(), Authority: l.AuthorityName, Law: string(l.RequestLaw),
				Exemptions: l.CitedExemptions(), Date: l.ReceivedOn, Request: req, URL: url})
		}
	}
	return src, wh
}

// TimelineEventsForExport returns the events f selects as they are
// exported: with their released links among their sources and their
// withheld ones in `withheld`. A page streams them with
// EachTimelineEventForExport instead.
func (s *Store) TimelineEventsForExport(ctx context.Context, f TimelineFilter, baseURL string) ([]*timeline.Event, error) {
	var out []*timeline.Event
	err := s.EachTimelineEventForExport(ctx, f, baseURL, func(e *timeline.Event) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// exportChunk is how many events an export reads at a time, with their
// links: a download of the whole timeline holds one chunk in memory, not
// the timeline (10,000 events with 20,000 links were 300 MB a download).
var exportChunk = 50

// EachTimelineEventForExport calls fn with every event f selects, in the
// timeline's order (date, then slug), as exported: with its released links
// among its sources and its withheld ones in `withheld`, the censor rules
// applied. It reads exportChunk events at a time, each chunk after the
// last one's final event, so there is no cap on the number of events and
// no OFFSET walk; f.Limit and f.Offset, when set, still bound the whole.
func (s *Store) EachTimelineEventForExport(ctx context.Context, f TimelineFilter, baseURL string, fn func(*timeline.Event) error) error {
	// Exports are for the public: the censor rules apply (global ones, and
	// those of the requests and authorities each event links to).
	rules, err := s.CensorRules(ctx, "", 0)
	if err != nil {
		return err
	}
	scoped := false // a rule that applies through a request or an authority
	for _, r := range rules {
		scoped = scoped || r.Scope != tracker.CensorGlobal
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// The search box's events found once, not again for every chunk.
		if f.queryMembers, err = s.itemSearchIDs(ctx, KindEvent, q); err != nil {
			return err
		}
	}
	left := f.Limit // 0: every event
	for {
		page := f
		page.Limit = exportChunk
		if left > 0 && left < page.Limit {
			page.Limit = left
		}
		tes, err := s.TimelineEvents(ctx, page)
		if err != nil {
			return err
		}
		if len(tes) == 0 {
			return nil
		}
		ids := make([]int64, len(tes))
		for i, te := range tes {
			ids[i] = te.ID
		}
		byEvent, scopes, err := s.exportLinks(ctx, ids, scoped)
		if err != nil {
			return err
		}
		for _, te := range tes {
			links := byEvent[te.ID]
			var reqs, auths []int64
			for _, l := range links {
				reqs, auths = append(reqs, l.ReqID), append(auths, l.AuthorityID)
			}
			for _, sc := range scopes[te.ID] {
				reqs, auths = append(reqs, sc[0]), append(auths, sc[1])
			}
			censor := censorOf(rules, reqs, auths)
			for j := range links {
				l := &links[j]
				l.DocumentFilename, l.DocumentDescription = censor.Apply(l.DocumentFilename), censor.Apply(l.DocumentDescription)
				l.RequestTitle, l.AuthorityName = censor.Apply(l.RequestTitle), censor.Apply(l.AuthorityName)
			}
			src, wh := LinkedForExport(links, baseURL)
			// The event was just read and is the export's alone: links and
			// rules are applied to it, not to a copy.
			e := te.Event
			e.AddLinks(src, wh)
			if !censor.Empty() {
				e.Censor(censor.Apply)
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(tes) < page.Limit {
			return nil
		}
		if left > 0 {
			if left -= len(tes); left == 0 {
				return nil
			}
		}
		last := tes[len(tes)-1]
		f.Offset, f.AfterDate, f.AfterSlug = 0, last.date, last.slug
	}
}

// exportLinkSelect reads what an exported event carries of a released or
// withheld link to a public request (LinkedForExport, censorOf), in
// linkDetailSelect's terms, and no more: no event (the caller has it), no
// private request's link (PublicLinks' rule, applied here so that nothing
// is looked up for a link the export leaves out), a document's claimed
// exemptions only for a withheld link (a released one cites none). Those
// lookups, each a walk into a large table, were half of a timeline
// download's work.
const exportLinkSelect = `SELECT l.id, l.event_id, COALESCE(l.document_id, 0), COALESCE(l.message_id, 0), COALESCE(l.request_id, 0),
	l.role, l.exemptions, l.tier,
	COALESCE(d.filename, ''), COALESCE(d.description, ''), COALESCE(d.sha256, ''),
	CASE WHEN l.role = 'withheld' THEN COALESCE((SELECT json_group_array(code) FROM exemption_claims c WHERE c.document_id = d.id), '[]') ELSE '[]' END,
	EXISTS (SELECT 1 FROM document_publications dp WHERE dp.document_id = d.id) AND d.disposition <> 'withheld',
	COALESCE(m.subject, ''),
	COALESCE(r.id, 0), COALESCE(r.title, ''), COALESCE(r.our_ref, ''), COALESCE(r.law, ''), COALESCE(r.visibility, ''),
	COALESCE(a.id, 0), COALESCE(a.name, ''),
	COALESCE((SELECT p.slug FROM public_pages p WHERE p.request_id = r.id), ''),
	COALESCE(substr(COALESCE(m.sent_at, dm.sent_at), 1, 10),
		(SELECT max(ev.date) FROM request_events ev WHERE ev.request_id = r.id AND ev.kind IN ('response_received', 'review_outcome')),
		substr(d.created_at, 1, 10), '')
	FROM event_links l
	LEFT JOIN documents d ON d.id = l.document_id
	LEFT JOIN mail_messages dm ON dm.id = d.message_id
	LEFT JOIN mail_messages m ON m.id = l.message_id
	LEFT JOIN requests r ON r.id = COALESCE(l.request_id, d.request_id, m.request_id)
	LEFT JOIN authorities a ON a.id = r.authority_id
	WHERE l.event_id IN (SELECT value FROM json_each(?)) AND ` + exportedLink + `
	ORDER BY l.id`

// exportedLink is the condition on a link (l) and its request (r) that it
// is exported: released or withheld, on a public request (PublicLinks).
const exportedLink = `l.role IN ('released', 'withheld') AND COALESCE(r.visibility, '') = 'public'`

// exportLinks returns the exported links of the events (released or
// withheld, on a public request), by event, in the order of their ids,
// with what their export shows (see exportLinkSelect); and, when scoped is
// set (some censor rule applies through a request or an authority), the
// request and authority of each of their other links (background ones,
// and any to a private request), which are not exported but whose rules
// apply to the event.
func (s *Store) exportLinks(ctx context.Context, eventIDs []int64, scoped bool) (map[int64][]EventLinkDetail, map[int64][][2]int64, error) {
	ids := jsonIDs(eventIDs)
	rows, err := s.r.QueryContext(ctx, exportLinkSelect, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to list event links: %w", err)
	}
	defer rows.Close()
	links := map[int64][]EventLinkDetail{}
	for rows.Next() {
		var d EventLinkDetail
		var ex, docEx string
		if err := rows.Scan(&d.ID, &d.EventID, &d.DocumentID, &d.MessageID, &d.RequestID, &d.Role, &ex, &d.Tier,
			&d.DocumentFilename, &d.DocumentDescription, &d.DocumentSHA256, &docEx, &d.DocumentPublished, &d.MessageSubject,
			&d.ReqID, &d.RequestTitle, &d.RequestOurRef, &d.RequestLaw, &d.RequestVisibility, &d.AuthorityID, &d.AuthorityName, &d.PublicSlug, &d.ReceivedOn); err != nil {
			return nil, nil, fmt.Errorf("store: unable to read event link: %w", err)
		}
		d.Exemptions, d.DocumentExemptions = parseList(ex), parseList(docEx)
		links[d.EventID] = append(links[d.EventID], d)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: unable to list event links: %w", err)
	}
	if !scoped {
		return links, nil, nil
	}
	rows, err = s.r.QueryContext(ctx, `SELECT l.event_id, COALESCE(r.id, 0), COALESCE(r.authority_id, 0)
		FROM event_links l
		LEFT JOIN documents d ON d.id = l.document_id
		LEFT JOIN mail_messages m ON m.id = l.message_id
		LEFT JOIN requests r ON r.id = COALESCE(l.request_id, d.request_id, m.request_id)
		WHERE l.event_id IN (SELECT value FROM json_each(?)) AND NOT (`+exportedLink+`)`, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to list background links: %w", err)
	}
	defer rows.Close()
	scopes := map[int64][][2]int64{}
	for rows.Next() {
		var event int64
		var sc [2]int64
		if err := rows.Scan(&event, &sc[0], &sc[1]); err != nil {
			return nil, nil, fmt.Errorf("store: unable to read background link: %w", err)
		}
		scopes[event] = append(scopes[event], sc)
	}
	return links, scopes, rows.Err()
}

// RequestChoice is a request as a link form offers it by name.
type RequestChoice struct {
	ID            int64
	OurRef        string
	Title         string
	AuthorityName string
}

// DocumentChoice is a document as a link form offers it by name.
type DocumentChoice struct {
	ID          int64
	RequestID   int64
	Filename    string
	Disposition string
	RequestRef  string // its request's our_ref
}

// LinkChoices are the newest limit requests and documents, newest first,
// with only what names them (Requests and Documents read whole rows and
// their claims: two fifths of an event page's work).
func (s *Store) LinkChoices(ctx context.Context, limit int) ([]RequestChoice, []DocumentChoice, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.id, r.our_ref, r.title, a.name
		FROM requests r JOIN authorities a ON a.id = r.authority_id ORDER BY r.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to list requests: %w", err)
	}
	defer rows.Close()
	var reqs []RequestChoice
	for rows.Next() {
		var r RequestChoice
		if err := rows.Scan(&r.ID, &r.OurRef, &r.Title, &r.AuthorityName); err != nil {
			return nil, nil, fmt.Errorf("store: unable to read request: %w", err)
		}
		reqs = append(reqs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = s.r.QueryContext(ctx, `SELECT d.id, d.request_id, d.filename, d.disposition, COALESCE(r.our_ref, '')
		FROM documents d LEFT JOIN requests r ON r.id = d.request_id ORDER BY d.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to list documents: %w", err)
	}
	defer rows.Close()
	var docs []DocumentChoice
	for rows.Next() {
		var d DocumentChoice
		if err := rows.Scan(&d.ID, &d.RequestID, &d.Filename, &d.Disposition, &d.RequestRef); err != nil {
			return nil, nil, fmt.Errorf("store: unable to read document: %w", err)
		}
		docs = append(docs, d)
	}
	return reqs, docs, rows.Err()
}

// EventLinkBriefs are the links of these events as a list of events shows
// them, by event then link: EventLinkDetails with only the link, the
// document's name, description and exemptions, and the request's id,
// title and authority filled in (the mail, the dates and the public page,
// which only an event page shows, were half the cost of the list's links).
func (s *Store) EventLinkBriefs(ctx context.Context, eventIDs []int64) ([]EventLinkDetail, error) {
	b, _ := json.Marshal(eventIDs)
	rows, err := s.r.QueryContext(ctx, `SELECT `+linkColumns+`,
		COALESCE(d.filename, ''), COALESCE(d.description, ''),
		COALESCE((SELECT json_group_array(code) FROM exemption_claims c WHERE c.document_id = d.id), '[]'),
		COALESCE(r.id, 0), COALESCE(r.title, ''), COALESCE(a.name, '')
		FROM event_links l
		LEFT JOIN documents d ON d.id = l.document_id
		LEFT JOIN mail_messages m ON m.id = l.message_id
		LEFT JOIN requests r ON r.id = COALESCE(l.request_id, d.request_id, m.request_id)
		LEFT JOIN authorities a ON a.id = r.authority_id
		WHERE l.event_id IN (SELECT value FROM json_each(?))
		ORDER BY l.event_id, l.id`, string(b))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list event links: %w", err)
	}
	defer rows.Close()
	var out []EventLinkDetail
	for rows.Next() {
		var d EventLinkDetail
		var docEx string
		l, err := scanLink(rows, &d.DocumentFilename, &d.DocumentDescription, &docEx, &d.ReqID, &d.RequestTitle, &d.AuthorityName)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read event link: %w", err)
		}
		d.EventLink, d.DocumentExemptions = l, parseList(docEx)
		out = append(out, d)
	}
	return out, rows.Err()
}
