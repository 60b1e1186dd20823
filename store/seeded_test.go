package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/internal/foldercopy"
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
	once   sync.Once
	folder *foldercopy.Folder
	err    error
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
	f.once.Do(func() { f.folder, f.err = seedFolder(o) })
	if f.err != nil {
		t.Fatalf("seeding %+v: %v", o, f.err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := f.folder.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seedFolder seeds a new data folder with o, closes its store and reads
// the folder.
func seedFolder(o seed.Options) (*foldercopy.Folder, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "foitrack-seeded-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	if _, err := seed.Run(ctx, st, o); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	return foldercopy.Read(dir)
}
