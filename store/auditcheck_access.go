package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Rows that grant or shape access and letters, not keyed like the tables of
// rowChecks: API tokens (deleted one at a time, or all of a user's at once
// by revoke_access), calendar feeds (revoked, not deleted: by revoking the
// user's live feed, by making a new one, or by revoke_access) and letter
// templates (keyed by kind and law). Each is replayed from its audit
// entries: a token or feed planted, given to another user or renamed, or a
// feed un-revoked behind the app's back, shows up at its row. The secret's
// hash is compared through the digest its entry records (token_hash_check;
// older entries have none and it is not compared); last use is not audited.

type keyedRow struct {
	fields  map[string]json.RawMessage
	entry   map[string]int64
	userID  int64
	revoked bool // calendar feeds
	deleted bool
	lastID  int64
}

func newKeyedRow(id int64) *keyedRow {
	return &keyedRow{fields: map[string]json.RawMessage{}, entry: map[string]int64{}, lastID: id}
}

func (x *keyedRow) set(f string, v json.RawMessage, id int64) { x.fields[f], x.entry[f] = v, id }

// timeJSON rewrites an audited instant as its column holds it (ts).
func timeJSON(v json.RawMessage) json.RawMessage {
	var s string
	if json.Unmarshal(v, &s) != nil || s == "" {
		return json.RawMessage("null")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return v
	}
	b, _ := json.Marshal(ts(t))
	return b
}

func stringJSON(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// accessEntries streams the audit entries of the given entities (and the
// user entries with action revoke_access), oldest first.
func (s *Store) accessEntries(ctx context.Context, entity string, each func(e AuditEntry) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, action, entity, entity_id, before, after FROM audit_log
		WHERE entity = ? OR (entity = 'user' AND action = 'revoke_access') ORDER BY id`, entity)
	if err != nil {
		return fmt.Errorf("store: unable to read audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditEntry
		var at, before, after string
		if err := rows.Scan(&e.ID, &at, &e.Action, &e.Entity, &e.EntityID, &before, &after); err != nil {
			return fmt.Errorf("store: unable to read audit entry: %w", err)
		}
		e.At, e.Before, e.After = parseTS(at), json.RawMessage(before), json.RawMessage(after)
		if err := each(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// revokedIDs reads the ids a revoke_access entry lists under idsKey, and
// the count under countKey (listed false for an entry written before it
// listed them).
func revokedIDs(after json.RawMessage, countKey, idsKey string) (ids []int64, count int64, listed bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(after, &obj) != nil {
		return nil, 0, false
	}
	_ = json.Unmarshal(obj[countKey], &count)
	if v, ok := obj[idsKey]; ok && json.Unmarshal(v, &ids) == nil {
		return ids, count, true
	}
	return nil, count, false
}

func (s *Store) verifyAPITokens(ctx context.Context) (int, []Problem, error) {
	want := map[int64]*keyedRow{}
	err := s.accessEntries(ctx, "api_token", func(e AuditEntry) error {
		switch {
		case e.Entity == "api_token" && e.Action == "create":
			var obj map[string]json.RawMessage
			if json.Unmarshal(e.After, &obj) != nil {
				return nil
			}
			x := newKeyedRow(e.ID)
			_ = json.Unmarshal(obj["user_id"], &x.userID)
			for _, f := range []string{"user_id", "name", "prefix"} {
				x.set(f, obj[f], e.ID)
			}
			if v, ok := obj["token_hash_check"]; ok {
				x.set("token_hash_check", v, e.ID)
			}
			x.set("created_at", timeJSON(obj["created_at"]), e.ID)
			want[e.EntityID] = x
		case e.Entity == "api_token" && e.Action == "delete":
			x := want[e.EntityID]
			if x == nil {
				x = newKeyedRow(e.ID)
				want[e.EntityID] = x
			}
			x.deleted, x.lastID = true, e.ID
		case e.Action == "revoke_access":
			ids, n, listed := revokedIDs(e.After, "api_tokens", "api_token_ids")
			if !listed && n > 0 {
				// Older entries give a count: the delete took every token
				// the user had then.
				for id, x := range want {
					if !x.deleted && x.userID == e.EntityID {
						ids = append(ids, id)
					}
				}
			}
			for _, id := range ids {
				if x := want[id]; x != nil {
					x.deleted, x.lastID = true, e.ID
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, user_id, name, prefix, created_at, token_hash FROM api_tokens ORDER BY id`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: unable to read api_tokens: %w", err)
	}
	defer rows.Close()
	got := map[int64]map[string]json.RawMessage{}
	for rows.Next() {
		var id, user int64
		var name, prefix, created, hash string
		if err := rows.Scan(&id, &user, &name, &prefix, &created, &hash); err != nil {
			return 0, nil, fmt.Errorf("store: unable to read api_tokens: %w", err)
		}
		got[id] = map[string]json.RawMessage{"user_id": json.RawMessage(fmt.Sprint(user)), "name": stringJSON(name),
			"prefix": stringJSON(prefix), "created_at": timeJSON(stringJSON(created)), "token_hash_check": stringJSON(hashCheck(hash))}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	p := compareKeyed(rowIn("api_tokens"), want, got, []string{"user_id", "name", "prefix", "created_at", "token_hash_check"})
	return len(got), p, nil
}

func (s *Store) verifyCalendarFeeds(ctx context.Context) (int, []Problem, error) {
	want := map[int64]*keyedRow{}
	revoke := func(ids []int64, at time.Time, id int64) {
		for _, fid := range ids {
			if x := want[fid]; x != nil && !x.revoked {
				x.revoked = true
				x.set("revoked_at", stringJSON(ts(at)), id)
			}
		}
	}
	liveOf := func(user int64) []int64 {
		var ids []int64
		for id, x := range want {
			if !x.revoked && x.userID == user {
				ids = append(ids, id)
			}
		}
		return ids
	}
	err := s.accessEntries(ctx, "calendar_feed", func(e AuditEntry) error {
		switch {
		case e.Entity == "calendar_feed" && e.Action == "create":
			var obj map[string]json.RawMessage
			if json.Unmarshal(e.After, &obj) != nil {
				return nil
			}
			x := newKeyedRow(e.ID)
			_ = json.Unmarshal(obj["user_id"], &x.userID)
			// Making a feed revokes the user's live ones, in the same
			// transaction (so at the same instant): listed since the
			// entry held revoked_ids, every live one before.
			var ids []int64
			if v, ok := obj["revoked_ids"]; !ok || json.Unmarshal(v, &ids) != nil {
				ids = liveOf(x.userID)
			}
			revoke(ids, e.At, e.ID)
			for _, f := range []string{"user_id", "prefix"} {
				x.set(f, obj[f], e.ID)
			}
			if v, ok := obj["token_hash_check"]; ok {
				x.set("token_hash_check", v, e.ID)
			}
			x.set("created_at", timeJSON(obj["created_at"]), e.ID)
			x.set("revoked_at", json.RawMessage("null"), e.ID)
			want[e.EntityID] = x
		case e.Entity == "calendar_feed" && e.Action == "revoke":
			var obj struct {
				UserID int64   `json:"user_id"`
				IDs    []int64 `json:"ids"`
			}
			if json.Unmarshal(e.After, &obj) != nil {
				return nil
			}
			ids := obj.IDs
			if ids == nil {
				ids = liveOf(obj.UserID)
			}
			revoke(ids, e.At, e.ID)
		case e.Action == "revoke_access":
			ids, n, listed := revokedIDs(e.After, "calendar_feeds", "calendar_feed_ids")
			if !listed && n > 0 {
				ids = liveOf(e.EntityID)
			}
			revoke(ids, e.At, e.ID)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, user_id, prefix, created_at, COALESCE(revoked_at, ''), token_hash FROM calendar_feeds ORDER BY id`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: unable to read calendar_feeds: %w", err)
	}
	defer rows.Close()
	got := map[int64]map[string]json.RawMessage{}
	for rows.Next() {
		var id, user int64
		var prefix, created, revoked, hash string
		if err := rows.Scan(&id, &user, &prefix, &created, &revoked, &hash); err != nil {
			return 0, nil, fmt.Errorf("store: unable to read calendar_feeds: %w", err)
		}
		got[id] = map[string]json.RawMessage{"user_id": json.RawMessage(fmt.Sprint(user)), "prefix": stringJSON(prefix),
			"created_at": timeJSON(stringJSON(created)), "revoked_at": timeJSON(stringJSON(revoked)),
			"token_hash_check": stringJSON(hashCheck(hash))}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	p := compareKeyed(rowIn("calendar_feeds"), want, got, []string{"user_id", "prefix", "created_at", "revoked_at", "token_hash_check"})
	return len(got), p, nil
}

// letter templates are keyed by (kind, law); each gets a number for
// compareKeyed, in order of first appearance.
func (s *Store) verifyLetterTemplates(ctx context.Context) (int, []Problem, error) {
	keys := map[[2]string]int64{}
	names := map[int64]string{}
	keyOf := func(kind, law string) int64 {
		k := [2]string{kind, law}
		if id, ok := keys[k]; ok {
			return id
		}
		id := int64(len(keys) + 1)
		keys[k] = id
		names[id] = fmt.Sprintf("letter_templates row (kind %q, law %q)", kind, law)
		return id
	}
	want := map[int64]*keyedRow{}
	err := s.accessEntries(ctx, "letter_template", func(e AuditEntry) error {
		if e.Entity != "letter_template" {
			return nil
		}
		var obj map[string]json.RawMessage
		var key struct{ Kind, Law string }
		switch e.Action {
		case "save":
			if json.Unmarshal(e.After, &obj) != nil || json.Unmarshal(e.After, &key) != nil {
				return nil
			}
			x := newKeyedRow(e.ID)
			for _, f := range []string{"subject", "body", "updated_by"} {
				x.set(f, obj[f], e.ID)
			}
			x.set("updated_at", timeJSON(obj["updated_at"]), e.ID)
			want[keyOf(key.Kind, key.Law)] = x
		case "reset":
			if json.Unmarshal(e.Before, &key) != nil {
				return nil
			}
			x := newKeyedRow(e.ID)
			x.deleted = true
			want[keyOf(key.Kind, key.Law)] = x
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT kind, law, subject, body, updated_by, updated_at FROM letter_templates ORDER BY kind, law`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: unable to read letter_templates: %w", err)
	}
	defer rows.Close()
	got := map[int64]map[string]json.RawMessage{}
	for rows.Next() {
		var kind, law, subject, body, by, at string
		if err := rows.Scan(&kind, &law, &subject, &body, &by, &at); err != nil {
			return 0, nil, fmt.Errorf("store: unable to read letter_templates: %w", err)
		}
		got[keyOf(kind, law)] = map[string]json.RawMessage{"subject": stringJSON(subject), "body": stringJSON(body),
			"updated_by": stringJSON(by), "updated_at": timeJSON(stringJSON(at))}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	where := func(id int64) string { return names[id] }
	return len(got), compareKeyed(where, want, got, []string{"subject", "body", "updated_by", "updated_at"}), nil
}

func rowIn(table string) func(int64) string {
	return func(id int64) string { return fmt.Sprintf("%s row %d", table, id) }
}

// compareKeyed reports rows added, changed or gone behind the app's back.
func compareKeyed(whereOf func(int64) string, want map[int64]*keyedRow, got map[int64]map[string]json.RawMessage, fields []string) []Problem {
	ids := make([]int64, 0, len(want)+len(got))
	for id := range got {
		ids = append(ids, id)
	}
	for id := range want {
		if _, ok := got[id]; !ok {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var problems []Problem
	for _, id := range ids {
		where := whereOf(id)
		x, row := want[id], got[id]
		switch {
		case row != nil && x == nil:
			problems = append(problems, Problem{Where: where, Detail: "has no audit entry: it was added behind the app's back"})
		case row != nil && x.deleted:
			problems = append(problems, Problem{Where: where, Detail: fmt.Sprintf("audit entry %d deleted it, yet it is there", x.lastID)})
		case row != nil:
			for _, f := range fields {
				exp, ok := x.fields[f]
				if !ok {
					continue
				}
				if !sameJSON(exp, row[f]) {
					problems = append(problems, Problem{Where: where, Detail: fmt.Sprintf("%s is %s, but audit entry %d recorded %s",
						f, clip(string(row[f])), x.entry[f], clip(string(exp)))})
				}
			}
		case !x.deleted:
			problems = append(problems, Problem{Where: where,
				Detail: fmt.Sprintf("is gone, but no audit entry deleted it (last entry: %d)", x.lastID)})
		}
	}
	return problems
}
