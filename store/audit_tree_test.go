package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DefaultDBName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A log written before the transparency log existed gets its leaves and
// tree on upgrade; audit verify's chain and tree checks pass over old and
// new entries alike, and a checkpoint of both verifies with its key.
func TestAuditTreeBuiltForExistingLog(t *testing.T) {
	ctx := store.WithActor(context.Background(), "cli:test")
	dir := t.TempDir()
	old, err := store.OpenAtVersion(ctx, t, dir, 9)
	if err != nil {
		t.Fatal(err)
	}
	a := mustAuthority(t, old, "Barsetshire County Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Gritting routes", AuthorityID: a.ID, Notes: "private"}
	if err := old.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	old.Close()

	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	oldSize, err := st.AuditTreeSize(ctx)
	if err != nil || oldSize < 2 {
		t.Fatalf("tree after upgrade: %d entries, %v", oldSize, err)
	}
	r.Title = "Gritting routes 2026"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	_, head, _ := st.AuditHead(ctx)
	if n, _ := st.AuditTreeSize(ctx); n != head || n <= oldSize {
		t.Fatalf("tree has %d leaves, the log %d entries", n, head)
	}
	if _, brk, err := st.VerifyAuditChain(ctx); brk != nil || err != nil {
		t.Fatalf("chain: %v %v", brk, err)
	}
	if _, p, err := st.VerifyAuditTree(ctx); len(p) > 0 || err != nil {
		t.Fatalf("tree: %v %v", p, err)
	}
	cp, err := st.SignCheckpoint(ctx)
	if err != nil || cp.Size != head {
		t.Fatalf("checkpoint %+v: %v", cp, err)
	}
	vkey, err := st.CheckpointVerifierKey()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := store.OpenCheckpoint([]byte(cp.Note), vkey); err != nil || got.Root != cp.Root || got.Size != cp.Size {
		t.Fatalf("checkpoint does not open with its key: %+v %v", got, err)
	}
	other := t.TempDir()
	st2, _ := store.Open(ctx, other)
	otherKey, _ := st2.CheckpointVerifierKey()
	st2.Close()
	if _, err := store.OpenCheckpoint([]byte(cp.Note), otherKey); err == nil {
		t.Error("checkpoint opens with another tracker's key")
	}
	info, err := os.Stat(filepath.Join(dir, store.CheckpointKeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
}

// Each field of an entry is committed to on its own: an opened field checks
// against its commitment, and a changed value or salt does not.
func TestAuditFieldCommitments(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "editor:someone@example.org")
	a := mustAuthority(t, st, "Gwent Police", tracker.JurisdictionWales)
	r := tracker.Request{Title: "LFR", AuthorityID: a.ID, Notes: "SECRET NOTE", Visibility: tracker.VisibilityPublic}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	entries, _ := st.AuditEntries(ctx, "request", r.ID, 0, 10)
	size, _ := st.AuditTreeSize(ctx)
	root, _ := st.AuditTreeHash(ctx, size)
	proofs, err := st.ProveAuditEntries(ctx, entries, size, func(e store.AuditEntry, f string) bool { return f == "after.title" })
	if err != nil || len(proofs) != len(entries) || proofs[0].Action != "create" {
		t.Fatalf("proofs: %v %v", proofs, err)
	}
	for _, p := range proofs {
		if err := p.Verify(size, root); err != nil {
			t.Fatalf("fresh proof of entry %d: %v", p.ID, err)
		}
	}
	p := proofs[0]
	b, _ := json.Marshal(p)
	for _, secret := range []string{"SECRET NOTE", "someone@example.org", r.ReplyToken} {
		if strings.Contains(string(b), secret) {
			t.Errorf("proof with only the title opened holds %q: %s", secret, b)
		}
	}
	if _, ok := p.Fields["after.notes"]; !ok {
		t.Errorf("the notes are not committed to: %v", p.Fields)
	}
	forged := p
	forged.Opened = map[string]store.AuditOpening{"after.title": {Value: json.RawMessage(`"Something else"`), Salt: p.Opened["after.title"].Salt}}
	if err := forged.Verify(size, root); err == nil || !strings.Contains(err.Error(), "after.title does not open its commitment") {
		t.Errorf("changed value: %v", err)
	}
	forged = p
	forged.Fields = map[string]string{}
	for k, v := range p.Fields {
		forged.Fields[k] = v
	}
	forged.Fields["after.notes"] = strings.Repeat("0", 64)
	if err := forged.Verify(size, root); err == nil || !strings.Contains(err.Error(), "not proven to be in the checkpoint's tree") {
		t.Errorf("changed commitment: %v", err)
	}
}

// An old audit row rewritten behind the app's back: the next checkpoint is
// refused, naming the entry; and if the tree is rebuilt from the rewritten
// rows so that one is signed, it cannot be proven consistent with the
// checkpoint published before, by the app or by anyone with tlog.
func TestRewrittenAuditRowBreaksConsistency(t *testing.T) {
	ctx := store.WithActor(context.Background(), "cli:test")
	dir := t.TempDir()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Gritting routes", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	published, err := st.SignCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r.Title = "Gritting routes, amended"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	later, err := st.SignCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := st.ProveConsistency(ctx, published, later); err != nil || p.Check() != nil {
		t.Fatalf("an honest log is not proven consistent: %v", err)
	}

	db := rawDB(t, dir)
	if _, err := db.Exec(`UPDATE audit_log SET after = replace(after, 'Barsetshire', 'Barchester') WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SignCheckpoint(ctx); err == nil || !strings.Contains(err.Error(), "audit entry 1: no longer matches its leaf") {
		t.Fatalf("checkpoint over a rewritten row: %v", err)
	}
	// The forger rebuilds the tree from the rewritten rows.
	st.Close()
	if _, err := db.Exec(`DELETE FROM audit_tree; DELETE FROM audit_checkpoints`); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	forged, err := st.SignCheckpoint(ctx)
	if err != nil || forged.Size != later.Size {
		t.Fatalf("checkpoint of the rebuilt tree: %+v %v", forged, err)
	}
	if forged.Root == later.Root {
		t.Fatal("a rewritten entry left the root unchanged")
	}
	if _, err := st.ProveConsistency(ctx, published, forged); err == nil || !strings.Contains(err.Error(), "the log was rewritten") {
		t.Fatalf("consistency with the checkpoint published before the rewrite: %v", err)
	}
	// Nor can anyone else make one from the rewritten tree.
	hashes, err := tlog.ProveTree(forged.Size, published.Size, treeReader(t, st))
	if err != nil {
		t.Fatal(err)
	}
	proof := store.ConsistencyProof{OldSize: published.Size, OldRoot: published.Root, NewSize: forged.Size, NewRoot: forged.Root, Hashes: hashes}
	if err := proof.Check(); err == nil {
		t.Fatal("a proof from the rewritten tree checks against the earlier checkpoint")
	}
	parsed, err := store.ParseConsistencyProof([]byte(proof.String()))
	if err != nil || parsed.Check() == nil || parsed.NewSize != forged.Size || len(parsed.Hashes) != len(hashes) {
		t.Fatalf("proof file round trip: %+v %v", parsed, err)
	}
}

// treeReader reads the stored tree through the store's public API: the
// root of each prefix, enough for tlog's proofs in a test.
func treeReader(t *testing.T, st *store.Store) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		return st.AuditTreeHashes(context.Background(), idx)
	})
}

// A censor rule removed or weakened behind the app's back shows in audit
// verify's row check.
func TestCensorRuleTamperingIsFound(t *testing.T) {
	ctx := store.WithActor(context.Background(), "cli:test")
	dir := t.TempDir()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, r := range []tracker.CensorRule{{Scope: tracker.CensorGlobal, Pattern: "Jane Privet"}, {Scope: tracker.CensorGlobal, Pattern: `07\d+`, Regexp: true}} {
		if err := st.AddCensorRule(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	if _, p, err := st.VerifyRows(ctx); len(p) > 0 || err != nil {
		t.Fatalf("fresh rules: %v %v", p, err)
	}
	db := rawDB(t, dir)
	db.Exec(`DELETE FROM censor_rules WHERE id = 1`)
	db.Exec(`UPDATE censor_rules SET is_regexp = 0 WHERE id = 2`)
	_, p, _ := st.VerifyRows(ctx)
	got := fmt.Sprint(p)
	if !strings.Contains(got, "censor_rules row 1: is gone") || !strings.Contains(got, "censor_rules row 2: regexp is false") {
		t.Errorf("tampered rules: %v", p)
	}
}
