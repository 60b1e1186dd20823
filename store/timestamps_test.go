package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// TestTimestampsFixedWidth: instants are stored with six fraction digits
// whatever the instant, so text order is time order; the schema section
// rewrites old variable-width values; audit entries hashed with the old
// text still verify.
func TestTimestampsFixedWidth(t *testing.T) {
	base := time.Date(2026, 3, 2, 10, 0, 5, 0, time.UTC)
	var stored []string
	for _, d := range []time.Duration{500 * time.Millisecond, 0, 123456789, time.Second, 50 * time.Millisecond} {
		s := ts(base.Add(d))
		if len(s) != len(tsLayout) || !parseTS(s).Equal(base.Add(d).Truncate(time.Microsecond)) {
			t.Fatalf("ts(%v) = %q", base.Add(d), s)
		}
		stored = append(stored, s)
	}
	if sorted := sort.StringsAreSorted([]string{stored[1], stored[4], stored[2], stored[0], stored[3]}); !sorted {
		t.Fatalf("text order is not time order: %v", stored)
	}

	ctx := WithActor(context.Background(), "test")
	dir := filepath.Join(t.TempDir(), "d")
	old, err := OpenAtVersion(ctx, t, dir, 10)
	if err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: "uk-england"}
	if err := old.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	// What older versions wrote: a variable-width fraction, and an audit
	// entry hashed over its nanosecond instant.
	if _, err := old.w.Exec(`UPDATE authorities SET created_at = '2026-03-02T10:00:05.5Z', updated_at = '2026-03-02T10:00:05Z'`); err != nil {
		t.Fatal(err)
	}
	head, id, _ := old.AuditHead(ctx)
	e := AuditEntry{ID: id + 1, At: base.Add(123456789), Actor: "old", Action: "note", Entity: "authority", EntityID: a.ID,
		Before: json.RawMessage("null"), After: json.RawMessage("null"), PrevHash: head}
	if e.Hash, err = e.ComputeHash(); err != nil {
		t.Fatal(err)
	}
	if _, err := old.w.Exec(`INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, "2026-03-02T10:00:05.123456789Z", e.Actor, e.Action, e.Entity, e.EntityID, "null", "null", e.PrevHash, e.Hash); err != nil {
		t.Fatal(err)
	}
	old.Close()

	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var created, updated string
	st.r.QueryRow(`SELECT created_at, updated_at FROM authorities WHERE id = ?`, a.ID).Scan(&created, &updated)
	if created != "2026-03-02T10:00:05.500000Z" || updated != "2026-03-02T10:00:05.000000Z" {
		t.Fatalf("after the upgrade: created_at %q, updated_at %q", created, updated)
	}
	// New entries on top of the old one: the chain holds throughout.
	a.Notes = "updated after the upgrade"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	n, brk, err := st.VerifyAuditChain(ctx)
	if err != nil || brk != nil || n != 3 {
		t.Fatalf("audit chain after the upgrade: %d entries, break %+v, %v", n, brk, err)
	}
	var at string
	st.r.QueryRow(`SELECT at FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&at)
	if len(at) != len(tsLayout) {
		t.Fatalf("a new audit entry's at is %q", at)
	}
}
