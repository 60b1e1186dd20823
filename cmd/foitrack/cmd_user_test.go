package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack/store"
)

func TestUserAddReadsThePasswordNeverFromAFlag(t *testing.T) {
	old := store.PasswordCost
	store.PasswordCost = bcrypt.MinCost
	t.Cleanup(func() { store.PasswordCost = old })
	dir := t.TempDir()

	// From a file.
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("first admin password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, dir, "user", "add", "--admin", "--email", "Admin@Example.org", "--name", "Ada", "--password-file", pwFile)
	if !strings.Contains(out, "admin@example.org (admin)") {
		t.Fatalf("output %q", out)
	}
	// From standard input (not a terminal here).
	var stdout, stderr bytes.Buffer
	code := run([]string{"--data", dir, "user", "add", "--email", "viewer@example.org", "--role", "viewer"},
		strings.NewReader("viewer password ok\n"), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// A --password flag does not exist; a short password and a bad role are refused.
	if code, _, errs := cli(t, dir, "user", "add", "--email", "x@example.org", "--password", "secret secret"); code != 2 || !strings.Contains(errs, "password") {
		t.Errorf("--password: exit %d, %s", code, errs)
	}
	if code, _, errs := cli(t, dir, "user", "add", "--email", "y@example.org", "--password-file", "-"); code != 1 || !strings.Contains(errs, "no password") {
		t.Errorf("empty stdin: exit %d, %s", code, errs)
	}
	shortFile := filepath.Join(t.TempDir(), "short")
	os.WriteFile(shortFile, []byte("short"), 0o600)
	if code, _, errs := cli(t, dir, "user", "add", "--email", "z@example.org", "--password-file", shortFile); code != 1 || !strings.Contains(errs, "at least 10 characters") {
		t.Errorf("short password: exit %d, %s", code, errs)
	}
	if code, _, _ := cli(t, dir, "user", "add", "--email", "w@example.org", "--role", "boss", "--password-file", pwFile); code != 2 {
		t.Errorf("bad role: exit %d", code)
	}

	list := mustCLI(t, dir, "user", "list")
	for _, want := range []string{"admin@example.org", "Ada", "admin", "viewer@example.org", "viewer", "never"} {
		if !strings.Contains(list, want) {
			t.Errorf("user list does not show %q:\n%s", want, list)
		}
	}
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Authenticate(context.Background(), "admin@example.org", "first admin password"); err != nil {
		t.Errorf("the admin cannot sign in with the password from the file: %v", err)
	}
	if _, err := st.Authenticate(context.Background(), "viewer@example.org", "viewer password ok"); err != nil {
		t.Errorf("the viewer cannot sign in with the password from stdin: %v", err)
	}

	// user password: a new one from the file, the old one stops working.
	newFile := filepath.Join(t.TempDir(), "new")
	os.WriteFile(newFile, []byte("a brand new password"), 0o600)
	mustCLI(t, dir, "user", "password", "--email", "viewer@example.org", "--password-file", newFile)
	if _, err := st.Authenticate(context.Background(), "viewer@example.org", "viewer password ok"); err == nil {
		t.Error("the old password still works")
	}
	if _, err := st.Authenticate(context.Background(), "viewer@example.org", "a brand new password"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
}
