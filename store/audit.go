package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// GenesisHash is the prev_hash of the first audit entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// AuditEntry is one row of the tamper-evident audit log.
type AuditEntry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Entity   string          `json:"entity"`
	EntityID int64           `json:"entity_id"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// Canonical is the byte string an entry's hash covers: a JSON object with
// sorted keys and no insignificant space, numbers kept as written.
func (e AuditEntry) Canonical() ([]byte, error) {
	before, err := canonicalJSON(e.Before)
	if err != nil {
		return nil, err
	}
	after, err := canonicalJSON(e.After)
	if err != nil {
		return nil, err
	}
	m := map[string]any{
		// RFC 3339 with the fraction's trailing zeros dropped, as entries
		// have always been hashed (not the stored fixed-width text): the
		// hashes of entries written before the fixed width still verify.
		"id": e.ID, "at": e.At.UTC().Format(time.RFC3339Nano), "actor": e.Actor, "action": e.Action,
		"entity": e.Entity, "entity_id": e.EntityID,
		"before": json.RawMessage(before), "after": json.RawMessage(after),
	}
	return json.Marshal(m)
}

// ComputeHash is sha256(prev_hash || "\n" || canonical entry), hex.
func (e AuditEntry) ComputeHash() (string, error) {
	c, err := e.Canonical()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte("\n"))
	h.Write(c)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// canonicalJSON re-encodes JSON with sorted object keys (encoding/json sorts
// map keys) and numbers unchanged (UseNumber), so equal values hash equal.
func canonicalJSON(raw []byte) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("null"), nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("store: audit value is not JSON: %w", err)
	}
	return json.Marshal(v)
}

// Audit appends an entry to the audit log inside the transaction: who (the
// context's actor), what (action on entity id) and the values before and
// after (nil for none). The single writer connection serialises the chain.
func (tx *Tx) Audit(action, entity string, id int64, before, after any) error {
	e := AuditEntry{At: tx.now, Actor: tx.actor, Action: action, Entity: entity, EntityID: id}
	var err error
	if e.Before, err = json.Marshal(before); err != nil {
		return fmt.Errorf("store: unable to encode audit value: %w", err)
	}
	if e.After, err = json.Marshal(after); err != nil {
		return fmt.Errorf("store: unable to encode audit value: %w", err)
	}
	if e.Before, err = canonicalJSON(e.Before); err != nil {
		return err
	}
	if e.After, err = canonicalJSON(e.After); err != nil {
		return err
	}
	var lastID int64
	err = tx.QueryRowContext(tx.ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&lastID, &e.PrevHash)
	if errors.Is(err, sql.ErrNoRows) {
		e.PrevHash = GenesisHash
	} else if err != nil {
		return fmt.Errorf("store: unable to read audit head: %w", err)
	}
	e.ID = lastID + 1
	if e.Hash, err = e.ComputeHash(); err != nil {
		return err
	}
	if !tx.s.auditTree {
		_, err = tx.ExecContext(tx.ctx, `
			INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, string(e.Before), string(e.After), e.PrevHash, e.Hash)
		if err != nil {
			return fmt.Errorf("store: unable to append audit entry: %w", err)
		}
		return nil
	}
	// The entry, and its leaf in the transparency log, together.
	secret := newAuditSecret()
	_, err = tx.ExecContext(tx.ctx, `
		INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash, secret)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, string(e.Before), string(e.After), e.PrevHash, e.Hash, secret)
	if err != nil {
		return fmt.Errorf("store: unable to append audit entry: %w", err)
	}
	size, err := treeSize(tx.ctx, tx)
	if errors.Is(err, errTreeBroken) || (err == nil && size != e.ID-1) {
		// The tree was changed behind the app's back: the change itself
		// goes on being recorded (in the chain); audit verify reports the
		// tree, and no checkpoint is signed until it is mended.
		return nil
	} else if err != nil {
		return err
	}
	l, _, err := e.Leaf(secret)
	if err != nil {
		return err
	}
	return appendLeaf(tx.ctx, tx.Tx, size, l.Hash())
}

// AuditHead returns the newest entry's hash (GenesisHash for an empty log) and its id.
func (s *Store) AuditHead(ctx context.Context) (string, int64, error) {
	var h string
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&id, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return GenesisHash, 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("store: unable to read audit head: %w", err)
	}
	return h, id, nil
}

const auditColumns = `id, at, actor, action, entity, entity_id, before, after, prev_hash, hash`

// AuditEntries returns entries, oldest first; entity "" means all, id 0 means any.
func (s *Store) AuditEntries(ctx context.Context, entity string, id int64, afterID int64, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+auditColumns+` FROM audit_log
		WHERE (? = '' OR entity = ?) AND (? = 0 OR entity_id = ?) AND id > ?
		ORDER BY id LIMIT ?`, entity, entity, id, id, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list audit entries: %w", err)
	}
	return scanAuditEntries(rows)
}

// scanAuditEntries reads rows of auditColumns and closes them.
func scanAuditEntries(rows *sql.Rows) ([]AuditEntry, error) {
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at, before, after string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &before, &after, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("store: unable to read audit entry: %w", err)
		}
		e.At, e.Before, e.After = parseTS(at), json.RawMessage(before), json.RawMessage(after)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditBreak describes the first place the chain does not hold.
type AuditBreak struct {
	EntryID int64
	Reason  string
}

func (b *AuditBreak) Error() string { return fmt.Sprintf("audit entry %d: %s", b.EntryID, b.Reason) }

// VerifyAuditChain re-walks the whole log and returns the first break (nil
// when the chain holds) and the number of entries checked.
func (s *Store) VerifyAuditChain(ctx context.Context) (int, *AuditBreak, error) {
	prev, expectID, n := GenesisHash, int64(1), 0
	for after := int64(0); ; {
		batch, err := s.AuditEntries(ctx, "", 0, after, 5000)
		if err != nil {
			return n, nil, err
		}
		if len(batch) == 0 {
			return n, nil, nil
		}
		for _, e := range batch {
			if e.ID != expectID {
				return n, &AuditBreak{EntryID: expectID, Reason: fmt.Sprintf("entry missing (next entry is %d)", e.ID)}, nil
			}
			if e.PrevHash != prev {
				return n, &AuditBreak{EntryID: e.ID, Reason: "prev_hash does not match the hash of the entry before it"}, nil
			}
			h, err := e.ComputeHash()
			if err != nil {
				return n, &AuditBreak{EntryID: e.ID, Reason: err.Error()}, nil
			}
			if h != e.Hash {
				return n, &AuditBreak{EntryID: e.ID, Reason: fmt.Sprintf("content changed: stored hash %s…, recomputed %s…", e.Hash[:12], h[:12])}, nil
			}
			prev, expectID, after = e.Hash, e.ID+1, e.ID
			n++
		}
	}
}
