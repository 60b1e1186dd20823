//go:build unix

package mailsync

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// The sync lock is held by one holder at a time, names the holder to the
// others, and is free again once released (the kernel also frees it when
// the holder dies, which is why it is a file lock and not a row).
func TestSyncFileLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "foitrack.db.sync-lock")
	release, err := lockSyncFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A second open of the file is another holder, as another process would be.
	if _, err := lockSyncFile(path); tracker.ErrorCode(err) != tracker.ECONFLICT ||
		!strings.Contains(tracker.ErrorMessage(err), "another foitrack process (pid ") {
		t.Fatalf("second holder: %v, want a conflict naming the pid", err)
	}
	release()
	release2, err := lockSyncFile(path)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	release2()
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("the released lock still names a holder: %q", b)
	}
}
