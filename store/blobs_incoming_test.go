package store

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Partial blob files of a killed run are removed when the store is next
// opened, and counted; those a live process is still writing stay.
func TestOpenRemovesPartialBlobsOfAKilledRun(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("processes are not asked on Windows: only the age rule applies")
	}
	dir := t.TempDir()
	st, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	// A pid that no longer runs: a process that has exited.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run a process to get a dead pid:", err)
	}
	dead := cmd.Process.Pid
	blobs := filepath.Join(dir, "blobs")
	write := func(name string, age time.Duration) {
		p := filepath.Join(blobs, name)
		if err := os.WriteFile(p, []byte("partial"), 0o640); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		os.Chtimes(p, old, old)
	}
	write(".incoming-"+strconv.Itoa(dead)+"-123", 0)       // its writer was killed
	write(".incoming-4567890", 2*time.Hour)                // an older version's, untouched for hours
	write(".incoming-"+strconv.Itoa(os.Getppid())+"-9", 0) // a live process is writing it
	write(".incoming-"+strconv.Itoa(os.Getpid())+"-8", 0)  // this process is writing it
	write(".incoming-2345678", time.Minute)                // unknown writer, recent: left for now
	write("not-incoming", 2*time.Hour)                     // not ours to judge

	st, err = Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Incoming.Removed != 2 || st.Incoming.RemovedBytes != 14 || st.Incoming.Kept != 3 {
		t.Fatalf("cleanup: %+v", st.Incoming)
	}
	for name, want := range map[string]bool{
		".incoming-" + strconv.Itoa(dead) + "-123": false, ".incoming-4567890": false,
		".incoming-" + strconv.Itoa(os.Getppid()) + "-9": true, ".incoming-2345678": true, "not-incoming": true,
	} {
		_, err := os.Stat(filepath.Join(blobs, name))
		if (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", name, err == nil, want)
		}
	}
	// A blob written now is named with this process's pid while it is written.
	if sum, _, err := st.WriteBlob(strings.NewReader("content"), 0); err != nil || sum == "" {
		t.Fatal(err)
	}
}
