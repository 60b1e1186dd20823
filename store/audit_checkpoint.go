package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/foitrack/foitrack/tracker"
)

// A checkpoint is the transparency log's size and root hash, signed: the
// C2SP tlog-checkpoint body ("origin\nsize\nbase64 root\n") in a C2SP signed
// note (golang.org/x/mod/sumdb/note), with an Ed25519 key foitrack makes on
// first use and keeps in the data directory (mode 0600). Anyone holding the
// verifier key (printed by `foitrack audit checkpoint`, shown on /audit)
// checks a checkpoint offline; a consistency proof between two checkpoints
// shows the later log is the earlier one with entries appended, nothing
// rewritten.

// CheckpointKeyFile is the signing key's file in the data directory.
const CheckpointKeyFile = "audit-checkpoint.key"

// Checkpoint is a signed checkpoint.
type Checkpoint struct {
	ID        int64
	Origin    string
	Size      int64
	Root      tlog.Hash
	Note      string // the signed note, as published
	CreatedAt time.Time
}

// CheckpointBody is the text a checkpoint signs.
func CheckpointBody(origin string, size int64, root tlog.Hash) string {
	return origin + "\n" + strconv.FormatInt(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
}

// ParseCheckpoint reads a checkpoint's origin, size and root from a signed
// note without checking its signature (OpenCheckpoint does).
func ParseCheckpoint(msg []byte) (Checkpoint, error) {
	body, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, errors.New("not a signed note (no blank line before the signatures)")
	}
	lines := strings.Split(string(body), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, errors.New("a checkpoint has an origin, a size and a root hash, one per line")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return Checkpoint{}, fmt.Errorf("checkpoint size %q is not a number", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint root %q is not a base64 sha256", lines[2])
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: tlog.Hash(raw), Note: string(msg)}, nil
}

// OpenCheckpoint checks a checkpoint's signature with a verifier key (as
// `foitrack audit checkpoint` prints it) and reads it.
func OpenCheckpoint(msg []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("the checkpoint is not signed by that key: %v", err)
	}
	cp, err := ParseCheckpoint(msg)
	if err != nil {
		return cp, err
	}
	if cp.Origin != v.Name() {
		return cp, fmt.Errorf("the checkpoint's origin %q is not the key's name %q", cp.Origin, v.Name())
	}
	_ = n
	return cp, nil
}

// checkpointKeys returns the signing and verifier keys, making them (and
// their file, mode 0600) on first use.
func (s *Store) checkpointKeys() (string, string, error) {
	path := filepath.Join(filepath.Dir(s.path), CheckpointKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		id := make([]byte, 4)
		rand.Read(id)
		skey, vkey, err := note.GenerateKey(rand.Reader, "foitrack-audit-"+hex.EncodeToString(id))
		if err != nil {
			return "", "", fmt.Errorf("store: unable to make the checkpoint key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return s.checkpointKeys() // made meanwhile by another process
		} else if err != nil {
			return "", "", fmt.Errorf("store: unable to write the checkpoint key: %w", err)
		}
		_, err = f.WriteString(skey + "\n" + vkey + "\n")
		if err2 := f.Close(); err == nil {
			err = err2
		}
		if err != nil {
			os.Remove(path)
			return "", "", fmt.Errorf("store: unable to write the checkpoint key: %w", err)
		}
		return skey, vkey, nil
	} else if err != nil {
		return "", "", fmt.Errorf("store: unable to read the checkpoint key: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return "", "", fmt.Errorf("store: %s can be read by others (mode %o): make it 0600", path, st.Mode().Perm())
	}
	lines := strings.Fields(string(b))
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "PRIVATE+KEY+") {
		return "", "", fmt.Errorf("store: %s is not a checkpoint key file", path)
	}
	return lines[0], lines[1], nil
}

// CheckpointVerifierKey is the public key that checks this tracker's
// checkpoints (made with the signing key on first use).
func (s *Store) CheckpointVerifierKey() (string, error) {
	_, vkey, err := s.checkpointKeys()
	return vkey, err
}

// SignCheckpoint signs and stores a checkpoint of the whole log. It first
// recomputes every entry's leaf from its row: a row rewritten behind the
// app's back is refused, named, rather than signed.
func (s *Store) SignCheckpoint(ctx context.Context) (Checkpoint, error) {
	skey, _, err := s.checkpointKeys()
	if err != nil {
		return Checkpoint{}, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("store: checkpoint key: %w", err)
	}
	size, problems, err := s.VerifyAuditTree(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	if len(problems) > 0 {
		return Checkpoint{}, tracker.Errorf(tracker.ECONFLICT, "not signing a checkpoint: %s (run 'foitrack audit verify')", problems[0])
	}
	cp := Checkpoint{Origin: signer.Name(), Size: size, CreatedAt: s.Now().UTC()}
	if cp.Root, err = tlog.TreeHash(size, treeHashes{ctx, s.r}); err != nil {
		return Checkpoint{}, fmt.Errorf("store: unable to hash the audit tree: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: CheckpointBody(cp.Origin, cp.Size, cp.Root)}, signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("store: unable to sign the checkpoint: %w", err)
	}
	cp.Note = string(msg)
	err = s.Update(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO audit_checkpoints (tree_size, root_hash, note, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			cp.Size, cp.Root.String(), cp.Note, ts(cp.CreatedAt)).Scan(&cp.ID)
	})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("store: unable to store the checkpoint: %w", err)
	}
	return cp, nil
}

// CurrentCheckpoint returns the latest checkpoint if it covers the whole
// log, or signs a new one.
func (s *Store) CurrentCheckpoint(ctx context.Context) (Checkpoint, error) {
	size, err := treeSize(ctx, s.r)
	if err != nil {
		return Checkpoint{}, err
	}
	if cp, ok, err := s.LatestCheckpoint(ctx); err != nil || (ok && cp.Size == size) {
		return cp, err
	}
	return s.SignCheckpoint(ctx)
}

const checkpointColumns = `id, tree_size, root_hash, note, created_at`

func scanAuditCheckpoint(sc interface{ Scan(...any) error }) (Checkpoint, error) {
	var cp Checkpoint
	var root, at string
	if err := sc.Scan(&cp.ID, &cp.Size, &root, &cp.Note, &at); err != nil {
		return cp, err
	}
	cp.CreatedAt = parseTS(at)
	h, err := tlog.ParseHash(root)
	if err != nil {
		return cp, fmt.Errorf("store: checkpoint %d has a bad root: %w", cp.ID, err)
	}
	cp.Root = h
	if p, err := ParseCheckpoint([]byte(cp.Note)); err == nil {
		cp.Origin = p.Origin
	}
	return cp, nil
}

// LatestCheckpoint returns the newest checkpoint, if any was signed.
func (s *Store) LatestCheckpoint(ctx context.Context) (Checkpoint, bool, error) {
	cp, err := scanAuditCheckpoint(s.r.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return cp, false, nil
	} else if err != nil {
		return cp, false, fmt.Errorf("store: unable to read the latest checkpoint: %w", err)
	}
	return cp, true, nil
}

// AuditCheckpoints returns every checkpoint signed, oldest first.
func (s *Store) AuditCheckpoints(ctx context.Context) ([]Checkpoint, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		cp, err := scanAuditCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read checkpoint: %w", err)
		}
		out = append(out, cp)
	}
	return out, rows.Err()
}

// ConsistencyProof proves that the log of size NewSize and root NewRoot is
// the log of size OldSize and root OldRoot with entries appended.
type ConsistencyProof struct {
	OldSize int64
	OldRoot tlog.Hash
	NewSize int64
	NewRoot tlog.Hash
	Hashes  tlog.TreeProof
}

const consistencyHeader = "foitrack audit consistency proof"

// String is the proof as a text file: a header, "old SIZE ROOT", "new SIZE
// ROOT", then one base64 hash a line.
func (p ConsistencyProof) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nold %d %s\nnew %d %s\n", consistencyHeader, p.OldSize, p.OldRoot, p.NewSize, p.NewRoot)
	for _, h := range p.Hashes {
		b.WriteString(h.String() + "\n")
	}
	return b.String()
}

// ParseConsistencyProof reads a proof written by String.
func ParseConsistencyProof(b []byte) (ConsistencyProof, error) {
	var p ConsistencyProof
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
	if len(lines) < 3 || lines[0] != consistencyHeader {
		return p, fmt.Errorf("not a consistency proof (it starts with %q)", consistencyHeader)
	}
	for i, want := range []string{"old", "new"} {
		f := strings.Fields(lines[1+i])
		if len(f) != 3 || f[0] != want {
			return p, fmt.Errorf("line %d: want %q SIZE ROOT", i+2, want)
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || size < 0 {
			return p, fmt.Errorf("line %d: size %q is not a number", i+2, f[1])
		}
		root, err := tlog.ParseHash(f[2])
		if err != nil {
			return p, fmt.Errorf("line %d: root: %v", i+2, err)
		}
		if want == "old" {
			p.OldSize, p.OldRoot = size, root
		} else {
			p.NewSize, p.NewRoot = size, root
		}
	}
	for i, l := range lines[3:] {
		h, err := tlog.ParseHash(strings.TrimSpace(l))
		if err != nil {
			return p, fmt.Errorf("line %d: %v", i+4, err)
		}
		p.Hashes = append(p.Hashes, h)
	}
	return p, nil
}

// Check verifies the proof (RFC 6962 consistency, tlog.CheckTree).
func (p ConsistencyProof) Check() error {
	if p.OldSize > p.NewSize {
		return fmt.Errorf("the old checkpoint (%d entries) is larger than the new one (%d)", p.OldSize, p.NewSize)
	}
	if err := tlog.CheckTree(p.Hashes, p.NewSize, p.NewRoot, p.OldSize, p.OldRoot); err != nil {
		return fmt.Errorf("the log of %d entries is not the log of %d entries with entries appended: %v", p.NewSize, p.OldSize, err)
	}
	return nil
}

// ProveConsistency proves that checkpoint newer extends checkpoint older,
// from the tree as it is now. When the tree's first entries no longer hash
// to a checkpoint's root (the log was rewritten) there is no such proof.
func (s *Store) ProveConsistency(ctx context.Context, older, newer Checkpoint) (ConsistencyProof, error) {
	p := ConsistencyProof{OldSize: older.Size, OldRoot: older.Root, NewSize: newer.Size, NewRoot: newer.Root}
	if older.Size > newer.Size {
		return p, tracker.Errorf(tracker.EINVALID, "the old checkpoint (%d entries) is larger than the new one (%d): give them oldest first", older.Size, newer.Size)
	}
	size, err := treeSize(ctx, s.r)
	if err != nil {
		return p, err
	}
	if newer.Size > size {
		return p, tracker.Errorf(tracker.EINVALID, "the new checkpoint has %d entries, this log only %d: it is not this log's", newer.Size, size)
	}
	r := treeHashes{ctx, s.r}
	for _, cp := range []Checkpoint{older, newer} {
		h, err := tlog.TreeHash(cp.Size, r)
		if err != nil {
			return p, fmt.Errorf("store: unable to hash the audit tree: %w", err)
		}
		if h != cp.Root {
			return p, tracker.Errorf(tracker.ECONFLICT, "no consistency proof: the log's first %d entries now hash to %s, not the root %s that checkpoint signed; the log was rewritten (or the checkpoint is another log's)", cp.Size, h, cp.Root)
		}
	}
	if p.Hashes, err = tlog.ProveTree(newer.Size, older.Size, r); err != nil {
		return p, fmt.Errorf("store: unable to prove consistency: %w", err)
	}
	return p, p.Check()
}
