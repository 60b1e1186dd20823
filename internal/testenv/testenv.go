// Package testenv holds what tests need from the machine: external programs
// (Dovecot, Chromium) and the shared real-world corpus. Locally a missing
// component skips the test with the command that installs it; under CI=true it
// fails the test, because a suite that silently skips proves nothing.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing skips t locally, or fails it in CI, saying what is missing.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is missing, and CI=true forbids skipping (install: %s)", what, install)
	}
	t.Skipf("%s is missing; install it with: %s (run `make test`, which does)", what, install)
}

// LookPath returns the first of the given programs found on PATH (or as an
// absolute path), or skips/fails the test.
func LookPath(t testing.TB, install string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Missing(t, names[0], install)
	return ""
}

// RepoRoot is the module root (where go.mod is).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir returns ../shared/<sub> beside the repository, skipping the test
// when it is absent (failing under CI=true, where it is always provided).
func SharedDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(), "..", "shared", sub)
	if env := os.Getenv("FOITRACK_SHARED"); env != "" {
		dir = filepath.Join(env, sub)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		Missing(t, "the shared real-world corpus "+dir, "a checkout with ../shared beside it, or FOITRACK_SHARED=/path/to/shared")
	}
	return dir
}
