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
	"slices"
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
	bv, err := be.canonical()
	if err != nil {
		return err
	}
	av, err := ae.canonical()
	if err != nil {
		return err
	}
	e.Before, e.After = bv.canon, av.canon
	e.ID, e.PrevHash = head.id+1, head.hash
	e.Hash = e.hashCanonical()
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
	row := e.insertRow(secret)
	if tx.batch {
		tx.auditRows = append(tx.auditRows, row...) // written by flushAudit, before the commit
	} else if _, err = tx.ExecContext(tx.ctx, auditInsert, row...); err != nil {
		return fmt.Errorf("store: unable to append audit entry: %w", err)
	}
	head.id, head.hash = e.ID, e.Hash
	if head.treeBroken || head.treeSize != e.ID-1 {
		// The tree was changed behind the app's back: the change itself
		// goes on being recorded (in the chain); audit verify reports the
		// tree, and no checkpoint is signed until it is mended.
		return nil
	}
	l := e.leafParts(secret, bv, av)
	r := tx.treeReader()
	if err := appendLeaf(tx.ctx, tx, r, head.treeSize, l.Hash(), tx.batch); err != nil {
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
	auditInsertCols = 11
	treeInsert      = `INSERT INTO audit_tree (idx, hash) VALUES (?, ?)`
	treeInsertCols  = 2
	// auditChunk rows go in one INSERT when entries are written together.
	auditChunk = 64
)

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
	// The hashes appending to a tree of n leaves can read from before: the
	// roots of the complete subtrees of the first n leaves (one for each
	// bit set in n). Every other one it needs, it has made itself.
	var frontier []int64
	for i, n := 0, head.treeSize; n>>i > 0; i++ {
		if (n>>i)&1 == 1 {
			frontier = append(frontier, tlog.StoredHashIndex(i, (n>>i)-1))
		}
	}
	r := tx.treeReader()
	if _, err := r.ReadHashes(frontier); err != nil {
		return err
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
	bv, err := j.before.canonical()
	if err != nil {
		return err
	}
	av, err := j.after.canonical()
	if err != nil {
		return err
	}
	e := j.e
	e.Before, e.After = bv.canon, av.canon
	e.PrevHash = head.hash
	e.Hash = e.hashCanonical()
	secret := tx.s.newAuditSecret()
	tx.auditRows = append(tx.auditRows, e.insertRow(secret)...)
	head.hash = e.Hash
	l := e.leafParts(secret, bv, av)
	if err := appendLeaf(tx.ctx, tx, mapHashes(tx.treeHashMap), head.treeSize, l.Hash(), true); err != nil {
		return err
	}
	head.treeSize++
	return nil
}

// mapHashes reads the tree's hashes a batch's worker has: those read
// before it started and those it made.
type mapHashes map[int64]tlog.Hash

func (m mapHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := m[idx]
		if !ok {
			return nil, fmt.Errorf("store: the audit tree's hash %d was not read before the batch", idx)
		}
		out[i] = h
	}
	return out, nil
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
// has kept back, many rows to a statement: before the commit, and before a
// savepoint (a rollback to it drops what was kept back since, as SQLite
// drops what was written since).
func (tx *Tx) flushAudit() error {
	if err := tx.joinAudit(); err != nil {
		return err
	}
	if err := tx.insertRows(auditInsert, auditInsertCols, tx.auditRows); err != nil {
		return fmt.Errorf("store: unable to append audit entry: %w", err)
	}
	tx.auditRows = tx.auditRows[:0]
	if err := tx.insertRows(treeInsert, treeInsertCols, tx.treeRows); err != nil {
		return fmt.Errorf("store: unable to extend the audit tree: %w", err)
	}
	tx.treeRows = tx.treeRows[:0]
	return nil
}

// insertRows runs insert (one row of cols values) for each row in args,
// auditChunk rows to a statement while there are that many.
func (tx *Tx) insertRows(insert string, cols int, args []any) error {
	if len(args) == 0 {
		return nil
	}
	one := insert[strings.LastIndex(insert, "("):]
	many := insert + strings.Repeat(", "+one, auditChunk-1)
	for len(args) >= auditChunk*cols {
		if _, err := tx.ExecContext(tx.ctx, many, args[:auditChunk*cols]...); err != nil {
			return err
		}
		args = args[auditChunk*cols:]
	}
	for ; len(args) > 0; args = args[cols:] {
		if _, err := tx.ExecContext(tx.ctx, insert, args[:cols]...); err != nil {
			return err
		}
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
// which a leaf commits to one by one.
type auditValue struct {
	canon  json.RawMessage
	keys   []string
	values []json.RawMessage // nil when the value is not an object
}

// canonicalParts is a value's canonical JSON, object keys apart. The
// object is written as json.Marshal writes a map (keys sorted, each key
// and value encoded on its own), so the bytes are canonicalJSON's.
func canonicalParts(v any) (auditValue, error) {
	ev, err := encodeAuditValue(v)
	if err != nil {
		return auditValue{}, err
	}
	return ev.canonical()
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

// canonical is the encoded value's canonical JSON, object keys apart.
func (ev encodedAuditValue) canonical() (auditValue, error) {
	if ev.flat {
		return canonicalObject(ev.members, 64)
	}
	raw := ev.raw
	if len(raw) == 0 || raw[0] != '{' {
		c, err := canonicalJSON(raw)
		return auditValue{canon: c}, err
	}
	members, ok := splitObject(raw)
	if !ok {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			c, err := canonicalJSON(raw)
			return auditValue{canon: c}, err
		}
		members = members[:0]
		for k, v := range obj {
			members = append(members, objectMember{k, v})
		}
	}
	return canonicalObject(members, len(raw))
}

// canonicalObject is the canonical object of members (encoded as
// json.Marshal encodes them), with its keys and values apart.
func canonicalObject(members []objectMember, size int) (auditValue, error) {
	var err error
	slices.SortFunc(members, func(a, b objectMember) int { return strings.Compare(a.key, b.key) })
	av := auditValue{keys: make([]string, 0, len(members)), values: make([]json.RawMessage, 0, len(members))}
	b := make([]byte, 0, size+16)
	b = append(b, '{')
	for i, m := range members {
		k, vb := m.key, m.value
		av.keys = append(av.keys, k)
		if !plainJSON(vb) {
			if vb, err = canonicalJSON(vb); err != nil {
				return auditValue{}, err
			}
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(appendJSONString(b, k), ':'), vb...)
		av.values = append(av.values, vb)
	}
	av.canon = append(b, '}')
	return av, nil
}

// flatMembers encodes a map's members as json.Marshal encodes them, when
// every value is a string, an integer, a bool or nil (the maps most
// entries are made of; ok false for any other): without reflection, and
// without the object written whole to be split again.
func flatMembers(m map[string]any) (members []objectMember, ok bool) {
	members = make([]objectMember, 0, len(m))
	for k, v := range m {
		var b []byte
		switch x := v.(type) {
		case string:
			b = appendJSONString(nil, x)
		case int:
			b = strconv.AppendInt(nil, int64(x), 10)
		case int64:
			b = strconv.AppendInt(nil, x, 10)
		case int32:
			b = strconv.AppendInt(nil, int64(x), 10)
		case uint32:
			b = strconv.AppendUint(nil, uint64(x), 10)
		case uint64:
			b = strconv.AppendUint(nil, x, 10)
		case bool:
			b = strconv.AppendBool(nil, x)
		case nil:
			b = []byte("null")
		default:
			return nil, false
		}
		members = append(members, objectMember{k, b})
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
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s)
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
func (e AuditEntry) hashCanonical() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte("\n"))
	h.Write(e.canonicalKnown())
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalKnown is Canonical for canonical Before and After: the object
// json.Marshal makes of the map in Canonical (keys sorted, strings escaped
// as encoding/json escapes them), written directly.
func (e AuditEntry) canonicalKnown() []byte {
	str := func(s string) []byte { return appendJSONString(nil, s) }
	orNull := func(r json.RawMessage) []byte {
		if len(r) == 0 {
			return []byte("null")
		}
		return r
	}
	b := make([]byte, 0, 160+len(e.Before)+len(e.After))
	b = append(b, `{"action":`...)
	b = append(b, str(e.Action)...)
	b = append(b, `,"actor":`...)
	b = append(b, str(e.Actor)...)
	b = append(b, `,"after":`...)
	b = append(b, orNull(e.After)...)
	b = append(b, `,"at":`...)
	b = append(b, str(e.At.UTC().Format(time.RFC3339Nano))...)
	b = append(b, `,"before":`...)
	b = append(b, orNull(e.Before)...)
	b = append(b, `,"entity":`...)
	b = append(b, str(e.Entity)...)
	b = append(b, `,"entity_id":`...)
	b = strconv.AppendInt(b, e.EntityID, 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	return append(b, '}')
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
