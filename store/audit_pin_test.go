package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/foitrack/foitrack/tracker"
)

// countingSecrets is a reproducible stream of entry secrets:
// sha256(counter), block after block.
type countingSecrets struct {
	n   uint64
	buf []byte
}

func (c *countingSecrets) Read(p []byte) (int, error) {
	for len(c.buf) < len(p) {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], c.n)
		c.n++
		s := sha256.Sum256(b[:])
		c.buf = append(c.buf, s[:]...)
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// pinnedAuditValues are values of every kind entries are made of: none,
// scalars, flat maps of each type the flat encoder knows, maps it does
// not (nested, map[string]string, raw JSON), the app's structs, values
// that marshal themselves, and text with every escape encoding/json makes.
func pinnedAuditValues() []any {
	return []any{
		nil, "", "text <&> \"q\" é\u2028", 42, int64(-7), 1.5, true, []string{"a", "<b>"}, []any{},
		map[string]any{},
		map[string]any{"z": 1, "a": "x & y <script>", "m": map[string]any{"k2": []any{1, "\u2028"}, "k1": nil}},
		map[string]string{"kind": "ack", "law": "foia"},
		map[string]any{"mailbox": "INBOX", "uidvalidity": uint32(4294967295), "uid": uint32(7), "raw_size": int64(-12), "n": 3,
			"i32": int32(-5), "u64": uint64(1 << 63), "ok": true, "no": false, "none": nil, "s": "a <b> & \"c\" \\ é\u2028\x01",
			"\u00e9 key <&>": "", "": "empty key"},
		map[string]any{"raw": json.RawMessage(`{"b": 1, "a": [ 1 , 2 ]}`), "t": "\u00e9\t\x01", "f": 1.25},
		tracker.Authority{ID: 7, Name: "Council <&> \"quoted\"", Tags: []string{"local_council"}, Notes: "line\nbreak é 😀",
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC)},
		tracker.Request{ID: 3, Title: "Gritting routes", AuthorityID: 7, Notes: "private", Law: tracker.UKFOIA},
		tracker.Event{ID: 11, RequestID: 3, Kind: tracker.EventSent, Date: tracker.MustParseDate("2026-03-02"), Note: "sent by post"},
		struct {
			Odd  oddJSON `json:"odd"`
			Odd2 oddJSON `json:"odd2"`
		}{},
		struct {
			N json.Number `json:"n"`
			S string      `json:"s,omitempty"`
		}{N: "12345678901234567890.50"},
		map[string]any{"sent_at": "2026-12-02T09:00:00.000123Z", "state": "sent"},
	}
}

// TestAuditEntriesPinned pins the exact rows (every column, secrets
// included, with a reproducible secret stream) and tree hashes written for
// entries of every kind, by a change on its own (Update), by a batch's
// worker (UpdateBatch, across the worker's lots and the INSERTs' chunks),
// and by a batch rolled back to a savepoint: the chain, the leaves and
// the tree are a format published logs are verified against, so a faster
// writer must write the same bytes.
func TestAuditEntriesPinned(t *testing.T) {
	ctx := WithActor(context.Background(), "cli:pin <test>")
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.AuditSecrets = &countingSecrets{}
	now := time.Date(2026, 12, 2, 9, 0, 0, 123000, time.UTC)
	st.Now = func() time.Time { return now }
	values := pinnedAuditValues()
	actions := []struct{ action, entity string }{
		{"create", "authority"}, {"update", "document"}, {"fetch", "mail_message"}, {"process", "mail_message"},
		{"event", "request"}, {"status", "request"}, {"owner", "request"}, {"delete", "censor_rule"},
	}
	n := 0
	audit := func(tx *Tx) error {
		b, a := values[n%len(values)], values[(n*7+3)%len(values)]
		act := actions[n%len(actions)]
		n++
		return tx.Audit(act.action, act.entity, int64(n%13), b, a)
	}
	// Every pair of values once, one change a transaction.
	for range len(values) {
		if err := st.Update(ctx, audit); err != nil {
			t.Fatal(err)
		}
	}
	// A batch of more than a worker's lot, at another instant.
	now = now.Add(90*time.Minute + 456789*time.Microsecond)
	if err := st.UpdateBatch(WithActor(ctx, "system"), func(tx *Tx) error {
		for range 300 {
			if err := audit(tx); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A batch with entries dropped by a rollback to a savepoint.
	now = now.Add(time.Second)
	if err := st.UpdateBatch(ctx, func(tx *Tx) error {
		for i := range 150 {
			if i == 70 {
				if _, err := tx.ExecContext(ctx, `SAVEPOINT pin`); err != nil {
					return err
				}
			}
			if i == 140 {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO pin`); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `RELEASE pin`); err != nil {
					return err
				}
			}
			if err := audit(tx); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	if _, brk, err := st.VerifyAuditChain(ctx); brk != nil || err != nil {
		t.Fatalf("chain: %v %v", brk, err)
	}
	size, problems, err := st.VerifyAuditTree(ctx)
	if len(problems) > 0 || err != nil {
		t.Fatalf("tree: %v %v", problems, err)
	}
	head, id, err := st.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	root, err := st.AuditTreeHash(ctx, size)
	if err != nil {
		t.Fatal(err)
	}
	rows := sha256.New()
	for _, q := range []string{
		`SELECT id, at, actor, action, entity, entity_id, before, after, prev_hash, hash, secret FROM audit_log ORDER BY id`,
		`SELECT idx, hex(hash), typeof(hash) FROM audit_tree ORDER BY idx`,
	} {
		r, err := st.r.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(rows, "%T:%v\x00", v, v)
			}
			rows.Write([]byte{'\n'})
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	got := fmt.Sprintf("entries %d, tree %d, head %s, root %s, rows %s", id, size, head, root, hex.EncodeToString(rows.Sum(nil)))
	const want = "entries 400, tree 400, head cff7c363465a725cb13139737f27a9795a8f44ab2b0f5b4362377838cae378c0, root KaRFGcdAhD+CJ5B20tIargZxpvPn61dW48fQ26D5dQU=, rows e63fd0528825cd2d89f3f8ea6a856d97c4a4d2b1185f8afaba395e3ae669aef8"
	if got != want {
		t.Errorf("audit log written\n got %s\nwant %s", got, want)
	}
}

// BenchmarkAuditWorkerEntry is the audit worker's cost of one entry of a
// batch (canonical values, chain hash, secret, leaf commitments, tree
// hashes, the row kept back), over a mix like a seeded request's: a
// message fetched and processed, an event, a status, a request, a
// document and its owner.
func BenchmarkAuditWorkerEntry(b *testing.B) {
	at := time.Date(2026, 12, 2, 9, 0, 0, 123000, time.UTC)
	view := func(state string, req int64) map[string]any {
		return map[string]any{"state": state, "request_id": req, "match_rule": "reference", "error": "", "proposal_state": ""}
	}
	values := []struct {
		action, entity string
		before, after  any
	}{
		{"fetch", "mail_message", nil, map[string]any{"mailbox": "INBOX", "uidvalidity": uint32(1700000000), "uid": uint32(4242),
			"message_id": "<20261202.4242@council.gov.uk>", "raw_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			"raw_size": int64(18234), "state": "new"}},
		{"process", "mail_message", view("new", 0), view("matched", 1234)},
		{"event", "request", nil, tracker.Event{ID: 99, RequestID: 1234, Kind: tracker.EventSent, Date: tracker.MustParseDate("2026-03-02"),
			Note: "Sent by email to the council's FOI officer"}},
		{"status", "request", "awaiting_response", "answered"},
		{"create", "request", nil, tracker.Request{ID: 1234, Title: "Gritting routes and salt stocks 2025/26", AuthorityID: 7,
			Notes: "Ask for the map too", Law: tracker.UKFOIA}},
		{"create", "document", nil, map[string]any{"id": 55, "request_id": 1234, "filename": "response.pdf", "sha256": "ab12", "size": 123456}},
		{"owner", "request", int64(0), int64(3)},
	}
	jobs := make([]auditJob, len(values))
	for i, v := range values {
		be, err := encodeAuditValue(v.before)
		if err != nil {
			b.Fatal(err)
		}
		ae, err := encodeAuditValue(v.after)
		if err != nil {
			b.Fatal(err)
		}
		jobs[i] = auditJob{AuditEntry{At: at, Actor: "system", Action: v.action, Entity: v.entity, EntityID: 1234}, be, ae}
	}
	tx := &Tx{s: &Store{}, ctx: context.Background()}
	head := &auditHead{hash: GenesisHash, frontier: []tlog.Hash{}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		j := jobs[i%len(jobs)]
		j.e.ID = int64(i + 1)
		if err := tx.auditEntry(head, j); err != nil {
			b.Fatal(err)
		}
		if head.treeSize == 4096 {
			// A seed's transaction holds about as many: its rows are
			// written and the tree starts again.
			tx.auditRows, head.treeKept = tx.auditRows[:0], head.treeKept[:0]
			head.frontier, head.treeSize = head.frontier[:0], 0
		}
	}
}

// TestAuditBatchWritesWhatUpdateWrites: entries of every kind written by
// a batch into an empty log (its worker, its kept rows and tree hashes,
// the first of them all included) are the rows and tree Update writes
// one change at a time, with the same secrets.
func TestAuditBatchWritesWhatUpdateWrites(t *testing.T) {
	ctx := WithActor(context.Background(), "cli:pin")
	values := pinnedAuditValues()
	now := time.Date(2026, 12, 2, 9, 0, 0, 123000, time.UTC)
	dump := func(batch bool) string {
		st, err := Open(ctx, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		st.AuditSecrets = &countingSecrets{}
		st.Now = func() time.Time { return now }
		audit := func(tx *Tx, n int) error {
			return tx.Audit("update", "authority", int64(n), values[n%len(values)], values[(n*7+3)%len(values)])
		}
		if batch {
			if err := st.UpdateBatch(ctx, func(tx *Tx) error {
				for n := range 150 {
					if err := audit(tx, n); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		} else {
			for n := range 150 {
				if err := st.Update(ctx, func(tx *Tx) error { return audit(tx, n) }); err != nil {
					t.Fatal(err)
				}
			}
		}
		var out strings.Builder
		for _, q := range []string{
			`SELECT id, at, actor, action, entity, entity_id, before, after, prev_hash, hash, secret FROM audit_log ORDER BY id`,
			`SELECT idx, hex(hash), typeof(hash) FROM audit_tree ORDER BY idx`,
		} {
			r, err := st.r.QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := r.Columns()
			vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for r.Next() {
				if err := r.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&out, "%v\n", vals)
			}
			r.Close()
		}
		return out.String()
	}
	one, batch := dump(false), dump(true)
	if one != batch {
		t.Errorf("a batch wrote\n%.3000s\nUpdate wrote\n%.3000s", batch, one)
	}
}
