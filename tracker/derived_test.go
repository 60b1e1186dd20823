package tracker

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomHistory is a history the lifecycle accepts, of up to n events a
// few days apart from 2025 on (some on the same day), drawn with r.
func randomHistory(r *rand.Rand, n int) []Event {
	kinds := []EventKind{EventSent, EventAcknowledged, EventClarificationRequested, EventClarificationSent, EventFeeNotice, EventFeePaid,
		EventExtensionClaimed, EventChaserSent, EventResponseReceived, EventReviewRequested, EventReviewOutcome,
		EventRegulatorComplaint, EventRegulatorDecision, EventWithdrawn, EventClosed, EventNote}
	outcomes := map[EventKind][]string{
		EventResponseReceived:  {OutcomeReleasedInFull, OutcomeReleasedInPart, OutcomeRefused, OutcomeNotHeld},
		EventReviewOutcome:     {OutcomeUpheld, OutcomeOverturned, OutcomePartlyUpheld},
		EventRegulatorDecision: {OutcomeComplaintUpheld, OutcomeComplaintNotUpheld},
	}
	day := MustParseDate("2025-01-01").AddDays(r.IntN(700))
	st := State{Status: StatusDraft}
	var out []Event
	for tries := 0; len(out) < n && tries < 200; tries++ {
		e := Event{ID: int64(len(out) + 1), Kind: kinds[r.IntN(len(kinds))], Date: day.AddDays(r.IntN(30))}
		if o := outcomes[e.Kind]; o != nil {
			e.Outcome = o[r.IntN(len(o))]
		}
		if e.Kind == EventExtensionClaimed {
			e.Reason = "public interest test"
			if r.IntN(2) == 0 {
				e.NewDueDate = e.Date.AddDays(10 + r.IntN(40))
			}
		}
		next, err := Apply(st, e)
		if err != nil {
			continue
		}
		st, day = next, e.Date
		out = append(out, e)
	}
	return out
}

// TestResponseDueAgreesWithComputeDeadlines: the first response's due date
// in force and date of receipt, worked out without the rest, are what
// ComputeDeadlines gives, after every prefix of random histories under
// every law.
func TestResponseDueAgreesWithComputeDeadlines(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, law := range Laws {
		for range 300 {
			h := randomHistory(r, 12)
			for i := 0; i <= len(h); i++ {
				ds := ComputeDeadlines(law, h[:i])
				due, received := responseDue(law, CalendarFor(law.Calendar), h[:i])
				if !due.Equal(ds.Current().Date) || !received.Equal(ds.Received) {
					t.Fatalf("%s after %+v: responseDue %s from %s, ComputeDeadlines %s from %s", law.Code, h[:i], due, received, ds.Current().Date, ds.Received)
				}
			}
		}
	}
}

// TestFirstResponseIsThatOfItsPrefix: the first response's due date in
// force, and the working days to it from the date of receipt, are what the
// history up to it gives, and reading them asks about no day of the
// calendar that the rest of the computation did not (Derived.Read), after
// every prefix of random histories under every law.
func TestFirstResponseIsThatOfItsPrefix(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, law := range Laws {
		for range 300 {
			h := randomHistory(r, 12)
			for i := 0; i <= len(h); i++ {
				d, err := ComputeDerived(law, h[:i], nil)
				if err != nil {
					t.Fatal(err)
				}
				want := FirstResponse{Days: -1}
				cal := CalendarFor(law.Calendar)
				var reading *readingCalendar
				if cal != nil {
					reading = &readingCalendar{Calendar: cal, read: d.Read}
					cal = reading
				}
				for j, e := range h[:i] {
					if e.Kind == EventResponseReceived {
						var received Date
						want.On = e.Date
						want.DueOn, received = responseDue(law, cal, h[:j])
						if cal != nil && !received.IsZero() {
							want.Days = WorkingDaysBetween(cal, received, e.Date)
						}
						break
					}
				}
				if d.First != want {
					t.Fatalf("%s after %+v: first response %+v, want %+v", law.Code, h[:i], d.First, want)
				}
				if reading != nil && reading.read != d.Read {
					t.Fatalf("%s after %+v: read %+v, with the first response from its prefix %+v", law.Code, h[:i], d.Read, reading.read)
				}
			}
		}
	}
}

// TestDeadlinesForPlanGiveTheSamePlan: the plan, the standing basis and the
// due date in force worked out from deadlinesForPlan are those from
// ComputeDeadlines, after
// every prefix of random histories under every law, with and without a
// reply waiting to be confirmed.
func TestDeadlinesForPlanGiveTheSamePlan(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pending := [][]PendingReply{nil, {{Kind: EventResponseReceived, Outcome: OutcomeRefused, Date: MustParseDate("2026-03-27")}}}
	for _, law := range Laws {
		for range 300 {
			h := randomHistory(r, 12)
			for i := 0; i <= len(h); i++ {
				full, lean := ComputeDeadlines(law, h[:i]), deadlinesForPlan(law, CalendarFor(law.Calendar), h[:i])
				if full.Basis() != lean.Basis() {
					t.Fatalf("%s after %+v: standing basis %+v, for the plan %+v", law.Code, h[:i], full.Basis(), lean.Basis())
				}
				if !full.NextDue().Date.Equal(lean.NextDue().Date) {
					t.Fatalf("%s after %+v: due %s, for the plan %s", law.Code, h[:i], full.NextDue().Date, lean.NextDue().Date)
				}
				for _, p := range pending {
					want, got := PlanFromDeadlines(law, full, h[:i], p), PlanFromDeadlines(law, lean, h[:i], p)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s after %+v: plan\n%+v\nwant\n%+v", law.Code, h[:i], got, want)
					}
				}
			}
		}
	}
}

// BenchmarkComputeDerived works out the standing of random histories
// under every law (what `foitrack recompute` does for each request).
func BenchmarkComputeDerived(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	type input struct {
		law     Law
		history []Event
	}
	var inputs []input
	for i := range 1000 {
		inputs = append(inputs, input{Laws[i%len(Laws)], randomHistory(r, 1+r.IntN(6))})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		in := inputs[i%len(inputs)]
		if _, err := ComputeDerived(in.law, in.history, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// TestComputeDerivedRefusesAsReplay: a history the lifecycle refuses (an
// event put where it may not be) gives Replay's own error, naming the
// event, and an allowed one the plan PlanNextAction gives.
func TestComputeDerivedRefusesAsReplay(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	refused := 0
	for _, law := range Laws {
		for range 100 {
			h := randomHistory(r, 8)
			if len(h) < 2 {
				continue
			}
			bad := append(append([]Event(nil), h...), Event{ID: 99, Kind: h[0].Kind, Date: h[len(h)-1].Date})
			bad[len(bad)-1], bad[len(bad)/2] = bad[len(bad)/2], bad[len(bad)-1]
			_, err := ComputeDerived(law, bad, nil)
			_, want := Replay(bad)
			if (err == nil) != (want == nil) || err != nil && err.Error() != want.Error() {
				t.Fatalf("%s after %+v: error %v, Replay's %v", law.Code, bad, err, want)
			}
			if err != nil {
				refused++
			}
			d, err := ComputeDerived(law, h, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p := PlanNextAction(law, h, nil); !reflect.DeepEqual(d.Plan, p) {
				t.Fatalf("%s after %+v: plan\n%+v\nwant\n%+v", law.Code, h, d.Plan, p)
			}
		}
	}
	if refused == 0 {
		t.Fatal("no history refused")
	}
}

// TestDeadlinesIntoAUsedValue: the deadlines worked out into a value that
// held another history's (as ComputeDerived's kept one does) are those
// worked out afresh, under every law.
func TestDeadlinesIntoAUsedValue(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, law := range Laws {
		cal := CalendarFor(law.Calendar)
		for range 200 {
			h1, h2 := randomHistory(r, 12), randomHistory(r, 1+r.IntN(12))
			ds := deadlinesForPlan(law, cal, h1)
			deadlinesForPlanInto(&ds, law, cal, h2, nil)
			if want := deadlinesForPlan(law, cal, h2); !reflect.DeepEqual(ds, want) {
				t.Fatalf("%s after %+v, then %+v:\n%+v\nwant\n%+v", law.Code, h1, h2, ds, want)
			}
		}
	}
}
