// Package foldercopy keeps a folder's files in memory, to write copies of
// it: tests that need the same prepared data folder (a seeded database and
// its blob files) prepare it once per process and each opens its own copy.
package foldercopy

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Folder is the files and folders below a folder, by their paths inside it.
type Folder struct {
	files map[string][]byte
	modes map[string]fs.FileMode
}

// Read reads every file and folder below dir; anything else (a link, a
// socket) is an error.
func Read(dir string) (*Folder, error) {
	f := &Folder{files: map[string][]byte{}, modes: map[string]fs.FileMode{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
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
		f.modes[rel] = info.Mode()
		switch {
		case d.IsDir():
			return nil
		case !info.Mode().IsRegular():
			return fmt.Errorf("foldercopy: %s is neither a file nor a folder", p)
		}
		f.files[rel], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// WriteTo writes a copy of the folder into dir (made if need be), each file
// and folder with the permissions it had.
func (f *Folder) WriteTo(dir string) error {
	paths := make([]string, 0, len(f.modes))
	for rel := range f.modes {
		paths = append(paths, rel)
	}
	sort.Strings(paths) // a folder before what is in it
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	for _, rel := range paths {
		p, mode := filepath.Join(dir, rel), f.modes[rel]
		var err error
		if mode.IsDir() {
			err = os.Mkdir(p, mode.Perm())
		} else {
			err = os.WriteFile(p, f.files[rel], mode.Perm())
		}
		if err != nil {
			return err
		}
		if err := os.Chmod(p, mode.Perm()); err != nil { // whatever the umask
			return err
		}
	}
	return nil
}
