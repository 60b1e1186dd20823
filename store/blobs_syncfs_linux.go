package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS syncs the whole file system holding dir (syncfs(2), which reports
// write errors since Linux 5.8).
var syncFS = func(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return &os.PathError{Op: "syncfs", Path: dir, Err: err}
	}
	return nil
}
