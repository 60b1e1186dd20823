package tracker

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rickar/cal/v2"
)

// Calendar says which days are working days for a statutory period.
//
// A working day is a weekday that is not a holiday. Which holidays count is the
// law's choice, not the authority's: under FOIA s10(6) a bank holiday in any
// part of the UK stops the clock for every authority, so a calendar is named
// after a rule ("uk-any"), not a place.
type Calendar interface {
	// Name is the calendar's code (CalendarUK, CalendarScotland, …).
	Name() string
	// Description says in a few words which days are not working days.
	Description() string
	// Holiday reports the holiday on d, with its name and, where it matters,
	// where it is a holiday: "St Patrick's Day (Northern Ireland bank holiday)".
	// A holiday falling on a weekend is reported on the day itself and, when
	// the rules move it, on its substitute weekday ("… (substitute day …)").
	Holiday(d Date) (name string, ok bool)
	// IsWorkingDay reports whether d is neither a Saturday, a Sunday nor a holiday.
	IsWorkingDay(d Date) bool
	// Coverage is the span of years for which the holidays have been checked
	// against an official list, one-off holidays included. Outside it only the
	// regular rules apply: a holiday proclaimed later is unknown.
	Coverage() (first, last int)
}

// CalendarFor returns the calendar with the given name (see the Calendar*
// constants in law.go), or nil when there is none.
func CalendarFor(name string) Calendar {
	switch name {
	case CalendarUK:
		return ukAnyCalendar
	case CalendarScotland:
		return scotlandCalendar
	case CalendarUSFederal:
		return usFederalCalendar
	case CalendarIreland:
		return irelandCalendar
	case CalendarAustralia:
		return australiaCalendar
	}
	return nil
}

// SkippedDay is a weekday that was not counted because it is a holiday.
type SkippedDay struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
}

// String is "Tue 17 Mar 2026, St Patrick's Day (Northern Ireland bank holiday)".
func (s SkippedDay) String() string { return s.Date.Long() + ", " + s.Name }

// AddWorkingDays returns the nth working day after from (from itself never
// counts, whatever day it is) and the holidays on weekdays it stepped over.
// For n <= 0 it returns from.
func AddWorkingDays(c Calendar, from Date, n int) (Date, []SkippedDay) {
	var skipped []SkippedDay
	d := from
	for counted := 0; counted < n; {
		d = d.AddDays(1)
		if c.IsWorkingDay(d) {
			counted++
		} else if !d.IsWeekend() {
			name, _ := c.Holiday(d)
			skipped = append(skipped, SkippedDay{Date: d, Name: name})
		}
	}
	return d, skipped
}

// WorkingDaysBetween counts the working days after from, up to and including
// to: 0 when to is not after from. AddWorkingDays(c, from, n) is the day to for
// which it first returns n.
func WorkingDaysBetween(c Calendar, from, to Date) int {
	n := 0
	weeks := weekTable(c)
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if weeks != nil && !d.AddDays(6).After(to) && weeks.freeWeek(d) {
			n += 5
			d = d.AddDays(6)
			continue
		}
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// NextWorkingDay returns d when it is a working day, else the first working
// day after it, with the holidays on weekdays stepped over (d's included).
func NextWorkingDay(c Calendar, d Date) (Date, []SkippedDay) {
	if c.IsWorkingDay(d) {
		return d, nil
	}
	var skipped []SkippedDay
	if !d.IsWeekend() {
		name, _ := c.Holiday(d)
		skipped = append(skipped, SkippedDay{Date: d, Name: name})
	}
	next, more := AddWorkingDays(c, d, 1)
	return next, append(skipped, more...)
}

// region is a part of a country whose holidays a calendar merges; only the UK
// calendars use it, to say which nation a bank holiday belongs to.
type region uint8

const (
	regionEnglandWales region = 1 << iota
	regionScotland
	regionNorthernIreland

	regionAllUK = regionEnglandWales | regionScotland | regionNorthernIreland
)

// holidayRule is one holiday of a calendar: the library's definition (date
// rule, substitute-day rule, first and last year) and where it applies.
type holidayRule struct {
	*cal.Holiday
	where region
}

// ruleCalendar is a Calendar built from holiday rules. It is safe for
// concurrent use: the holidays of a year are worked out once and kept.
type ruleCalendar struct {
	name        string
	description string
	substitute  string // what a moved holiday is called: "substitute day", "observed"
	rules       []holidayRule
	// annotate, when set, says where a holiday applies: "Northern Ireland bank holiday".
	annotate    func(region) string
	first, last int

	mu    sync.Mutex
	years map[int]map[Date]string
	// extra are one-off holidays added by AddHoliday (tests).
	extra []holidayRule
	// days holds the holidays of tableFirst to tableLast for reads
	// without the lock, built on first use (nil until then).
	days atomic.Pointer[dayTable]
}

// The years a calendar's dayTable covers; a day outside them is looked up
// in the calendar's years (under its lock).
const tableFirst, tableLast = 1990, 2100

// dayTable is a calendar's holidays over a span of days, read without a lock.
type dayTable struct {
	lo      int64    // the day number of 1 January tableFirst
	holiday []uint64 // a bit per day from lo: a holiday falls on it
	names   map[Date]string
}

// table returns c's dayTable, building it on first use.
func (c *ruleCalendar) table() *dayTable {
	if t := c.days.Load(); t != nil {
		return t
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.days.Load(); t != nil {
		return t
	}
	lo, hi := NewDate(tableFirst, time.January, 1).n, NewDate(tableLast+1, time.January, 1).n
	t := &dayTable{lo: lo, holiday: make([]uint64, (hi-lo+63)/64), names: map[Date]string{}}
	for y := tableFirst; y <= tableLast; y++ {
		for d, name := range c.yearLocked(y) {
			i := d.n - lo
			t.holiday[i/64] |= 1 << (i % 64)
			t.names[d] = name
		}
	}
	c.days.Store(t)
	return t
}

// lookup reports whether d is a holiday, and its name, when the table covers d.
func (t *dayTable) lookup(d Date) (name string, hol, covered bool) {
	if hol, covered = t.isHoliday(d); !hol {
		return "", false, covered
	}
	return t.names[d], true, true
}

// isHoliday is lookup without the name.
func (t *dayTable) isHoliday(d Date) (hol, covered bool) {
	i := d.n - t.lo
	if i < 0 || i >= int64(len(t.holiday))*64 {
		return false, false
	}
	return t.holiday[i/64]&(1<<(i%64)) != 0, true
}

// noHoliday reports whether the table holds the n days (at most 64) from
// d and no holiday falls on any of them.
func (t *dayTable) noHoliday(d Date, n int64) bool {
	i := d.n - t.lo
	if i < 0 || i+n > int64(len(t.holiday))*64 {
		return false
	}
	w, b := i/64, uint(i%64)
	bits := t.holiday[w] >> b
	if b+uint(n) > 64 {
		bits |= t.holiday[w+1] << (64 - b)
	}
	return bits&(1<<n-1) == 0
}

func (c *ruleCalendar) Name() string                { return c.name }
func (c *ruleCalendar) Description() string         { return c.description }
func (c *ruleCalendar) Coverage() (first, last int) { return c.first, c.last }

func (c *ruleCalendar) Holiday(d Date) (string, bool) {
	if d.IsZero() {
		return "", false
	}
	if name, hol, ok := c.table().lookup(d); ok {
		return name, hol
	}
	name, ok := c.year(d.Year())[d]
	return name, ok
}

func (c *ruleCalendar) IsWorkingDay(d Date) bool {
	if d.IsWeekend() {
		return false
	}
	_, hol := c.Holiday(d)
	return !hol
}

// year returns the holidays falling in year y, by date, with their display names.
func (c *ruleCalendar) year(y int) map[Date]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.yearLocked(y)
}

// yearLocked is year with c.mu held.
func (c *ruleCalendar) yearLocked(y int) map[Date]string {
	if m, ok := c.years[y]; ok {
		return m
	}
	if c.years == nil {
		c.years = map[int]map[Date]string{}
	}
	m := c.compute(y)
	c.years[y] = m
	return m
}

// observance is one holiday on one day, before observances sharing a day are merged.
type observance struct {
	name       string
	substitute bool
	where      region
}

func (c *ruleCalendar) compute(y int) map[Date]string {
	byDate := map[Date][]observance{}
	add := func(d Date, o observance) {
		for i, prev := range byDate[d] {
			if prev.name == o.name && prev.substitute == o.substitute {
				byDate[d][i].where |= o.where
				return
			}
		}
		byDate[d] = append(byDate[d], o)
	}
	// A holiday of the year before or after can be observed in this one (US:
	// New Year's Day on a Saturday is observed on Friday 31 December).
	rules := append(c.rules[:len(c.rules):len(c.rules)], c.extra...)
	for _, hy := range []int{y - 1, y, y + 1} {
		for _, r := range rules {
			act, obs := r.Calc(hy)
			if obs.IsZero() {
				continue
			}
			actual, observed := dateOfCal(act), dateOfCal(obs)
			moved := !actual.Equal(observed)
			if observed.Year() == y {
				add(observed, observance{name: r.Name, substitute: moved, where: r.where})
			}
			// The day itself, when moved off a weekend, is named too (it is not
			// a working day anyway). A weekday that a rule moves away from is
			// not a holiday unless another rule makes it one.
			if moved && actual.Year() == y && actual.IsWeekend() {
				add(actual, observance{name: r.Name, where: r.where})
			}
		}
	}
	out := make(map[Date]string, len(byDate))
	for d, obs := range byDate {
		names := make([]string, 0, len(obs))
		for _, o := range obs {
			names = append(names, c.label(o))
		}
		sort.Strings(names)
		out[d] = strings.Join(names, "; ")
	}
	return out
}

func (c *ruleCalendar) label(o observance) string {
	var notes []string
	if o.substitute {
		notes = append(notes, c.substitute)
	}
	if c.annotate != nil && o.where != 0 {
		notes = append(notes, c.annotate(o.where))
	}
	if len(notes) == 0 {
		return o.name
	}
	return o.name + " (" + strings.Join(notes, "; ") + ")"
}

// dateOfCal converts a date computed by rickar/cal (midnight in cal.DefaultLoc).
func dateOfCal(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// AddHoliday adds a one-off holiday on d, named name, to the calendar
// called calendar, as a release adding a newly proclaimed holiday to its
// table would, and returns the function that takes it away again. It is
// for tests of what depends on the holiday tables (the store's
// recompute); foitrack's own tables are in holidays_*.go. It panics on an
// unknown calendar.
func AddHoliday(calendar string, d Date, name string) (undo func()) {
	c, ok := CalendarFor(calendar).(*ruleCalendar)
	if !ok {
		panic("tracker: no calendar " + calendar)
	}
	rule := holidayRule{&cal.Holiday{Name: name, Month: d.Month(), Day: d.Day(), Func: cal.CalcDayOfMonth,
		StartYear: d.Year(), EndYear: d.Year()}, regionAllUK}
	c.mu.Lock()
	c.extra = append(c.extra, rule)
	c.years = nil
	c.days.Store(nil)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, r := range c.extra {
			if r.Holiday == rule.Holiday {
				c.extra = append(c.extra[:i:i], c.extra[i+1:]...)
				break
			}
		}
		c.years = nil
		c.days.Store(nil)
	}
}
