package evidence_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/store"
)

// writeBundle builds the provenance trail in a fresh store, writes a bundle
// of the given kind, and closes and deletes the store: what is verified
// afterwards has nothing but the zip.
func writeBundle(t *testing.T, kind string) (string, provtest.Trail) {
	t.Helper()
	ctx := store.WithActor(context.Background(), "test:bundle")
	dataDir := t.TempDir()
	st, err := store.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	tr := provtest.Build(t, st)
	id := tr.Request.ID
	if kind == "event" {
		id = tr.EventID
	}
	path := filepath.Join(t.TempDir(), "bundle.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evidence.Write(ctx, st, f, kind, id, evidence.Options{BaseURL: "https://foi.example.org", Kind: evidence.Confidential}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.RemoveAll(dataDir); err != nil {
		t.Fatal(err)
	}
	return path, tr
}

func mustVerify(t *testing.T, path string) *evidence.Report {
	t.Helper()
	r, err := evidence.Verify(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBundleVerifies(t *testing.T) {
	for _, kind := range []string{"request", "event"} {
		t.Run(kind, func(t *testing.T) {
			path, tr := writeBundle(t, kind)
			r := mustVerify(t, path)
			if !r.OK() {
				t.Fatalf("a fresh bundle does not verify: %v", r.Problems)
			}
			m := r.Manifest
			names := map[string]bool{}
			for _, f := range m.Files {
				names[f.Path] = true
			}
			pdf := "documents/" + itoa(tr.DocumentID) + "-LFR deployment record.pdf"
			eml := "messages/" + itoa(tr.MessageID) + "-in.eml"
			out := "messages/" + itoa(tr.OutgoingID) + "-out.eml"
			for _, want := range []string{pdf, eml, out, "events/2026-03-30--met-partly-discloses-lfr-records.md", "README.txt"} {
				if !names[want] {
					t.Errorf("bundle lacks %s (has %v)", want, names)
				}
			}
			if r.Files != len(m.Files) || r.AuditEntries < 8 || r.AuditProven != r.AuditEntries || r.Attachments != 1 || r.Checkpoint == nil {
				t.Errorf("checked %d files of %d, %d audit entries, %d proven, %d attachments", r.Files, len(m.Files), r.AuditEntries, r.AuditProven, r.Attachments)
			}
			if len(r.DKIM) != 1 || r.DKIM[0].Now != "pass" || r.DKIM[0].AtIngest != "pass" || r.DKIM[0].Domain != "met.example.gov.uk" || r.DKIM[0].Selector != "foi2026" {
				t.Errorf("DKIM: %+v", r.DKIM)
			}
			if m.DKIMKeys[tr.Key.Name()] != tr.Key.Record {
				t.Errorf("DKIM keys: %v", m.DKIMKeys)
			}
			if len(m.Provenance) != 2 {
				t.Fatalf("provenance: %+v", m.Provenance)
			}
			ch := m.Provenance[0]
			if ch.DocumentID != tr.DocumentID || ch.IncomingMessageID != tr.MessageID || ch.RepliedToMessageID != tr.OutgoingID ||
				len(ch.Events) != 1 || ch.Events[0] != "2026-03-30--met-partly-discloses-lfr-records" {
				t.Errorf("provenance chain: %+v", ch)
			}
			zr, _ := zip.OpenReader(path)
			defer zr.Close()
			for _, zf := range zr.File {
				if zf.Name != evidence.ReadmeName {
					continue
				}
				rc, _ := zf.Open()
				readme, _ := io.ReadAll(rc)
				rc.Close()
				for _, want := range []string{"fetched from IMAP mailbox INBOX, UIDVALIDITY 1711, UID 42", "DKIM at ingest: pass, d=met.example.gov.uk s=foi2026",
					"Message-ID <reply-012345@met.example.gov.uk>", "in reply to our message", "supports timeline event 2026-03-30--met-partly-discloses-lfr-records",
					"withheld under s31(1)(a)", "sha256sum -c SHA256SUMS"} {
					if !strings.Contains(string(readme), want) {
						t.Errorf("README lacks %q:\n%s", want, readme)
					}
				}
			}
		})
	}
}

// entryRange returns where an entry's bytes are inside the zip file.
func entryRange(t *testing.T, path, name string) (int64, int64) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if zf.Name == name {
			if zf.Method != zip.Store {
				t.Fatalf("%s is compressed", name)
			}
			off, err := zf.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			return off, int64(zf.CompressedSize64)
		}
	}
	t.Fatalf("no %s in the bundle", name)
	return 0, 0
}

// flipped copies the bundle with one bit of one byte changed.
func flipped(t *testing.T, path string, at int64) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[at] ^= 0x04
	out := filepath.Join(t.TempDir(), "flipped.zip")
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every byte flipped in the PDF, the .eml or the manifest is caught, and
// the first problem names the file it is in.
func TestFlippedByteIsCaughtInItsFile(t *testing.T) {
	path, tr := writeBundle(t, "request")
	pdf := "documents/" + itoa(tr.DocumentID) + "-LFR deployment record.pdf"
	eml := "messages/" + itoa(tr.MessageID) + "-in.eml"
	for _, name := range []string{pdf, eml, evidence.ManifestName} {
		off, size := entryRange(t, path, name)
		step := size / 37
		if step == 0 {
			step = 1
		}
		n := 0
		for k := int64(0); k < size; k += step {
			r := mustVerify(t, flipped(t, path, off+k))
			n++
			if r.OK() {
				t.Fatalf("%s: byte %d flipped, yet the bundle verifies", name, k)
			}
			if r.Problems[0].File != name {
				t.Errorf("%s: byte %d flipped, first problem is %v", name, k, r.Problems[0])
			}
		}
		t.Logf("%s: %d single-byte flips, all caught in it", name, n)
	}

	// A flip in the signed body also breaks the DKIM signature, said so.
	data, _ := os.ReadFile(path)
	off, size := entryRange(t, path, eml)
	i := bytes.Index(data[off:off+size], []byte("watchlist criteria are withheld"))
	if i < 0 {
		t.Fatal("body text not found")
	}
	r := mustVerify(t, flipped(t, path, off+int64(i)))
	var dkimFail, hash bool
	for _, p := range r.Problems {
		if p.File == eml && strings.Contains(p.Detail, "DKIM signature d=met.example.gov.uk s=foi2026 passed at ingest but fails now") {
			dkimFail = true
		}
		if p.File == eml && strings.Contains(p.Detail, "changed: its sha256 is") {
			hash = true
		}
	}
	if !dkimFail || !hash {
		t.Errorf("body flip: %v", r.Problems)
	}
}

// The same checks on a bundle someone unzipped, edited and zipped again
// (compressed, without the original CRCs), and on the unpacked directory.
func TestUnpackedAndRezippedBundle(t *testing.T) {
	path, tr := writeBundle(t, "event")
	dir := t.TempDir()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		p := filepath.Join(dir, filepath.FromSlash(zf.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zr.Close()
	if r := mustVerify(t, dir); !r.OK() {
		t.Fatalf("unpacked bundle: %v", r.Problems)
	}
	pdf := filepath.Join(dir, "documents", itoa(tr.DocumentID)+"-LFR deployment record.pdf")
	data, _ := os.ReadFile(pdf)
	data[10] ^= 1
	os.WriteFile(pdf, data, 0o644)
	r := mustVerify(t, dir)
	if r.OK() || r.Problems[0].File != "documents/"+itoa(tr.DocumentID)+"-LFR deployment record.pdf" {
		t.Fatalf("edited PDF in directory: %v", r.Problems)
	}
	var attach bool
	for _, p := range r.Problems {
		attach = attach || strings.Contains(p.Detail, "is not an attachment of messages/")
	}
	if !attach {
		t.Errorf("the edited PDF was still found in the signed mail: %v", r.Problems)
	}

	// Re-zip with compression.
	rezipped := filepath.Join(t.TempDir(), "rezipped.zip")
	f, _ := os.Create(rezipped)
	zw := zip.NewWriter(f)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		w, _ := zw.Create(filepath.ToSlash(rel))
		b, _ := os.ReadFile(p)
		w.Write(b)
		return nil
	})
	zw.Close()
	f.Close()
	r = mustVerify(t, rezipped)
	if r.OK() || r.Problems[0].File != "documents/"+itoa(tr.DocumentID)+"-LFR deployment record.pdf" {
		t.Fatalf("re-zipped: %v", r.Problems)
	}
}

// A forger who edits the manifest and recomputes SHA256SUMS still cannot
// change what the audit log recorded.
func TestForgedManifestIsCaughtByAuditHashes(t *testing.T) {
	path, tr := writeBundle(t, "request")
	files := map[string][]byte{}
	var order []string
	zr, _ := zip.OpenReader(path)
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		files[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
		order = append(order, zf.Name)
	}
	zr.Close()
	var m evidence.Manifest
	if err := json.Unmarshal(files[evidence.ManifestName], &m); err != nil {
		t.Fatal(err)
	}
	// Rename the document, in the documents list and in its audit entry.
	for i := range m.Documents {
		if m.Documents[i].ID == tr.DocumentID {
			m.Documents[i].Filename = "innocuous.pdf"
		}
	}
	for i, e := range m.Audit {
		if e.Entity == "document" && e.EntityID == tr.DocumentID && e.Action == "create" {
			o := e.Opened["after.filename"]
			o.Value = json.RawMessage(`"innocuous.pdf"`)
			m.Audit[i].Opened["after.filename"] = o
		}
	}
	mj, _ := json.MarshalIndent(m, "", "  ")
	files[evidence.ManifestName] = mj
	// …and recompute SHA256SUMS so the file hashes agree.
	var sums strings.Builder
	for _, name := range order {
		if name == evidence.SumsName {
			continue
		}
		sums.WriteString(sha(files[name]) + "  " + name + "\n")
	}
	files[evidence.SumsName] = []byte(sums.String())
	out := filepath.Join(t.TempDir(), "forged.zip")
	f, _ := os.Create(out)
	zw := zip.NewWriter(f)
	for _, name := range order {
		w, _ := zw.Create(name)
		w.Write(files[name])
	}
	zw.Close()
	f.Close()
	r := mustVerify(t, out)
	if r.OK() {
		t.Fatal("forged manifest verifies")
	}
	found := false
	for _, p := range r.Problems {
		if p.File == evidence.ManifestName && strings.Contains(p.Detail, "(create document "+itoa(tr.DocumentID)+"): after.filename does not open its commitment") {
			found = true
		}
	}
	if !found {
		t.Errorf("forged audit entry not caught: %v", r.Problems)
	}
}
