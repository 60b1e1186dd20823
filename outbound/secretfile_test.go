package outbound_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/secrets"
	"github.com/foitrack/foitrack/outbound"
)

// The SMTP password file: a bare name inside the secrets directory, never a
// path an admin types that reaches other files.
func TestSMTPPasswordFileOnlyInsideSecretsDir(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "smtp"), []byte("pw1\n"), 0o600)
	os.WriteFile(filepath.Join(outside, "environ"), []byte("AWS_SECRET=x\n"), 0o600)
	os.Symlink(filepath.Join(outside, "environ"), filepath.Join(dir, "link-out"))
	t.Setenv(secrets.EnvDir, dir)
	base := outbound.Settings{Host: "smtp.example.org", From: "foi@example.org", Username: "u"}

	ok := base
	ok.PasswordFile = "smtp"
	c, err := ok.Resolve(func(string) string { return "" })
	if err != nil || c.Password != "pw1" {
		t.Fatalf("file in the secrets directory: %q, %v", c.Password, err)
	}
	for _, name := range []string{filepath.Join(outside, "environ"), "/proc/self/environ", "../x/environ", "link-out"} {
		s := base
		s.PasswordFile = name
		c, err := s.Resolve(func(string) string { return "" })
		if err == nil {
			t.Errorf("%q: read %q", name, c.Password)
		} else if strings.Contains(err.Error(), "AWS") || strings.Contains(err.Error(), "no such file") {
			t.Errorf("%q: error says too much: %v", name, err)
		}
	}
}
