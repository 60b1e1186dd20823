package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// ExportVersion says whether what the timeline downloads read has changed
// (server/timeline_export_kept.go keeps a download while it has not): two
// values read from the same Store are Unchanged only if no commit in
// between changed a table the downloads may read, by this process or any
// other. Those that cannot (sessions, the indexed words, the audit log…:
// exportVersionExempt) do not count, so a kept download outlives a
// session's last use or the search words' worker. It is export_version.n,
// set to a random value by triggers on every change to every other table
// (schema.sql, section 47), read on a connection of its own (versionConn), and only
// when PRAGMA data_version has moved (every commit moves it; no commit,
// no change). While a table is neither covered by those triggers nor
// exempt (a table added without them, the triggers dropped by a bulk
// load), every commit counts.
type ExportVersion struct {
	conn   uint64 // which connection read it: a new one counts afresh
	data   int64  // PRAGMA data_version: any commit
	schema int64  // PRAGMA schema_version: a trigger or table made or dropped
	n      int64  // export_version.n
	sound  bool   // every table is covered or exempt: n is to be trusted
}

// Unchanged says whether nothing a timeline download reads was committed
// between since and v (both read from this Store, since first); with
// everyCommit, whether nothing at all was (a download filtered by words
// reads the full-text index and the indexed words, which no trigger
// versions).
func (v ExportVersion) Unchanged(since ExportVersion, everyCommit bool) bool {
	if v.conn == 0 || v.conn != since.conn {
		return false
	}
	if everyCommit || !v.sound || !since.sound {
		return v.data == since.data
	}
	return v.schema == since.schema && v.n == since.n
}

// exportVersionExempt are the tables no timeline download reads, whose
// changes leave ExportVersion as it is (schema.sql, section 47, says why
// each). A table that is not here gets the triggers; one that has neither
// makes the version count every commit (exportVersionGaps).
var exportVersionExempt = map[string]bool{
	"sessions": true, "login_attempts": true, "api_tokens": true, "users": true, "user_preferences": true,
	"notifications": true, "reminder_log": true, "reminder_runs": true, "request_watchers": true, "calendar_feeds": true,
	"mail_checkpoints": true, "mail_sync_runs": true,
	"blobs": true, "document_texts": true,
	"audit_log": true, "audit_tree": true, "audit_checkpoints": true,
	"search_terms": true, "search_terms_fill": true,
	"mail_state_counts": true, "request_day_counts": true, "request_status_counts": true,
	"request_tags": true, "request_tag_counts": true, "request_windows": true, "plan_rules": true,
	"insight_counts": true, "insight_days": true, "insight_exemptions": true, "insight_refused": true,
	"export_version": true, // the version itself
}

// exportVersionWhen is the condition of a covered table's trigger, where
// it has one: a message is read by a download only through a document or a
// link that names its id (schema.sql, sections 47 and 48), so a message
// stored, changed or removed moves the version only when one does (or
// when its id changes: what named the old one no longer finds it).
var exportVersionWhen = map[string]string{
	"mail_messages_ai": "WHEN EXISTS (SELECT 1 FROM documents WHERE message_id = new.id) OR EXISTS (SELECT 1 FROM event_links WHERE message_id = new.id)",
	"mail_messages_au": "WHEN old.id <> new.id OR EXISTS (SELECT 1 FROM documents WHERE message_id = new.id) OR EXISTS (SELECT 1 FROM event_links WHERE message_id = new.id)",
	"mail_messages_ad": "WHEN EXISTS (SELECT 1 FROM documents WHERE message_id = old.id) OR EXISTS (SELECT 1 FROM event_links WHERE message_id = old.id)",
}

// exportVersionTriggerPrefix starts the names of the triggers that keep
// export_version (a bulk load drops them, see BeginBulkLoad).
const exportVersionTriggerPrefix = "export_version_"

// exportVersionTrigger is the trigger on table for event (INSERT, UPDATE
// or DELETE) as schema.sql writes it, its spaces as one.
func exportVersionTrigger(table, event string) string {
	name := exportVersionTriggerPrefix + table + "_a" + strings.ToLower(event[:1])
	when := ""
	if w := exportVersionWhen[table+"_a"+strings.ToLower(event[:1])]; w != "" {
		when = " " + w
	}
	return "CREATE TRIGGER " + name + " AFTER " + event + " ON " + table + when +
		" BEGIN UPDATE export_version SET n = random() WHERE id = 1; END"
}

var spaces = regexp.MustCompile(`\s+`)

// exportVersionGaps lists the tables of the database that are neither
// exempt nor covered by the three triggers exactly as exportVersionTrigger
// writes them (a trigger on some columns only, or with another condition,
// does not count), by name; nil when there are none.
func exportVersionGaps(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.name, COALESCE(m.sql, '') FROM pragma_table_list l
		LEFT JOIN sqlite_master m ON m.type = 'trigger' AND m.tbl_name = l.name AND m.name GLOB ?
		WHERE l.schema = 'main' AND l.type = 'table' AND l.name NOT LIKE 'sqlite\_%' ESCAPE '\'`,
		exportVersionTriggerPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("unable to read the tables and their triggers: %w", err)
	}
	defer rows.Close()
	have := map[string]map[string]bool{}
	for rows.Next() {
		var table, sql string
		if err := rows.Scan(&table, &sql); err != nil {
			return nil, fmt.Errorf("unable to read the tables and their triggers: %w", err)
		}
		if have[table] == nil {
			have[table] = map[string]bool{}
		}
		have[table][strings.TrimSuffix(strings.TrimSpace(spaces.ReplaceAllString(sql, " ")), ";")] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unable to read the tables and their triggers: %w", err)
	}
	var gaps []string
	for table, triggers := range have {
		if exportVersionExempt[table] {
			continue
		}
		for _, event := range []string{"INSERT", "UPDATE", "DELETE"} {
			if !triggers[exportVersionTrigger(table, event)] {
				gaps = append(gaps, table)
				break
			}
		}
	}
	sort.Strings(gaps)
	return gaps, nil
}

// exportVersionCache is ExportVersion's last reading on the version's
// connection, and the schema whose gaps were last looked for.
type exportVersionCache struct {
	last          ExportVersion
	checked       bool
	checkedSchema int64
	sound         bool
}

// ExportVersion returns the version of what the timeline downloads read
// now (see ExportVersion).
func (s *Store) ExportVersion(ctx context.Context) (ExportVersion, error) {
	v := &s.version
	v.mu.Lock()
	defer v.mu.Unlock()
	var out ExportVersion
	err := v.read(ctx, s.readerDSN, func(c *sql.Conn) error {
		var data int64
		if err := c.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&data); err != nil {
			return err
		}
		if e := &v.export; e.last.conn == v.opened && e.last.data == data {
			// Nothing committed since it was read (after this data
			// version was, so not older than it).
			out = e.last
			return nil
		}
		// The version, the schema and its gaps as of one snapshot.
		tx, err := c.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		out = ExportVersion{conn: v.opened, data: data}
		if err := tx.QueryRowContext(ctx, `SELECT n, (SELECT schema_version FROM pragma_schema_version) FROM export_version WHERE id = 1`).
			Scan(&out.n, &out.schema); err != nil {
			return err
		}
		e := &v.export
		if !e.checked || e.checkedSchema != out.schema {
			gaps, err := exportVersionGaps(ctx, tx)
			if err != nil {
				return err
			}
			e.checked, e.checkedSchema, e.sound = true, out.schema, len(gaps) == 0
		}
		out.sound = e.sound
		e.last = out
		return nil
	})
	if err != nil {
		return ExportVersion{}, fmt.Errorf("store: unable to read the timeline downloads' version: %w", err)
	}
	return out, nil
}
