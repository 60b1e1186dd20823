package tracker

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// flipOutside is cal with the holidays of every third weekday outside
// keep turned over (a holiday made a working day, a working day a
// holiday): a calendar that agrees with cal on keep only.
type flipOutside struct {
	Calendar
	keep DaySpan
}

func (f flipOutside) flipped(d Date) bool {
	return !d.IsZero() && !d.IsWeekend() && d.n%3 == 0 && !(DaySpan{d, d}).Within(f.keep)
}

func (f flipOutside) Holiday(d Date) (string, bool) {
	name, hol := f.Calendar.Holiday(d)
	if f.flipped(d) {
		if hol {
			return "", false
		}
		return "Turned over", true
	}
	return name, hol
}

func (f flipOutside) IsWorkingDay(d Date) bool {
	if d.IsWeekend() {
		return false
	}
	_, hol := f.Holiday(d)
	return !hol
}

// TestDerivedReadHoldsEveryDayItReads: a standing worked out on a calendar
// whose holidays differ from its law's on every day outside the days the
// standing read (Derived.Read) is the same standing, after every prefix of
// random histories under every law, with and without a reply waiting to
// be confirmed; and the calendars differ enough to change some standings
// when they differ on the read days too.
func TestDerivedReadHoldsEveryDayItReads(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pending := [][]PendingReply{nil, {{Kind: EventResponseReceived, Outcome: OutcomeRefused, Date: MustParseDate("2026-03-27")}}}
	moved := 0
	for _, law := range Laws {
		cal := CalendarFor(law.Calendar)
		for range 150 {
			h := randomHistory(r, 12)
			for i := 0; i <= len(h); i++ {
				for _, p := range pending {
					want, err := computeDerived(law, cal, h[:i], p, nil)
					if err != nil {
						t.Fatal(err)
					}
					got, err := computeDerived(law, flipOutside{cal, want.Read}, h[:i], p, nil)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s after %+v: read %+v, but a calendar that differs only outside it gives\n%+v\nwant\n%+v", law.Code, h[:i], want.Read, got, want)
					}
					if other, _ := computeDerived(law, flipOutside{cal, DaySpan{}}, h[:i], p, nil); !reflect.DeepEqual(other.Plan, want.Plan) {
						moved++
					}
				}
			}
		}
	}
	if moved == 0 {
		t.Error("turning holidays over on every day changed no plan: the test shows nothing")
	}
}

// TestRulesChanged: the change from one release's rules to another's names
// the days a holiday was added on or taken away from, for the laws on that
// calendar only, and a request of one of them is affected when its read
// days hold one; a law's own rules changed affect its every request; a
// plan version changed affects all; and the rules come back the same from
// their JSON.
func TestRulesChanged(t *testing.T) {
	d := MustParseDate
	base := CurrentRules()
	if c := RulesChanged(base, CurrentRules()); !c.IsZero() {
		t.Fatalf("the same rules changed: %+v", c)
	}
	b, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	var back RuleSet
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, base) {
		t.Fatal("the rules do not come back the same from their JSON")
	}

	undo := AddHoliday(CalendarUK, d("2027-02-15"), "Bank holiday for a test")
	added := CurrentRules()
	undo()
	want := map[LawCode][]Date{UKFOIA: {d("2027-02-15")}, UKEIR: {d("2027-02-15")}}
	for name, c := range map[string]RulesChange{"added": RulesChanged(base, added), "taken away": RulesChanged(added, base)} {
		if c.All || c.Laws != nil || !reflect.DeepEqual(c.Days, want) {
			t.Errorf("holiday %s: %+v, want days %v only", name, c, want)
		}
		for _, tc := range []struct {
			law  LawCode
			read DaySpan
			want bool
		}{
			{UKFOIA, DaySpan{d("2027-01-04"), d("2027-03-01")}, true},
			{UKEIR, DaySpan{d("2027-02-15"), d("2027-02-15")}, true},
			{UKFOIA, DaySpan{d("2027-02-16"), d("2027-04-01")}, false},
			{UKFOIA, DaySpan{d("2026-11-02"), d("2027-02-14")}, false},
			{UKFOIA, DaySpan{}, false},
			{UKFOIA, DaySpan{d("2026-11-02"), d("2101-02-14")}, true}, // beyond the tables: not seen
			{ScotFOISA, DaySpan{d("2027-01-04"), d("2027-03-01")}, false},
			{USFOIA, DaySpan{d("2027-01-04"), d("2027-03-01")}, false},
		} {
			if got := c.Affects(tc.law, tc.read); got != tc.want {
				t.Errorf("holiday %s: Affects(%s, %+v) = %v, want %v", name, tc.law, tc.read, got, tc.want)
			}
		}
		if !c.AffectsLaw(UKFOIA) || c.AffectsLaw(ScotFOISA) {
			t.Errorf("holiday %s: AffectsLaw wrong for %+v", name, c)
		}
	}

	i := 0
	for Laws[i].Code != UKEIR {
		i++
	}
	saved := Laws[i]
	Laws[i].ReviewDecideDays = 30
	changed := CurrentRules()
	Laws[i] = saved
	c := RulesChanged(base, changed)
	if !reflect.DeepEqual(c.Laws, []LawCode{UKEIR}) || c.All || c.Days != nil {
		t.Errorf("a law's rules changed: %+v, want that law only", c)
	}
	if !c.Affects(UKEIR, DaySpan{}) || c.Affects(UKFOIA, DaySpan{d("2026-01-05"), d("2027-01-05")}) {
		t.Errorf("a law's rules changed: Affects wrong for %+v", c)
	}

	old := base
	old.PlanVersion--
	if c := RulesChanged(old, base); !c.All || !c.Affects(USFOIA, DaySpan{}) {
		t.Errorf("plan version changed: %+v, want all", c)
	}
}

// TestHolidaysAddedOutsideReadChangeNothing: holidays added to a law's own
// calendar (through CalendarFor, as a release would add them) on the
// weekdays of the two months before and after the days a standing read
// leave that standing as it was, after random histories under every law
// with a calendar: no part of ComputeDerived reads the calendar behind
// Derived.Read's back.
func TestHolidaysAddedOutsideReadChangeNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	pending := []PendingReply{{Kind: EventResponseReceived, Outcome: OutcomeRefused, Date: MustParseDate("2026-03-27")}}
	for _, law := range Laws {
		for n := range 30 {
			h := randomHistory(r, 1+r.IntN(12))
			p := pending[:n%2]
			want, err := ComputeDerived(law, h, p)
			if err != nil {
				t.Fatal(err)
			}
			if want.Read.IsZero() {
				continue
			}
			var undo []func()
			for k := 1; k <= 60; k++ {
				for _, day := range []Date{want.Read.From.AddDays(-k), want.Read.To.AddDays(k)} {
					if !day.IsWeekend() {
						undo = append(undo, AddHoliday(law.Calendar, day, "Holiday for a test"))
					}
				}
			}
			got, err := ComputeDerived(law, h, p)
			for _, u := range undo {
				u()
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s after %+v: read %+v, but holidays added outside it give\n%+v\nwant\n%+v", law.Code, h, want.Read, got, want)
			}
		}
	}
}

// TestReadingCalendarAnswersAsItsCalendar: a readingCalendar (which
// answers the days of its calendar's table itself) says of every day
// from before the table to after it what its calendar says, and notes
// every day it was asked about.
func TestReadingCalendarAnswersAsItsCalendar(t *testing.T) {
	for _, name := range ruleCalendars {
		cal := CalendarFor(name)
		c := newReadingCalendar(cal)
		if c.days == nil {
			t.Fatalf("%s: no table", name)
		}
		from, to := NewDate(tableFirst-3, time.January, 1), NewDate(tableLast+3, time.December, 31)
		for d := from; !d.After(to); d = d.AddDays(1) {
			if got, want := c.IsWorkingDay(d), cal.IsWorkingDay(d); got != want {
				t.Fatalf("%s %s: working day %v, want %v", name, d, got, want)
			}
		}
		if c.IsWorkingDay(Date{}) != cal.IsWorkingDay(Date{}) {
			t.Fatalf("%s: the zero Date", name)
		}
		if c.read != (DaySpan{from, to}) {
			t.Fatalf("%s: read %+v, want %s to %s", name, c.read, from, to)
		}
	}
}

// plainCalendar hides its Calendar's type: count goes a day at a time.
type plainCalendar struct{ Calendar }

// TestCountOverWholeWeeksAsDayByDay: count, addWorkingDaysQuiet and
// WorkingDaysBetween on a readingCalendar (which step over whole weeks
// without a holiday at once) give, for 1 to 70 working or calendar days
// from (or up to 70 days after) every day of years full of holidays and of
// the table's edges, the period, day or count and the days read that
// going a day at a time gives.
func TestCountOverWholeWeeksAsDayByDay(t *testing.T) {
	spans := [][2]Date{
		{NewDate(2024, time.November, 20), NewDate(2027, time.February, 1)},
		{NewDate(tableFirst, time.January, 1).AddDays(-12), NewDate(tableFirst, time.January, 20)},
		{NewDate(tableLast, time.November, 1), NewDate(tableLast+1, time.January, 10)},
	}
	for _, name := range ruleCalendars {
		cal := CalendarFor(name)
		for _, s := range spans {
			for from := s[0]; !from.After(s[1]); from = from.AddDays(1) {
				for _, unit := range []DayUnit{WorkingDays, CalendarDays} {
					for n := 1; n <= 70; n++ {
						for _, roll := range []bool{false, true} {
							fast, slow := newReadingCalendar(cal), newReadingCalendar(plainCalendar{cal})
							got, want := count(fast, unit, from, n, nil, roll), count(slow, unit, from, n, nil, roll)
							if !reflect.DeepEqual(got, want) || fast.read != slow.read {
								t.Fatalf("%s: %d %s from %s (roll %v): %+v reading %+v, want %+v reading %+v",
									name, n, unit, from, roll, got, fast.read, want, slow.read)
							}
						}
					}
				}
				for n := 1; n <= 70; n++ {
					fast, slow := newReadingCalendar(cal), newReadingCalendar(plainCalendar{cal})
					if got, want := addWorkingDaysQuiet(fast, from, n), addWorkingDaysQuiet(slow, from, n); got != want || fast.read != slow.read {
						t.Fatalf("%s: %d working days from %s: %s reading %+v, want %s reading %+v", name, n, from, got, fast.read, want, slow.read)
					}
				}
				for k := -2; k <= 70; k++ {
					fast, slow := newReadingCalendar(cal), newReadingCalendar(plainCalendar{cal})
					to := from.AddDays(k)
					if got, want := WorkingDaysBetween(fast, from, to), WorkingDaysBetween(slow, from, to); got != want || fast.read != slow.read {
						t.Fatalf("%s: working days from %s to %s: %d reading %+v, want %d reading %+v", name, from, to, got, fast.read, want, slow.read)
					}
				}
			}
		}
	}
}
