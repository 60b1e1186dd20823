package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// oddJSON marshals itself with escapes encoding/json would not write.
type oddJSON struct{}

func (oddJSON) MarshalJSON() ([]byte, error) { return []byte(`"\u0041\/x"`), nil }

// TestAuditFastPathIsCanonical: the bytes Audit hashes and commits to,
// built once per value, are those Canonical and Leaf (which audit verify
// and the bundles use) compute from the stored entry.
func TestAuditFastPathIsCanonical(t *testing.T) {
	values := []any{
		nil, "text", 42, 1.5, true, []string{"a", "<b>"}, map[string]any{},
		map[string]any{"z": 1, "a": "x & y <script>", "m": map[string]any{"k2": []any{1, "\u2028"}, "k1": nil}},
		tracker.Authority{ID: 7, Name: "Council <&> \"quoted\"", Tags: []string{"local_council"}, Notes: "line\nbreak é 😀",
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC)},
		struct {
			Odd  oddJSON `json:"odd"`
			Odd2 oddJSON `json:"odd2"`
		}{},
		map[string]any{"raw": json.RawMessage(`{"b": 1, "a": [ 1 , 2 ]}`), "t": "\u00e9\t\x01"},
		map[string]any{"mailbox": "INBOX", "uidvalidity": uint32(4294967295), "uid": uint32(7), "raw_size": int64(-12), "n": 3,
			"i32": int32(-5), "u64": uint64(1 << 63), "ok": true, "no": false, "none": nil, "s": "a <b> & \"c\" \\ é\u2028\x01",
			"\u00e9 key <&>": "", "": "empty key"},
		map[string]any{"state": "matched", "request_id": int64(0), "error": "", "f": 1.25},
		struct {
			N json.Number `json:"n"`
			S string      `json:"s,omitempty"`
		}{N: "12345678901234567890.50"},
	}
	for i, b := range values {
		for j, a := range values {
			bv, err := canonicalParts(b)
			if err != nil {
				t.Fatal(err)
			}
			av, err := canonicalParts(a)
			if err != nil {
				t.Fatal(err)
			}
			for _, pair := range []struct {
				v   auditValue
				raw any
			}{{bv, b}, {av, a}} {
				raw, _ := json.Marshal(pair.raw)
				want, err := canonicalJSON(raw)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(pair.v.canon, want) {
					t.Fatalf("value %d/%d: canonical\n%s\nwant\n%s", i, j, pair.v.canon, want)
				}
			}
			e := AuditEntry{ID: int64(i*100 + j + 1), At: time.Date(2026, 12, 2, 9, 0, 0, 123000, time.UTC), Actor: "alice <a@b>",
				Action: "update", Entity: "authority", EntityID: int64(j), Before: bv.canon, After: av.canon, PrevHash: GenesisHash}
			want, err := e.Canonical()
			if err != nil {
				t.Fatal(err)
			}
			if got := e.canonicalKnown(); !bytes.Equal(got, want) {
				t.Fatalf("entry %d/%d: canonical\n%s\nwant\n%s", i, j, got, want)
			}
			wantHash, _ := e.ComputeHash()
			if got := e.hashCanonical(); got != wantHash {
				t.Fatalf("entry %d/%d: hash %s, want %s", i, j, got, wantHash)
			}
			wantLeaf, _, err := e.Leaf("secret")
			if err != nil {
				t.Fatal(err)
			}
			sc := newAuditScratch()
			if got := sc.leafRecord(nil, &e, "secret", &bv, &av); !bytes.Equal(got, wantLeaf.Bytes()) {
				t.Fatalf("entry %d/%d: leaf\n%s\nwant\n%s", i, j, got, wantLeaf.Bytes())
			}
			if got := sc.leafHash(&e, "secret", &bv, &av); got != wantLeaf.Hash() {
				t.Fatalf("entry %d/%d: leaf hash %v, want %v", i, j, got, wantLeaf.Hash())
			}
		}
	}
}

// TestAuditLeafBytes: the leaf record written directly is the canonical
// JSON json.Marshal makes of it.
func TestAuditLeafBytes(t *testing.T) {
	for _, l := range []AuditLeaf{
		{},
		{ID: 1, At: "2026-12-02T09:00:00.000123Z", Action: "create", Entity: "authority", EntityID: 5,
			Fields: map[string]string{"after.name": "ab", "actor": "cd", "before": "ef", "after.<odd> & \"key\"\u2028": "gh"}},
	} {
		fields := l.Fields
		if fields == nil {
			fields = map[string]string{}
		}
		want, _ := json.Marshal(map[string]any{"format": AuditLeafFormat, "id": l.ID, "at": l.At, "action": l.Action,
			"entity": l.Entity, "entity_id": l.EntityID, "fields": fields})
		if got := l.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("leaf\n%s\nwant\n%s", got, want)
		}
	}
}

// TestImportGapAfter: the lock is left free for at least the sleep of a
// writer in SQLite's busy handler that has waited as long as the batch held it.
func TestImportGapAfter(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct{ held, want time.Duration }{
		{0, 11 * ms}, {2 * ms, 12 * ms}, {100 * ms, 35 * ms}, {177 * ms, 60 * ms}, {205 * ms, 60 * ms},
		{228 * ms, 110 * ms}, {10 * time.Second, 110 * ms},
	} {
		if got := importGapAfter(c.held); got != c.want {
			t.Errorf("after %v: %v, want %v", c.held, got, c.want)
		}
	}
}

// splitObject reads an object's members as json.Unmarshal into a map
// does, or gives up.
func TestSplitObjectAgreesWithUnmarshal(t *testing.T) {
	for _, raw := range []string{
		`{}`, `{"a":1}`, `{"b":"x,}]","a":[1,{"c":"\"}"}],"c":null}`, `{"k":{"x":[[],{}]},"l":"\\"}`,
		`{"a":1,"a":2}`, `{"a\u003c":1}`, `{"a":1 }`, `{"a":}`, `{"a":1,}`, `{"a":"x}`, `{"é":true,"d":-1.5e3}`,
	} {
		got, ok := splitObject([]byte(raw))
		var want map[string]json.RawMessage
		werr := json.Unmarshal([]byte(raw), &want)
		if !ok {
			continue // Unmarshal decides, as before
		}
		if werr != nil {
			t.Errorf("%s: split, but json.Unmarshal fails: %v", raw, werr)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d members, want %d", raw, len(got), len(want))
		}
		for _, m := range got {
			if w, found := want[m.key]; !found || !bytes.Equal(w, m.value) {
				t.Errorf("%s: member %q = %s, want %s", raw, m.key, m.value, w)
			}
		}
	}
	if _, ok := splitObject([]byte(`{"b":"x,}]","a":[1,{"c":"\"}"}],"c":null}`)); !ok {
		t.Error("a plain object was not split")
	}
}
