package tracker

import (
	"encoding/json"
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

// TestWordsAsBefore: every date and every word that ComputeDerived and
// ComputeDeadlines give (explanations, warnings, labels, skipped holidays,
// the standing's text on a few days), for random histories under every
// law with and without replies waiting, are those of session 7: their
// fingerprint is the one its code gave. The stored standings (and their
// plan_hash) hold these words, so a change of them — meant or not — would
// make a recompute rewrite every request; a meant one changes PlanVersion
// and this fingerprint together.
func TestWordsAsBefore(t *testing.T) {
	const want = 0x63bf06044051290a // session 7's (ff10b36)
	r := rand.New(rand.NewPCG(11, 12))
	pendings := [][]PendingReply{nil,
		{{Kind: EventResponseReceived, Outcome: OutcomeRefused, Date: MustParseDate("2026-03-27")}, {Kind: EventNote}}}
	sum := crc64.MakeTable(crc64.ECMA)
	var crc uint64
	add := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		crc = crc64.Update(crc, sum, b)
	}
	for _, law := range Laws {
		for range 150 {
			h := randomHistory(r, 12)
			for i := 0; i <= len(h); i++ {
				for _, p := range pendings {
					d, err := ComputeDerived(law, h[:i], p)
					if err != nil {
						t.Fatal(err)
					}
					add(d)
				}
				ds := ComputeDeadlines(law, h[:i])
				add(ds)
				for _, day := range []int{0, 15, 40, 90} {
					add(ds.Standing(MustParseDate("2025-01-01").AddDays(day * 9)))
				}
			}
		}
	}
	if crc != want {
		t.Fatalf("fingerprint of the words %#x, want %#x", crc, uint64(want))
	}
}
