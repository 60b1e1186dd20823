package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
)

// A batch of blobs (the raw messages of one FETCH) is written as one: every
// file written under a temporary name, all of them synced, renamed to their
// hashes, and the new names synced, before WriteBlobs returns. The rule is
// WriteBlob's (a name is only ever given to a complete, synced file, and the
// name is synced before any row naming it can commit); the syncs are per
// batch instead of two per blob. On Linux each of the two is one syncfs of
// the blob directory's file system, which also covers the subdirectories a
// batch makes and a blob another writer has just renamed into place.

// incomingSeq numbers this process's blob files being written: a name of
// its own per file, without os.CreateTemp's random names tried in turn.
var incomingSeq atomic.Uint64

// incomingName is a new name for a blob file this process is writing.
func incomingName() string {
	return incomingPrefix + strconv.Itoa(os.Getpid()) + "-b" + strconv.FormatUint(incomingSeq.Add(1), 10)
}

// WriteBlobs stores each of contents as a blob and returns their sha256s,
// in order. When it returns, every file and its name is synced (see above);
// rows naming them are added by PutBlob inside a transaction. On error no
// row can name any of them, and the files written are removed or left for
// the next Open to remove.
func (s *Store) WriteBlobs(contents [][]byte) (sums []string, err error) {
	defer func() { err = noSpace(err) }()
	sums = make([]string, len(contents))
	type pending struct{ tmp, dst string }
	var todo []pending
	defer func() {
		for _, p := range todo {
			if p.tmp != "" {
				os.Remove(p.tmp)
			}
		}
	}()
	seen := make(map[string]bool, len(contents))
	var present, newDirs []string // final names there already; subdirectories made now
	for i, b := range contents {
		h := sha256.Sum256(b)
		sum := hex.EncodeToString(h[:])
		sums[i] = sum
		if seen[sum] {
			continue // the same content twice in the batch: one file
		}
		seen[sum] = true
		dst, _ := s.blobPath(sum)
		if _, err := os.Stat(dst); err == nil {
			present = append(present, dst) // same content already stored
			continue
		}
		if _, made := s.blobDirs.Load(filepath.Dir(dst)); !made {
			if err := os.Mkdir(filepath.Dir(dst), 0o750); err == nil {
				newDirs = append(newDirs, filepath.Dir(dst))
			} else if !errors.Is(err, fs.ErrExist) {
				return nil, fmt.Errorf("store: unable to create blob directory: %w", err)
			}
			s.blobDirs.Store(filepath.Dir(dst), true)
		}
		tmp := filepath.Join(s.BlobDir, incomingName())
		if err := writeNewFile(tmp, b); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("store: unable to write blob: %w", err)
		}
		todo = append(todo, pending{tmp, dst})
	}
	// The content first: a file gets its final name only once it is synced.
	tmps := make([]string, len(todo))
	for i, p := range todo {
		tmps[i] = p.tmp
	}
	if err := s.syncBlobFiles(tmps); err != nil {
		return nil, fmt.Errorf("store: unable to sync blob: %w", err)
	}
	dirs := map[string]bool{}
	for i := range todo {
		if err := os.Rename(todo[i].tmp, todo[i].dst); err != nil {
			return nil, fmt.Errorf("store: unable to store blob: %w", err)
		}
		todo[i].tmp = ""
		dirs[filepath.Dir(todo[i].dst)] = true
	}
	// Then the names: the new ones, those of the subdirectories made, and
	// those found present (another writer may not have synced its rename yet).
	for _, p := range present {
		dirs[filepath.Dir(p)] = true
	}
	if len(newDirs) > 0 {
		dirs[s.BlobDir] = true
	}
	if len(dirs) > 0 {
		names := make([]string, 0, len(dirs))
		for d := range dirs {
			names = append(names, d)
		}
		if err := s.syncBlobFiles(names); err != nil {
			return nil, fmt.Errorf("store: unable to sync blob directory: %w", err)
		}
	}
	return sums, nil
}

// syncBlobFiles makes the content of the files (or the entries of the
// directories) at paths durable: with one syncfs of the blob directory's
// file system where there is one, or each in turn.
func (s *Store) syncBlobFiles(paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	if syncFS != nil {
		if s.OnBlobSync != nil {
			s.OnBlobSync([]string{s.BlobDir})
		}
		return syncFS(s.BlobDir)
	}
	if s.OnBlobSync != nil {
		s.OnBlobSync(paths)
	}
	for _, p := range paths {
		if err := syncPath(p); err != nil {
			return err
		}
	}
	return nil
}
