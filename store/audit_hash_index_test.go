package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/foitrack/foitrack"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// auditHashIndexVersion is the schema section that makes the audit
// hashes unique by a named index (a bulk load can drop it) rather than in
// their column.
func auditHashIndexVersion(t *testing.T) int {
	t.Helper()
	ms, err := store.ParseMigrations(foitrack.Schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == "audit hashes unique by a named index" {
			return m.Version
		}
	}
	t.Fatal("schema.sql has no section making the audit hashes unique by a named index")
	return 0
}

// auditRows is every audit entry, every column quoted as stored (its type
// and bytes), in id order.
func auditRows(t *testing.T, st *store.Store) []string {
	t.Helper()
	rows, err := st.Reader().Query(`SELECT quote(id) || ' ' || quote(at) || ' ' || quote(actor) || ' ' || quote(action) || ' ' ||
		quote(entity) || ' ' || quote(entity_id) || ' ' || quote(before) || ' ' || quote(after) || ' ' ||
		quote(prev_hash) || ' ' || quote(hash) || ' ' || quote(secret) FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// schemaOf is sqlite_master's SQL of a table's indexes and of the table,
// by name (the indexes SQLite makes for a constraint have none: "").
func schemaOf(t *testing.T, st *store.Store, table string) map[string]string {
	t.Helper()
	return schemaRows(t, st, `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE tbl_name = ?`, table)
}

// schemaRows is a query's rows of two strings (from sqlite_master): the
// first to the second.
func schemaRows(t *testing.T, st *store.Store, query string, args ...any) map[string]string {
	t.Helper()
	rows, err := st.Reader().Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A database at the schema before the audit hashes' named index is
// upgraded with every audit entry as it was, byte for byte, its chain and
// transparency log verifying, its hashes still unique, and audit_log as a
// fresh database has it.
func TestUpgradeMakesTheAuditHashIndexNamedKeepingEveryEntry(t *testing.T) {
	ctx := context.Background()
	v := auditHashIndexVersion(t)
	dir := t.TempDir()
	old, err := store.OpenAtVersion(ctx, t, dir, v-1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		a := mustAuthority(t, old, fmt.Sprintf("Authority %d", i), tracker.JurisdictionUK)
		a.Notes = "renamed, with a quote ' and a line\nbreak"
		if err := old.UpdateAuthority(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	before := auditRows(t, old)
	if len(before) < 10 {
		t.Fatalf("%d audit entries written at version %d, want at least 10", len(before), v-1)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer st.Close()
	after := auditRows(t, st)
	if len(after) != len(before) {
		t.Fatalf("%d audit entries after the upgrade, %d before", len(after), len(before))
	}
	for i := range before {
		if after[i] != before[i] {
			t.Errorf("audit entry after the upgrade:\n%s\nbefore:\n%s", after[i], before[i])
		}
	}
	if n, brk, err := st.VerifyAuditChain(ctx); err != nil || brk != nil || n != len(before) {
		t.Errorf("audit chain after the upgrade: %d entries, break %v, %v", n, brk, err)
	}
	if n, problems, err := st.VerifyAuditTree(ctx); err != nil || len(problems) > 0 || n != int64(len(before)) {
		t.Errorf("transparency log after the upgrade: %d leaves, %v, %v", n, problems, err)
	}

	got := schemaOf(t, st, "audit_log")
	fresh := MustOpenDB(t)
	want := schemaOf(t, fresh, "audit_log")
	if len(got) != len(want) {
		t.Errorf("audit_log's schema after the upgrade: %v, want a fresh database's %v", got, want)
	}
	for name, sql := range want {
		if got[name] != sql {
			t.Errorf("%s after the upgrade:\n%s\nwant a fresh database's\n%s", name, got[name], sql)
		}
	}
	if _, ok := want["audit_log_hash"]; !ok {
		t.Errorf("a fresh database's audit_log has no index audit_log_hash: %v", want)
	}
	for name, sql := range want {
		if sql == "" {
			t.Errorf("audit_log has index %s, made for a constraint in a column, which a bulk load cannot drop", name)
		}
	}
	// Still a constraint: a second entry with a hash the log holds is refused.
	if _, err := st.Writer().ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, entity, prev_hash, hash)
		SELECT at, actor, action, entity, prev_hash, hash FROM audit_log WHERE id = 1`); err == nil {
		t.Error("an entry with another's hash was written")
	}
}
