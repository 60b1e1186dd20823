package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestRestoreRemovesAKilledRestoresFolder: a restore killed outright
// leaves .<target>.restoring-<pid>-… beside the target; the next restore
// removes it, and leaves a live process's alone.
func TestRestoreRemovesAKilledRestoresFolder(t *testing.T) {
	ctx := WithActor(context.Background(), "test")
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if _, err := st.Backup(ctx, &archive, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()
	parent := t.TempDir()
	dead := filepath.Join(parent, ".data.restoring-999999999-1") // no such process
	live := filepath.Join(parent, ".data.restoring-1-2")         // pid 1 runs
	for _, d := range []string{dead, live} {
		if err := os.MkdirAll(filepath.Join(d, "blobs"), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Restore(ctx, &archive, filepath.Join(parent, "data")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); err == nil {
		t.Errorf("a killed restore's folder is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live restore's folder was removed: %v", err)
	}
}
