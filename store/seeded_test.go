package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
)

// seededFolders are data folders seed.Run has filled, kept as their files'
// contents (by path inside the folder) once per test process and options.
//
// Why: several tests read the same seeded database (the same options, the
// same seed), and seeding is most of what each cost under -race; each now
// opens its own copy of the folder the first of them seeded.
var seededFolders struct {
	sync.Mutex
	byOptions map[string]*seededFolder
}

type seededFolder struct {
	once  sync.Once
	files map[string][]byte
	modes map[string]fs.FileMode
	err   error
}

// seededDB opens, for the test, a copy of a data folder seeded with o
// (o.Progress and o.IndexProgress unset): the database and blob files as
// seed.Run on a new store left them.
func seededDB(t testing.TB, o seed.Options) *store.Store {
	t.Helper()
	if o.Progress != nil || o.IndexProgress != nil {
		t.Fatal("seededDB: options with progress callbacks")
	}
	key := fmt.Sprintf("%d/%d/%d/%s/%s", o.Requests, o.Messages, o.Seed, o.End, o.Password)
	seededFolders.Lock()
	if seededFolders.byOptions == nil {
		seededFolders.byOptions = map[string]*seededFolder{}
	}
	f := seededFolders.byOptions[key]
	if f == nil {
		f = &seededFolder{}
		seededFolders.byOptions[key] = f
	}
	seededFolders.Unlock()
	f.once.Do(func() { f.files, f.modes, f.err = seedFolder(o) })
	if f.err != nil {
		t.Fatalf("seeding %+v: %v", o, f.err)
	}
	dir := t.TempDir()
	for rel, mode := range f.modes { // the folders first, with their modes
		if mode.IsDir() {
			if err := os.MkdirAll(filepath.Join(dir, rel), mode.Perm()); err != nil {
				t.Fatal(err)
			}
		}
	}
	for rel, data := range f.files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, f.modes[rel].Perm()); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seedFolder seeds a new data folder with o, closes its store and reads
// every file and folder in it.
func seedFolder(o seed.Options) (map[string][]byte, map[string]fs.FileMode, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "foitrack-seeded-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	if _, err := seed.Run(ctx, st, o); err != nil {
		st.Close()
		return nil, nil, err
	}
	if err := st.Close(); err != nil {
		return nil, nil, err
	}
	files, modes := map[string][]byte{}, map[string]fs.FileMode{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		modes[rel] = info.Mode()
		if d.IsDir() {
			return nil
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", rel)
		}
		files[rel], err = os.ReadFile(p)
		return err
	})
	return files, modes, err
}
