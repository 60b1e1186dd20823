package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/foitrack/foitrack/tracker"
)

// Provenance: where a document came from, from the request it answered to
// the IMAP UID it was fetched under, and what rests on it. Everything here
// is read from rows that are written with an audit entry, and from blobs
// named by their own hash, so none of it can change without a trace.

// DKIMCheck is one DKIM verification recorded at ingest (mailsync.DKIMResult
// as stored in mail_messages.dkim).
type DKIMCheck struct {
	Domain     string `json:"Domain"`
	Selector   string `json:"Selector"`
	Identifier string `json:"Identifier"`
	Status     string `json:"Status"` // pass, fail, temperror, permerror, none
	Error      string `json:"Error"`
	KeyName    string `json:"KeyName"`   // <selector>._domainkey.<domain>
	KeyRecord  string `json:"KeyRecord"` // the TXT record checked against
}

// ParseDKIM reads the DKIM results stored with a message.
func ParseDKIM(raw json.RawMessage) []DKIMCheck {
	var out []DKIMCheck
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// MessageProvenance is a mail message with its DKIM results read.
type MessageProvenance struct {
	MailMessage
	DKIMChecks []DKIMCheck
}

// DocumentProvenance is everything known about where a document came from.
type DocumentProvenance struct {
	Document   tracker.Document
	Request    tracker.Request
	PublicSlug string
	// Incoming is the mail the document came with (nil when it was added
	// by hand); Outgoing the message of ours it replied to, if known.
	Incoming *MessageProvenance
	Outgoing *MessageProvenance
	Events   []EventLinkDetail
	Audit    []AuditEntry
}

// messageProvenance returns a message with its DKIM results.
func (s *Store) messageProvenance(ctx context.Context, id int64) (*MessageProvenance, error) {
	m, err := s.MailMessageByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return &MessageProvenance{MailMessage: m, DKIMChecks: ParseDKIM(m.DKIM)}, nil
}

// RepliedTo finds the outgoing message an incoming one answers: by
// In-Reply-To, then References (newest first), then the request's last
// message sent before it arrived.
func (s *Store) RepliedTo(ctx context.Context, in MailMessage) (*MessageProvenance, error) {
	ids := append([]string{in.InReplyTo}, reversed(in.References)...)
	for _, mid := range ids {
		if mid = strings.Trim(strings.TrimSpace(mid), "<>"); mid == "" {
			continue
		}
		var id int64
		err := s.r.QueryRowContext(ctx, `SELECT id FROM mail_messages WHERE direction = 'out' AND message_id = ? ORDER BY id DESC LIMIT 1`, mid).Scan(&id)
		if err == nil {
			return s.messageProvenance(ctx, id)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: unable to look up replied-to message: %w", err)
		}
	}
	if in.RequestID == 0 {
		return nil, nil
	}
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM mail_messages WHERE direction = 'out' AND request_id = ? AND id < ?
		AND state = 'sent' ORDER BY COALESCE(sent_at, created_at) DESC, id DESC LIMIT 1`, in.RequestID, in.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to look up replied-to message: %w", err)
	}
	return s.messageProvenance(ctx, id)
}

func reversed(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[len(l)-1-i] = s
	}
	return out
}

// DocumentProvenance gathers a document's provenance chain.
func (s *Store) DocumentProvenance(ctx context.Context, documentID int64) (DocumentProvenance, error) {
	var p DocumentProvenance
	var err error
	if p.Document, err = s.DocumentByID(ctx, documentID); err != nil {
		return p, err
	}
	if p.Request, err = s.RequestByID(ctx, p.Document.RequestID); err != nil {
		return p, err
	}
	if p.Request.Visibility == tracker.VisibilityPublic {
		if p.PublicSlug, err = s.PublicSlug(ctx, p.Request.ID); err != nil {
			return p, err
		}
	}
	if p.Document.MessageID != 0 {
		if p.Incoming, err = s.messageProvenance(ctx, p.Document.MessageID); err != nil {
			return p, err
		}
		if p.Outgoing, err = s.RepliedTo(ctx, p.Incoming.MailMessage); err != nil {
			return p, err
		}
	}
	if p.Events, err = s.EventLinkDetails(ctx, LinkFilter{DocumentID: documentID}); err != nil {
		return p, err
	}
	c := Concerning{Documents: []int64{documentID}}
	if p.Document.MessageID != 0 {
		c.Messages = []int64{p.Document.MessageID}
	}
	p.Audit, err = s.AuditEntriesConcerning(ctx, c)
	return p, err
}

// Concerning names the rows whose audit entries are wanted.
type Concerning struct {
	Documents []int64
	Messages  []int64
	Requests  []int64
	Events    []int64 // timeline events
}

// AuditEntriesConcerning returns, oldest first, the audit entries about the
// given documents, messages, requests and timeline events, and about every
// event link that involves any of them.
func (s *Store) AuditEntriesConcerning(ctx context.Context, c Concerning) ([]AuditEntry, error) {
	ids := func(l []int64) string {
		if len(l) == 0 {
			return "[]"
		}
		b, _ := json.Marshal(l)
		return string(b)
	}
	links, err := s.linkEntryIDs(ctx, c)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+auditColumns+` FROM audit_log
		WHERE (entity = 'document' AND entity_id IN (SELECT value FROM json_each(?)))
		   OR (entity = 'mail_message' AND entity_id IN (SELECT value FROM json_each(?)))
		   OR (entity = 'request' AND entity_id IN (SELECT value FROM json_each(?)))
		   OR (entity = 'timeline_event' AND entity_id IN (SELECT value FROM json_each(?)))
		   OR id IN (SELECT value FROM json_each(?))
		ORDER BY id`, ids(c.Documents), ids(c.Messages), ids(c.Requests), ids(c.Events), ids(links))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list audit entries: %w", err)
	}
	return scanAuditEntries(rows)
}

// linkEntryIndex is where the audit entries of event links are, by what
// each link joined: the entries say it (a link entry holds the link in
// after, an unlink in before), and no index does, so finding a document's
// read every link's entries (20,000 at a million requests: 84 ms a
// provenance page). The audit log is only ever appended to: the index is
// read once, then on from where it stopped.
type linkEntryIndex struct {
	mu   sync.Mutex
	upTo int64               // the entries up to this id are in of
	n    int                 // how many entries of links there are
	of   map[linkEnd][]int64 // audit entry ids, oldest first
}

// linkEnd is a row a link joined, by its audit entity and id.
type linkEnd struct {
	entity string
	id     int64
}

// linkEntryIDs are the ids of the audit entries of every event link that
// joined one of c's rows, gone ones too: by what each entry says the link
// joined, not by the link's id (a gone link's id is taken by the next).
func (s *Store) linkEntryIDs(ctx context.Context, c Concerning) ([]int64, error) {
	_, head, err := s.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	x := &s.linkEntries
	x.mu.Lock()
	defer x.mu.Unlock()
	if head > x.upTo || x.of == nil {
		if err := s.readLinkEntries(ctx, head); err != nil {
			return nil, err
		}
	}
	var out []int64
	for _, end := range []struct {
		entity string
		ids    []int64
	}{{"document", c.Documents}, {"mail_message", c.Messages}, {"request", c.Requests}, {"timeline_event", c.Events}} {
		for _, id := range end.ids {
			out = append(out, x.of[linkEnd{end.entity, id}]...)
		}
	}
	return out, nil
}

// readLinkEntries adds the link entries after x.upTo up to head to the
// index (x.mu held): those written since it was last read, by their ids;
// the first time, or after more writes than there are link entries,
// every link's, by the index of entities.
func (s *Store) readLinkEntries(ctx context.Context, head int64) error {
	x := &s.linkEntries
	side := `CASE WHEN after <> 'null' THEN after ELSE before END`
	q := `SELECT id, json_extract(` + side + `, '$.document_id'), json_extract(` + side + `, '$.message_id'),
		json_extract(` + side + `, '$.request_id'), json_extract(` + side + `, '$.event_id')
		FROM audit_log `
	from, of, n := x.upTo, x.of, x.n
	if of == nil || head-from > int64(max(n, 1000)) {
		from, of, n = 0, map[linkEnd][]int64{}, 0
		q += `INDEXED BY audit_log_entity WHERE entity = 'event_link' AND id > ? AND id <= ?`
	} else {
		q += `NOT INDEXED WHERE id > ? AND id <= ? AND entity = 'event_link'`
	}
	rows, err := s.r.QueryContext(ctx, q, from, head)
	if err != nil {
		return fmt.Errorf("store: unable to read event links' audit entries: %w", err)
	}
	defer rows.Close()
	type entry struct {
		end linkEnd
		id  int64
	}
	var read []entry
	for rows.Next() {
		var id int64
		var doc, msg, req, ev sql.NullInt64
		if err := rows.Scan(&id, &doc, &msg, &req, &ev); err != nil {
			return fmt.Errorf("store: unable to read event links' audit entries: %w", err)
		}
		for _, e := range []struct {
			entity string
			id     sql.NullInt64
		}{{"document", doc}, {"mail_message", msg}, {"request", req}, {"timeline_event", ev}} {
			if e.id.Int64 != 0 {
				read = append(read, entry{linkEnd{e.entity, e.id.Int64}, id})
			}
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to read event links' audit entries: %w", err)
	}
	// Kept only once all is read: a read cut short leaves the index as it was.
	for _, e := range read {
		of[e.end] = append(of[e.end], e.id)
	}
	x.of, x.n, x.upTo = of, n, head
	return nil
}
