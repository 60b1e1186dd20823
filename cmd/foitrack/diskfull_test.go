package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A full disk on the command line: exit status 1 and one clear sentence,
// not a stack of driver errors. Needs a tiny tmpfs to fill (root).
func TestDiskFullCLIExitsWithClearMessage(t *testing.T) {
	mnt := filepath.Join(t.TempDir(), "tiny")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("no tiny file system to fill (mount needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	if code, out, errs := cli(t, mnt, "authority", "add", "--name", "Barsetshire County Council"); code != 0 { // creates the database while there is room
		t.Fatalf("authority list: exit %d %s %s", code, out, errs)
	}
	// Leave 4 MiB free: room for the first batch of the import (1000 rows,
	// about 1 KiB each with their audit entries, in the WAL and then the
	// database), not for all 10,000 rows. (Sizing the rows so that the disk
	// filled after a few batches depended on how many rows a batch held in
	// its 200 ms, that is on the machine's speed.)
	var fs syscall.Statfs_t
	if err := syscall.Statfs(mnt, &fs); err != nil {
		t.Fatal(err)
	}
	if free := int64(fs.Bavail) * int64(fs.Bsize); free > 4<<20 {
		if err := os.WriteFile(filepath.Join(mnt, "filler"), make([]byte, free-4<<20), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var csv strings.Builder
	csv.WriteString("Name,Short name,URL name,Tags,Home page,Notes\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&csv, "Council %d,,council_%d,local_council,https://example.gov.uk,slow to answer\n", i, i)
	}
	p := filepath.Join(t.TempDir(), "big.csv")
	os.WriteFile(p, []byte(csv.String()), 0o600)
	code, _, errs := cli(t, mnt, "authority", "import", p)
	// The import writes in batches: those before the full disk stay, and
	// the message says so rather than "nothing was saved".
	if code != 1 || !strings.Contains(errs, "No space left on device") || !strings.Contains(errs, "import the file again to finish") {
		t.Fatalf("import onto a full disk: exit %d, stderr %q", code, errs)
	}
	// A document that does not fit saves nothing, and says so.
	big := filepath.Join(t.TempDir(), "reply.bin")
	os.WriteFile(big, []byte(strings.Repeat("x", 5<<20)), 0o600) // 5 MiB
	code, _, errs = cli(t, mnt, "document", "add", "--request", "1", "--file", big)
	if code != 1 || !strings.Contains(errs, "No space left on device: nothing was saved") {
		t.Fatalf("document add onto a full disk: exit %d, stderr %q", code, errs)
	}
}
