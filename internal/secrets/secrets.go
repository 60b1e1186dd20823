// Package secrets reads passwords (IMAP, SMTP) from files in the one
// directory the operator names when foitrack starts (serve --secrets-dir, or
// FOITRACK_SECRETS_DIR). A setting an admin types in the web app names only
// a file in that directory: never a path, so no form can make the server
// read /etc/shadow or /proc/self/environ and send it to a mail server of the
// admin's choice, nor learn whether some path exists.
package secrets

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/foitrack/foitrack/tracker"
)

// EnvDir is the environment variable naming the secrets directory.
const EnvDir = "FOITRACK_SECRETS_DIR"

var (
	mu       sync.RWMutex
	override string
)

// SetDir names the secrets directory for this process (serve --secrets-dir);
// it wins over FOITRACK_SECRETS_DIR. The path is made absolute now, so that
// a later change of working directory does not move it.
func SetDir(dir string) error {
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("secrets directory %s: %w", dir, err)
		}
		dir = abs
	}
	mu.Lock()
	override = dir
	mu.Unlock()
	return nil
}

// Dir is the secrets directory ("" when none was named).
func Dir() string {
	mu.RLock()
	d := override
	mu.RUnlock()
	if d != "" {
		return d
	}
	return strings.TrimSpace(os.Getenv(EnvDir))
}

// CheckName says what is wrong with a password file setting, or "": it
// must be the bare name of a file in the secrets directory.
func CheckName(name string) string {
	switch {
	case name == "":
		return ""
	case filepath.IsAbs(name) || strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0):
		return "the name of a file in the secrets directory (no path: the operator sets the directory with --secrets-dir or " + EnvDir + ")"
	case name == "." || name == ".." || strings.HasPrefix(name, "."):
		return "the name of a file in the secrets directory (not starting with a dot)"
	case len(name) > 255:
		return "at most 255 characters"
	}
	return ""
}

// maxSecretBytes bounds what is read of a secret file.
const maxSecretBytes = 64 << 10

// ReadFirstLine reads the first line of the named file in the secrets
// directory; what names the secret in messages ("IMAP password"). Every
// failure to read gives the same message, whatever the cause (missing,
// unreadable, a symlink leading out, not a regular file): it must not tell
// anyone what exists on the server.
func ReadFirstLine(name, what string) (string, error) {
	dir := Dir()
	if dir == "" {
		return "", tracker.Errorf(tracker.EINVALID,
			"the %s file %q cannot be read: no secrets directory is set (start foitrack with --secrets-dir DIR or %s=DIR)", what, name, EnvDir)
	}
	if msg := CheckName(name); msg != "" {
		return "", tracker.Errorf(tracker.EINVALID, "the %s file must be %s", what, msg)
	}
	fail := tracker.Errorf(tracker.EINVALID, "the %s file %q could not be read from the secrets directory", what, name)
	// os.Root refuses any path, through a symlink or otherwise, that leaves dir.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fail
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return "", fail
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", fail
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretBytes))
	if err != nil {
		return "", fail
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", tracker.Errorf(tracker.EINVALID, "the %s file %q in the secrets directory is empty", what, name)
	}
	return line, nil
}
