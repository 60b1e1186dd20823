package store_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// fillDatabase makes the writer's database full: SQLite itself then answers
// SQLITE_FULL, as it does when the disk is (max_page_count caps the file
// at its current size). undo lifts the cap.
func fillDatabase(t *testing.T, st *store.Store) (undo func()) {
	t.Helper()
	ctx := context.Background()
	err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `PRAGMA max_page_count = 1`) // never below the file's size: it stops at it
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`)
			return err
		})
	}
}

// A full database is one clear error (no_space, "nothing was saved"), the
// transaction is rolled back whole, and writing works again once there is room.
func TestDiskFullDatabaseIsOneClearError(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	undo := fillDatabase(t, st)
	long := strings.Repeat("a long note that needs new pages ", 400)
	var err error
	for i := 0; i < 50 && err == nil; i++ { // until the free pages are used up
		r := tracker.Request{Title: "Request", AuthorityID: a.ID, Body: long}
		err = st.CreateRequest(ctx, &r, tracker.Date{})
	}
	if tracker.ErrorCode(err) != tracker.ENOSPACE || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("write on a full database: code %q, %v", tracker.ErrorCode(err), err)
	}
	before, _ := st.CountAuthorities(ctx)
	if err := st.CreateAuthority(ctx, &tracker.Authority{Name: "Another", Jurisdiction: tracker.JurisdictionEngland, Notes: long}); tracker.ErrorCode(err) != tracker.ENOSPACE {
		t.Fatalf("second write: %v", err)
	}
	if n, _ := st.CountAuthorities(ctx); n != before {
		t.Fatalf("a refused write left %d authorities, want %d", n, before)
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Fatalf("after refused writes: %v %v", p, err)
	}
	undo()
	if err := st.CreateAuthority(ctx, &tracker.Authority{Name: "Another", Jurisdiction: tracker.JurisdictionEngland}); err != nil {
		t.Fatalf("with room again: %v", err)
	}
}

// A stored file that does not fit (ENOSPC from the file system) is the same
// error, and leaves no partial file and no row. Needs a tiny tmpfs (root).
func TestDiskFullBlobIsOneClearError(t *testing.T) {
	dir := t.TempDir()
	mnt := filepath.Join(dir, "tiny")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("no tiny file system to fill (mount needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	st := MustOpenDB(t)
	ctx := context.Background()
	st.BlobDir = mnt
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Request", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r.ID, Filename: "big.bin", Disposition: tracker.DispositionReleased}
	err := st.AddDocument(ctx, &d, bytes.NewReader(bytes.Repeat([]byte("x"), 1<<20)), 0)
	if tracker.ErrorCode(err) != tracker.ENOSPACE || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("file larger than the disk: code %q, %v", tracker.ErrorCode(err), err)
	}
	if docs, _ := st.Documents(ctx, store.DocumentFilter{RequestID: r.ID}); len(docs) != 0 {
		t.Fatalf("%d documents after a refused upload", len(docs))
	}
	ents, _ := os.ReadDir(mnt)
	for _, e := range ents {
		t.Errorf("left in the blob directory: %s", e.Name())
	}
}

// A batch of blobs that does not fit is the same clear error, and leaves no
// file of the batch behind: none has a row, so none may stay.
func TestDiskFullBlobBatchIsOneClearError(t *testing.T) {
	dir := t.TempDir()
	mnt := filepath.Join(dir, "tiny")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("no tiny file system to fill (mount needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	st := MustOpenDB(t)
	st.BlobDir = mnt
	var batch [][]byte
	for i := 0; i < 8; i++ {
		batch = append(batch, bytes.Repeat([]byte{byte('a' + i)}, 64<<10)) // 512 KiB in all
	}
	_, err := st.WriteBlobs(batch)
	if tracker.ErrorCode(err) != tracker.ENOSPACE || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("batch larger than the disk: code %q, %v", tracker.ErrorCode(err), err)
	}
	filepath.WalkDir(mnt, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			t.Errorf("left in the blob directory: %s", p)
		}
		return nil
	})
	// With room, the same batch is stored, each blob under its hash.
	sums, err := st.WriteBlobs(batch[:2])
	if err != nil || len(sums) != 2 {
		t.Fatalf("with room: %v %v", sums, err)
	}
	for _, sum := range sums {
		if err := st.VerifyBlob(sum); err != nil {
			t.Error(err)
		}
	}
}
