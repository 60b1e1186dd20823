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
	"hash"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
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
	// Encoded here (the caller may change the values once Audit returns);
	// made canonical here too, or by a batch's worker.
	be, err := encodeAuditValue(before)
	if err != nil {
		return err
	}
	ae, err := encodeAuditValue(after)
	if err != nil {
		return err
	}
	head, err := tx.head()
	if err != nil {
		return err
	}
	if tx.auditQ == nil && tx.batch && tx.s.auditTree && !head.treeBroken && head.treeSize == head.id {
		if err := tx.startAuditWorker(head); err != nil {
			return err
		}
	}
	if tx.auditQ != nil {
		head.id++
		e.ID = head.id
		tx.auditQ.add(auditJob{e, be, ae})
		return nil
	}
	var bv, av auditValue
	if err := be.canonicalInto(&bv); err != nil {
		return err
	}
	if err := ae.canonicalInto(&av); err != nil {
		return err
	}
	sc := newAuditScratch()
	e.Before, e.After = bv.canon, av.canon
	e.ID, e.PrevHash = head.id+1, head.hash
	e.Hash = sc.entryHash(&e)
	if !tx.s.auditTree {
		_, err = tx.ExecContext(tx.ctx, `
			INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, string(e.Before), string(e.After), e.PrevHash, e.Hash)
		if err != nil {
			return fmt.Errorf("store: unable to append audit entry: %w", err)
		}
		head.id, head.hash = e.ID, e.Hash
		return nil
	}
	// The entry, and its leaf in the transparency log, together.
	secret := tx.s.newAuditSecret()
	if tx.batch {
		tx.keepEntry(head, &e, secret) // written by flushAudit, before the commit
	} else if _, err = tx.ExecContext(tx.ctx, auditInsert, e.insertRow(secret)...); err != nil {
		return fmt.Errorf("store: unable to append audit entry: %w", err)
	}
	head.id, head.hash = e.ID, e.Hash
	if head.treeBroken || head.treeSize != e.ID-1 {
		// The tree was changed behind the app's back: the change itself
		// goes on being recorded (in the chain); audit verify reports the
		// tree, and no checkpoint is signed until it is mended.
		return nil
	}
	// Not in a batch: a batch whose tree is whole has a worker.
	if err := appendLeaf(tx.ctx, tx, tx.treeReader(), head.treeSize, sc.leafHash(&e, secret, &bv, &av)); err != nil {
		return err
	}
	head.treeSize++
	return nil
}

// insertRow is the values of auditInsert for e with its secret.
func (e AuditEntry) insertRow(secret string) []any {
	return []any{e.ID, ts(e.At), e.Actor, e.Action, e.Entity, e.EntityID, string(e.Before), string(e.After), e.PrevHash, e.Hash, secret}
}

const (
	auditInsert = `INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash, secret)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	treeInsert = `INSERT INTO audit_tree (idx, hash) VALUES (?, ?)`
	// auditChunk entries at most go in one INSERT when a batch's are
	// written together.
	auditChunk = 64
	// keptCols values of a kept entry are its own (keepEntry); the rest
	// follow from the transaction.
	keptCols = 8
)

// keepEntry keeps e back for flushAudit: its action, entity, entity id,
// values, prev_hash, hash and secret. Its id, instant and actor need not
// be kept: the kept entries are consecutive, and every entry of a
// transaction has the transaction's instant and actor (Audit gives them),
// so the first's id is enough.
func (tx *Tx) keepEntry(head *auditHead, e *AuditEntry, secret string) {
	if len(tx.auditRows) == 0 {
		head.keptID = e.ID
	}
	tx.auditRows = append(tx.auditRows, e.Action, e.Entity, e.EntityID, string(e.Before), string(e.After), e.PrevHash, e.Hash, secret)
}

// auditInsertKept writes n kept entries: the transaction's at and actor,
// then the keptCols values of each. (Each prev_hash is bound, though it is
// the hash of the row before: a parameter used twice has a name, and
// SQLite looks a parameter's name up in a list, for each parameter bound.)
//
// A multi-row INSERT that may abort halfway needs SQLite's statement
// journal, a copy of every page it changes (a fifth of writing the
// entries: the random hashes' index changes a page an entry): OR FAIL,
// and the id left to SQLite (an INTEGER PRIMARY KEY given may abort on a
// mismatched type), need none. SQLite gives the next id, the log's largest
// and one, which is the first kept entry's (kept entries are consecutive
// and follow the log's end); flushAudit checks that the last is the one
// it should be. A failure halfway fails the whole transaction: flushAudit
// runs before the commit and before a savepoint, and keeps the entries
// until they are written.
func auditInsertKept(n int) string {
	return `INSERT OR FAIL INTO audit_log (at, actor, action, entity, entity_id, before, after, prev_hash, hash, secret)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)` + strings.Repeat(`, (?1, ?2, ?, ?, ?, ?, ?, ?, ?, ?)`, n-1)
}

// auditInsertsKept are the statements of auditInsertKept: auditChunk
// entries, then halves of it for the rest (few statements to prepare).
var auditInsertsKept = func() map[int]string {
	m := map[int]string{}
	for n := auditChunk; n >= 1; n /= 2 {
		m[n] = auditInsertKept(n)
	}
	return m
}()

// treeInsertKept writes ?2 hashes of the tree, given as one blob of 32
// bytes each (?1), in one statement, in order, their indexes left to
// SQLite as the entries' ids are (see auditInsertKept): a tree's hashes
// are numbered from 0 without a gap, so the next is the largest and one
// (but for the first of all, 0, written on its own).
const treeInsertKept = `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?2)
	INSERT OR FAIL INTO audit_tree (hash) SELECT substr(?1, i * 32 + 1, 32) FROM k`

// A batch's audit entries (UpdateBatch) are chained, committed to and
// added to the transparency log's tree by a second goroutine, in the order
// they were made, while the first goes on writing rows: the values are made
// canonical by Audit (the caller may change them once it returns), and the
// rest needs nothing from the database but the tree's hashes at the start,
// read before. The worker owns the audit head's hash and tree size, the
// kept-back rows and the tree's hashes until joinAudit; Audit only counts
// the ids.
type auditWorker struct {
	jobs    chan []auditJob
	done    chan error
	pending []auditJob // handed over auditJobsAtOnce at a time
}

// auditJobsAtOnce: entries are handed to the worker in lots, not one by
// one (each hand-over may wake it).
const auditJobsAtOnce = 256

func (w *auditWorker) add(j auditJob) {
	w.pending = append(w.pending, j)
	if len(w.pending) == auditJobsAtOnce {
		w.jobs <- w.pending
		w.pending = make([]auditJob, 0, auditJobsAtOnce)
	}
}

type auditJob struct {
	e             AuditEntry // all but Before, After, PrevHash and Hash
	before, after encodedAuditValue
}

// startAuditWorker starts the worker of a batch whose tree is whole (it
// holds a leaf for every entry).
func (tx *Tx) startAuditWorker(head *auditHead) error {
	if head.frontierSize != head.treeSize || head.frontier == nil {
		// The hashes appending to a tree of n leaves can read from
		// before: the roots of the complete subtrees of the first n
		// leaves (one for each bit set in n), largest first. Every other
		// one it needs, it has made itself.
		var idx []int64
		for i := 63; i >= 0; i-- {
			if n := head.treeSize; (n>>i)&1 == 1 {
				idx = append(idx, tlog.StoredHashIndex(i, (n>>i)-1))
			}
		}
		hashes, err := tx.treeReader().ReadHashes(idx)
		if err != nil {
			return err
		}
		head.frontier, head.frontierSize = append(make([]tlog.Hash, 0, 64), hashes...), head.treeSize
	}
	w := &auditWorker{jobs: make(chan []auditJob, 16), done: make(chan error, 1), pending: make([]auditJob, 0, auditJobsAtOnce)}
	tx.auditQ = w
	go func() {
		var err error
		for lot := range w.jobs {
			for _, j := range lot {
				if err == nil {
					err = tx.auditEntry(head, j)
				}
			}
		}
		w.done <- err
	}()
	return nil
}

// auditEntry is what Audit does with an entry of a batch, on the worker.
func (tx *Tx) auditEntry(head *auditHead, j auditJob) error {
	if head.sc == nil {
		head.sc = newAuditScratch()
	}
	sc := head.sc
	if err := j.before.canonicalInto(&sc.before); err != nil {
		return err
	}
	if err := j.after.canonicalInto(&sc.after); err != nil {
		return err
	}
	e := j.e
	e.Before, e.After = sc.before.canon, sc.after.canon
	e.PrevHash = head.hash
	e.Hash = sc.entryHash(&e)
	secret := tx.s.newAuditSecret()
	tx.keepEntry(head, &e, secret)
	head.hash = e.Hash
	head.keepLeaf(sc.leafHash(&e, secret, &sc.before, &sc.after))
	return nil
}

// keepLeaf adds the next leaf to the tree a batch's worker keeps back: the
// hashes tlog stores for it (tlog.StoredHashesForRecordHash: the leaf's,
// then one for each complete subtree it ends), from the frontier, which
// it moves on. A tree's hashes are stored one record after another, so
// those kept back follow on from the first one's index.
func (head *auditHead) keepLeaf(h tlog.Hash) {
	n := head.treeSize
	if len(head.treeKept) == 0 {
		head.treeFrom = tlog.StoredHashIndex(0, n)
	}
	head.treeKept = append(head.treeKept, h[:]...)
	for level := 0; (n>>level)&1 == 1; level++ {
		left := head.frontier[len(head.frontier)-1]
		head.frontier = head.frontier[:len(head.frontier)-1]
		h = tlog.NodeHash(left, h)
		head.treeKept = append(head.treeKept, h[:]...)
	}
	head.frontier = append(head.frontier, h)
	head.treeSize++
	head.frontierSize = head.treeSize
}

// joinAudit waits for the worker to finish the entries given it, and
// returns its error.
func (tx *Tx) joinAudit() error {
	w := tx.auditQ
	if w == nil {
		return nil
	}
	if len(w.pending) > 0 {
		w.jobs <- w.pending
	}
	close(w.jobs)
	tx.auditQ = nil
	return <-w.done
}

// flushAudit writes the audit entries and tree hashes a batch (UpdateBatch)
// has kept back, many to a statement: before the commit, and before a
// savepoint (a rollback to it drops what was kept back since, as SQLite
// drops what was written since).
func (tx *Tx) flushAudit() error {
	if err := tx.joinAudit(); err != nil {
		return err
	}
	head := tx.auditHead
	if head == nil {
		return nil
	}
	if rows := tx.auditRows; len(rows) > 0 {
		id, at := head.keptID, ts(tx.now)
		args := make([]any, 0, 2+auditChunk*keptCols)
		for n := auditChunk; n >= 1; n /= 2 {
			for len(rows) >= n*keptCols {
				args = append(append(args[:0], at, tx.actor), rows[:n*keptCols]...)
				if err := tx.insertKept(auditInsertsKept[n], id+int64(n)-1, args...); err != nil {
					return fmt.Errorf("store: unable to append audit entry: %w", err)
				}
				id, rows = id+int64(n), rows[n*keptCols:]
			}
		}
		tx.auditRows = tx.auditRows[:0]
	}
	if hashes := head.treeKept; len(hashes) > 0 {
		from := head.treeFrom
		if from == 0 {
			if _, err := tx.ExecContext(tx.ctx, treeInsert, 0, hashes[:tlog.HashSize]); err != nil {
				return fmt.Errorf("store: unable to extend the audit tree: %w", err)
			}
			from, hashes = 1, hashes[tlog.HashSize:]
		}
		if n := int64(len(hashes) / tlog.HashSize); n > 0 {
			if err := tx.insertKept(treeInsertKept, from+n-1, hashes, n); err != nil {
				return fmt.Errorf("store: unable to extend the audit tree: %w", err)
			}
		}
		head.treeKept = head.treeKept[:0]
	}
	return nil
}

// insertKept runs an INSERT of kept rows whose ids SQLite gives, and
// checks that the last one is last.
func (tx *Tx) insertKept(insert string, last int64, args ...any) error {
	res, err := tx.ExecContext(tx.ctx, insert, args...)
	if err != nil {
		return err
	}
	if got, err := res.LastInsertId(); err != nil || got != last {
		return fmt.Errorf("the rows written end at id %d, not %d (%v)", got, last, err)
	}
	return nil
}

// auditHead is where the audit log and its tree stand inside a write
// transaction: read once, then moved on by each entry it appends (the
// transaction holds the writer's lock, so nothing else moves them).
type auditHead struct {
	id         int64
	hash       string
	treeSize   int64
	treeBroken bool
	// What a batch keeps back for flushAudit: its entries' rows (in
	// tx.auditRows, see keepEntry) from id keptID on; the tree's hashes
	// from index treeFrom on, 32 bytes each.
	keptID   int64
	treeFrom int64
	treeKept []byte
	// frontier: the roots of the complete subtrees of the tree's first
	// frontierSize leaves, largest first (see startAuditWorker).
	frontier     []tlog.Hash
	frontierSize int64
	sc           *auditScratch // the worker's
}

func (tx *Tx) head() (*auditHead, error) {
	if tx.auditHead != nil {
		return tx.auditHead, nil
	}
	h := &auditHead{}
	err := tx.QueryRowContext(tx.ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&h.id, &h.hash)
	if errors.Is(err, sql.ErrNoRows) {
		h.id, h.hash = 0, GenesisHash
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to read audit head: %w", err)
	}
	if tx.s.auditTree {
		h.treeSize, err = treeSize(tx.ctx, tx)
		if errors.Is(err, errTreeBroken) {
			h.treeBroken = true
		} else if err != nil {
			return nil, err
		}
	}
	tx.auditHead = h
	return h, nil
}

// auditValue is a value made canonical (see canonicalJSON) once: its
// bytes, and when it is an object, its keys in order and each key's value,
// which a leaf commits to one by one. A worker reuses one for entry after
// entry (canonicalInto).
type auditValue struct {
	canon  json.RawMessage
	object bool
	keys   []string
	values []json.RawMessage
	buf    []byte // canon's bytes when made here (not the encoded value's own)
}

// canonicalParts is a value's canonical JSON, object keys apart. The
// object is written as json.Marshal writes a map (keys sorted, each key
// and value encoded on its own), so the bytes are canonicalJSON's.
func canonicalParts(v any) (auditValue, error) {
	ev, err := encodeAuditValue(v)
	if err != nil {
		return auditValue{}, err
	}
	var av auditValue
	return av, ev.canonicalInto(&av)
}

// encodedAuditValue is a value encoded, not yet made canonical: a flat
// map's members (flatMembers), or json.Marshal's bytes. It shares nothing
// with the value, so that a batch's worker can make it canonical while the
// caller goes on (canonicalParts is the two steps).
type encodedAuditValue struct {
	members []objectMember
	flat    bool
	raw     []byte
}

func encodeAuditValue(v any) (encodedAuditValue, error) {
	if m, ok := v.(map[string]any); ok {
		if members, ok := flatMembers(m); ok {
			return encodedAuditValue{members: members, flat: true}, nil
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return encodedAuditValue{}, fmt.Errorf("store: unable to encode audit value: %w", err)
	}
	return encodedAuditValue{raw: raw}, nil
}

// canonicalInto makes av the encoded value's canonical JSON, object keys
// apart, reusing av's slices.
func (ev encodedAuditValue) canonicalInto(av *auditValue) error {
	if ev.flat {
		return av.setObject(ev.members)
	}
	raw := ev.raw
	if len(raw) == 0 || raw[0] != '{' {
		av.object = false
		if plainJSON(raw) {
			// Canonical as json.Marshal wrote it (see plainJSON): a
			// status, an id, null.
			av.canon = raw
			return nil
		}
		c, err := canonicalJSON(raw)
		av.canon = c
		return err
	}
	members, ok := splitObject(raw)
	if !ok {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			c, err := canonicalJSON(raw)
			av.canon, av.object = c, false
			return err
		}
		members = members[:0]
		for k, v := range obj {
			members = append(members, objectMember{k, v})
		}
	}
	return av.setObject(members)
}

// setObject makes av the canonical object of members (encoded as
// json.Marshal encodes them), with its keys and values apart.
func (av *auditValue) setObject(members []objectMember) error {
	var err error
	// Sorted by key (few keys: an insertion sort, no calls).
	for i := 1; i < len(members); i++ {
		for j := i; j > 0 && members[j].key < members[j-1].key; j-- {
			members[j], members[j-1] = members[j-1], members[j]
		}
	}
	av.object, av.keys, av.values = true, av.keys[:0], av.values[:0]
	b := append(av.buf[:0], '{')
	for i, m := range members {
		k, vb := m.key, m.value
		av.keys = append(av.keys, k)
		if !plainJSON(vb) {
			if vb, err = canonicalJSON(vb); err != nil {
				return err
			}
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(appendJSONString(b, k), ':'), vb...)
		av.values = append(av.values, vb)
	}
	av.buf = append(b, '}')
	av.canon = av.buf
	return nil
}

// flatMembers encodes a map's members as json.Marshal encodes them, when
// every value is a string, an integer, a bool or nil (the maps most
// entries are made of; ok false for any other): without reflection, and
// without the object written whole to be split again.
func flatMembers(m map[string]any) (members []objectMember, ok bool) {
	members = make([]objectMember, 0, len(m))
	// The values written one after another in one buffer (each member
	// holds its part; a part written before the buffer grew stays where
	// it was).
	buf := make([]byte, 0, 24*len(m))
	for k, v := range m {
		start := len(buf)
		switch x := v.(type) {
		case string:
			buf = appendJSONString(buf, x)
		case int:
			buf = strconv.AppendInt(buf, int64(x), 10)
		case int64:
			buf = strconv.AppendInt(buf, x, 10)
		case int32:
			buf = strconv.AppendInt(buf, int64(x), 10)
		case uint32:
			buf = strconv.AppendUint(buf, uint64(x), 10)
		case uint64:
			buf = strconv.AppendUint(buf, x, 10)
		case bool:
			buf = strconv.AppendBool(buf, x)
		case nil:
			buf = append(buf, "null"...)
		default:
			return nil, false
		}
		members = append(members, objectMember{k, buf[start:len(buf):len(buf)]})
	}
	return members, true
}

type objectMember struct {
	key   string
	value json.RawMessage
}

// splitObject splits a JSON object as json.Marshal writes it into its
// members, without decoding the values (json.Unmarshal into a map, which
// it replaces, was a tenth of the time of a bulk write). It gives up (ok
// false) on anything it is not sure to read as json.Unmarshal would: a key
// with an escape, a repeated key, space or a malformed value.
func splitObject(raw []byte) (members []objectMember, ok bool) {
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return nil, false
	}
	i := 1
	if raw[i] == '}' {
		return nil, i == len(raw)-1
	}
	for {
		// "key"
		if i >= len(raw) || raw[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' || raw[j] < 0x20 {
				return nil, false
			}
			j++
		}
		if j+1 >= len(raw) || raw[j+1] != ':' {
			return nil, false
		}
		key := string(raw[i+1 : j])
		// the value, to the comma or brace that ends it
		start := j + 2
		end, ok := skipValue(raw, start)
		if !ok || end == start || end >= len(raw) {
			return nil, false
		}
		for _, m := range members {
			if m.key == key {
				return nil, false
			}
		}
		members = append(members, objectMember{key, json.RawMessage(raw[start:end])})
		switch raw[end] {
		case ',':
			i = end + 1
		case '}':
			return members, end == len(raw)-1
		default:
			return nil, false
		}
	}
}

// skipValue returns where the compact JSON value starting at i ends.
func skipValue(raw []byte, i int) (int, bool) {
	if i >= len(raw) {
		return i, false
	}
	depth := 0
	for i < len(raw) {
		switch c := raw[i]; c {
		case '"':
			i++
			for i < len(raw) && raw[i] != '"' {
				if raw[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(raw) {
				return i, false
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
		case ',':
			if depth == 0 {
				return i, true
			}
		case ' ', '\t', '\n', '\r':
			return i, false
		}
		i++
	}
	return i, false
}

// appendJSONString appends s as json.Marshal writes it: directly when it
// needs no escape, else through json.Marshal.
func appendJSONString[T string | []byte](b []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(string(s))
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSON reports whether compact JSON from json.Marshal is canonical as
// it is: printable ASCII with no object to sort and no escape or character
// that encoding/json writes escaped (a number is kept as written, a
// string's other characters stand for themselves).
func plainJSON(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '{' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return len(b) > 0
}

// hashCanonical is ComputeHash for an entry whose Before and After are
// canonical already (as Audit makes them): the same bytes are hashed
// without decoding and encoding the values again.
func (e AuditEntry) hashCanonical() string { return newAuditScratch().entryHash(&e) }

// canonicalKnown is Canonical for canonical Before and After.
func (e AuditEntry) canonicalKnown() []byte {
	return appendCanonicalKnown(nil, &e, appendJSONString(nil, e.At.UTC().Format(time.RFC3339Nano)))
}

// appendCanonicalKnown appends Canonical for canonical Before and After:
// the object json.Marshal makes of the map in Canonical (keys sorted,
// strings escaped as encoding/json escapes them), written directly; at is
// the entry's instant as Canonical writes it, a JSON string.
func appendCanonicalKnown(b []byte, e *AuditEntry, at []byte) []byte {
	orNull := func(r json.RawMessage) []byte {
		if len(r) == 0 {
			return []byte("null")
		}
		return r
	}
	b = appendJSONString(append(b, `{"action":`...), e.Action)
	b = appendJSONString(append(b, `,"actor":`...), e.Actor)
	b = append(append(b, `,"after":`...), orNull(e.After)...)
	b = append(append(b, `,"at":`...), at...)
	b = append(append(b, `,"before":`...), orNull(e.Before)...)
	b = appendJSONString(append(b, `,"entity":`...), e.Entity)
	b = strconv.AppendInt(append(b, `,"entity_id":`...), e.EntityID, 10)
	b = strconv.AppendInt(append(b, `,"id":`...), e.ID, 10)
	return append(b, '}')
}

// auditScratch is what making entries' hashes reuses from one entry to
// the next (a batch's worker makes thousands): the hash states, buffers,
// the canonical values, and the encodings of the instant and actor, the
// same for every entry of a transaction.
type auditScratch struct {
	at                time.Time
	actor             string
	atJSON, actorJSON []byte
	sha, inner, outer hash.Hash
	ipad, opad        []byte // HMAC's inner and outer states after the key's block
	buf, leaf, field  []byte
	before, after     auditValue
	sum, isum         [sha256.Size]byte
	salt              [2 * sha256.Size]byte
}

func newAuditScratch() *auditScratch {
	return &auditScratch{sha: sha256.New(), inner: sha256.New(), outer: sha256.New()}
}

// entryOf makes the encodings of e's instant and actor at hand.
func (sc *auditScratch) entryOf(e *AuditEntry) {
	if sc.atJSON == nil || !sc.at.Equal(e.At) {
		sc.at = e.At
		sc.atJSON = appendJSONString(sc.atJSON[:0], e.At.UTC().Format(time.RFC3339Nano))
	}
	if sc.actorJSON == nil || sc.actor != e.Actor {
		sc.actor = e.Actor
		sc.actorJSON = appendJSONString(sc.actorJSON[:0], e.Actor)
	}
}

// entryHash is ComputeHash for e, whose Before and After are canonical.
func (sc *auditScratch) entryHash(e *AuditEntry) string {
	sc.entryOf(e)
	b := append(sc.buf[:0], e.PrevHash...)
	b = appendCanonicalKnown(append(b, '\n'), e, sc.atJSON)
	sc.buf = b
	sc.sha.Reset()
	sc.sha.Write(b)
	return hex.EncodeToString(sc.sha.Sum(sc.sum[:0]))
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
