package store

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// A backup is a gzipped tar: foitrack.db (a consistent snapshot taken with
// VACUUM INTO while the app runs), the audit checkpoints' signing key when
// there is one, blobs/ab/<sha256> for every stored file the snapshot lists,
// and manifest.json last (what the archive holds, each
// file's sha256, and the audit head of the snapshot). Copying the data
// directory with cp while serve runs is not a backup: the database file and
// its WAL are copied at different moments and the copy can be malformed.

// BackupFormat names the archive layout in its manifest.
const BackupFormat = "foitrack-backup/1"

// BackupManifest is manifest.json in a backup.
type BackupManifest struct {
	Format        string       `json:"format"`
	CreatedAt     string       `json:"created_at"`
	SchemaVersion int          `json:"schema_version"`
	AuditHead     BackupHead   `json:"audit_head"`
	Files         []BackupFile `json:"files"`
}

// BackupHead is the audit log's last entry in the snapshot.
type BackupHead struct {
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
}

// BackupFile is one file of the archive.
type BackupFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Backup writes a backup of the store to w. It takes the database snapshot
// first (a read transaction: writers go on meanwhile), then copies the
// stored files the snapshot names (they are content-addressed and never
// rewritten, and each is on disk before the row that names it is
// committed). progress, when set, is called after each file.
func (s *Store) Backup(ctx context.Context, w io.Writer, progress func(done, total int)) (BackupManifest, error) {
	m := BackupManifest{Format: BackupFormat, CreatedAt: ts(s.Now()), Files: []BackupFile{}}
	RemoveLeftovers(filepath.Dir(s.path), BackupSnapshotPrefix)
	tmpDir, err := os.MkdirTemp(filepath.Dir(s.path), LeftoverPattern(BackupSnapshotPrefix))
	if err != nil {
		return m, fmt.Errorf("store: backup: unable to make a temporary directory: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	snap := filepath.Join(tmpDir, DefaultDBName)
	// VACUUM INTO reads the database in one transaction and writes a
	// compact copy: the SQLite way to copy a live database.
	// Its own connection: the readers are query_only (which VACUUM INTO
	// counts as writing), and the writer must stay free for writes.
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: s.path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return m, fmt.Errorf("store: backup: unable to open the database: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, snap); err != nil {
		return m, fmt.Errorf("store: backup: unable to snapshot the database: %w", err)
	}
	conn.Close()
	sums, err := snapshotFacts(ctx, snap, &m)
	if err != nil {
		return m, err
	}

	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	add := func(name, src string, mode int64) error {
		f, err := os.Open(src)
		if err != nil {
			return fmt.Errorf("store: backup: %w", err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return fmt.Errorf("store: backup: %w", err)
		}
		hdr := &tar.Header{Name: name, Mode: mode, Size: fi.Size(), ModTime: fi.ModTime().UTC(), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("store: backup: unable to write the archive: %w", err)
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, h), f)
		if err != nil {
			return fmt.Errorf("store: backup: unable to copy %s: %w", name, err)
		}
		m.Files = append(m.Files, BackupFile{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	}
	total := len(sums) + 1
	if err := add(DefaultDBName, snap, 0o640); err != nil {
		return m, err
	}
	// The audit checkpoints' signing key: without it a restored foitrack
	// would sign with a new key, and checkpoints published before would no
	// longer verify against the one it shows. (So a backup is as secret as
	// the data directory.)
	key := filepath.Join(filepath.Dir(s.path), CheckpointKeyFile)
	if _, err := os.Stat(key); err == nil {
		if err := add(CheckpointKeyFile, key, 0o600); err != nil {
			return m, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return m, fmt.Errorf("store: backup: %w", err)
	}
	if progress != nil {
		progress(1, total)
	}
	for i, sum := range sums {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		p, err := s.blobPath(sum)
		if err != nil {
			return m, err
		}
		if err := add(path.Join("blobs", sum[:2], sum), p, 0o640); err != nil {
			return m, err
		}
		if got := m.Files[len(m.Files)-1].SHA256; got != sum {
			return m, fmt.Errorf("store: backup: stored file %s has changed (its content hashes to %s): run audit verify", sum, got)
		}
		if progress != nil {
			progress(i+2, total)
		}
	}
	// Stopped (SIGINT, SIGTERM) during the last file: no archive.
	if err := ctx.Err(); err != nil {
		return m, err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o640, Size: int64(len(b)), ModTime: time.Now().UTC(), Typeflag: tar.TypeReg}); err != nil {
		return m, fmt.Errorf("store: backup: unable to write the archive: %w", err)
	}
	if _, err := tw.Write(b); err != nil {
		return m, fmt.Errorf("store: backup: unable to write the archive: %w", err)
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("store: backup: unable to write the archive: %w", err)
	}
	if err := gz.Close(); err != nil {
		return m, fmt.Errorf("store: backup: unable to write the archive: %w", err)
	}
	return m, nil
}

// snapshotFacts reads the schema version and audit head of the snapshot
// into m, and returns the stored files it lists.
func snapshotFacts(ctx context.Context, snap string, m *BackupManifest) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: snap}).EscapedPath()+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("store: backup: unable to open the snapshot: %w", err)
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&m.SchemaVersion); err != nil {
		return nil, fmt.Errorf("store: backup: unable to read the snapshot: %w", err)
	}
	err = db.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&m.AuditHead.ID, &m.AuditHead.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		m.AuditHead = BackupHead{SHA256: GenesisHash}
	} else if err != nil {
		return nil, fmt.Errorf("store: backup: unable to read the snapshot's audit head: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT sha256 FROM blobs ORDER BY sha256`)
	if err != nil {
		return nil, fmt.Errorf("store: backup: unable to list stored files: %w", err)
	}
	defer rows.Close()
	var sums []string
	for rows.Next() {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			return nil, fmt.Errorf("store: backup: unable to list stored files: %w", err)
		}
		sums = append(sums, sum)
	}
	return sums, rows.Err()
}

// Restore unpacks the backup read from r into dataDir, which must not exist
// (or be an empty directory): a restore never overwrites data. Every file is
// checked against the manifest; on any problem nothing is left at dataDir.
func Restore(ctx context.Context, r io.Reader, dataDir string) (BackupManifest, error) {
	var m BackupManifest
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		return m, tracker.Errorf(tracker.EINVALID, "%s is not empty: restore into a new directory (it never overwrites data)", dataDir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return m, fmt.Errorf("store: restore: %w", err)
	}
	parent := filepath.Dir(filepath.Clean(dataDir))
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return m, fmt.Errorf("store: restore: %w", err)
	}
	prefix := "." + filepath.Base(dataDir) + restoringInfix
	RemoveLeftovers(parent, prefix)
	tmp, err := os.MkdirTemp(parent, LeftoverPattern(prefix))
	if err != nil {
		return m, fmt.Errorf("store: restore: %w", err)
	}
	defer os.RemoveAll(tmp) // after the rename below, nothing is left to remove
	gz, err := gzip.NewReader(r)
	if err != nil {
		return m, tracker.Errorf(tracker.EINVALID, "not a foitrack backup (not gzip): %v", err)
	}
	tr := tar.NewReader(gz)
	got := map[string]BackupFile{}
	var sawManifest bool
	for {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, tracker.Errorf(tracker.EINVALID, "the backup is damaged: %v", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return m, tracker.Errorf(tracker.EINVALID, "the backup holds %q, which is not a regular file", hdr.Name)
		}
		if hdr.Name == "manifest.json" {
			if err := json.NewDecoder(io.LimitReader(tr, 64<<20)).Decode(&m); err != nil {
				return m, tracker.Errorf(tracker.EINVALID, "the backup's manifest is unreadable: %v", err)
			}
			sawManifest = true
			continue
		}
		if !backupName(hdr.Name) {
			return m, tracker.Errorf(tracker.EINVALID, "the backup holds %q, which a foitrack backup never does", hdr.Name)
		}
		dst := filepath.Join(tmp, filepath.FromSlash(hdr.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return m, fmt.Errorf("store: restore: %w", err)
		}
		mode := os.FileMode(0o640)
		if hdr.Name == CheckpointKeyFile {
			mode = 0o600
		}
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err != nil {
			return m, fmt.Errorf("store: restore: %w", err)
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(f, h), tr)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return m, fmt.Errorf("store: restore: unable to write %s: %w", hdr.Name, err)
		}
		got[hdr.Name] = BackupFile{Path: hdr.Name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	if !sawManifest || m.Format != BackupFormat {
		return m, tracker.Errorf(tracker.EINVALID, "not a foitrack backup: no %s manifest", BackupFormat)
	}
	for _, f := range m.Files {
		g, ok := got[f.Path]
		if !ok {
			return m, tracker.Errorf(tracker.EINVALID, "the backup is incomplete: %s is missing", f.Path)
		}
		if g != f {
			return m, tracker.Errorf(tracker.EINVALID, "the backup is damaged: %s does not match its manifest", f.Path)
		}
		delete(got, f.Path)
	}
	for name := range got {
		return m, tracker.Errorf(tracker.EINVALID, "the backup holds %s, which its manifest does not list", name)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "blobs"), 0o750); err != nil {
		return m, fmt.Errorf("store: restore: %w", err)
	}
	// An empty directory given as the target is replaced.
	if err := os.Remove(dataDir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return m, fmt.Errorf("store: restore: %w", err)
	}
	if err := os.Rename(tmp, dataDir); err != nil {
		return m, fmt.Errorf("store: restore: %w", err)
	}
	return m, nil
}

// backupName is a file name a backup may hold: the database or a blob.
func backupName(name string) bool {
	if name == DefaultDBName || name == CheckpointKeyFile {
		return true
	}
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[0] != "blobs" || len(parts[2]) != 64 || parts[1] != parts[2][:2] {
		return false
	}
	_, err := hex.DecodeString(parts[2])
	return err == nil
}
