package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/foitrack/foitrack/tracker"
)

// Blob files are named by their sha256 only: no name a user or a mail sender
// chose ever reaches the file system.

// blobPath is where the content with the given hex sha256 lives.
func (s *Store) blobPath(sum string) (string, error) {
	if len(sum) != 64 {
		return "", tracker.Errorf(tracker.EINVALID, "invalid sha256 %q", sum)
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return "", tracker.Errorf(tracker.EINVALID, "invalid sha256 %q", sum)
	}
	return filepath.Join(s.BlobDir, sum[:2], sum), nil
}

// WriteBlob streams r (at most max bytes; 0 for no limit) into the blob
// store and returns its sha256 and size. The file is complete and synced
// before it gets its final name, so a row that names a blob never points at
// a partial file. Rows are added by PutBlob inside a transaction.
func (s *Store) WriteBlob(r io.Reader, max int64) (sum string, size int64, err error) {
	defer func() { err = noSpace(err) }()
	tmp, err := os.CreateTemp(s.BlobDir, incomingPattern())
	if err != nil {
		return "", 0, fmt.Errorf("store: unable to create blob file: %w", err)
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	size, err = io.Copy(io.MultiWriter(tmp, h), src)
	if err != nil {
		return "", 0, fmt.Errorf("store: unable to write blob: %w", err)
	}
	if max > 0 && size > max {
		return "", 0, tracker.Errorf(tracker.ETOOLARGE, "file too large: the limit is %d bytes", max)
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("store: unable to sync blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("store: unable to close blob: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst, _ := s.blobPath(sum)
	if _, err := os.Stat(filepath.Dir(dst)); err != nil {
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return "", 0, fmt.Errorf("store: unable to create blob directory: %w", err)
		}
		if err := syncPath(s.BlobDir); err != nil { // the new directory's entry
			return "", 0, fmt.Errorf("store: unable to sync blob directory: %w", err)
		}
	}
	if _, err := os.Stat(dst); err == nil {
		return sum, size, nil // same content already stored
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("store: unable to store blob: %w", err)
	}
	tmp = nil
	// The new name too is synced before the row naming it can commit: a
	// power cut must not leave a committed row and no file.
	if err := syncPath(filepath.Dir(dst)); err != nil {
		return "", 0, fmt.Errorf("store: unable to sync blob directory: %w", err)
	}
	return sum, size, nil
}

// WriteBlobBytes stores b like WriteBlob, without syncing the file and
// straight under its name (no temporary file renamed, no look first: a
// file of that name holds the same content already): for bulk generation
// of a development database (dev seed), where a power cut or a kill
// means building it again (a bulk load's database is refused after one,
// and a kill may leave a file cut short). The app's own writes use
// WriteBlob.
func (s *Store) WriteBlobBytes(b []byte) (sum string, err error) {
	h := sha256.Sum256(b)
	sum = hex.EncodeToString(h[:])
	dst, _ := s.blobPath(sum)
	if _, made := s.blobDirs.Load(filepath.Dir(dst)); !made {
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return "", fmt.Errorf("store: unable to create blob directory: %w", err)
		}
		s.blobDirs.Store(filepath.Dir(dst), true)
	}
	if err := writeNewFile(dst, b); errors.Is(err, fs.ErrExist) {
		return sum, nil // same content already stored
	} else if err != nil {
		os.Remove(dst)
		return "", fmt.Errorf("store: unable to write blob: %w", err)
	}
	return sum, nil
}

// PutBlob records a blob written by WriteBlob inside the transaction (a no-op
// when it is known already).
func (tx *Tx) PutBlob(sum string, size int64) error {
	if _, err := tx.s.blobPath(sum); err != nil {
		return err
	}
	_, err := tx.ExecContext(tx.ctx, `INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sum, size, ts(tx.now))
	if err != nil {
		return fmt.Errorf("store: unable to record blob: %w", err)
	}
	return nil
}

// OpenBlob opens stored content by sha256.
func (s *Store) OpenBlob(sum string) (*os.File, error) {
	p, err := s.blobPath(sum)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, tracker.Errorf(tracker.ENOTFOUND, "file %s… is missing from the blob store", sum[:12])
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to open blob: %w", err)
	}
	return f, nil
}

// VerifyBlob re-hashes a stored blob; it returns nil when the content still
// has the sha256 it is named by.
func (s *Store) VerifyBlob(sum string) error {
	f, err := s.OpenBlob(sum)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("store: unable to read blob %s: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("blob %s: content changed (now hashes to %s)", sum, got)
	}
	return nil
}
