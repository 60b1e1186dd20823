package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

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
			if got := e.leafParts("secret", bv, av); !bytes.Equal(got.Bytes(), wantLeaf.Bytes()) {
				t.Fatalf("entry %d/%d: leaf\n%s\nwant\n%s", i, j, got.Bytes(), wantLeaf.Bytes())
			}
		}
	}
}
