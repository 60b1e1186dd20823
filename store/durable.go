package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
)

// Durability. The writer runs SQLite in WAL mode with synchronous=NORMAL: a
// commit is safe from a crash of the process (kill -9) at once, and from a
// power cut or an OS crash once the WAL is synced (at the next checkpoint).
// That is the usual trade for a web app; where something outside foitrack is
// changed because a write was committed — mail moved out of the inbox once
// it is stored — Flush is called first, so that a power cut cannot take back
// a commit the outside world has acted on. Blob files and their directory
// entries are synced before their rows are committed (WriteBlob).

// flushes counts the Flush calls that synced (see Flushes).
var flushes atomic.Int64

// Flush makes every commit so far durable: it syncs the database's WAL
// file (and the data directory, which holds its entry) to the disk.
func (s *Store) Flush() error {
	if s.path == "" || s.path == ":memory:" {
		return nil
	}
	for _, p := range []string{s.path + "-wal", s.path, filepath.Dir(s.path)} {
		if err := syncPath(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return noSpace(fmt.Errorf("store: unable to make the last writes durable: %w", err))
		}
	}
	flushes.Add(1)
	return nil
}

// Flushes is how many times Flush has synced in this process (tests check
// that an outside change waits for one).
func Flushes() int64 { return flushes.Load() }

// syncPath fsyncs a file or a directory.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
