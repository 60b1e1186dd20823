package tracker

import (
	"encoding/json"
	"slices"
	"sort"

	"github.com/foitrack/foitrack/internal/crc"
)

// A change of the rules (a release adding a proclaimed holiday, or
// changing one law's rules) can change the standing only of the requests
// whose computation read what changed. ComputeDerived notes which days of
// its law's calendar a standing read (Derived.Read); the store keeps that
// beside the standing, and keeps the rules it was all worked out under
// (RuleSet, as JSON). RulesChanged compares those with the current rules
// and says, as a law and a span of days, which requests can change: the
// store works out again only those.

// DaySpan is the days from From to To, both included; the zero DaySpan
// holds none.
type DaySpan struct {
	From Date `json:"from,omitzero"`
	To   Date `json:"to,omitzero"`
}

// IsZero reports whether s holds no day.
func (s DaySpan) IsZero() bool { return s.From.IsZero() && s.To.IsZero() }

// Within reports whether every day of s is a day of o (true for a zero s).
func (s DaySpan) Within(o DaySpan) bool {
	return s.IsZero() || !o.IsZero() && !s.From.Before(o.From) && !s.To.After(o.To)
}

// readingCalendar is a Calendar that notes the days whose holidays are
// asked about (the zero Date's aside: no table holds it).
type readingCalendar struct {
	Calendar
	read DaySpan
	// days is the Calendar's own table, when it is a ruleCalendar: the
	// engine asks about every day of every period it counts, and the
	// days of the table are answered without going through the Calendar.
	days *dayTable
}

// newReadingCalendar is a readingCalendar of cal.
func newReadingCalendar(cal Calendar) *readingCalendar {
	c := &readingCalendar{Calendar: cal}
	if rc, ok := cal.(*ruleCalendar); ok {
		c.days = rc.table()
	}
	return c
}

func (c *readingCalendar) note(d Date) {
	if d.IsZero() {
		return
	}
	if c.read.IsZero() {
		c.read = DaySpan{d, d}
	} else if d.Before(c.read.From) {
		c.read.From = d
	} else if d.After(c.read.To) {
		c.read.To = d
	}
}

// noteSpan notes the days of s as read (none for a zero s).
func (c *readingCalendar) noteSpan(s DaySpan) {
	if s.IsZero() {
		return
	}
	c.note(s.From)
	c.note(s.To)
}

// weekTable is c when it is a readingCalendar answering from its
// calendar's table, else nil. A week without a holiday holds five working
// days: the counts of many working days (40 to ask for a review, 20 more
// to be long overdue, the days late of an old request) step over such
// weeks at once on it (freeWeek).
func weekTable(c Calendar) *readingCalendar {
	if rc, ok := c.(*readingCalendar); ok && rc.days != nil {
		return rc
	}
	return nil
}

// freeWeek reports whether the table answers for the seven days from d
// and none of them is a holiday (five are working days, the weekend the
// others), noting them as read when so.
func (c *readingCalendar) freeWeek(d Date) bool {
	if !c.days.noHoliday(d, 7) {
		return false
	}
	c.note(d)
	c.note(d.AddDays(6))
	return true
}

func (c *readingCalendar) IsWorkingDay(d Date) bool {
	c.note(d)
	if c.days != nil {
		if d.IsWeekend() {
			return false
		}
		if hol, covered := c.days.isHoliday(d); covered {
			return !hol
		}
	}
	return c.Calendar.IsWorkingDay(d)
}

func (c *readingCalendar) Holiday(d Date) (string, bool) {
	c.note(d)
	return c.Calendar.Holiday(d)
}

// RuleSet is everything RulesFingerprint sums up, whole: each law's rules
// (by their fingerprint) and each calendar's holiday table, under a plan
// version.
type RuleSet struct {
	PlanVersion int                      `json:"plan_version"`
	Laws        map[LawCode]LawRules     `json:"laws"`
	Calendars   map[string]CalendarRules `json:"calendars"`
}

// LawRules are one law's rules: the calendar it names, and a fingerprint
// of all of them (the law as JSON).
type LawRules struct {
	Calendar    string `json:"calendar"`
	Fingerprint int64  `json:"fingerprint"`
}

// CalendarRules are one calendar's rules as what they give: its
// description, the years it was checked for, and its holidays on the days
// of Table (the holidays of other days are worked out from the same rules
// but not kept).
type CalendarRules struct {
	Description string         `json:"description"`
	First       int            `json:"first"`
	Last        int            `json:"last"`
	Table       DaySpan        `json:"table"`
	Holidays    []DatedHoliday `json:"holidays"`
}

// DatedHoliday is a holiday on a day, with its name as Calendar.Holiday
// gives it.
type DatedHoliday struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
}

// ruleCalendars are the calendars of RulesFingerprint and CurrentRules.
var ruleCalendars = []string{CalendarUK, CalendarScotland, CalendarUSFederal, CalendarIreland, CalendarAustralia}

// CurrentRules are the rules of this release.
func CurrentRules() RuleSet {
	rs := RuleSet{PlanVersion: PlanVersion, Laws: map[LawCode]LawRules{}, Calendars: map[string]CalendarRules{}}
	for _, l := range Laws {
		b, err := json.Marshal(l)
		if err != nil {
			panic("tracker: a law does not encode: " + err.Error())
		}
		rs.Laws[l.Code] = LawRules{Calendar: l.Calendar, Fingerprint: int64(crc.Checksum(b))}
	}
	for _, name := range ruleCalendars {
		c, ok := CalendarFor(name).(*ruleCalendar)
		if !ok {
			panic("tracker: no calendar " + name)
		}
		t := c.table()
		cr := CalendarRules{Description: c.Description(), First: c.first, Last: c.last,
			Table: DaySpan{Date{t.lo}, Date{t.lo + int64(len(t.holiday))*64 - 1}}}
		for d, n := range t.names {
			cr.Holidays = append(cr.Holidays, DatedHoliday{d, n})
		}
		sort.Slice(cr.Holidays, func(i, j int) bool { return cr.Holidays[i].Date.Before(cr.Holidays[j].Date) })
		rs.Calendars[name] = cr
	}
	return rs
}

// RulesChange is which requests' standings a change of the rules can
// change: those of the laws in Laws, and those of a law in Days whose
// standing read (Derived.Read) one of its days. With All, every request.
type RulesChange struct {
	All bool `json:"all,omitempty"`
	// Laws are the laws whose own rules changed, or their calendar's
	// description or checked years.
	Laws []LawCode `json:"laws,omitempty"`
	// Days are, by law, the days (in order) on which its calendar's
	// holidays changed (one added, taken away or renamed).
	Days map[LawCode][]Date `json:"days,omitempty"`
	// tables are, by law in Days, the span its calendar's table covers:
	// beyond it a change is not seen, and any counts.
	tables map[LawCode]DaySpan
}

// RulesChanged is what changed from the rules old to cur.
func RulesChanged(old, cur RuleSet) RulesChange {
	var c RulesChange
	if old.PlanVersion != cur.PlanVersion {
		return RulesChange{All: true}
	}
	for code, l := range cur.Laws {
		o, ok := old.Laws[code]
		if !ok || o != l {
			c.Laws = append(c.Laws, code)
			continue
		}
		oc, inOld := old.Calendars[l.Calendar]
		nc, inCur := cur.Calendars[l.Calendar]
		if !inOld && !inCur {
			continue // weekends only: nothing to change
		}
		if inOld != inCur || oc.Description != nc.Description || oc.First != nc.First || oc.Last != nc.Last || oc.Table != nc.Table {
			c.Laws = append(c.Laws, code)
			continue
		}
		if days := changedDays(oc.Holidays, nc.Holidays); len(days) > 0 {
			if c.Days == nil {
				c.Days, c.tables = map[LawCode][]Date{}, map[LawCode]DaySpan{}
			}
			c.Days[code], c.tables[code] = days, nc.Table
		}
	}
	for code := range old.Laws {
		if _, ok := cur.Laws[code]; !ok {
			c.Laws = append(c.Laws, code)
		}
	}
	slices.Sort(c.Laws)
	return c
}

// changedDays are the days on which a and b (each in order of day) differ.
func changedDays(a, b []DatedHoliday) []Date {
	var out []Date
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i].Date.Before(b[j].Date):
			out = append(out, a[i].Date)
			i++
		case i == len(a) || b[j].Date.Before(a[i].Date):
			out = append(out, b[j].Date)
			j++
		default:
			if a[i].Name != b[j].Name {
				out = append(out, a[i].Date)
			}
			i++
			j++
		}
	}
	return out
}

// IsZero reports whether the change can change no standing.
func (c RulesChange) IsZero() bool { return !c.All && len(c.Laws) == 0 && len(c.Days) == 0 }

// AffectsLaw reports whether the change can change the standing of some
// request of law: of one whose read days are not known, it must be worked
// out again.
func (c RulesChange) AffectsLaw(law LawCode) bool {
	return c.All || slices.Contains(c.Laws, law) || len(c.Days[law]) > 0
}

// Affects reports whether the change can change the standing of a request
// of law whose computation read the days read (Derived.Read): a holiday
// changed on a day it never asked about leaves it as it is.
func (c RulesChange) Affects(law LawCode, read DaySpan) bool {
	if c.All || slices.Contains(c.Laws, law) {
		return true
	}
	days := c.Days[law]
	if len(days) == 0 || read.IsZero() {
		return false
	}
	if !read.Within(c.tables[law]) {
		return true
	}
	i := sort.Search(len(days), func(i int) bool { return !days[i].Before(read.From) })
	return i < len(days) && !days[i].After(read.To)
}
