package main

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/store"
)

// An unseen folder of events: imported, exported, diffed; a broken file is
// reported with its line and the rest still imported; a second import
// changes nothing.
func TestTimelineImportExportCommands(t *testing.T) {
	data := t.TempDir()
	src := t.TempDir()
	shared := testenv.SharedDir(t, "examples/events")
	entries, _ := os.ReadDir(shared)
	var names []string
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(shared, e.Name()))
		os.WriteFile(filepath.Join(src, e.Name()), b, 0o644)
		if e.Name() != "SOURCE.md" {
			names = append(names, e.Name())
		}
	}
	os.WriteFile(filepath.Join(src, "2026-01-01--broken.md"), []byte("---\nid: 2026-01-01--broken\ndate: 2026-01-01\ntitle: [oops\n---\n"), 0o644)

	code, out, errs := cli(t, data, "timeline", "import", src)
	if code != 1 || !strings.Contains(errs, "2026-01-01--broken.md:4:") || !strings.Contains(out, "events imported: ") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "1 files could not be read") {
		t.Errorf("no summary of the failures: %s", errs)
	}
	dst, pub := t.TempDir(), t.TempDir()
	out = mustCLI(t, data, "timeline", "export", dst, "--json", filepath.Join(pub, "all.json"), "--timelinejs", filepath.Join(pub, "timelinejs.json"))
	if !strings.Contains(out, "events written to "+dst) {
		t.Errorf("export: %s", out)
	}
	for _, n := range names {
		want, _ := os.ReadFile(filepath.Join(src, n))
		got, err := os.ReadFile(filepath.Join(dst, n))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs after import → export (%v)", n, err)
		}
	}
	if len(names) < 20 {
		t.Fatalf("only %d files compared", len(names))
	}
	for _, f := range []string{"all.json", "timelinejs.json"} {
		if b, err := os.ReadFile(filepath.Join(pub, f)); err != nil || !bytes.Contains(b, []byte("in-q-tel")) {
			t.Errorf("%s: %v", f, err)
		}
	}
	out = mustCLI(t, data, "timeline", "import", dst)
	if !strings.Contains(out, " 0 new, 0 updated,") {
		t.Errorf("re-import changed something: %s", out)
	}
	out = mustCLI(t, data, "timeline", "list", "--tag", "palantir", "--from", "2010", "--to", "2012")
	if !strings.Contains(out, "2010-01-01--nypd-adopts-palantir-counterterrorism") || strings.Contains(out, "2005-01-01") {
		t.Errorf("list: %s", out)
	}
}

func trailStore(t *testing.T) (string, provtest.Trail) {
	t.Helper()
	data := t.TempDir()
	st, err := store.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	tr := provtest.Build(t, st)
	st.Close()
	return data, tr
}

func id(i int64) string { return strconv.FormatInt(i, 10) }

// audit verify catches a row edited by hand, an audit entry edited by hand
// and a stored file changed on disk, each exactly where it is.
func TestAuditVerifyCommand(t *testing.T) {
	data, tr := trailStore(t)
	out := mustCLI(t, data, "audit", "verify", "--quiet")
	if !strings.Contains(out, "chain intact") || !strings.Contains(out, "all intact") || !strings.Contains(out, "all match") {
		t.Fatalf("clean store: %s", out)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, store.DefaultDBName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// A row.
	if _, err := db.Exec(`UPDATE requests SET title = 'Something else' WHERE id = ?`, tr.Request.ID); err != nil {
		t.Fatal(err)
	}
	code, out, _ := cli(t, data, "audit", "verify", "--quiet")
	if code != 1 || !strings.Contains(out, `First broken link: requests row `+id(tr.Request.ID)+`: title is "Something else", but audit entry`) {
		t.Fatalf("edited row: exit %d\n%s", code, out)
	}
	db.Exec(`UPDATE requests SET title = ? WHERE id = ?`, tr.Request.Title, tr.Request.ID)

	// An audit entry.
	var entry int64
	db.QueryRow(`SELECT id FROM audit_log WHERE entity = 'document' AND entity_id = ?`, tr.DocumentID).Scan(&entry)
	if _, err := db.Exec(`UPDATE audit_log SET actor = 'someone-else' WHERE id = ?`, entry); err != nil {
		t.Fatal(err)
	}
	code, out, _ = cli(t, data, "audit", "verify", "--quiet")
	if code != 1 || !strings.Contains(out, "First broken link: audit entry "+id(entry)+": content changed") {
		t.Fatalf("edited audit entry: exit %d\n%s", code, out)
	}
	db.Exec(`UPDATE audit_log SET actor = 'test:provtest' WHERE id = ?`, entry)
	if code, out, _ := cli(t, data, "audit", "verify", "--quiet"); code != 0 {
		t.Fatalf("restored: exit %d\n%s", code, out)
	}

	// A stored file.
	var sum string
	db.QueryRow(`SELECT sha256 FROM documents WHERE id = ?`, tr.DocumentID).Scan(&sum)
	p := filepath.Join(data, "blobs", sum[:2], sum)
	b, _ := os.ReadFile(p)
	b[20] ^= 0x20
	os.WriteFile(p, b, 0o644)
	code, out, _ = cli(t, data, "audit", "verify", "--quiet")
	if code != 1 || !strings.Contains(out, "First broken link: document "+id(tr.DocumentID)+" (LFR deployment record.pdf, request "+id(tr.Request.ID)+"): stored file blobs/"+sum[:2]+"/"+sum) {
		t.Fatalf("edited file: exit %d\n%s", code, out)
	}
}

func TestBundleCommands(t *testing.T) {
	data, tr := trailStore(t)
	zipPath := filepath.Join(t.TempDir(), "lfr.zip")
	pubPath := filepath.Join(t.TempDir(), "lfr-public.zip")
	out := mustCLI(t, data, "export", "bundle", "--event", "2026-03-30--met-partly-discloses-lfr-records", "--confidential", "-o", zipPath)
	if !strings.Contains(out, "CONFIDENTIAL bundle, ") || !strings.Contains(out, "2 documents, 2 messages, 1 events") {
		t.Errorf("export: %s", out)
	}
	out = mustCLI(t, data, "export", "bundle", "--event", "2026-03-30--met-partly-discloses-lfr-records", "-o", pubPath)
	if !strings.Contains(out, "public bundle, ") || !strings.Contains(out, "2 documents, 1 messages, 1 events") {
		t.Errorf("export: %s", out)
	}
	// Verified with no database at all.
	os.RemoveAll(data)
	if out := mustCLI(t, t.TempDir(), "verify", pubPath); !strings.Contains(out, "OK: the bundle is intact") || !strings.Contains(out, "public bundle for event") {
		t.Fatalf("verify public: %s", out)
	}
	out = mustCLI(t, t.TempDir(), "verify", zipPath)
	if !strings.Contains(out, "OK: the bundle is intact") || !strings.Contains(out, "d=met.example.gov.uk s=foi2026: pass at ingest, pass now") {
		t.Fatalf("verify: %s", out)
	}
	// One byte of the PDF.
	zr, _ := zip.OpenReader(zipPath)
	var off int64
	name := "documents/" + id(tr.DocumentID) + "-LFR deployment record.pdf"
	for _, f := range zr.File {
		if f.Name == name {
			off, _ = f.DataOffset()
		}
	}
	zr.Close()
	b, _ := os.ReadFile(zipPath)
	b[off+5] ^= 1
	bad := filepath.Join(t.TempDir(), "bad.zip")
	os.WriteFile(bad, b, 0o644)
	code, out, errs := cli(t, t.TempDir(), "verify", bad)
	if code != 1 || !strings.Contains(out, "PROBLEM "+name+": ") || !strings.Contains(errs, "the first is in "+name) {
		t.Fatalf("flipped PDF: exit %d\n%s\n%s", code, out, errs)
	}
	if code, _, errs := cli(t, t.TempDir(), "export", "bundle", "--request", "1"); code != 2 || !strings.Contains(errs, "-o FILE.zip") {
		t.Errorf("missing -o: %d %s", code, errs)
	}
}

// audit checkpoint signs and prints with the verifier key; prove-consistency
// links two checkpoints; verify checks a bundle's checkpoint with the key
// and against a later one with the proof; a row rewritten behind the app's
// back stops the next checkpoint and shows in audit verify.
func TestCheckpointCommands(t *testing.T) {
	data, tr := trailStore(t)
	dir := t.TempDir()
	c1, c2, proof, bundle := filepath.Join(dir, "c1.txt"), filepath.Join(dir, "c2.txt"), filepath.Join(dir, "proof.txt"), filepath.Join(dir, "b.zip")
	out := mustCLI(t, data, "audit", "checkpoint", "-o", c1)
	m := regexp.MustCompile(`verifier key: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("audit checkpoint: %s", out)
	}
	key := m[1]
	mustCLI(t, data, "export", "bundle", "--request", id(tr.Request.ID), "-o", bundle)

	ctx := store.WithActor(context.Background(), "cli:test")
	st, err := store.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := st.RequestByID(ctx, tr.Request.ID)
	r.Title += " (2026)"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	st.Close()
	mustCLI(t, data, "audit", "checkpoint", "-o", c2)
	mustCLI(t, data, "audit", "prove-consistency", c1, c2, "-o", proof)
	out = mustCLI(t, t.TempDir(), "verify", "--key", key, "--checkpoint", c2, "--proof", proof, bundle)
	for _, want := range []string{"signature checked with the key given", "the log only grew since the bundle's checkpoint", "OK: the bundle is intact"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := cli(t, t.TempDir(), "verify", "--proof", proof, bundle); code != 2 || !strings.Contains(errs, "--proof needs --checkpoint") {
		t.Errorf("--proof alone: %d %s", code, errs)
	}
	if code, out, _ := cli(t, t.TempDir(), "verify", "--checkpoint", c2, bundle); code != 1 || !strings.Contains(out, "give the consistency proof") {
		t.Errorf("later checkpoint without proof: %d %s", code, out)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, store.DefaultDBName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_log SET after = replace(after, 'Metropolitan', 'Municipal') WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(t, data, "audit", "checkpoint"); code != 1 || !strings.Contains(errs, "audit entry 1: no longer matches its leaf") {
		t.Errorf("checkpoint over a rewritten row: %d %s", code, errs)
	}
	if code, out, _ := cli(t, data, "audit", "verify", "--quiet"); code != 1 || !strings.Contains(out, "audit entry 1: no longer matches its leaf in the transparency log") {
		t.Errorf("audit verify over a rewritten row: %d %s", code, out)
	}
}
