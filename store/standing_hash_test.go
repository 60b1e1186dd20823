package store

import (
	"encoding/binary"
	"hash/crc64"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// TestStandingHashIsThatOfTheStoredValues: for the standings of random
// histories under every law, with and without replies waiting (every
// kind of step, window and needs_* case), standingHash — the fingerprint
// a recompute compares with plan_hash, made without the values — is the
// fingerprint of the values standingRow stores, and both the values and
// the fingerprint are those session 7 stored (standingRowBefore, the
// code as it was, with hash/crc64): no stored plan_hash is invalidated.
func TestStandingHashIsThatOfTheStoredValues(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pendings := [][]tracker.PendingReply{nil,
		{{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeRefused, Date: tracker.MustParseDate("2026-03-27")}},
		{{Kind: tracker.EventNote}, {Kind: tracker.EventReviewOutcome, Outcome: tracker.OutcomeUpheld}}}
	n := 0
	for _, law := range tracker.Laws {
		for range 200 {
			h := randomHistory(r, 12)
			for i := 0; i <= len(h); i++ {
				for _, p := range pendings {
					d, err := tracker.ComputeDerived(law, h[:i], p)
					if err != nil {
						t.Fatal(err)
					}
					row, before := standingRow(d), standingRowBefore(d)
					if !reflect.DeepEqual(row.vals, before.vals) {
						t.Fatalf("%s after %+v: values\n%+v\nwant\n%+v", law.Code, h[:i], row.vals, before.vals)
					}
					want := hashBefore(before)
					if got := row.hash(); got != want {
						t.Fatalf("%s after %+v: stored values' hash %x, want %x", law.Code, h[:i], got, want)
					}
					if got := standingHash(d); got != want {
						t.Fatalf("%s after %+v: standingHash %x, want %x", law.Code, h[:i], got, want)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d standings", n)
}

// randomHistory is a history the lifecycle accepts, of up to n events a
// few days apart from 2025 on (tracker's own test helper, again).
func randomHistory(r *rand.Rand, n int) []tracker.Event {
	kinds := []tracker.EventKind{tracker.EventSent, tracker.EventAcknowledged, tracker.EventClarificationRequested, tracker.EventClarificationSent,
		tracker.EventFeeNotice, tracker.EventFeePaid, tracker.EventExtensionClaimed, tracker.EventChaserSent, tracker.EventResponseReceived,
		tracker.EventReviewRequested, tracker.EventReviewOutcome, tracker.EventRegulatorComplaint, tracker.EventRegulatorDecision,
		tracker.EventWithdrawn, tracker.EventClosed, tracker.EventNote}
	outcomes := map[tracker.EventKind][]string{
		tracker.EventResponseReceived:  {tracker.OutcomeReleasedInFull, tracker.OutcomeReleasedInPart, tracker.OutcomeRefused, tracker.OutcomeNotHeld},
		tracker.EventReviewOutcome:     {tracker.OutcomeUpheld, tracker.OutcomeOverturned, tracker.OutcomePartlyUpheld},
		tracker.EventRegulatorDecision: {tracker.OutcomeComplaintUpheld, tracker.OutcomeComplaintNotUpheld},
	}
	day := tracker.MustParseDate("2025-01-01").AddDays(r.IntN(700))
	st := tracker.State{Status: tracker.StatusDraft}
	var out []tracker.Event
	for tries := 0; len(out) < n && tries < 200; tries++ {
		e := tracker.Event{ID: int64(len(out) + 1), Kind: kinds[r.IntN(len(kinds))], Date: day.AddDays(r.IntN(30))}
		if o := outcomes[e.Kind]; o != nil {
			e.Outcome = o[r.IntN(len(o))]
		}
		if e.Kind == tracker.EventExtensionClaimed {
			e.Reason = "public interest test"
			if r.IntN(2) == 0 {
				e.NewDueDate = e.Date.AddDays(10 + r.IntN(40))
			}
		}
		next, err := tracker.Apply(st, e)
		if err != nil {
			continue
		}
		st, day = next, e.Date
		out = append(out, e)
	}
	return out
}

// standingRowBefore is standingRow as session 7 (ff10b36) wrote it.
func standingRowBefore(st tracker.Derived) storedStanding {
	plan := st.Plan
	needsFrom, needsUntil := sval{kind: 'n'}, sval{kind: 'n'}
	needsRank, needsSort := int64(1), ""
	switch {
	case plan.Now.Who == tracker.WhoRequester:
		needsFrom, needsSort = sStr(""), plan.Now.By.String()
		if !plan.Now.By.IsZero() && !plan.Then.IsZero() && plan.Then.Who != tracker.WhoRequester {
			needsUntil = sStr(plan.Now.By.String())
		}
		if plan.Now.Action == tracker.ActionConfirmReply {
			needsRank = 0
		}
	case plan.Then.Who == tracker.WhoRequester && !plan.Now.By.IsZero():
		from := plan.Now.By.AddDays(1).String()
		needsFrom, needsSort = sStr(from), plan.Then.By.String()
		if plan.Then.By.IsZero() {
			needsSort = from
		}
	}
	days := sval{kind: 'n'}
	if st.First.Days >= 0 {
		days = sInt(int64(st.First.Days))
	}
	vals := []sval{
		sStr(string(st.Status)), sStr(st.Outcome), sDate(st.SentOn), sDate(st.DueDate),
		sStr(st.Figures.FirstOutcome), sInt(int64(st.Figures.ReviewDays)), sStr(st.Figures.ReviewOutcome), sStr(st.Figures.RegulatorOutcome),
		sDate(st.First.On), sDate(st.First.DueOn), days,
		sStr(string(plan.Now.Who)), sStr(string(plan.Now.Action)), sDate(plan.Now.By), sStr(plan.Now.Explanation),
		sStr(string(plan.Then.Who)), sStr(string(plan.Then.Action)), sDate(plan.Then.By), sStr(plan.Then.Explanation), sDate(plan.Since),
		needsFrom, needsUntil, sInt(needsRank), sStr(needsSort),
		sStr(string(st.Basis.Code)), sDate(st.Basis.Date), sDate(st.Basis.LongOverdue), sStr(st.Basis.Note),
	}
	return storedStanding{vals: vals, windows: plan.Windows}
}

// hashBefore is storedStanding.hash as session 7 wrote it.
func hashBefore(s storedStanding) int64 {
	var buf []byte
	val := func(v sval) {
		buf = append(buf, v.kind)
		switch v.kind {
		case 's':
			buf = binary.AppendUvarint(buf, uint64(len(v.s)))
			buf = append(buf, v.s...)
		case 'i':
			buf = binary.AppendVarint(buf, v.i)
		}
	}
	for _, v := range s.vals {
		val(v)
	}
	for _, w := range s.windows {
		opt := int64(0)
		if w.Optional {
			opt = 1
		}
		for _, v := range [7]sval{sStr(string(w.Kind)), sStr(string(w.Who)), sStr(w.Label), sStr(w.Date.String()), sStr(string(w.State)), sInt(opt), sStr(w.Explanation)} {
			val(v)
		}
	}
	return int64(crc64.Checksum(buf, crc64.MakeTable(crc64.ECMA)))
}
