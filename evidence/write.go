package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// Kinds of bundle. A public bundle holds only what a public request's page
// may show; a confidential one holds everything the tracker has on it.
const (
	Public       = "public"
	Confidential = "confidential"
)

// Options for Write.
type Options struct {
	// Kind is Public (the default when empty) or Confidential.
	Kind string
	// BaseURL is the tracker's public address, for public requests' URLs.
	BaseURL string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// collection is what a bundle holds, gathered from the store.
type collection struct {
	public   bool
	secrets  []string // never in a public bundle's text (reply tokens)
	censor   *tracker.Censor
	scope    Scope
	requests map[int64]tracker.Request
	docs     map[int64]tracker.Document
	msgs     map[int64]*store.MessageProvenance
	events   map[int64]*timeline.Event
	eventIDs map[int64]store.TimelineEvent
	links    map[int64][]store.EventLinkDetail // by event
	chains   []Chain
}

func newCollection() *collection {
	return &collection{requests: map[int64]tracker.Request{}, docs: map[int64]tracker.Document{},
		msgs: map[int64]*store.MessageProvenance{}, events: map[int64]*timeline.Event{},
		eventIDs: map[int64]store.TimelineEvent{}, links: map[int64][]store.EventLinkDetail{}}
}

func (c *collection) addRequest(ctx context.Context, st *store.Store, id int64) error {
	if _, ok := c.requests[id]; ok || id == 0 {
		return nil
	}
	r, err := st.RequestByID(ctx, id)
	if err != nil {
		return err
	}
	c.requests[id] = r
	return nil
}

func (c *collection) addMessage(ctx context.Context, st *store.Store, id int64) error {
	if _, ok := c.msgs[id]; ok || id == 0 {
		return nil
	}
	m, err := st.MailMessageByID(ctx, id)
	if err != nil {
		return err
	}
	return c.addMessageRead(ctx, st, m)
}

// addMessageRead is addMessage of a message already read whole (a list of
// a request's messages: each read again by its id was a query per message).
func (c *collection) addMessageRead(ctx context.Context, st *store.Store, m store.MailMessage) error {
	if _, ok := c.msgs[m.ID]; ok || m.ID == 0 {
		return nil
	}
	c.msgs[m.ID] = &store.MessageProvenance{MailMessage: m, DKIMChecks: store.ParseDKIM(m.DKIM)}
	if m.Direction == "in" {
		// The message of ours it answered belongs to its provenance.
		out, err := st.RepliedTo(ctx, m)
		if err != nil {
			return err
		}
		if out != nil {
			c.msgs[out.ID] = out
		}
	}
	return c.addRequest(ctx, st, m.RequestID)
}

func (c *collection) addDocument(ctx context.Context, st *store.Store, d tracker.Document) error {
	if _, ok := c.docs[d.ID]; ok {
		return nil
	}
	c.docs[d.ID] = d
	if err := c.addRequest(ctx, st, d.RequestID); err != nil {
		return err
	}
	return c.addMessage(ctx, st, d.MessageID)
}

// addRequestWhole adds a request with all its documents and mail.
func (c *collection) addRequestWhole(ctx context.Context, st *store.Store, id int64) error {
	if err := c.addRequest(ctx, st, id); err != nil {
		return err
	}
	docs, err := st.Documents(ctx, store.DocumentFilter{RequestID: id})
	if err != nil {
		return err
	}
	for _, d := range docs {
		if err := c.addDocument(ctx, st, d); err != nil {
			return err
		}
	}
	msgs, err := st.MailMessages(ctx, store.MailFilter{RequestID: id, Limit: 100000})
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := c.addMessageRead(ctx, st, m); err != nil {
			return err
		}
	}
	return nil
}

// addLinkTarget adds what a link points at.
func (c *collection) addLinkTarget(ctx context.Context, st *store.Store, l store.EventLinkDetail) error {
	switch {
	case l.DocumentID != 0:
		d, err := st.DocumentByID(ctx, l.DocumentID)
		if err != nil {
			return err
		}
		return c.addDocument(ctx, st, d)
	case l.MessageID != 0:
		return c.addMessage(ctx, st, l.MessageID)
	default:
		return c.addRequestWhole(ctx, st, l.RequestID)
	}
}

// collect gathers a request's or an event's bundle.
func collect(ctx context.Context, st *store.Store, kind string, id int64, baseURL string, public bool) (*collection, error) {
	c := newCollection()
	c.public = public
	var eventIDs []int64
	switch kind {
	case "request":
		if err := c.addRequestWhole(ctx, st, id); err != nil {
			return nil, err
		}
		r := c.requests[id]
		c.scope = Scope{Kind: kind, ID: id, Title: r.Title}
		links, err := st.EventLinkDetails(ctx, store.LinkFilter{RequestID: id})
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			eventIDs = append(eventIDs, l.EventID)
		}
	case "event":
		te, err := st.TimelineEventByID(ctx, id)
		if err != nil {
			return nil, err
		}
		c.scope = Scope{Kind: kind, ID: id, Title: te.Event.Title(), Slug: te.Event.ID()}
		links, err := st.EventLinkDetails(ctx, store.LinkFilter{EventIDs: []int64{id}})
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			if err := c.addLinkTarget(ctx, st, l); err != nil {
				return nil, err
			}
		}
		eventIDs = []int64{id}
	default:
		return nil, tracker.Errorf(tracker.EINVALID, "a bundle is for a request or an event")
	}
	if len(eventIDs) > 0 {
		tes, err := st.TimelineEvents(ctx, store.TimelineFilter{IDs: eventIDs})
		if err != nil {
			return nil, err
		}
		links, err := st.EventLinkDetails(ctx, store.LinkFilter{EventIDs: eventIDs})
		if err != nil {
			return nil, err
		}
		for _, te := range tes {
			c.eventIDs[te.ID] = te
		}
		for _, l := range links {
			c.links[l.EventID] = append(c.links[l.EventID], l)
		}
	}
	if public {
		if err := c.keepPublic(ctx, st); err != nil {
			return nil, err
		}
		if err := c.applyCensor(ctx, st); err != nil {
			return nil, err
		}
	}
	// Each event as exported, with the links the bundle keeps.
	for id, te := range c.eventIDs {
		src, wh := store.LinkedForExport(c.links[id], baseURL)
		c.events[id] = te.Event.WithLinks(src, wh)
		if public {
			c.events[id] = c.events[id].Censored(c.scrub)
		}
	}
	// Provenance chains of the documents.
	for _, d := range sortedDocs(c.docs) {
		ch := Chain{DocumentID: d.ID, RequestID: d.RequestID, IncomingMessageID: d.MessageID, Events: []string{}}
		if m := c.msgs[d.MessageID]; m != nil {
			if out, err := st.RepliedTo(ctx, m.MailMessage); err != nil {
				return nil, err
			} else if out != nil && c.msgs[out.ID] != nil {
				ch.RepliedToMessageID = out.ID
			}
		}
		for _, evID := range sortedIDs(c.links) {
			for _, l := range c.links[evID] {
				if l.DocumentID == d.ID {
					ch.Events = append(ch.Events, l.EventSlug)
				}
			}
		}
		c.chains = append(c.chains, ch)
	}
	return c, nil
}

func sortedDocs(m map[int64]tracker.Document) []tracker.Document {
	out := make([]tracker.Document, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sortedIDs[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// safeName makes a zip entry name from a user-supplied file name: its
// display form (no directories), with anything but plain characters replaced.
func safeName(name string) string {
	name = store.DisplayFilename(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" ._-()+,", r):
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	if s == "" {
		s = "document"
	}
	return s
}

// zipWriter writes stored (uncompressed) entries and records their hashes:
// uncompressed, a changed byte stays in its file and is found by its hash.
type zipWriter struct {
	zw    *zip.Writer
	files []File
	now   time.Time
}

func (z *zipWriter) add(path, kind, of string, r io.Reader) (File, error) {
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Store, Modified: z.now})
	if err != nil {
		return File{}, fmt.Errorf("evidence: unable to add %s: %w", path, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return File{}, fmt.Errorf("evidence: unable to write %s: %w", path, err)
	}
	f := File{Path: path, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, Kind: kind, Of: of}
	z.files = append(z.files, f)
	return f, nil
}

// Write writes the bundle for a request (kind "request") or a timeline
// event (kind "event") to w and returns its manifest.
func Write(ctx context.Context, st *store.Store, w io.Writer, kind string, id int64, opt Options) (*Manifest, error) {
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	if opt.Kind == "" {
		opt.Kind = Public
	}
	if opt.Kind != Public && opt.Kind != Confidential {
		return nil, tracker.Errorf(tracker.EINVALID, "a bundle is public or confidential, not %q", opt.Kind)
	}
	c, err := collect(ctx, st, kind, id, opt.BaseURL, opt.Kind == Public)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Format: Format, Kind: opt.Kind, CreatedAt: now().UTC().Truncate(time.Second), CreatedBy: store.Actor(ctx), Scope: c.scope,
		Requests: []Request{}, Documents: []Document{}, Messages: []Message{}, Events: []Event{}, Provenance: c.chains,
		DKIMKeys: map[string]string{}}
	if c.public {
		m.CreatedBy = "" // who recorded what is not on the public page
	}
	if m.AuditHead.Hash, m.AuditHead.ID, err = st.AuditHead(ctx); err != nil {
		return nil, err
	}
	zw := &zipWriter{zw: zip.NewWriter(w), now: m.CreatedAt}

	for _, id := range sortedIDs(c.requests) {
		r := c.requests[id]
		req := Request{ID: r.ID, Title: r.Title, Authority: r.AuthorityName, Law: string(r.Law), OurRef: r.OurRef, TheirRef: r.TheirRef,
			Visibility: r.Visibility, Status: string(r.Status), Outcome: r.Outcome}
		if c.public {
			req.OurRef, req.TheirRef = "", "" // not on the public page
		}
		if !r.SentOn.IsZero() {
			req.SentOn = r.SentOn.String()
		}
		if !r.DueDate.IsZero() {
			req.DueDate = r.DueDate.String()
		}
		if r.Visibility == tracker.VisibilityPublic {
			slug, err := st.PublicSlug(ctx, r.ID)
			if err != nil {
				return nil, err
			}
			req.PublicURL = store.PublicRequestURL(opt.BaseURL, slug)
		}
		m.Requests = append(m.Requests, req)
	}

	for _, d := range sortedDocs(c.docs) {
		doc := Document{ID: d.ID, RequestID: d.RequestID, MessageID: d.MessageID, Filename: d.Filename, MediaType: d.MediaType,
			Size: d.Size, SHA256: d.SHA256, Disposition: d.Disposition, Exemptions: nonNil(d.Exemptions), Description: d.Description}
		if d.SHA256 != "" && (!c.public || fileIsPublic(d)) {
			f, err := st.OpenBlob(d.SHA256)
			if err != nil {
				return nil, fmt.Errorf("evidence: document %d: %w", d.ID, err)
			}
			doc.Path = fmt.Sprintf("documents/%d-%s", d.ID, safeName(d.Filename))
			_, err = zw.add(doc.Path, "document", fmt.Sprintf("document %d", d.ID), f)
			f.Close()
			if err != nil {
				return nil, err
			}
		}
		m.Documents = append(m.Documents, doc)
	}

	for _, id := range sortedIDs(c.msgs) {
		mp := c.msgs[id]
		msg := Message{ID: mp.ID, Direction: mp.Direction, RawSHA256: mp.RawSHA256, RawSize: mp.RawSize, MessageID: mp.MessageID,
			InReplyTo: mp.InReplyTo, Subject: mp.Subject, From: mp.FromAddr, To: nonNil(mp.To), Date: mp.DateHeader,
			Received: mp.Received, Mailbox: mp.Mailbox, UIDValidity: mp.UIDValidity, UID: mp.UID, RequestID: mp.RequestID, DKIM: mp.DKIMChecks}
		if !mp.FetchedAt.IsZero() && mp.Direction == "in" {
			t := mp.FetchedAt.UTC()
			msg.FetchedAt = &t
		}
		switch {
		case c.public:
			// The text the authority wrote, never the raw message: its
			// headers name our reply address, the mail servers and mailbox.
			msg.Subject, msg.To, msg.Received, msg.InReplyTo, msg.Mailbox, msg.UIDValidity, msg.UID = c.scrub(mp.Subject), []string{}, nil, "", "", 0, 0
			msg.TextPath = fmt.Sprintf("messages/%d-in.txt", mp.ID)
			if _, err := zw.add(msg.TextPath, "message text", fmt.Sprintf("text of message %d", mp.ID), strings.NewReader(c.scrub(mp.TextBody))); err != nil {
				return nil, err
			}
		case mp.RawSHA256 != "":
			f, err := st.OpenBlob(mp.RawSHA256)
			if err != nil {
				return nil, fmt.Errorf("evidence: message %d: %w", mp.ID, err)
			}
			msg.Path = fmt.Sprintf("messages/%d-%s.eml", mp.ID, mp.Direction)
			_, err = zw.add(msg.Path, "message", fmt.Sprintf("message %d", mp.ID), f)
			f.Close()
			if err != nil {
				return nil, err
			}
		}
		for _, k := range mp.DKIMChecks {
			if k.KeyName != "" && k.KeyRecord != "" {
				m.DKIMKeys[k.KeyName] = k.KeyRecord
			}
		}
		m.Messages = append(m.Messages, msg)
	}

	used := map[string]bool{}
	for _, id := range sortedIDs(c.events) {
		ev := c.events[id]
		name, data := ev.File(timeline.FormatMarkdown)
		if used[name] {
			name = fmt.Sprintf("%d-%s", id, name)
		}
		used[name] = true
		e := Event{ID: id, Slug: ev.ID(), Title: ev.Title(), Date: ev.Date(), Path: "events/" + name, Links: []Link{}}
		for _, l := range c.links[id] {
			e.Links = append(e.Links, Link{ID: l.ID, Role: l.Role, DocumentID: l.DocumentID, MessageID: l.MessageID, RequestID: l.RequestID,
				Exemptions: nonNil(l.Exemptions), Tier: l.Tier})
		}
		if _, err := zw.add(e.Path, "event", "timeline event "+ev.ID(), bytes.NewReader(data)); err != nil {
			return nil, err
		}
		m.Events = append(m.Events, e)
	}

	concern := store.Concerning{Requests: sortedIDs(c.requests), Documents: sortedIDs(c.docs), Messages: sortedIDs(c.msgs),
		Events: sortedIDs(c.events)}
	// The checkpoint first: every entry proven must be in its tree.
	cp, err := st.CurrentCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := st.AuditEntriesConcerning(ctx, concern)
	if err != nil {
		return nil, err
	}
	entries = c.auditEntries(entries, cp.Size)
	if m.Audit, err = st.ProveAuditEntries(ctx, entries, cp.Size, c.opens); err != nil {
		return nil, err
	}
	if m.Audit == nil {
		m.Audit = []store.AuditProof{}
	}
	if _, err := zw.add(CheckpointName, "checkpoint", "the audit log's signed checkpoint", strings.NewReader(cp.Note)); err != nil {
		return nil, err
	}
	m.Checkpoint = CheckpointRef{Path: CheckpointName, Origin: cp.Origin, TreeSize: cp.Size, Root: cp.Root.String()}

	readme := renderReadme(m, c)
	if _, err := zw.add(ReadmeName, "readme", "the bundle explained", strings.NewReader(readme)); err != nil {
		return nil, err
	}
	m.Files = zw.files
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("evidence: unable to encode manifest: %w", err)
	}
	mj = append(mj, '\n')
	mf, err := zw.add(ManifestName, "manifest", "the manifest", bytes.NewReader(mj))
	if err != nil {
		return nil, err
	}
	var sums strings.Builder
	for _, f := range append(m.Files, mf) {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Path)
	}
	w2, err := zw.zw.CreateHeader(&zip.FileHeader{Name: SumsName, Method: zip.Store, Modified: m.CreatedAt})
	if err != nil {
		return nil, fmt.Errorf("evidence: unable to add %s: %w", SumsName, err)
	}
	if _, err := io.WriteString(w2, sums.String()); err != nil {
		return nil, fmt.Errorf("evidence: unable to write %s: %w", SumsName, err)
	}
	if err := zw.zw.Close(); err != nil {
		return nil, fmt.Errorf("evidence: unable to finish the zip: %w", err)
	}
	return m, nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
