package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/foitrack/foitrack/timeline"
)

func exportVersion(t *testing.T, st *Store) ExportVersion {
	t.Helper()
	v, err := st.ExportVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Every table of the schema is either exempt (listed, and a table) or
// covered by the three triggers that move the downloads' version; a table
// made without them is found, and while it is, every commit moves the
// version.
func TestExportVersionCoversEveryTableButTheExempt(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gaps, err := exportVersionGaps(ctx, st.r)
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) > 0 {
		t.Fatalf("tables neither exempt nor covered by the export_version triggers: %v", gaps)
	}
	for table := range exportVersionExempt {
		var n int
		if err := st.r.QueryRow(`SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("exempt %s is not a table of the schema (%v)", table, err)
		}
	}
	if v := exportVersion(t, st); !v.sound {
		t.Fatal("the schema as it is, read as not sound")
	}
	// A table made later with two of its three triggers is not covered.
	for _, q := range []string{
		`CREATE TABLE later (id INTEGER PRIMARY KEY, x TEXT)`,
		`CREATE TRIGGER export_version_later_ai AFTER INSERT ON later BEGIN UPDATE export_version SET n = random() WHERE id = 1; END`,
		`CREATE TRIGGER export_version_later_au AFTER UPDATE ON later BEGIN UPDATE export_version SET n = random() WHERE id = 1; END`,
	} {
		if _, err := st.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if gaps, err := exportVersionGaps(ctx, st.r); err != nil || !slices.Equal(gaps, []string{"later"}) {
		t.Fatalf("with a table missing a trigger, gaps %v (%v); want [later]", gaps, err)
	}
	v0 := exportVersion(t, st)
	if v0.sound {
		t.Fatal("a table missing a trigger, and the version is read as sound")
	}
	if _, err := st.w.Exec(`INSERT INTO login_attempts (ip, email, at, success) VALUES ('127.0.0.1', 'a@example.org', '2026-03-02T09:30:00Z', 1)`); err != nil {
		t.Fatal(err)
	}
	if exportVersion(t, st).Unchanged(v0, false) {
		t.Fatal("while a table is not covered, a commit left the version unchanged")
	}
	if _, err := st.w.Exec(`CREATE TRIGGER export_version_later_ad AFTER DELETE ON later BEGIN UPDATE export_version SET n = random() WHERE id = 1; END`); err != nil {
		t.Fatal(err)
	}
	if v := exportVersion(t, st); !v.sound {
		t.Fatal("with the third trigger made, the version is still read as not sound")
	}
}

// A change to an exempt table leaves the downloads' version as it is (but
// not the version of every commit); a change to any other table moves it:
// each table's row updated in place, then deleted. A new message moves it
// only when a document already names its id (and a message changed or
// deleted: TestExportVersionMovesWithAMessageOnlyWhenNamed).
func TestExportVersionMovesOnlyWithWhatDownloadsRead(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fillEveryTable(t, st.w)
	rows, err := st.r.Query(`SELECT l.name, (SELECT name FROM pragma_table_info(l.name) ORDER BY cid LIMIT 1) FROM pragma_table_list l
		WHERE l.schema = 'main' AND l.type = 'table' AND l.name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY l.name`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct{ name, col string }
	var tables []table
	for rows.Next() {
		var tb table
		if err := rows.Scan(&tb.name, &tb.col); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	rows.Close()
	if len(tables) < 40 {
		t.Fatalf("only %d tables", len(tables))
	}
	change := func(what, q string) (moved, committed bool) {
		t.Helper()
		v0 := exportVersion(t, st)
		res, err := st.w.Exec(q)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n, _ := res.RowsAffected(); n == 0 && what != "" {
			t.Fatalf("%s: changed no row", what)
		}
		v := exportVersion(t, st)
		return !v.Unchanged(v0, false), !v.Unchanged(v0, true)
	}
	covered := 0
	for _, tb := range tables {
		if tb.name == "audit_tree" || tb.name == "export_version" {
			continue // no row of its own (fillEveryTable), and the version itself
		}
		moved, committed := change(tb.name+" updated", fmt.Sprintf(`UPDATE %q SET %q = %q`, tb.name, tb.col, tb.col))
		if !committed {
			t.Fatalf("%s updated: the data version did not move", tb.name)
		}
		if exportVersionExempt[tb.name] && moved {
			t.Errorf("exempt %s updated: the downloads' version moved", tb.name)
		} else if !exportVersionExempt[tb.name] {
			covered++
			if !moved {
				t.Errorf("%s updated: the downloads' version did not move", tb.name)
			}
		}
	}
	if covered < 11 {
		t.Fatalf("only %d tables covered", covered)
	}
	// A new message no document names, then one a document named first.
	var msg int64
	if err := st.w.QueryRow(`SELECT max(id) FROM mail_messages`).Scan(&msg); err != nil {
		t.Fatal(err)
	}
	newMail := func(id int64) string {
		return fmt.Sprintf(`INSERT INTO mail_messages (id, direction, mailbox, uidvalidity, uid, subject, created_at)
			SELECT %d, direction, mailbox, uidvalidity, uid + %d, 'new', created_at FROM mail_messages WHERE id = %d`, id, id, msg)
	}
	if moved, _ := change("a message stored", newMail(msg+1)); moved {
		t.Error("a message no document or link names: the downloads' version moved")
	}
	if _, err := st.w.Exec(`UPDATE documents SET message_id = ?`, msg+2); err != nil {
		t.Fatal(err)
	}
	if moved, _ := change("a message a document names stored", newMail(msg+2)); !moved {
		t.Error("a message a document names: the downloads' version did not move")
	}
	// Each row deleted alone: no cascade empties another table first.
	if _, err := st.w.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		t.Fatal(err)
	}
	defer st.w.Exec(`PRAGMA foreign_keys = ON`)
	for _, tb := range tables {
		if exportVersionExempt[tb.name] || tb.name == "mail_messages" {
			continue // a message: only one a document or link names (TestExportVersionMovesWithAMessageOnlyWhenNamed)
		}
		if moved, _ := change(tb.name+" deleted", fmt.Sprintf(`DELETE FROM %q WHERE rowid = (SELECT max(rowid) FROM %q)`, tb.name, tb.name)); !moved {
			t.Errorf("%s deleted: the downloads' version did not move", tb.name)
		}
	}
}

// A message changed or deleted moves the downloads' version only when a
// document or a link names it (a download reads it through them alone): a
// mail sync processing the mail it fetched leaves a kept download as it is.
func TestExportVersionMovesWithAMessageOnlyWhenNamed(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fillEveryTable(t, st.w)
	var msg int64
	if err := st.w.QueryRow(`SELECT max(id) FROM mail_messages`).Scan(&msg); err != nil {
		t.Fatal(err)
	}
	unnamed, byDocument, byLink := msg+1, msg+2, msg+3
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO mail_messages (id, direction, mailbox, uidvalidity, uid, subject, created_at)
			SELECT j.value, m.direction, m.mailbox, m.uidvalidity, m.uid + j.value, 'new', m.created_at FROM mail_messages m, json_each('[%d,%d,%d]') j
			WHERE m.id = %d`, unnamed, byDocument, byLink, msg),
		fmt.Sprintf(`UPDATE documents SET message_id = %d`, byDocument),
		fmt.Sprintf(`UPDATE event_links SET message_id = %d, document_id = NULL, request_id = NULL
			WHERE rowid = (SELECT min(rowid) FROM event_links)`, byLink),
	} {
		if _, err := st.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		what, q string
		moves   bool
	}{
		{"a message nothing names, processed", fmt.Sprintf(`UPDATE mail_messages SET subject = 'read', state = state WHERE id = %d`, unnamed), false},
		{"a message a document names, processed", fmt.Sprintf(`UPDATE mail_messages SET subject = 'read' WHERE id = %d`, byDocument), true},
		{"a message a link names, processed", fmt.Sprintf(`UPDATE mail_messages SET subject = 'read' WHERE id = %d`, byLink), true},
		{"a message nothing names, renumbered", fmt.Sprintf(`UPDATE mail_messages SET id = %d WHERE id = %d`, msg+4, unnamed), true},
		{"a message nothing names, deleted", fmt.Sprintf(`DELETE FROM mail_messages WHERE id = %d`, msg+4), false},
		{"a message a document names, deleted", fmt.Sprintf(`DELETE FROM mail_messages WHERE id = %d`, byDocument), true},
		{"a message a link names, deleted", fmt.Sprintf(`DELETE FROM mail_messages WHERE id = %d`, byLink), true},
	} {
		v0 := exportVersion(t, st)
		res, err := st.w.Exec(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows changed", c.what, n)
		}
		v := exportVersion(t, st)
		if v.Unchanged(v0, true) {
			t.Fatalf("%s: the data version did not move", c.what)
		}
		if moved := !v.Unchanged(v0, false); moved != c.moves {
			t.Errorf("%s: the downloads' version moved %v, want %v", c.what, moved, c.moves)
		}
	}
}

// A database made before section 47 gets the version and its triggers on
// upgrade: sound, and moved by a change to what a download reads.
func TestUpgradeVersionsWhatTheDownloadsRead(t *testing.T) {
	ctx := WithActor(context.Background(), "test")
	dir := t.TempDir()
	old, err := OpenWith(ctx, dir, Options{SchemaVersion: 46})
	if err != nil {
		t.Fatal(err)
	}
	// Written as section 46's columns hold it (this code writes a later
	// section's too).
	_, fm, body := timeline.New("2026-03-01--one", "2026-03-01", "One").Stored()
	if _, err := old.w.Exec(`INSERT INTO timeline_events (slug, date, title, front_matter, body, created_at, updated_at)
		VALUES ('2026-03-01--one', '2026-03-01', 'One', ?, ?, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')`, fm, body); err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExportVersion(ctx); err == nil {
		t.Fatal("a database at section 46 has a downloads' version")
	}
	old.Close()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v0 := exportVersion(t, st)
	if !v0.sound {
		gaps, err := exportVersionGaps(ctx, st.r)
		t.Fatalf("upgraded, the downloads' version is not sound: gaps %v (%v)", gaps, err)
	}
	ev, err := st.TimelineEventBySlug(ctx, "2026-03-01--one")
	if err != nil {
		t.Fatal(err)
	}
	ev.Event.SetTitle("One, again")
	if err := st.SaveTimelineEvent(ctx, &ev); err != nil {
		t.Fatal(err)
	}
	if exportVersion(t, st).Unchanged(v0, false) {
		t.Fatal("upgraded, an event edited left the downloads' version unchanged")
	}
}
