package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// API tokens, calendar feeds and letter templates: made, revoked (one at a
// time, by a new feed, and all at once by "sign out everywhere") and edited
// or reset through the app, `audit verify` is clean; a row planted, changed,
// un-revoked or deleted behind the app's back is reported at that row.
func TestAuditVerifyAccessTablesTellEditFromTampering(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "alice")
	u1 := store.User{Email: "ed@example.org", Role: store.RoleEditor}
	u2 := store.User{Email: "ad@example.org", Role: store.RoleAdmin}
	for _, u := range []*store.User{&u1, &u2} {
		if err := st.CreateUser(ctx, u, "correct horse battery staple"); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	token := func(user int64, name string) int64 {
		t.Helper()
		_, tok, err := st.CreateAPIToken(ctx, user, name)
		must(err)
		return tok.ID
	}
	feed := func(user int64) int64 {
		t.Helper()
		_, f, err := st.CreateCalendarFeed(ctx, user)
		must(err)
		return f.ID
	}
	clean := func(when string) {
		t.Helper()
		if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
			t.Errorf("%s: audit verify reports %v (err %v)", when, p, err)
		}
	}

	// Tokens: one deleted by hand, two by "sign out everywhere", two live.
	// (tokOther made before the deletions, so that tokLive's id is new.)
	tokDeleted, tokBulk1, tokBulk2 := token(u1.ID, "script"), token(u1.ID, "laptop"), token(u1.ID, "phone")
	tokOther := token(u2.ID, "backup")
	must(st.DeleteAPIToken(ctx, u1.ID, tokDeleted))
	clean("token deleted")
	// Feeds: one revoked by making another, that one by revoking it, a
	// third by "sign out everywhere", two live.
	feedReplaced := feed(u1.ID)
	feedRevoked := feed(u1.ID)
	clean("feed replaced")
	must(st.RevokeCalendarFeed(ctx, u1.ID))
	clean("feed revoked")
	feedBulk := feed(u1.ID)
	if r, err := st.RevokeAccess(ctx, u1.ID, "", true, true); err != nil || r.APITokens != 2 || r.CalendarFeeds != 1 {
		t.Fatalf("RevokeAccess: %+v, %v", r, err)
	}
	clean("signed out everywhere")
	tokLive := token(u1.ID, "ci")
	feedLive, feedOther := feed(u1.ID), feed(u2.ID)
	// Letter templates: saved, edited, reset.
	for _, lt := range []store.LetterTemplate{
		{Kind: "chaser", Subject: "Overdue", Body: "Please reply"},
		{Kind: "chaser", Subject: "Overdue: {{.Title}}", Body: "Please reply now"},
		{Kind: "internal_review", Subject: "Review", Body: "Please review"},
		{Kind: "request", Law: "uk-foia", Subject: "FOI request", Body: "Dear"},
	} {
		must(st.SaveLetterTemplate(ctx, &lt))
	}
	must(st.DeleteLetterTemplate(ctx, "chaser", ""))
	clean("letter templates saved, edited and reset")

	db, err := sql.Open("sqlite", st.Path())
	must(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const when = "2026-01-01T00:00:00.000000Z"
	lt := func(kind, law string) string { return fmt.Sprintf("letter_templates row (kind %q, law %q)", kind, law) }
	row := func(table string, id int64) string { return fmt.Sprintf("%s row %d", table, id) }
	for _, tc := range []struct {
		name, table, sql string
		args             []any
		where, detail    string
	}{
		{"token planted", "api_tokens", `INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES (900, ?, 'x', 'ab', 'foit_a', ?)`,
			[]any{u2.ID, when}, row("api_tokens", 900), "added behind the app's back"},
		{"token given to another user", "api_tokens", `UPDATE api_tokens SET user_id = ? WHERE id = ?`,
			[]any{u2.ID, tokLive}, row("api_tokens", tokLive), "user_id"},
		{"token renamed", "api_tokens", `UPDATE api_tokens SET name = 'planted' WHERE id = ?`,
			[]any{tokOther}, row("api_tokens", tokOther), "name"},
		{"token deleted by hand, back", "api_tokens", `INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES (?, ?, 'script', 'cd', 'foit_b', ?)`,
			[]any{tokDeleted, u1.ID, when}, row("api_tokens", tokDeleted), "deleted it"},
		{"token revoked in bulk, back", "api_tokens", `INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES (?, ?, 'laptop', 'ef', 'foit_c', ?)`,
			[]any{tokBulk1, u1.ID, when}, row("api_tokens", tokBulk1), "deleted it"},
		{"other token revoked in bulk, back", "api_tokens", `INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES (?, ?, 'phone', 'ef', 'foit_c', ?)`,
			[]any{tokBulk2, u1.ID, when}, row("api_tokens", tokBulk2), "deleted it"},
		{"token's hash swapped", "api_tokens", `UPDATE api_tokens SET token_hash = 'planted' WHERE id = ?`,
			[]any{tokLive}, row("api_tokens", tokLive), "token_hash"},
		{"live token deleted", "api_tokens", `DELETE FROM api_tokens WHERE id = ?`,
			[]any{tokLive}, row("api_tokens", tokLive), "is gone"},

		{"feed planted", "calendar_feeds", `INSERT INTO calendar_feeds (id, user_id, token_hash, prefix, created_at) VALUES (900, ?, 'ab', 'abcdef', ?)`,
			[]any{u2.ID, when}, row("calendar_feeds", 900), "added behind the app's back"},
		{"feed replaced, un-revoked", "calendar_feeds", `UPDATE calendar_feeds SET revoked_at = NULL WHERE id = ?`,
			[]any{feedReplaced}, row("calendar_feeds", feedReplaced), "revoked_at"},
		{"feed revoked, un-revoked", "calendar_feeds", `UPDATE calendar_feeds SET revoked_at = NULL WHERE id = ?`,
			[]any{feedRevoked}, row("calendar_feeds", feedRevoked), "revoked_at"},
		{"feed revoked in bulk, un-revoked", "calendar_feeds", `UPDATE calendar_feeds SET revoked_at = NULL WHERE id = ?`,
			[]any{feedBulk}, row("calendar_feeds", feedBulk), "revoked_at"},
		{"live feed revoked", "calendar_feeds", `UPDATE calendar_feeds SET revoked_at = ? WHERE id = ?`,
			[]any{when, feedLive}, row("calendar_feeds", feedLive), "revoked_at"},
		{"feed given to another user", "calendar_feeds", `UPDATE calendar_feeds SET user_id = ? WHERE id = ?`,
			[]any{u1.ID, feedOther}, row("calendar_feeds", feedOther), "user_id"},
		{"feed's hash swapped", "calendar_feeds", `UPDATE calendar_feeds SET token_hash = 'planted' WHERE id = ?`,
			[]any{feedLive}, row("calendar_feeds", feedLive), "token_hash"},
		{"feed deleted", "calendar_feeds", `DELETE FROM calendar_feeds WHERE id = ?`,
			[]any{feedOther}, row("calendar_feeds", feedOther), "is gone"},

		{"letter template planted", "letter_templates", `INSERT INTO letter_templates (kind, law, subject, body, updated_at) VALUES ('regulator_complaint', '', 's', 'b', ?)`,
			[]any{when}, lt("regulator_complaint", ""), "added behind the app's back"},
		{"letter template body changed", "letter_templates", `UPDATE letter_templates SET body = 'planted' WHERE kind = 'internal_review'`,
			nil, lt("internal_review", ""), "body"},
		{"letter template author changed", "letter_templates", `UPDATE letter_templates SET updated_by = 'mallory' WHERE kind = 'request'`,
			nil, lt("request", "uk-foia"), "updated_by"},
		{"letter template reset, back", "letter_templates", `INSERT INTO letter_templates (kind, law, subject, body, updated_at) VALUES ('chaser', '', 's', 'b', ?)`,
			[]any{when}, lt("chaser", ""), "deleted it"},
		{"letter template deleted", "letter_templates", `DELETE FROM letter_templates WHERE kind = 'internal_review'`,
			nil, lt("internal_review", ""), "is gone"},
	} {
		exec(`CREATE TABLE snap AS SELECT * FROM ` + tc.table)
		exec(tc.sql, tc.args...)
		_, p, err := st.VerifyRows(ctx)
		found := false
		for _, x := range p {
			found = found || (x.Where == tc.where && strings.Contains(x.Detail, tc.detail))
		}
		if err != nil || !found {
			t.Errorf("%s: not reported at %q as %q (got %v, err %v)", tc.name, tc.where, tc.detail, p, err)
		}
		exec(`DELETE FROM ` + tc.table)
		exec(`INSERT INTO ` + tc.table + ` SELECT * FROM snap`)
		exec(`DROP TABLE snap`)
		clean(tc.name + ": put back")
	}
}

// Entries written before revoke_access and a feed's revocation listed the
// ids they revoked (counts only; the feed's user only) still replay: the
// bulk delete took every token the user had, a revocation every live feed.
// A token whose entry has no token_hash_check raises no alarm either.
func TestAuditVerifyAccessReadsOlderEntries(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "alice")
	u := store.User{Email: "ed@example.org", Role: store.RoleEditor}
	if err := st.CreateUser(ctx, &u, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, f1, err := st.CreateCalendarFeed(ctx, u.ID)
	must(err)
	revokeFeeds := fmt.Sprintf(`UPDATE calendar_feeds SET revoked_at = ? WHERE user_id = %d AND revoked_at IS NULL`, u.ID)
	must(st.OldEntry(ctx, "revoke", "calendar_feed", 0, map[string]int64{"user_id": u.ID}, revokeFeeds))
	_, _, err = st.CreateAPIToken(ctx, u.ID, "laptop")
	must(err)
	_, _, err = st.CreateAPIToken(ctx, u.ID, "phone")
	must(err)
	_, f2, err := st.CreateCalendarFeed(ctx, u.ID)
	must(err)
	must(st.OldEntry(ctx, "revoke_access", "user", u.ID, map[string]any{"sessions": 0, "api_tokens": 2, "calendar_feeds": 1,
		"kept_this_session": false}, revokeFeeds, fmt.Sprintf(`DELETE FROM api_tokens WHERE user_id = %d AND ? <> ''`, u.ID)))
	// A token made by an older version: its entry has no token_hash_check.
	must(st.OldEntry(ctx, "create", "api_token", 500, map[string]any{"id": 500, "user_id": u.ID, "name": "old", "prefix": "foit_o",
		"created_at": "2026-01-01T00:00:00Z"}, fmt.Sprintf(`INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at)
		SELECT 500, %d, 'old', 'hh', 'foit_o', '2026-01-01T00:00:00.000000Z' WHERE ? <> ''`, u.ID)))
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Errorf("older entries: audit verify reports %v (err %v)", p, err)
	}
	// And an un-revoked feed is still caught.
	for _, id := range []int64{f1.ID, f2.ID} {
		if _, err := st.Writer().Exec(`UPDATE calendar_feeds SET revoked_at = NULL WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
		_, p, _ := st.VerifyRows(ctx)
		where, found := fmt.Sprintf("calendar_feeds row %d", id), false
		for _, x := range p {
			found = found || (x.Where == where && strings.Contains(x.Detail, "revoked_at"))
		}
		if !found {
			t.Errorf("feed %d un-revoked: not reported (got %v)", id, p)
		}
		if _, err := st.Writer().Exec(`UPDATE calendar_feeds SET revoked_at = '2026-01-01T00:00:00.000000Z' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
	}
}
