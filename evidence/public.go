package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// What a public bundle may hold is what a public request's page may show
// (server/public_request_show.go), and nothing else:
//
//   - only public requests, without notes, tags, references, reply address
//     or who recorded what;
//   - every document of them by name, disposition, exemptions and sha256,
//     but the file only of a released document an editor has published;
//   - the authority's own mail filed on them (incoming, matched, from the
//     authority's domains): its text, dates, hashes and DKIM results, never
//     the raw message (its headers carry the reply address) and never mail
//     marked not FOI or filed by mistake from someone else;
//   - the timeline events, with only the links to all of the above.

// keepPublic removes from the collection everything a public bundle may not
// hold. A bundle whose subject is itself private cannot be public.
func (c *collection) keepPublic(ctx context.Context, st *store.Store) error {
	if c.scope.Kind == "request" {
		if r := c.requests[c.scope.ID]; r.Visibility != tracker.VisibilityPublic {
			return tracker.Errorf(tracker.EINVALID, "request %d is private: a public evidence bundle can only be made of a public request (a confidential one can)", r.ID)
		}
	}
	authorities := map[int64]tracker.Authority{}
	for _, r := range c.requests {
		if r.ReplyToken != "" {
			c.secrets = append(c.secrets, r.ReplyToken)
		}
	}
	for id, r := range c.requests {
		if r.Visibility != tracker.VisibilityPublic {
			delete(c.requests, id)
			continue
		}
		if _, ok := authorities[r.AuthorityID]; !ok {
			a, err := st.AuthorityByID(ctx, r.AuthorityID)
			if err != nil {
				return err
			}
			authorities[r.AuthorityID] = a
		}
	}
	for id, m := range c.msgs {
		r, ok := c.requests[m.RequestID]
		if !ok || m.Direction != "in" || m.State != store.MailMatched || !authorities[r.AuthorityID].WritesFrom(m.FromAddr) {
			delete(c.msgs, id)
		}
	}
	for id, d := range c.docs {
		if _, ok := c.requests[d.RequestID]; !ok {
			delete(c.docs, id)
			continue
		}
		if _, ok := c.msgs[d.MessageID]; !ok {
			d.MessageID = 0
		}
		d.Description = "" // our words, not on the public page
		c.docs[id] = d
	}
	for evID, links := range c.links {
		var kept []store.EventLinkDetail
		for _, l := range links {
			_, doc := c.docs[l.DocumentID]
			_, msg := c.msgs[l.MessageID]
			_, req := c.requests[l.RequestID]
			if (l.DocumentID != 0 && doc) || (l.MessageID != 0 && msg) || (l.DocumentID == 0 && l.MessageID == 0 && req) {
				l.Note = ""
				kept = append(kept, l)
			}
		}
		c.links[evID] = kept
	}
	return nil
}

// fileIsPublic says whether a public bundle holds a document's file.
func fileIsPublic(d tracker.Document) bool {
	return d.SHA256 != "" && !d.PublishedAt.IsZero() &&
		(d.Disposition == tracker.DispositionReleased || d.Disposition == tracker.DispositionReleasedRedacted)
}

// scrub takes out of text that leaves in a public bundle the secrets the
// tracker knows appear in mail: each request's reply token (the authority's
// reply quotes our address, and the token files mail on the request).
func (c *collection) scrub(text string) string {
	for _, s := range c.secrets {
		text = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(s)).ReplaceAllLiteralString(text, "[reply token removed]")
	}
	return c.censor.Apply(text)
}

// applyCensor loads the censor rules of what a public bundle holds (global,
// its requests', their authorities') and applies them, with the secrets,
// to every text of the collection that the bundle shows.
func (c *collection) applyCensor(ctx context.Context, st *store.Store) error {
	var reqs, auths []int64
	for id, r := range c.requests {
		reqs, auths = append(reqs, id), append(auths, r.AuthorityID)
	}
	var err error
	if c.censor, err = st.CensorFor(ctx, reqs, auths); err != nil {
		return err
	}
	c.scope.Title = c.scrub(c.scope.Title)
	for id, r := range c.requests {
		r.Title, r.Body, r.AuthorityName = c.scrub(r.Title), c.scrub(r.Body), c.scrub(r.AuthorityName)
		c.requests[id] = r
	}
	for id, d := range c.docs {
		d.Filename = c.scrub(d.Filename)
		c.docs[id] = d
	}
	for id, m := range c.msgs {
		cp := *m
		cp.Subject, cp.TextBody, cp.FromAddr = c.scrub(m.Subject), c.scrub(m.TextBody), c.scrub(m.FromAddr)
		c.msgs[id] = &cp
	}
	for evID, links := range c.links {
		for i := range links {
			l := &links[i]
			l.RequestTitle, l.AuthorityName, l.DocumentFilename = c.scrub(l.RequestTitle), c.scrub(l.AuthorityName), c.scrub(l.DocumentFilename)
			l.DocumentDescription = c.scrub(l.DocumentDescription)
		}
		c.links[evID] = links
	}
	return nil
}

// checkPublic checks that a public bundle holds nothing a public bundle may
// not: no raw message, and no file of a document that is not released.
func checkPublic(m *Manifest, files map[string]*bundleFile, r *Report) {
	for _, msg := range m.Messages {
		if msg.Path != "" {
			r.add(msg.Path, "a public bundle holds no raw message, yet it names one")
		}
	}
	for _, d := range m.Documents {
		if d.Path != "" && d.Disposition != tracker.DispositionReleased && d.Disposition != tracker.DispositionReleasedRedacted {
			r.add(d.Path, "is the file of a %s document, which a public bundle never holds", d.Disposition)
		}
	}
	for name := range files {
		if strings.HasSuffix(name, ".eml") {
			r.add(name, "a public bundle holds no raw message")
		}
	}
}

// Describe says, line by line, what the bundle of a request (scope
// "request") or a timeline event ("event") of that kind would hold: shown
// beside the download button, before anything is downloaded.
func Describe(ctx context.Context, st *store.Store, scope string, id int64, kind string) ([]string, error) {
	if kind == "" {
		kind = Public
	}
	c, err := collect(ctx, st, scope, id, "", kind == Public)
	if err != nil {
		return nil, err
	}
	var files, listed []string
	for _, d := range sortedDocs(c.docs) {
		if d.SHA256 != "" && (!c.public || fileIsPublic(d)) {
			files = append(files, d.Filename)
		} else {
			listed = append(listed, d.Filename+" ("+d.Disposition+")")
		}
	}
	var out []string
	add := func(n int, one, many string, names []string) {
		if n == 0 {
			return
		}
		line := fmt.Sprintf(many, n)
		if n == 1 {
			line = one
		}
		if len(names) > 0 {
			line += ": " + strings.Join(names, ", ")
		}
		out = append(out, line)
	}
	if c.public {
		add(len(files), "1 published document file", "%d published document files", files)
		add(len(listed), "1 document by name, disposition, exemptions and sha256 only (no file)", "%d documents by name, disposition, exemptions and sha256 only (no file)", listed)
		add(len(c.msgs), "the text of 1 message from the authority, with its date, hash and DKIM result (not the raw mail)",
			"the text of %d messages from the authority, with their dates, hashes and DKIM results (not the raw mail)", nil)
	} else {
		add(len(files), "1 document file", "%d document files", files)
		add(len(listed), "1 document without a file", "%d documents without a file", listed)
		add(len(c.msgs), "1 raw mail message (ours and the authority's, whole)", "%d raw mail messages (ours and the authority's, whole)", nil)
	}
	add(len(c.eventIDs), "1 timeline event file", "%d timeline event files", nil)
	if c.public {
		out = append(out, "a manifest of hashes and provenance, a README and SHA256SUMS; no private notes, reply address, who recorded what, withheld or unpublished files, or mail that is not the authority's")
	} else {
		out = append(out, "the audit log's entries about all of it, whole: private notes, reply addresses and names included", "a manifest of hashes and provenance, a README and SHA256SUMS")
	}
	return out, nil
}

// auditEntries keeps the entries the bundle proves: those in the
// checkpoint's tree and, in a public bundle, only those about what it
// holds (no link it left out, no private note in a request's history).
func (c *collection) auditEntries(entries []store.AuditEntry, treeSize int64) []store.AuditEntry {
	links := map[int64]bool{}
	for _, ls := range c.links {
		for _, l := range ls {
			links[l.ID] = true
		}
	}
	var out []store.AuditEntry
	for _, e := range entries {
		if e.ID > treeSize {
			continue // written after the checkpoint
		}
		if c.public {
			if e.Entity == "event_link" && !links[e.EntityID] {
				continue
			}
			if e.Entity == "request" && (e.Action == "event" || e.Action == "delete_event") {
				var ev struct {
					Kind tracker.EventKind `json:"kind"`
				}
				v := e.After
				if e.Action == "delete_event" {
					v = e.Before
				}
				if json.Unmarshal(v, &ev) != nil || ev.Kind == tracker.EventNote || ev.Kind == tracker.EventDraft {
					continue // our own comments, not on the public page
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// publicAuditFields are the fields of each entity's values a public bundle
// opens: what the public page shows of it. Everything else (notes, tags,
// references, reply tokens, descriptions, who did it) stays a commitment.
var publicAuditFields = map[string]map[string]bool{
	"request": set("id", "title", "body", "authority_id", "law", "visibility", "status", "outcome", "sent_on", "due_date", "created_at", "updated_at",
		// a lifecycle event of its history
		"request_id", "kind", "date", "new_due_date", "exemptions", "message_id"),
	"document": set("id", "request_id", "message_id", "filename", "media_type", "sniffed_type", "size", "sha256", "disposition", "exemptions",
		"created_at", "updated_at"),
	"document_publication": set("published_at"),
	"mail_message":         set("raw_sha256", "raw_size", "state", "request_id"),
	"timeline_event": set("slug", "date", "title", "importance", "status", "tags", "actors", "sources", "extra", "front_matter", "body",
		"format", "file_name", "created_at", "updated_at"),
	"event_link": set("id", "event_id", "document_id", "message_id", "request_id", "role", "exemptions", "tier", "created_at", "updated_at"),
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// opens says whether the bundle opens a field of an audit entry.
func (c *collection) opens(e store.AuditEntry, field string) bool {
	if !c.public {
		return true
	}
	switch field {
	case "actor":
		return false
	case "before", "after": // a whole value that is not an object
		v := e.After
		if field == "before" {
			v = e.Before
		}
		return string(v) == "null" || (e.Entity == "request" && e.Action == "status")
	}
	_, key, _ := strings.Cut(field, ".")
	if !publicAuditFields[e.Entity][key] {
		return false
	}
	// A value that holds a secret the bundle scrubs, or text a censor rule
	// replaces, stays closed: opening it would show what was taken out.
	if o, err := e.Fields(); err == nil {
		if v, ok := o[field]; ok {
			for _, s := range jsonTexts(v) {
				if c.scrub(s) != s {
					return false
				}
			}
		}
	}
	return true
}

// jsonTexts is a JSON value as written and every string inside it, decoded
// (a rule for "Jane Smith" must find "Jane\nSmith" in a JSON string).
func jsonTexts(raw json.RawMessage) []string {
	out := []string{string(raw)}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return out
	}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, y := range x {
				walk(y)
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}
