package foldercopy

import (
	"os"
	"path/filepath"
	"testing"
)

// A copy holds every file and folder with its content and permissions, and
// is independent of the folder read and of the other copies.
func TestCopiesAreTheFolder(t *testing.T) {
	src := t.TempDir()
	for _, d := range []string{"blobs", "blobs/ab", "blobs/ab/cd"} {
		if err := os.Mkdir(filepath.Join(src, d), 0o750); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(src, d), 0o750) // whatever the umask
	}
	files := map[string]string{"db": "database", "blobs/ab/cd/x": "blob", "blobs/ab/empty": ""}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(src, name), 0o600)
	}
	if err := os.Symlink("db", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(src); err == nil {
		t.Fatal("a folder with a link was read")
	}
	os.Remove(filepath.Join(src, "link"))
	f, err := Read(src)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "db"), []byte("changed after the read"), 0o600)
	for range 2 {
		dst := filepath.Join(t.TempDir(), "copy")
		if err := f.WriteTo(dst); err != nil {
			t.Fatal(err)
		}
		var got []string
		filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			if p == dst {
				return nil // made by WriteTo with the umask's permissions
			}
			rel, _ := filepath.Rel(dst, p)
			info, _ := d.Info()
			got = append(got, rel+" "+info.Mode().String())
			return nil
		})
		want := []string{"blobs drwxr-x---", "blobs/ab drwxr-x---", "blobs/ab/cd drwxr-x---", "blobs/ab/cd/x -rw-------", "blobs/ab/empty -rw-------", "db -rw-------"}
		if len(got) != len(want) {
			t.Fatalf("copy holds %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("copy holds %s, want %s", got[i], want[i])
			}
		}
		for name, content := range files {
			if b, err := os.ReadFile(filepath.Join(dst, name)); err != nil || string(b) != content {
				t.Errorf("%s in the copy: %q %v, want %q", name, b, err, content)
			}
		}
		os.WriteFile(filepath.Join(dst, "db"), []byte("changed in a copy"), 0o600)
	}
}
