package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// versionImages are empty databases at past schema versions, each made
// once per test process from the one before it by one more schema
// section, as OpenWith with Options.SchemaVersion makes them.
//
// Why: applying the schema's sections is most of what opening a new
// database costs (each ALTER TABLE parses the whole schema again), about
// 10 s for all of them under -race on a loaded machine. The tests of an
// upgrade made their old database by running sections 1 to v again, each
// of them: TestUpgradeFromEveryVersionKeepsEveryRow once per past version.
// With the images, the sections run once for the whole package, and each
// test still upgrades its own copy from v to the latest.
var versionImages struct {
	sync.Mutex
	data map[int][]byte
}

// OpenAtVersion is OpenWith(ctx, dir, Options{SchemaVersion: v}) for a data
// folder with no database yet: the database it opens is a copy of an
// empty one at version v, migrated section by section once per process.
func OpenAtVersion(ctx context.Context, t testing.TB, dir string, v int) (*Store, error) {
	t.Helper()
	img, err := versionImage(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, DefaultDBName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatalf("OpenAtVersion wants a folder with no database: %v", err)
	}
	if _, err := f.Write(img); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return OpenWith(ctx, dir, Options{SchemaVersion: v})
}

// versionImage returns the image at version v, making it (and those
// between it and the highest one kept below it) if need be.
func versionImage(ctx context.Context, v int) ([]byte, error) {
	versionImages.Lock()
	defer versionImages.Unlock()
	if img, ok := versionImages.data[v]; ok {
		return img, nil
	}
	if versionImages.data == nil {
		versionImages.data = map[int][]byte{}
	}
	from := 0
	for u := v - 1; u > 0; u-- {
		if _, ok := versionImages.data[u]; ok {
			from = u
			break
		}
	}
	scratch, err := os.MkdirTemp("", "foitrack-version-images-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	if from > 0 {
		if err := os.WriteFile(filepath.Join(scratch, DefaultDBName), versionImages.data[from], 0o600); err != nil {
			return nil, err
		}
	}
	copyPath := filepath.Join(scratch, "copy.db")
	for u := from + 1; u <= v; u++ {
		s, err := OpenWith(ctx, scratch, Options{SchemaVersion: u})
		if err != nil {
			return nil, fmt.Errorf("a database at version %d: %w", u, err)
		}
		os.Remove(copyPath)
		// VACUUM INTO writes a whole, standalone copy (no WAL beside it),
		// user_version included, as keepFreshImage does.
		_, err = s.w.ExecContext(ctx, `VACUUM INTO '`+strings.ReplaceAll(copyPath, "'", "''")+`'`)
		s.Close()
		if err != nil {
			return nil, fmt.Errorf("copying the database at version %d: %w", u, err)
		}
		img, err := os.ReadFile(copyPath)
		if err != nil {
			return nil, err
		}
		versionImages.data[u] = img
	}
	return versionImages.data[v], nil
}
