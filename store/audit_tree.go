package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// The audit log is also a transparency log: each entry is a leaf of an
// RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog does the tree maths),
// entry id N being leaf N-1. A leaf does not hold the entry's values but a
// salted commitment to each of its fields, so that a bundle can prove an
// entry is in the log while opening only the fields it may show:
//
//	salt(field)       = hex(HMAC-SHA256(entry secret, field))
//	commitment(field) = hex(sha256("foitrack-audit-field/1\n" + salt + "\n" + field + "\n" + canonical JSON value))
//	leaf              = canonical JSON {"format","id","at","action","entity","entity_id","fields": {field: commitment}}
//
// The fields of an entry are "actor", and for its before and after values
// either "before"/"after" (a value that is not an object) or one field per
// key ("after.title", "after.notes"…). The entry secret is random, kept in
// the database and never leaves it; an opened field reveals its own salt
// only. The hash chain (prev_hash, hash) is kept as it was.

// AuditLeafFormat names the layout of a leaf.
const AuditLeafFormat = "foitrack-audit-leaf/1"

const auditFieldPrefix = "foitrack-audit-field/1\n"

// AuditLeaf is an entry as the transparency log holds it.
type AuditLeaf struct {
	ID       int64             `json:"id"`
	At       string            `json:"at"`
	Action   string            `json:"action"`
	Entity   string            `json:"entity"`
	EntityID int64             `json:"entity_id"`
	Fields   map[string]string `json:"fields"` // field → commitment
}

// Bytes is the leaf's record: canonical JSON (sorted keys, no spaces), as
// json.Marshal writes the map {"format","id","at","action","entity",
// "entity_id","fields"}; written directly (a leaf is made for every entry
// written and every entry verified). TestAuditLeafBytes holds the two equal.
func (l AuditLeaf) Bytes() []byte {
	str := appendJSONString[string]
	fields := make([]string, 0, len(l.Fields))
	for f := range l.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	b := make([]byte, 0, 160+100*len(fields))
	b = str(append(b, `{"action":`...), l.Action)
	b = str(append(b, `,"at":`...), l.At)
	b = str(append(b, `,"entity":`...), l.Entity)
	b = strconv.AppendInt(append(b, `,"entity_id":`...), l.EntityID, 10)
	b = append(b, `,"fields":{`...)
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = str(b, f)
		b = str(append(b, ':'), l.Fields[f])
	}
	b = str(append(b, `},"format":`...), AuditLeafFormat)
	b = strconv.AppendInt(append(b, `,"id":`...), l.ID, 10)
	return append(b, '}')
}

// Hash is the leaf's hash in the tree (RFC 6962: sha256(0x00 || record)).
func (l AuditLeaf) Hash() tlog.Hash { return tlog.RecordHash(l.Bytes()) }

// AuditOpening reveals one field of a leaf: its value and its salt.
type AuditOpening struct {
	Value json.RawMessage `json:"value"`
	Salt  string          `json:"salt"`
}

// CommitField is a field's commitment.
func CommitField(field, salt string, value json.RawMessage) (string, error) {
	c, err := canonicalJSON(value)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(auditFieldPrefix + salt + "\n" + field + "\n"))
	h.Write(c)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Check says whether the opening is the field the commitment was made to.
func (o AuditOpening) Check(field, commitment string) bool {
	c, err := CommitField(field, o.Salt, o.Value)
	return err == nil && c == commitment
}

func fieldSalt(secret, field string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(field))
	return hex.EncodeToString(m.Sum(nil))
}

// Fields splits an entry into its committed fields.
func (e AuditEntry) Fields() (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	actor, _ := json.Marshal(e.Actor)
	out["actor"] = actor
	for _, part := range []struct {
		name string
		raw  json.RawMessage
	}{{"before", e.Before}, {"after", e.After}} {
		c, err := canonicalJSON(part.raw)
		if err != nil {
			return nil, err
		}
		var obj map[string]json.RawMessage
		if len(c) > 0 && c[0] == '{' && json.Unmarshal(c, &obj) == nil {
			for k, v := range obj {
				out[part.name+"."+k] = v
			}
			continue
		}
		out[part.name] = c
	}
	return out, nil
}

// Leaf commits to the entry's fields with salts from secret, and returns
// each field's opening beside.
func (e AuditEntry) Leaf(secret string) (AuditLeaf, map[string]AuditOpening, error) {
	fields, err := e.Fields()
	if err != nil {
		return AuditLeaf{}, nil, err
	}
	// "at" as Canonical writes it (RFC 3339), whatever the column's layout.
	l := AuditLeaf{ID: e.ID, At: e.At.UTC().Format(time.RFC3339Nano), Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
		Fields: map[string]string{}}
	open := map[string]AuditOpening{}
	for f, v := range fields {
		o := AuditOpening{Value: v, Salt: fieldSalt(secret, f)}
		if l.Fields[f], err = CommitField(f, o.Salt, v); err != nil {
			return AuditLeaf{}, nil, err
		}
		open[f] = o
	}
	return l, open, nil
}

// leafHash is Leaf(secret).Hash() for e, whose Before and After are the
// canonical values before and after (as Audit makes them): every field is
// committed to as Leaf commits to it, without the values being decoded
// and encoded again, in the order Bytes sorts them ("actor", then the
// after fields, then the before fields, each value's keys sorted), into
// the record directly.
func (sc *auditScratch) leafHash(e *AuditEntry, secret string, before, after *auditValue) tlog.Hash {
	b := sc.leafRecord(append(sc.leaf[:0], 0), e, secret, before, after) // RFC 6962: a leaf's hash covers 0x00 || record
	sc.leaf = b
	sc.sha.Reset()
	sc.sha.Write(b)
	var h tlog.Hash
	sc.sha.Sum(h[:0])
	return h
}

// leafRecord appends Leaf(secret).Bytes() for e (see leafHash).
func (sc *auditScratch) leafRecord(b []byte, e *AuditEntry, secret string, before, after *auditValue) []byte {
	sc.entryOf(e)
	sc.hmacKey(secret)
	b = appendJSONString(append(b, `{"action":`...), e.Action)
	b = append(append(b, `,"at":`...), sc.atJSON...)
	b = appendJSONString(append(b, `,"entity":`...), e.Entity)
	b = strconv.AppendInt(append(b, `,"entity_id":`...), e.EntityID, 10)
	b = append(b, `,"fields":{`...)
	b = sc.appendCommitment(b, "actor", "", sc.actorJSON)
	for _, part := range [2]struct {
		name, prefix string
		v            *auditValue
	}{{"after", "after.", after}, {"before", "before.", before}} {
		if !part.v.object {
			b = sc.appendCommitment(append(b, ','), part.name, "", part.v.canon)
			continue
		}
		for i, k := range part.v.keys {
			b = sc.appendCommitment(append(b, ','), part.prefix, k, part.v.values[i])
		}
	}
	b = append(b, `},"format":"`+AuditLeafFormat+`","id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	return append(b, '}')
}

// hmacKey readies the HMAC of fieldSalt for secret: the states after the
// key's inner and outer blocks, restored for each field (as crypto/hmac
// does, without a new HMAC for each entry).
func (sc *auditScratch) hmacKey(secret string) {
	var pad [64]byte // sha256's block
	if len(secret) > len(pad) {
		k := sha256.Sum256([]byte(secret))
		copy(pad[:], k[:])
	} else {
		copy(pad[:], secret)
	}
	for i := range pad {
		pad[i] ^= 0x36
	}
	sc.inner.Reset()
	sc.inner.Write(pad[:])
	sc.ipad, _ = sc.inner.(encoding.BinaryAppender).AppendBinary(sc.ipad[:0])
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	sc.outer.Reset()
	sc.outer.Write(pad[:])
	sc.opad, _ = sc.outer.(encoding.BinaryAppender).AppendBinary(sc.opad[:0])
}

// appendCommitment appends the leaf's member for field prefix+key:
// its name and CommitField(field, fieldSalt(secret, field), v) for the
// canonical value v.
func (sc *auditScratch) appendCommitment(b []byte, prefix, key string, v []byte) []byte {
	f := append(append(sc.field[:0], prefix...), key...)
	sc.field = f
	// salt = hex(HMAC-SHA256(secret, field))
	sc.inner.(encoding.BinaryUnmarshaler).UnmarshalBinary(sc.ipad)
	sc.inner.Write(f)
	inner := sc.inner.Sum(sc.isum[:0])
	sc.outer.(encoding.BinaryUnmarshaler).UnmarshalBinary(sc.opad)
	sc.outer.Write(inner)
	hex.Encode(sc.salt[:], sc.outer.Sum(sc.sum[:0]))
	// commitment = hex(sha256(prefix + salt + "\n" + field + "\n" + value))
	c := append(sc.buf[:0], auditFieldPrefix...)
	c = append(append(c, sc.salt[:]...), '\n')
	c = append(append(c, f...), '\n')
	c = append(c, v...)
	sc.buf = c
	sc.sha.Reset()
	sc.sha.Write(c)
	b = append(appendJSONString(b, f), ':', '"')
	b = hex.AppendEncode(b, sc.sha.Sum(sc.sum[:0]))
	return append(b, '"')
}

// newAuditSecret is a fresh entry secret.
func (s *Store) newAuditSecret() string {
	b := make([]byte, 32)
	if s.AuditSecrets != nil {
		io.ReadFull(s.AuditSecrets, b)
	} else {
		rand.Read(b)
	}
	return hex.EncodeToString(b)
}

// queryer is what reads the tree: the reader pool or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// treeHashes reads stored hashes of the tree (a tlog.HashReader).
type treeHashes struct {
	ctx context.Context
	q   queryer
}

func (r treeHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	list, _ := json.Marshal(indexes)
	rows, err := r.q.QueryContext(r.ctx, `SELECT idx, hash FROM audit_tree WHERE idx IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the audit tree: %w", err)
	}
	defer rows.Close()
	got := map[int64]tlog.Hash{}
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, fmt.Errorf("store: unable to read the audit tree: %w", err)
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("store: audit tree hash %d is %d bytes, not %d", idx, len(h), tlog.HashSize)
		}
		got[idx] = tlog.Hash(h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := got[idx]
		if !ok {
			return nil, fmt.Errorf("store: the audit tree has no hash %d", idx)
		}
		out[i] = h
	}
	return out, nil
}

// treeSize is the number of leaves in the stored tree.
func treeSize(ctx context.Context, q queryer) (int64, error) {
	var maxIdx sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(idx) FROM audit_tree`).Scan(&maxIdx); err != nil {
		return 0, fmt.Errorf("store: unable to read the audit tree: %w", err)
	}
	if !maxIdx.Valid {
		return 0, nil
	}
	count := maxIdx.Int64 + 1
	// StoredHashCount grows with the size: find the size that stores count.
	n := int64(sort.Search(1<<40, func(n int) bool { return tlog.StoredHashCount(int64(n)) >= count }))
	if tlog.StoredHashCount(n) != count {
		return 0, fmt.Errorf("%w: it holds %d hashes, which is no whole tree", errTreeBroken, count)
	}
	return n, nil
}

// errTreeBroken: the stored tree is not one tlog could have written (it
// was changed behind the app's back). Writes go on without extending it;
// audit verify reports it and no checkpoint is signed.
var errTreeBroken = errors.New("store: the audit tree is broken")

// appendLeaf adds leaf number n (the tree must hold n leaves), reading the
// hashes it needs through r (a batch's worker keeps its leaves back
// instead: auditHead.keepLeaf).
func appendLeaf(ctx context.Context, tx *Tx, r tlog.HashReader, n int64, h tlog.Hash) error {
	hashes, err := tlog.StoredHashesForRecordHash(n, h, r)
	if err != nil {
		return fmt.Errorf("store: unable to extend the audit tree: %w", err)
	}
	base := tlog.StoredHashIndex(0, n)
	for i, sh := range hashes {
		if _, err := tx.ExecContext(ctx, treeInsert, base+int64(i), sh[:]); err != nil {
			return fmt.Errorf("store: unable to extend the audit tree: %w", err)
		}
		if tx.treeHashMap != nil {
			tx.treeHashMap[base+int64(i)] = sh
		}
	}
	return nil
}

// treeReader reads the tree's hashes in the transaction, each from the
// database once: the hashes read or written by the transaction are kept.
func (tx *Tx) treeReader() tlog.HashReader {
	if tx.treeHashMap == nil {
		tx.treeHashMap = map[int64]tlog.Hash{}
	}
	return txTreeHashes{tx}
}

type txTreeHashes struct{ tx *Tx }

func (r txTreeHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	m := r.tx.treeHashMap
	var missing []int64
	for _, idx := range indexes {
		if _, ok := m[idx]; !ok {
			missing = append(missing, idx)
		}
	}
	if len(missing) > 0 {
		got, err := treeHashes{r.tx.ctx, r.tx}.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		for i, idx := range missing {
			m[idx] = got[i]
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		out[i] = m[idx]
	}
	return out, nil
}

// catchUpAuditTree adds the leaves of entries the tree does not hold yet:
// all of them once, after the schema section that brought the tree in.
// It stops at a gap in the entries' ids (audit verify reports that).
func (s *Store) catchUpAuditTree(ctx context.Context) error {
	return s.Update(ctx, func(tx *Tx) error {
		n, err := treeSize(ctx, tx)
		if errors.Is(err, errTreeBroken) {
			return nil // reported by audit verify; not a reason to refuse to open
		} else if err != nil {
			return err
		}
		for {
			entries, secrets, err := auditEntriesWithSecrets(ctx, tx, n, 2000)
			if err != nil || len(entries) == 0 {
				return err
			}
			for i, e := range entries {
				if e.ID != n+1 {
					return nil
				}
				l, _, err := e.Leaf(secrets[i])
				if err != nil {
					return fmt.Errorf("store: audit entry %d: %w", e.ID, err)
				}
				if err := appendLeaf(ctx, tx, tx.treeReader(), n, l.Hash()); err != nil {
					return err
				}
				n++
			}
		}
	})
}

// auditEntriesWithSecrets reads entries after id afterID with their secrets.
func auditEntriesWithSecrets(ctx context.Context, q queryer, afterID int64, limit int) ([]AuditEntry, []string, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+auditColumns+`, COALESCE(secret, '') FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to read the audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	var secrets []string
	for rows.Next() {
		var e AuditEntry
		var at, before, after, secret string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &before, &after, &e.PrevHash, &e.Hash, &secret); err != nil {
			return nil, nil, fmt.Errorf("store: unable to read audit entry: %w", err)
		}
		e.At, e.Before, e.After = parseTS(at), json.RawMessage(before), json.RawMessage(after)
		out = append(out, e)
		secrets = append(secrets, secret)
	}
	return out, secrets, rows.Err()
}

// AuditTreeSize is the number of entries in the transparency log.
func (s *Store) AuditTreeSize(ctx context.Context) (int64, error) { return treeSize(ctx, s.r) }

// AuditTreeHash is the root hash of the tree's first n leaves.
func (s *Store) AuditTreeHash(ctx context.Context, n int64) (tlog.Hash, error) {
	return tlog.TreeHash(n, treeHashes{ctx, s.r})
}

// VerifyAuditTree recomputes every entry's leaf from its row and compares
// it with the leaf the tree holds: a row rewritten behind the app's back no
// longer matches. It also checks that every stored checkpoint's root is the
// root of the tree's first leaves now, and returns the number of leaves.
func (s *Store) VerifyAuditTree(ctx context.Context) (int64, []Problem, error) {
	size, err := treeSize(ctx, s.r)
	if errors.Is(err, errTreeBroken) {
		return 0, []Problem{{Where: "audit tree", Detail: err.Error() + " (changed behind the app's back)"}}, nil
	} else if err != nil {
		return 0, nil, err
	}
	var problems []Problem
	var count int64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&count); err != nil {
		return 0, nil, fmt.Errorf("store: unable to count audit entries: %w", err)
	}
	if count != size {
		problems = append(problems, Problem{Where: "audit tree", Detail: fmt.Sprintf("holds %d leaves, the log has %d entries", size, count)})
	}
	r := treeHashes{ctx, s.r}
	for n := int64(0); n < size; {
		entries, secrets, err := auditEntriesWithSecrets(ctx, s.r, n, 2000)
		if err != nil {
			return size, problems, err
		}
		if len(entries) == 0 {
			break
		}
		idx := make([]int64, 0, len(entries))
		for _, e := range entries {
			idx = append(idx, tlog.StoredHashIndex(0, e.ID-1))
		}
		var stored []tlog.Hash
		if entries[len(entries)-1].ID <= size {
			if stored, err = r.ReadHashes(idx); err != nil {
				return size, problems, err
			}
		}
		for i, e := range entries {
			n = e.ID
			if e.ID > size {
				break
			}
			l, _, err := e.Leaf(secrets[i])
			if err != nil {
				problems = append(problems, Problem{Where: fmt.Sprintf("audit entry %d", e.ID), Detail: err.Error()})
				continue
			}
			if stored != nil && l.Hash() != stored[i] {
				problems = append(problems, Problem{Where: fmt.Sprintf("audit entry %d", e.ID),
					Detail: "no longer matches its leaf in the transparency log: the row was changed behind the app's back"})
			}
		}
	}
	cps, err := s.AuditCheckpoints(ctx)
	if err != nil {
		return size, problems, err
	}
	for _, cp := range cps {
		if cp.Size > size {
			problems = append(problems, Problem{Where: fmt.Sprintf("checkpoint %d", cp.ID), Detail: fmt.Sprintf("signed %d entries, the tree has %d", cp.Size, size)})
			continue
		}
		h, err := tlog.TreeHash(cp.Size, r)
		if err != nil {
			return size, problems, err
		}
		if h != cp.Root {
			problems = append(problems, Problem{Where: fmt.Sprintf("checkpoint %d", cp.ID),
				Detail: fmt.Sprintf("signed root %s for %d entries, but those entries now hash to %s: the log was rewritten", cp.Root, cp.Size, h)})
		}
	}
	return size, problems, nil
}

// AuditProof is an audit entry as a bundle carries it: its leaf, the
// fields it opens, and the proof that the leaf is in the tree of a
// checkpoint.
type AuditProof struct {
	AuditLeaf
	Opened         map[string]AuditOpening `json:"opened"`
	InclusionProof []string                `json:"inclusion_proof"` // base64 hashes, tlog.ProveRecord
}

// ProveAuditEntries returns, for each entry, its leaf with the fields open
// says may be opened, and its inclusion proof in the tree of size treeSize.
func (s *Store) ProveAuditEntries(ctx context.Context, entries []AuditEntry, treeSize int64, open func(e AuditEntry, field string) bool) ([]AuditProof, error) {
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	list, _ := json.Marshal(ids)
	rows, err := s.r.QueryContext(ctx, `SELECT id, COALESCE(secret, '') FROM audit_log WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("store: unable to read audit secrets: %w", err)
	}
	secrets := map[int64]string{}
	for rows.Next() {
		var id int64
		var sec string
		if err := rows.Scan(&id, &sec); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read audit secrets: %w", err)
		}
		secrets[id] = sec
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r := treeHashes{ctx, s.r}
	out := make([]AuditProof, 0, len(entries))
	for _, e := range entries {
		if e.ID > treeSize {
			return nil, fmt.Errorf("store: audit entry %d is not in the tree of %d entries", e.ID, treeSize)
		}
		l, openings, err := e.Leaf(secrets[e.ID])
		if err != nil {
			return nil, fmt.Errorf("store: audit entry %d: %w", e.ID, err)
		}
		p := AuditProof{AuditLeaf: l, Opened: map[string]AuditOpening{}}
		for f, o := range openings {
			if open(e, f) {
				p.Opened[f] = o
			}
		}
		proof, err := tlog.ProveRecord(treeSize, e.ID-1, r)
		if err != nil {
			return nil, fmt.Errorf("store: unable to prove audit entry %d: %w", e.ID, err)
		}
		for _, h := range proof {
			p.InclusionProof = append(p.InclusionProof, h.String())
		}
		if p.InclusionProof == nil {
			p.InclusionProof = []string{}
		}
		out = append(out, p)
	}
	return out, nil
}

// Verify checks an AuditProof on its own: every opened field against its
// commitment, and the leaf's inclusion in the tree of size treeSize and
// root root. It returns what is wrong, or nil.
func (p AuditProof) Verify(treeSize int64, root tlog.Hash) error {
	names := make([]string, 0, len(p.Opened))
	for f := range p.Opened {
		names = append(names, f)
	}
	sort.Strings(names)
	var bad []string
	for _, f := range names {
		c, ok := p.Fields[f]
		if !ok {
			bad = append(bad, f+" is opened but the leaf has no such field")
		} else if !p.Opened[f].Check(f, c) {
			bad = append(bad, f+" does not open its commitment (its value or salt was changed)")
		}
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	if p.ID < 1 || p.ID > treeSize {
		return fmt.Errorf("entry %d is not in a tree of %d entries", p.ID, treeSize)
	}
	proof := make(tlog.RecordProof, len(p.InclusionProof))
	for i, s := range p.InclusionProof {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return fmt.Errorf("inclusion proof hash %d: %v", i, err)
		}
		proof[i] = h
	}
	if err := tlog.CheckRecord(proof, treeSize, root, p.ID-1, p.Hash()); err != nil {
		return fmt.Errorf("its leaf is not proven to be in the checkpoint's tree (%v): the entry or its proof was changed", err)
	}
	return nil
}

// After is the entry's after value as far as it is opened: an object of
// the opened "after.*" fields (nil when none is opened).
func (p AuditProof) After() map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for f, o := range p.Opened {
		if k, ok := strings.CutPrefix(f, "after."); ok {
			if out == nil {
				out = map[string]json.RawMessage{}
			}
			out[k] = o.Value
		}
	}
	return out
}

// Deletes says whether the entry empties its row (its after value is null).
func (p AuditProof) Deletes() bool {
	o, ok := p.Opened["after"]
	return ok && string(o.Value) == "null"
}

// AuditTreeHashes reads stored hashes of the tree by tlog index (for
// tools that compute their own proofs).
func (s *Store) AuditTreeHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return treeHashes{ctx, s.r}.ReadHashes(indexes)
}
