package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
	docs, msgs, reqs, evs := ids(c.Documents), ids(c.Messages), ids(c.Requests), ids(c.Events)
	// A link entry holds the link in after (link, update) or before (unlink).
	linkField := func(f string) string {
		return `json_extract(CASE WHEN after <> 'null' THEN after ELSE before END, '$.` + f + `')`
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+auditColumns+` FROM audit_log
		WHERE (entity = 'document' AND entity_id IN (SELECT value FROM json_each(?)))
		   OR (entity = 'mail_message' AND entity_id IN (SELECT value FROM json_each(?)))
		   OR (entity = 'request' AND entity_id IN (SELECT value FROM json_each(?)))
		   OR (entity = 'timeline_event' AND entity_id IN (SELECT value FROM json_each(?)))
		   OR (entity = 'event_link' AND (
		          `+linkField("document_id")+` IN (SELECT value FROM json_each(?))
		       OR `+linkField("message_id")+` IN (SELECT value FROM json_each(?))
		       OR `+linkField("request_id")+` IN (SELECT value FROM json_each(?))
		       OR `+linkField("event_id")+` IN (SELECT value FROM json_each(?))))
		ORDER BY id`, docs, msgs, reqs, evs, docs, msgs, reqs, evs)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list audit entries: %w", err)
	}
	return scanAuditEntries(rows)
}
