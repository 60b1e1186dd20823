package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestLitestreamReplicaRestores tries the README's Litestream recipe: a
// file replica of a live database, restored into a new data directory that
// passes audit verify with every request written before the restore. It
// needs a litestream binary on the PATH (or $LITESTREAM) and is skipped
// without one, also under CI: Litestream is an operator's choice, not a
// dependency of foitrack.
func TestLitestreamReplicaRestores(t *testing.T) {
	bin := os.Getenv("LITESTREAM")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("litestream"); err != nil {
			t.Skip("no litestream binary on the PATH")
		}
	}
	dir := t.TempDir()
	replica := filepath.Join(t.TempDir(), "replica")
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
	cfg := filepath.Join(t.TempDir(), "litestream.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("dbs:\n  - path: %s\n    replicas:\n      - type: file\n        path: %s\n        sync-interval: 100ms\n",
		live.Path(), replica)), 0o600)
	cmd := exec.Command(bin, "replicate", "-config", cfg)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	const n = 20
	for i := 0; i < n; i++ {
		r := tracker.Request{Title: fmt.Sprintf("Request %d", i), AuthorityID: a.ID}
		if err := live.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
			t.Fatal(err)
		}
	}
	// Restore until the replica has caught up with every request (the
	// replica is written asynchronously).
	var got int
	for attempt := 0; attempt < 100; attempt++ {
		target := filepath.Join(t.TempDir(), "restored")
		os.MkdirAll(target, 0o750)
		out, err := exec.Command(bin, "restore", "-config", cfg, "-o", filepath.Join(target, store.DefaultDBName), live.Path()).CombinedOutput()
		if err == nil {
			st, err := store.Open(ctx, target)
			if err != nil {
				t.Fatalf("the restored database does not open: %v", err)
			}
			reqs, err := st.Requests(ctx, store.RequestFilter{})
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			if got = len(reqs); got == n {
				mustCLI(t, target, "audit", "verify")
				return
			}
		} else if attempt == 99 {
			t.Logf("litestream restore: %v\n%s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the replica never held all %d requests (last restore: %d)\nlitestream:\n%s", n, got, logs.String())
}
