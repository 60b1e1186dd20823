package tracker

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
)

// TestDeriverAsComputeDerived: one Deriver working out random histories
// under every law, one after another, gives for each exactly what
// ComputeDerived gives (every value, the words and the days read
// included), after every prefix, with and without replies waiting to be
// confirmed. Worked out a second time, in the same order, every deadline
// it keeps comes from what it kept the first time.
func TestDeriverAsComputeDerived(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	pending := [][]PendingReply{nil, {{Kind: EventResponseReceived, Outcome: OutcomeRefused, Date: MustParseDate("2026-03-27")}}}
	type input struct {
		law     Law
		history []Event
	}
	var inputs []input
	for range 80 {
		for _, law := range Laws {
			h := randomHistory(r, 12)
			for i := 0; i <= len(h); i++ {
				inputs = append(inputs, input{law, h[:i]})
			}
		}
	}
	dv := NewDeriver()
	pass := func() {
		for _, in := range inputs {
			for _, p := range pending {
				want, werr := ComputeDerived(in.law, in.history, p)
				got, err := dv.ComputeDerived(in.law, in.history, p)
				if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
					t.Fatalf("%s after %+v: error %v, want %v", in.law.Code, in.history, err, werr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s after %+v:\n%+v\nwant\n%+v", in.law.Code, in.history, got, want)
				}
			}
		}
	}
	pass()
	kept := dv.n.Load()
	pass()
	t.Logf("%d standings twice: %d deadlines kept", 2*len(inputs), kept)
	if kept == 0 || dv.n.Load() != kept {
		t.Fatalf("worked out again: %d deadlines kept (%d before)", dv.n.Load(), kept)
	}
}

// TestDeriverAfterRulesChange: a Deriver that kept deadlines under the
// rules before a holiday was added, or before a law's rules changed, gives
// afterwards what ComputeDerived gives under the new rules (and again
// after they are put back).
func TestDeriverAfterRulesChange(t *testing.T) {
	law, _ := LawByCode(UKFOIA)
	// Sent a day whose response is due 20 working days later, the holiday
	// added among them: every kept date from it moves.
	h := []Event{
		{Kind: EventSent, Date: MustParseDate("2025-06-02")},
		{Kind: EventResponseReceived, Date: MustParseDate("2025-06-20"), Outcome: OutcomeRefused},
		{Kind: EventReviewRequested, Date: MustParseDate("2025-06-23")},
	}
	dv := NewDeriver()
	check := func(what string, law Law) {
		t.Helper()
		for i := 1; i <= len(h); i++ {
			want, err := ComputeDerived(law, h[:i], nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dv.ComputeDerived(law, h[:i], nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, after %d events:\n%+v\nwant\n%+v", what, i, got, want)
			}
		}
	}
	check("before", law)
	changed := law
	changed.ResponsePeriod, changed.ReviewAskDays, changed.ReviewDecideDays = 15, 30, 10
	check("with the law's periods changed", changed)
	check("with the law's periods back", law)
	before, _ := ComputeDerived(law, h[:1], nil)
	undo := AddHoliday(CalendarUK, MustParseDate("2025-06-10"), "A proclaimed holiday")
	check("with a holiday added", law)
	if after, _ := ComputeDerived(law, h[:1], nil); after.DueDate == before.DueDate {
		t.Fatalf("the holiday moved no due date: %s", after.DueDate)
	}
	undo()
	check("with the holiday taken away", law)
}

// TestDeriverSharedByGoroutines: goroutines working out random histories
// through one Deriver each get what ComputeDerived gives (run with -race).
func TestDeriverSharedByGoroutines(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	var histories [][]Event
	for range 40 {
		histories = append(histories, randomHistory(r, 8))
	}
	dv := NewDeriver()
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := range histories {
				h, law := histories[(i+g*7)%len(histories)], Laws[(i+g)%len(Laws)]
				want, _ := ComputeDerived(law, h, nil)
				if got, _ := dv.ComputeDerived(law, h, nil); !reflect.DeepEqual(got, want) {
					errs <- fmt.Sprintf("%s after %+v:\n%+v\nwant\n%+v", law.Code, h, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
