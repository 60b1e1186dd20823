package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// Integrity checks beyond the audit chain itself. VerifyAuditChain proves
// the log was not rewritten; these prove that the data still says what the
// log says: every stored file still has the hash it is named by (and the
// size recorded for it), and every audited row still holds the values its
// last audit entry recorded. An edit made behind the app's back — in the
// database file or the blob directory — shows up here, at the row or file.

// Problem is one integrity failure, located exactly.
type Problem struct {
	Where  string // "documents row 3 (report.pdf)", "blob 3a7bd3e2…", "audit entry 17"
	Detail string
}

func (p Problem) String() string { return p.Where + ": " + p.Detail }

// FileCheck is the result of VerifyStoredFiles.
type FileCheck struct {
	Blobs    int // distinct files re-hashed
	Problems []Problem
}

// VerifyStoredFiles re-hashes every stored document and raw message and
// checks each file's size against the database. progress (may be nil) is
// told how far it has got.
func (s *Store) VerifyStoredFiles(ctx context.Context, progress func(done, total int)) (FileCheck, error) {
	users := map[string][]string{}
	sizes := map[string]int64{}
	rows, err := s.r.QueryContext(ctx, `
		SELECT d.sha256, 'document ' || d.id || ' (' || d.filename || ', request ' || d.request_id || ')', d.size, COALESCE(b.size, -1)
			FROM documents d LEFT JOIN blobs b ON b.sha256 = d.sha256 WHERE d.sha256 IS NOT NULL
		UNION ALL
		SELECT m.raw_sha256, 'message ' || m.id || ' (raw .eml, Message-ID <' || m.message_id || '>)', m.raw_size, COALESCE(b.size, -1)
			FROM mail_messages m LEFT JOIN blobs b ON b.sha256 = m.raw_sha256 WHERE m.raw_sha256 IS NOT NULL
		ORDER BY 2`)
	if err != nil {
		return FileCheck{}, fmt.Errorf("store: unable to list stored files: %w", err)
	}
	var res FileCheck
	var order []string
	for rows.Next() {
		var sum, what string
		var size, blobSize int64
		if err := rows.Scan(&sum, &what, &size, &blobSize); err != nil {
			rows.Close()
			return FileCheck{}, fmt.Errorf("store: unable to read stored file: %w", err)
		}
		if _, ok := users[sum]; !ok {
			order = append(order, sum)
		}
		users[sum] = append(users[sum], what)
		sizes[sum] = blobSize
		if blobSize >= 0 && size != blobSize {
			res.Problems = append(res.Problems, Problem{Where: what,
				Detail: fmt.Sprintf("size recorded as %d bytes, but its file %s… was stored with %d", size, short(sum), blobSize)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return FileCheck{}, err
	}
	for i, sum := range order {
		if progress != nil {
			progress(i, len(order))
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		where := strings.Join(users[sum], "; ")
		if err := s.VerifyBlob(sum); err != nil {
			msg := strings.TrimPrefix(err.Error(), "blob "+sum+": ")
			res.Problems = append(res.Problems, Problem{Where: where, Detail: fmt.Sprintf("stored file %s: %s", s.blobName(sum), msg)})
			continue
		}
		if p, _ := s.blobPath(sum); sizes[sum] >= 0 {
			if st, err := os.Stat(p); err == nil && st.Size() != sizes[sum] {
				res.Problems = append(res.Problems, Problem{Where: where,
					Detail: fmt.Sprintf("blobs row says %d bytes, the file has %d", sizes[sum], st.Size())})
			}
		}
		res.Blobs++
	}
	if progress != nil {
		progress(len(order), len(order))
	}
	return res, nil
}

// blobName is a blob's path relative to the data directory, for messages.
func (s *Store) blobName(sum string) string {
	return "blobs/" + sum[:2] + "/" + sum
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// rowCheck says how the audit log describes the rows of one table.
type rowCheck struct {
	entity string // audit entity
	table  string
	// fields maps an action to the fields its entry's after value sets:
	// nil means the after value is an object whose keys are fields.
	actions map[string]string
	// deleteActions empty the row (after is null).
	deleteActions map[string]bool
	// fields compared (others, such as values derived from a request's
	// history, are audited by their own entries).
	fields []string
	query  string // id, then the fields in order, as JSON-compatible values
	// rowIDInValue: the row is not the entry's entity (a request's
	// lifecycle events are audited on the request) but the "id" of the
	// object the entry holds (its after value; its before value when it
	// deletes). As for every objectAfter entry, an absent field is empty.
	rowIDInValue bool
}

// objectAfter marks an action whose after value is the whole row as an
// object of fields (a field it lacks is empty); partialAfter one whose
// after value is an object of the fields it changed (a field it lacks is
// as it was).
const (
	objectAfter  = ""
	partialAfter = "+"
)

var rowChecks = []rowCheck{
	{
		entity: "authority", table: "authorities",
		actions:       map[string]string{"create": objectAfter, "update": objectAfter},
		deleteActions: map[string]bool{"delete": true},
		fields:        []string{"name", "short_name", "url_name", "jurisdiction", "default_law", "email", "website", "tags", "domains", "notes"},
		query:         `SELECT id, name, short_name, url_name, jurisdiction, default_law, email, website, json(tags), json(domains), notes FROM authorities`,
	},
	{
		entity: "request", table: "requests",
		actions: map[string]string{"create": objectAfter, "update": objectAfter, "learn_ref": "their_ref"},
		fields:  []string{"title", "body", "authority_id", "law", "tags", "our_ref", "their_ref", "visibility", "reply_token", "notes"},
		query:   `SELECT id, title, body, authority_id, law, json(tags), our_ref, their_ref, visibility, reply_token, notes FROM requests`,
	},
	{
		entity: "document", table: "documents",
		actions:       map[string]string{"create": objectAfter, "update": objectAfter},
		deleteActions: map[string]bool{"delete": true},
		fields:        []string{"request_id", "message_id", "filename", "media_type", "sniffed_type", "size", "sha256", "disposition", "exemptions", "description"},
		query: `SELECT d.id, d.request_id, COALESCE(d.message_id, 0), d.filename, d.media_type, d.sniffed_type, d.size, COALESCE(d.sha256, ''),
			d.disposition, COALESCE((SELECT json_group_array(code) FROM exemption_claims c WHERE c.document_id = d.id), '[]'), d.description
			FROM documents d`,
	},
	{
		entity: "document_publication", table: "document_publications",
		actions:       map[string]string{"publish": objectAfter},
		deleteActions: map[string]bool{"unpublish": true},
		fields:        []string{"published_at", "published_by"},
		query:         `SELECT document_id, published_at, published_by FROM document_publications`,
	},
	{
		// What identifies a fetched message and its raw bytes; its later
		// processing (state, matching) is audited action by action.
		entity: "mail_message", table: "mail_messages",
		actions: map[string]string{"fetch": objectAfter},
		fields:  []string{"mailbox", "uidvalidity", "uid", "raw_sha256", "raw_size"},
		query: `SELECT id, mailbox, uidvalidity, uid, COALESCE(raw_sha256, ''), raw_size
			FROM mail_messages WHERE direction = 'in'`,
	},
	{
		// Where a fetched message is filed, and its state: processing
		// (matched, unmatched), filing by hand, unfiling (moving), the
		// holding pen and the proposal made from it. A message moved to
		// another request behind the app's back shows up here.
		entity: "mail_message", table: "mail_messages",
		actions: map[string]string{"fetch": objectAfter, "process": objectAfter, "detach": objectAfter,
			"assign": partialAfter, "not_foi": "state", "proposal": "proposal_state"},
		fields: []string{"request_id", "state", "proposal_state"},
		query: `SELECT id, COALESCE(request_id, 0), state, proposal_state
			FROM mail_messages WHERE direction = 'in'`,
	},
	{
		// Accounts: a role raised or an account enabled behind the app's
		// back. (Passwords are not audited; last sign-in is not a field.)
		entity: "user", table: "users",
		actions: map[string]string{"create": objectAfter, "update": objectAfter},
		fields:  []string{"email", "name", "role", "disabled"},
		query:   `SELECT id, email, name, role, CASE WHEN disabled THEN 'true' ELSE 'false' END FROM users`,
	},
	{
		entity: "timeline_event", table: "timeline_events",
		actions:       map[string]string{"create": objectAfter, "update": objectAfter},
		deleteActions: map[string]bool{"delete": true},
		fields: []string{"slug", "date", "title", "importance", "status", "tags", "actors", "sources", "extra", "front_matter", "body",
			"format", "file_name", "created_at", "updated_at"},
		query: `SELECT id, slug, date, title, COALESCE(importance, 0), status, json(tags), json(actors), json(sources), json(extra),
			front_matter, body, format, file_name, created_at, updated_at FROM timeline_events`,
	},
	{
		// A request's lifecycle events: the history its status and deadlines
		// are computed from (checked by VerifyDerived).
		entity: "request", table: "request_events", rowIDInValue: true,
		actions:       map[string]string{"event": objectAfter},
		deleteActions: map[string]bool{"delete_event": true},
		fields:        []string{"request_id", "kind", "date", "outcome", "new_due_date", "reason", "note", "exemptions", "message_id"},
		query: `SELECT id, request_id, kind, date, outcome, COALESCE(new_due_date, ''), reason, note, json(exemptions),
			COALESCE(message_id, 0) FROM request_events`,
	},
	{
		entity: "event_link", table: "event_links",
		actions:       map[string]string{"link": objectAfter, "update": objectAfter},
		deleteActions: map[string]bool{"unlink": true},
		fields:        []string{"event_id", "document_id", "message_id", "request_id", "role", "exemptions", "tier", "note"},
		query: `SELECT id, event_id, COALESCE(document_id, 0), COALESCE(message_id, 0), COALESCE(request_id, 0), role, json(exemptions),
			tier, note FROM event_links`,
	},
	{
		// A censor rule deleted or changed behind the app's back would let
		// what it hid out on the public pages.
		entity: "censor_rule", table: "censor_rules",
		actions:       map[string]string{"create": objectAfter},
		deleteActions: map[string]bool{"delete": true},
		fields:        []string{"scope", "scope_id", "pattern", "regexp", "replacement", "note"},
		query: `SELECT id, scope, scope_id, pattern, CASE WHEN is_regexp THEN 'true' ELSE 'false' END, replacement, note
			FROM censor_rules`,
	},
}

// isJSONColumn says which fields hold JSON text in their column.
var isJSONColumn = map[string]bool{"tags": true, "domains": true, "exemptions": true, "actors": true, "sources": true, "extra": true,
	"regexp": true, "disabled": true}

// VerifyRows compares every audited row with what its audit entries
// recorded, and reports rows changed, added or deleted behind the app's back.
func (s *Store) VerifyRows(ctx context.Context) (int, []Problem, error) {
	n := 0
	var problems []Problem
	for _, rc := range rowChecks {
		c, p, err := s.verifyTable(ctx, rc)
		if err != nil {
			return n, problems, err
		}
		n += c
		problems = append(problems, p...)
	}
	for _, verify := range []func(context.Context) (int, []Problem, error){s.verifyAPITokens, s.verifyCalendarFeeds, s.verifyLetterTemplates} {
		c, p, err := verify(ctx)
		if err != nil {
			return n, problems, err
		}
		n += c
		problems = append(problems, p...)
	}
	c, p, err := s.verifySettings(ctx)
	n += c
	problems = append(problems, p...)
	if err != nil {
		return n, problems, err
	}
	p, err = s.verifyDerived(ctx)
	return n, append(problems, p...), err
}

// verifySettings compares every setting (mail, outbound, reminders, the
// requester's details) with the value its last "setting" entry recorded:
// its entity is the key.
func (s *Store) verifySettings(ctx context.Context) (int, []Problem, error) {
	want := map[string]AuditEntry{}
	rows, err := s.r.QueryContext(ctx, `SELECT id, entity, after FROM audit_log WHERE action = 'setting' ORDER BY id`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: unable to read audit log: %w", err)
	}
	for rows.Next() {
		var e AuditEntry
		var after string
		if err := rows.Scan(&e.ID, &e.Entity, &after); err != nil {
			rows.Close()
			return 0, nil, fmt.Errorf("store: unable to read audit entry: %w", err)
		}
		e.After = json.RawMessage(after)
		want[e.Entity] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	rows, err = s.r.QueryContext(ctx, `SELECT key, value FROM settings ORDER BY key`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: unable to read settings: %w", err)
	}
	defer rows.Close()
	var problems []Problem
	seen := map[string]bool{}
	n := 0
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return n, problems, fmt.Errorf("store: unable to read setting: %w", err)
		}
		n++
		seen[key] = true
		where := fmt.Sprintf("settings row %q", key)
		e, ok := want[key]
		if !ok {
			problems = append(problems, Problem{Where: where, Detail: "has no audit entry: it was added behind the app's back"})
			continue
		}
		if !sameJSON(e.After, json.RawMessage(value)) {
			problems = append(problems, Problem{Where: where, Detail: fmt.Sprintf("value is %s, but audit entry %d recorded %s",
				clip(value), e.ID, clip(string(e.After)))})
		}
	}
	if err := rows.Err(); err != nil {
		return n, problems, err
	}
	var gone []string
	for key := range want {
		if !seen[key] {
			gone = append(gone, key)
		}
	}
	sort.Strings(gone)
	for _, key := range gone {
		problems = append(problems, Problem{Where: fmt.Sprintf("settings row %q", key),
			Detail: fmt.Sprintf("is gone, but no audit entry deleted it (last entry: %d)", want[key].ID)})
	}
	return n, problems, nil
}

// verifyDerived replays each request's history (its audited lifecycle
// events) and compares what it gives with the request's stored status,
// outcome, sent date and due date: those are not audited field by field,
// as they follow from the history, so an edit to them shows up here.
func (s *Store) verifyDerived(ctx context.Context) ([]Problem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, law, status, outcome, COALESCE(sent_on, ''), COALESCE(due_date, '') FROM requests ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read requests: %w", err)
	}
	type stored struct {
		id                                  int64
		law, status, outcome, sentOn, dueOn string
	}
	var all []stored
	for rows.Next() {
		var r stored
		if err := rows.Scan(&r.id, &r.law, &r.status, &r.outcome, &r.sentOn, &r.dueOn); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read request: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var problems []Problem
	for _, r := range all {
		where := fmt.Sprintf("requests row %d", r.id)
		history, err := queryEvents(ctx, s.r, r.id)
		if err != nil {
			return problems, err
		}
		st, err := tracker.Replay(history)
		if err != nil {
			problems = append(problems, Problem{Where: where, Detail: "its history (request_events) does not replay: " + err.Error()})
			continue
		}
		law, ok := tracker.LawByCode(tracker.LawCode(r.law))
		if !ok {
			continue // the law column is audited with the row
		}
		due := tracker.ComputeDeadlines(law, history).NextDue().Date
		for _, c := range []struct{ field, got, want string }{
			{"status", r.status, string(st.Status)},
			{"outcome", r.outcome, st.Outcome},
			{"sent_on", r.sentOn, st.SentOn.String()},
			{"due_date", r.dueOn, due.String()},
		} {
			if c.got != c.want {
				problems = append(problems, Problem{Where: where,
					Detail: fmt.Sprintf("%s is %q, but its history (request_events, audited) gives %q", c.field, c.got, c.want)})
			}
		}
	}
	return problems, nil
}

type expectedRow struct {
	fields  map[string]json.RawMessage
	entry   map[string]int64 // field → audit entry that set it
	deleted bool
	lastID  int64
}

func (s *Store) verifyTable(ctx context.Context, rc rowCheck) (int, []Problem, error) {
	want := map[int64]*expectedRow{}
	for after := int64(0); ; {
		batch, err := s.auditEntriesOf(ctx, rc.entity, after, 5000)
		if err != nil {
			return 0, nil, err
		}
		if len(batch) == 0 {
			break
		}
		for _, e := range batch {
			after = e.ID
			_, audited := rc.actions[e.Action]
			if !audited && !rc.deleteActions[e.Action] {
				continue
			}
			rowID := e.EntityID
			if rc.rowIDInValue {
				value := e.After
				if rc.deleteActions[e.Action] {
					value = e.Before
				}
				var obj struct {
					ID int64 `json:"id"`
				}
				if json.Unmarshal(value, &obj) != nil || obj.ID == 0 {
					continue
				}
				rowID = obj.ID
			}
			x := want[rowID]
			if x == nil {
				x = &expectedRow{fields: map[string]json.RawMessage{}, entry: map[string]int64{}}
				want[rowID] = x
			}
			if rc.deleteActions[e.Action] {
				x.deleted, x.lastID = true, e.ID
				continue
			}
			field, ok := rc.actions[e.Action]
			if !ok {
				continue
			}
			x.deleted, x.lastID = false, e.ID
			if field != objectAfter && field != partialAfter {
				x.fields[field], x.entry[field] = e.After, e.ID
				continue
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(e.After, &obj); err != nil {
				continue
			}
			if field == partialAfter {
				for _, f := range rc.fields {
					if v, ok := obj[f]; ok {
						x.fields[f], x.entry[f] = v, e.ID
					}
				}
				continue
			}
			// An objectAfter entry holds the whole row as it was written, so a
			// field absent from it is empty now: omitempty drops a cleared
			// field (private notes, a reference), and keeping the value of an
			// older entry would raise a false alarm after a legitimate edit.
			for _, f := range rc.fields {
				if v, ok := obj[f]; ok {
					x.fields[f], x.entry[f] = v, e.ID
				} else {
					x.fields[f], x.entry[f] = json.RawMessage("null"), e.ID
				}
			}
		}
	}

	rows, err := s.r.QueryContext(ctx, rc.query)
	if err != nil {
		return 0, nil, fmt.Errorf("store: unable to read %s: %w", rc.table, err)
	}
	defer rows.Close()
	var problems []Problem
	seen := map[int64]bool{}
	n := 0
	for rows.Next() {
		vals := make([]any, 1+len(rc.fields))
		var id int64
		vals[0] = &id
		for i := range rc.fields {
			vals[i+1] = new(any)
		}
		if err := rows.Scan(vals...); err != nil {
			return n, problems, fmt.Errorf("store: unable to read %s: %w", rc.table, err)
		}
		n++
		seen[id] = true
		where := fmt.Sprintf("%s row %d", rc.table, id)
		x := want[id]
		if x == nil || x.lastID == 0 {
			problems = append(problems, Problem{Where: where, Detail: "has no audit entry: it was added behind the app's back"})
			continue
		}
		if x.deleted {
			problems = append(problems, Problem{Where: where, Detail: fmt.Sprintf("audit entry %d deleted it, yet it is there", x.lastID)})
			continue
		}
		for i, f := range rc.fields {
			exp, ok := x.fields[f]
			if !ok {
				continue
			}
			got := *(vals[i+1].(*any))
			gotJSON := columnJSON(got, isJSONColumn[f])
			if !sameJSON(exp, gotJSON) {
				problems = append(problems, Problem{Where: where, Detail: fmt.Sprintf("%s is %s, but audit entry %d recorded %s",
					f, clip(string(gotJSON)), x.entry[f], clip(string(exp)))})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, problems, err
	}
	var missing []int64
	for id, x := range want {
		if !seen[id] && !x.deleted && x.lastID != 0 {
			missing = append(missing, id)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
	for _, id := range missing {
		problems = append(problems, Problem{Where: fmt.Sprintf("%s row %d", rc.table, id),
			Detail: fmt.Sprintf("is gone, but no audit entry deleted it (last entry: %d)", want[id].lastID)})
	}
	return n, problems, nil
}

// auditEntriesOf pages through one entity's entries.
func (s *Store) auditEntriesOf(ctx context.Context, entity string, afterID int64, limit int) ([]AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, action, entity_id, before, after FROM audit_log
		WHERE entity = ? AND id > ? ORDER BY id LIMIT ?`, entity, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var before, after string
		if err := rows.Scan(&e.ID, &e.Action, &e.EntityID, &before, &after); err != nil {
			return nil, err
		}
		e.Before, e.After = json.RawMessage(before), json.RawMessage(after)
		out = append(out, e)
	}
	return out, rows.Err()
}

// columnJSON turns a column value into JSON (a JSON column as it is).
func columnJSON(v any, isJSON bool) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return json.RawMessage("null")
	case []byte:
		v = string(x)
	}
	if s, ok := v.(string); ok && isJSON && json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(v)
	return b
}

// sameJSON compares canonically; null, [] and "" (an absent list or text)
// are the same, as are 0 and null for an absent id.
func sameJSON(a, b json.RawMessage) bool {
	ca, err1 := canonicalJSON(a)
	cb, err2 := canonicalJSON(b)
	if err1 != nil || err2 != nil {
		return string(a) == string(b)
	}
	empty := func(c []byte) bool {
		s := string(c)
		return s == "null" || s == "[]" || s == `""` || s == "0" || s == "{}"
	}
	return string(ca) == string(cb) || (empty(ca) && empty(cb))
}

func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
