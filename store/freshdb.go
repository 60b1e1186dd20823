package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// freshImage is an empty database at the latest schema version, kept by a
// process that has created one, so that the next data folder it creates
// starts from a copy rather than running every schema section again.
//
// Why: applying the sections costs far more than their size suggests, since
// each ALTER TABLE makes SQLite parse the whole schema again; a process that
// makes many data folders (the test suites: one per test) spent most of its
// time there. A server or command creates at most one, so for them nothing
// changes: the first fresh database of a process is always migrated section
// by section, and only its result is copied.
var freshImage struct {
	sync.Mutex
	data []byte
}

// freshImagePrefix names the temporary files beside the database while an
// image is written or taken; RemoveLeftovers-style cleanup is not needed:
// each is removed on every path, and a kill leaves only a dot-file that is
// never read.
const freshImagePrefix = ".fresh-image-"

// placeFreshImage writes the kept image as path when path does not exist
// yet; it reports whether it did. The image is written under a temporary
// name and renamed, so a crash leaves either no database or a whole one.
func placeFreshImage(path string) (bool, error) {
	freshImage.Lock()
	data := freshImage.data
	freshImage.Unlock()
	if data == nil {
		return false, nil
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return false, nil // there is a database (or the check failed: open it as usual)
	}
	f, err := os.CreateTemp(filepath.Dir(path), freshImagePrefix+"*")
	if err != nil {
		return false, fmt.Errorf("store: unable to create the database: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return false, fmt.Errorf("store: unable to create the database: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return false, fmt.Errorf("store: unable to create the database: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return false, fmt.Errorf("store: unable to create the database: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("store: unable to create the database: %w", err)
	}
	// Link, not rename: it fails rather than replace a database another
	// process created meanwhile.
	// Where links are not supported, the database is migrated as usual.
	if err := os.Link(tmp, path); err != nil {
		return false, nil
	}
	return true, nil
}

// keepFreshImage copies the database db has just created and migrated to
// the latest version (and holds nothing else) into freshImage.
func keepFreshImage(ctx context.Context, db *sql.DB, dir string) error {
	freshImage.Lock()
	defer freshImage.Unlock()
	if freshImage.data != nil {
		return nil
	}
	tmp := filepath.Join(dir, freshImagePrefix+"copy.db")
	os.Remove(tmp)
	defer os.Remove(tmp)
	// VACUUM INTO writes a whole, standalone copy (no WAL beside it).
	if _, err := db.ExecContext(ctx, `VACUUM INTO '`+strings.ReplaceAll(tmp, "'", "''")+`'`); err != nil {
		return fmt.Errorf("store: unable to copy the new database: %w", err)
	}
	data, err := os.ReadFile(tmp)
	if err != nil {
		return fmt.Errorf("store: unable to copy the new database: %w", err)
	}
	freshImage.data = data
	return nil
}
