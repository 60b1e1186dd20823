package mailsync

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/secrets"
)

// An admin names the password file in a web form: it must never read a file
// outside the secrets directory the operator named at start-up, and its
// error must not say whether some other path exists.
func TestPasswordFileOnlyInsideSecretsDir(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "imap"), []byte("s3cret\nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "shadow"), []byte("root:secret-hash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "shadow"), filepath.Join(dir, "link-out")); err != nil {
		t.Fatal(err)
	}
	t.Setenv(secrets.EnvDir, dir)

	pw, err := (Config{PasswordFile: "imap"}).Password()
	if err != nil || pw != "s3cret" {
		t.Fatalf("a file in the secrets directory: %q, %v", pw, err)
	}
	for _, name := range []string{filepath.Join(outside, "shadow"), "/etc/hostname", "../" + filepath.Base(outside) + "/shadow", "link-out", "sub/../imap"} {
		c := Config{Host: "imap.example.org", Username: "u", PasswordFile: name}
		c.applyDefaults()
		if err := c.Validate(); name != "link-out" && err == nil {
			t.Errorf("%q: accepted as a password file setting", name)
		}
		pw, err := c.Password()
		if err == nil {
			t.Errorf("%q: read %q", name, pw)
			continue
		}
		if strings.Contains(err.Error(), "root:") || strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "permission") {
			t.Errorf("%q: error says too much: %v", name, err)
		}
	}
	// A missing file and a file outside answer alike.
	_, errMissing := (Config{PasswordFile: filepath.Join(outside, "nothing-here")}).Password()
	_, errExists := (Config{PasswordFile: filepath.Join(outside, "shadow")}).Password()
	if errMissing == nil || errExists == nil || strings.ReplaceAll(errMissing.Error(), "nothing-here", "X") != strings.ReplaceAll(errExists.Error(), "shadow", "X") {
		t.Errorf("errors differ for a missing and an existing path outside:\n%v\n%v", errMissing, errExists)
	}
	// No secrets directory named: no file is read at all.
	t.Setenv(secrets.EnvDir, "")
	if _, err := (Config{PasswordFile: "imap"}).Password(); err == nil {
		t.Error("read a password file with no secrets directory set")
	}
}
