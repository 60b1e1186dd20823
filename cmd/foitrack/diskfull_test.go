package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	var csv strings.Builder
	csv.WriteString("Name,Short name,URL name,Tags,Home page,Notes\n")
	notes := strings.Repeat("x", 2000)
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&csv, "Council %d,,council_%d,local_council,https://example.gov.uk,%s\n", i, i, notes)
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
	os.WriteFile(big, []byte(strings.Repeat(notes, 2500)), 0o600) // 5 MB
	code, _, errs = cli(t, mnt, "document", "add", "--request", "1", "--file", big)
	if code != 1 || !strings.Contains(errs, "No space left on device: nothing was saved") {
		t.Fatalf("document add onto a full disk: exit %d, stderr %q", code, errs)
	}
}
