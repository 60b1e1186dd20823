package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeleteOnTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Borsetshire County Council")
	mustCLI(t, dir, "authority", "add", "--name", "Borsetshire County Council (again)")
	mustCLI(t, dir, "request", "add", "--authority", "1", "--title", "Grit bins")
	file := filepath.Join(t.TempDir(), "wrong.pdf")
	os.WriteFile(file, []byte("%PDF-1.4 wrong file"), 0o644)
	mustCLI(t, dir, "document", "add", "--request", "1", "--file", file)

	if out := mustCLI(t, dir, "document", "delete", "1"); !strings.Contains(out, "deleted document 1: wrong.pdf (request 1)") {
		t.Errorf("document delete said %q", out)
	}
	if code, _, stderr := cli(t, dir, "document", "delete", "1"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("deleting it again: exit %d, %q", code, stderr)
	}
	if code, _, stderr := cli(t, dir, "authority", "delete", "1"); code != 1 || !strings.Contains(stderr, "has 1 request") {
		t.Errorf("deleting an authority with a request: exit %d, %q", code, stderr)
	}
	if out := mustCLI(t, dir, "authority", "delete", "2"); !strings.Contains(out, "deleted authority 2: Borsetshire County Council (again)") {
		t.Errorf("authority delete said %q", out)
	}
	if code, _, _ := cli(t, dir, "authority", "delete", "two"); code != 2 {
		t.Errorf("a bad number: exit %d, want 2 (usage)", code)
	}
	if out := mustCLI(t, dir, "audit", "verify"); !strings.Contains(out, "all match") {
		t.Errorf("audit verify after the deletions:\n%s", out)
	}
}
