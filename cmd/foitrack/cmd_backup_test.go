package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestBackupUnderWriteLoadRestores: a backup taken while another store on
// the same data directory (serve, in real life) keeps adding requests and
// documents restores into a directory that passes audit verify and opens
// with every request of the snapshot; restore never overwrites.
func TestBackupUnderWriteLoadRestores(t *testing.T) {
	dir := t.TempDir()
	ctx := store.WithActor(context.Background(), "test")
	live, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: "uk-england"}
	if err := live.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	// A signing key for audit checkpoints: it must come back too.
	mustCLI(t, dir, "audit", "checkpoint")
	key, err := os.ReadFile(filepath.Join(dir, store.CheckpointKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var writes atomic.Int64
	stop := make(chan struct{})
	writeErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r := tracker.Request{Title: fmt.Sprintf("Request %d", i), AuthorityID: a.ID}
			if err := live.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
				writeErr <- err
				return
			}
			d := tracker.Document{RequestID: r.ID, Filename: fmt.Sprintf("reply-%d.txt", i), Disposition: tracker.DispositionReleased}
			if err := live.AddDocument(ctx, &d, strings.NewReader(fmt.Sprintf("reply number %d\n", i)), 0); err != nil {
				writeErr <- err
				return
			}
			writes.Add(1)
		}
	}()
	for writes.Load() < 5 {
		select {
		case err := <-writeErr:
			t.Fatal(err)
		default:
		}
	}
	archive := filepath.Join(t.TempDir(), "backup.tar.gz")
	out := mustCLI(t, dir, "backup", archive)
	close(stop)
	wg.Wait()
	select {
	case err := <-writeErr:
		t.Fatalf("writer: %v", err)
	default:
	}
	if !strings.Contains(out, "audit head entry") {
		t.Fatalf("backup: %s", out)
	}
	if writes.Load() < 5 {
		t.Fatalf("only %d writes", writes.Load())
	}

	restored := filepath.Join(t.TempDir(), "restored")
	code, out, errs := cli(t, restored, "restore", archive)
	if code != 0 || !strings.Contains(out, "chain intact") || !strings.Contains(out, "all intact") || !strings.Contains(out, "all match") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errs)
	}
	if got, err := os.ReadFile(filepath.Join(restored, store.CheckpointKeyFile)); err != nil || string(got) != string(key) {
		t.Fatalf("the checkpoint signing key was not restored: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(restored, store.CheckpointKeyFile)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("the restored signing key is %v", fi.Mode().Perm())
	}
	st, err := store.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reqs, err := st.Requests(ctx, store.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := st.Documents(ctx, store.DocumentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) < 5 || len(docs) < len(reqs)-1 {
		t.Fatalf("restored %d requests and %d documents", len(reqs), len(docs))
	}
	for _, d := range docs {
		f, err := st.OpenBlob(d.SHA256)
		if err != nil {
			t.Fatalf("document %d: %v", d.ID, err)
		}
		f.Close()
	}

	// Never over existing data; a damaged archive restores nothing.
	code, _, errs = cli(t, restored, "restore", archive)
	if code != 1 || !strings.Contains(errs, "not empty") {
		t.Fatalf("restore over data: exit %d %s", code, errs)
	}
	b, _ := os.ReadFile(archive)
	b[len(b)/2] ^= 0xff
	bad := filepath.Join(t.TempDir(), "bad.tar.gz")
	os.WriteFile(bad, b, 0o600)
	target := filepath.Join(t.TempDir(), "r2")
	if code, _, errs := cli(t, target, "restore", bad); code != 1 {
		t.Fatalf("damaged archive: exit %d %s", code, errs)
	}
	if _, err := os.Stat(target); err == nil {
		t.Fatalf("a failed restore left %s behind", target)
	}
}
