package tracker

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// LongOverdueWorkingDays: a response (or review) this many working days past
// its due date in force is "long overdue" (WhatDoTheyKnow's practice for FOIA,
// applied on each law's own calendar).
const LongOverdueWorkingDays = 20

// DueSoonWorkingDays: a deadline this many working days away or fewer is "due soon".
const DueSoonWorkingDays = 3

// DeadlineKind names one of the dates ComputeDeadlines works out.
type DeadlineKind string

const (
	DeadlineResponse          DeadlineKind = "response"            // the statutory due date
	DeadlineExtended          DeadlineKind = "extended"            // after an extension
	DeadlineLongOverdue       DeadlineKind = "long_overdue"        // 20 working days after the due date in force
	DeadlineReviewAskBy       DeadlineKind = "review_ask_by"       // last day to ask for an internal review / appeal
	DeadlineReviewDue         DeadlineKind = "review_due"          // review / appeal decision due
	DeadlineReviewDueMax      DeadlineKind = "review_due_max"      // the outer limit (FOIA: 40 working days)
	DeadlineReviewExtended    DeadlineKind = "review_extended"     // after an extension of the review
	DeadlineReviewLongOverdue DeadlineKind = "review_long_overdue" // 20 working days after the review due date in force
	DeadlineRegulatorWindow   DeadlineKind = "regulator_window"    // complain to the regulator by
	DeadlineRegulatorLate     DeadlineKind = "regulator_late"      // complain by, when the review was not decided in time
	DeadlineRegulatorDue      DeadlineKind = "regulator_due"       // the regulator's decision due (where the law sets a time)
	DeadlineAppealBy          DeadlineKind = "appeal_by"           // appeal against the regulator's decision by
	DeadlineFeePayBy          DeadlineKind = "fee_pay_by"          // pay the fee by, or the authority need not answer
)

// Deadline is one date with the reasoning behind it, written so that a person
// can check it with a calendar.
type Deadline struct {
	Kind  DeadlineKind `json:"kind"`
	Label string       `json:"label"`
	// Date is the deadline; zero while the clock is stopped (see Deadlines.Stopped).
	Date Date `json:"date"`
	// From is the day the period runs from; it is never itself counted.
	From Date    `json:"from,omitzero"`
	Days int     `json:"days,omitempty"`
	Unit DayUnit `json:"unit,omitempty"`
	// Skipped lists the holidays on weekdays that were not counted (or that the
	// last day was moved over).
	Skipped     []SkippedDay `json:"skipped,omitempty"`
	Explanation string       `json:"explanation"`
	Warning     string       `json:"warning,omitempty"`
}

// IsZero reports whether the deadline does not apply (for `json:",omitzero"`).
func (d Deadline) IsZero() bool { return d.Kind == "" }

// Pause is a stretch of days disregarded in a count: a fees notice until the
// fee is received, or (US FOIA and others) a request for clarification until
// the answer. Both ends are disregarded.
type Pause struct {
	Kind EventKind `json:"kind"` // EventFeeNotice or EventClarificationRequested
	From Date      `json:"from"`
	To   Date      `json:"to,omitzero"` // zero while the pause lasts
}

// IsZero reports whether there is no pause (for `json:",omitzero"`).
func (p Pause) IsZero() bool { return p.From.IsZero() }

func (p Pause) open() bool { return p.To.IsZero() }

func (p Pause) contains(d Date) bool {
	return !d.Before(p.From) && (p.open() || !d.After(p.To))
}

// Deadlines is everything a history means in dates.
type Deadlines struct {
	Law      LawCode `json:"law"`
	Calendar string  `json:"calendar"`
	Status   Status  `json:"status"`
	// Sent is the first date of receipt; Received the one the count runs from
	// (a later one when a clarification restarted the count).
	Sent     Date `json:"sent,omitzero"`
	Received Date `json:"received,omitzero"`
	// Pauses are the disregarded stretches after Received; Stopped is set
	// while the clock is stopped (an open pause, or a clarification awaited
	// under a law where it restarts the count).
	Pauses  []Pause `json:"pauses,omitempty"`
	Stopped Pause   `json:"stopped,omitzero"`

	Response    Deadline `json:"response,omitzero"`
	Extended    Deadline `json:"extended,omitzero"`
	LongOverdue Deadline `json:"long_overdue,omitzero"`

	Responded         Date     `json:"responded,omitzero"` // the last response
	ReviewAskBy       Deadline `json:"review_ask_by,omitzero"`
	ReviewRequested   Date     `json:"review_requested,omitzero"`
	ReviewDue         Deadline `json:"review_due,omitzero"`
	ReviewDueMax      Deadline `json:"review_due_max,omitzero"`
	ReviewExtended    Deadline `json:"review_extended,omitzero"`
	ReviewLongOverdue Deadline `json:"review_long_overdue,omitzero"`
	Reviewed          Date     `json:"reviewed,omitzero"` // the last review outcome
	RegulatorWindow   Deadline `json:"regulator_window,omitzero"`
	// RegulatorLate is the window to go to the regulator that opens when a
	// review is not decided in time; it runs from the day the decision was due.
	RegulatorLate    Deadline `json:"regulator_late,omitzero"`
	Complained       Date     `json:"complained,omitzero"` // the complaint to the regulator
	RegulatorDue     Deadline `json:"regulator_due,omitzero"`
	RegulatorDecided Date     `json:"regulator_decided,omitzero"`
	AppealBy         Deadline `json:"appeal_by,omitzero"`
	FeePayBy         Deadline `json:"fee_pay_by,omitzero"`
	Ended            Date     `json:"ended,omitzero"` // withdrawn or closed

	// Warnings are things a person should look at: an excessive extension,
	// ignored events, holidays beyond the checked years.
	Warnings []string `json:"warnings,omitempty"`
}

// Current is the response deadline in force: the extended one if an extension
// was claimed, else the statutory one. Its Date is zero while the clock is
// stopped or before the request is sent.
func (ds Deadlines) Current() Deadline { return ds.current() }

// current is Current without copying the Deadlines (they are large).
func (ds *Deadlines) current() Deadline {
	if !ds.Extended.IsZero() {
		return ds.Extended
	}
	return ds.Response
}

// CurrentReview is the review (appeal) deadline in force.
func (ds Deadlines) CurrentReview() Deadline { return ds.currentReview() }

func (ds *Deadlines) currentReview() Deadline {
	if !ds.ReviewExtended.IsZero() {
		return ds.ReviewExtended
	}
	return ds.ReviewDue
}

// NextDue is what the authority owes now: the review decision while a review
// is under way, the response while one is awaited, else nothing (zero).
func (ds Deadlines) NextDue() Deadline {
	switch ds.Status {
	case StatusAwaitingResponse:
		return ds.current()
	case StatusReviewRequested:
		return ds.currentReview()
	}
	return Deadline{}
}

// ComputeDeadlines works out every deadline of a request under law from its
// history (in the order the events happened, as SortEvents leaves it).
// Events that the lifecycle would refuse are ignored with a warning.
func ComputeDeadlines(law Law, history []Event) Deadlines {
	ds := Deadlines{Law: law.Code, Calendar: law.Calendar, Status: StatusDraft}
	c := CalendarFor(law.Calendar)
	if c == nil {
		c = weekendsOnly
		ds.warn("No holiday calendar %q: only weekends are treated as non-working days.", law.Calendar)
	}
	e := engine{law: law, cal: c, ds: &ds}
	e.replay(history)
	e.response()
	e.review()
	e.regulator()
	e.afterRegulator()
	e.coverage()
	return ds
}

// deadlinesForPlan is ComputeDeadlines less what neither a plan nor a
// standing basis reads (the long-overdue dates' words, the latest review
// date, the warning about holidays beyond the checked years):
// PlanFromDeadlines and Basis give the same from either, for less work (a
// recompute of every request does one each). cal is the law's calendar
// (nil when it names none: weekends only).
func deadlinesForPlan(law Law, cal Calendar, history []Event) Deadlines {
	var ds Deadlines
	deadlinesForPlanInto(&ds, law, cal, history, nil)
	return ds
}

// deadlinesForPlanInto is deadlinesForPlan into *ds, whatever it held,
// through dv's kept deadlines when dv is set.
func deadlinesForPlanInto(ds *Deadlines, law Law, cal Calendar, history []Event, dv *Deriver) {
	if cal == nil {
		cal = weekendsOnly
	}
	*ds = Deadlines{Law: law.Code, Calendar: law.Calendar, Status: StatusDraft}
	e := engine{law: law, cal: cal, ds: ds, forPlan: true, deriver: dv}
	if rc, ok := cal.(*readingCalendar); ok && dv != nil {
		e.keeping, e.reading = dv.keeping(law, rc), rc
	}
	e.replay(history)
	e.response()
	e.review()
	e.regulator()
	e.afterRegulator()
}

// responseDue is the response deadline in force (Deadlines.Current) after
// history, and the date of receipt it runs from: what ComputeDeadlines
// gives for them, without working out the rest or any explanation. cal is
// the law's calendar (nil when it names none: weekends only).
func responseDue(law Law, cal Calendar, history []Event) (due, received Date) {
	if cal == nil {
		cal = weekendsOnly
	}
	ds := Deadlines{Law: law.Code, Calendar: law.Calendar, Status: StatusDraft}
	e := engine{law: law, cal: cal, ds: &ds, datesOnly: true}
	e.replay(history)
	e.response()
	return ds.current().Date, ds.Received
}

// addWorkingDaysQuiet is AddWorkingDays without the holidays stepped over.
func addWorkingDaysQuiet(c Calendar, from Date, n int) Date {
	d := from
	weeks := weekTable(c)
	for counted := 0; counted < n; {
		if weeks != nil && counted+5 < n && weeks.freeWeek(d.AddDays(1)) {
			d = d.AddDays(7)
			counted += 5
			continue
		}
		d = d.AddDays(1)
		if c.IsWorkingDay(d) {
			counted++
		}
	}
	return d
}

// engine holds the working state of one ComputeDeadlines call.
type engine struct {
	law Law
	cal Calendar
	ds  *Deadlines

	// datesOnly: only the response dates are wanted (responseDue), not
	// the explanations. forPlan: only what a plan reads (deadlinesForPlan).
	datesOnly, forPlan bool
	// deriver, when set, keeps the deadlines that follow from the law and
	// a day alone across the requests it works out (kept): keeping is
	// what it keeps for the law (nil: nothing), reading the calendar cal
	// as the computation reads it.
	deriver *Deriver
	keeping *keptLaw
	reading *readingCalendar

	clarifiedOn  Date // the restart: the day the clarification was received
	askedOn      Date // when that clarification was asked for
	tolled       bool // a clarification has tolled the clock (only one may)
	extensions   []Event
	reviewExts   []Event
	lastResponse Date
}

func (ds *Deadlines) warn(format string, args ...any) {
	ds.Warnings = append(ds.Warnings, fmt.Sprintf(format, args...))
}

func (e *engine) replay(history []Event) {
	ds := e.ds
	st := State{Status: StatusDraft}
	for i, ev := range history {
		next, err := Apply(st, ev)
		if err != nil {
			ds.warn("Event %d (%s on %s) ignored: %s.", i+1, ev.Kind.Label(), ev.Date, ErrorMessage(err))
			continue
		}
		prev := st.Status
		st = next
		switch ev.Kind {
		case EventSent:
			ds.Sent, ds.Received = ev.Date, ev.Date
		case EventClarificationRequested:
			if e.law.Clarification == ClarificationPauses {
				if e.tolled {
					ds.warn("%s allows only one request for clarification to stop the clock (%s); the one of %s does not.",
						e.law.ShortName, e.law.ClarificationRule, ev.Date.Long())
				} else {
					e.tolled = true
					ds.Stopped = Pause{Kind: EventClarificationRequested, From: ev.Date}
				}
			} else {
				ds.Stopped = Pause{Kind: EventClarificationRequested, From: ev.Date}
				e.askedOn = ev.Date
			}
		case EventClarificationSent:
			if e.law.Clarification == ClarificationPauses {
				e.closePause(EventClarificationRequested, ev.Date)
			} else {
				// A new date of receipt: everything counted so far is void.
				ds.Received, e.clarifiedOn = ev.Date, ev.Date
				ds.Pauses, e.extensions, ds.Stopped = nil, nil, Pause{}
			}
		case EventFeeNotice:
			ds.Stopped = Pause{Kind: EventFeeNotice, From: ev.Date}
		case EventFeePaid:
			e.closePause(EventFeeNotice, ev.Date)
		case EventExtensionClaimed:
			if prev == StatusReviewRequested {
				e.reviewExts = append(e.reviewExts, ev)
			} else {
				e.extensions = append(e.extensions, ev)
			}
		case EventResponseReceived:
			ds.Responded = ev.Date
			e.lastResponse = ev.Date
		case EventReviewRequested:
			ds.ReviewRequested, ds.Reviewed = ev.Date, Date{}
			e.reviewExts = nil
		case EventReviewOutcome:
			ds.Reviewed = ev.Date
		case EventRegulatorComplaint:
			ds.Complained = ev.Date
		case EventRegulatorDecision:
			ds.RegulatorDecided = ev.Date
		case EventWithdrawn, EventClosed:
			ds.Ended = ev.Date
		}
	}
	ds.Status = st.Status
}

func (e *engine) closePause(kind EventKind, on Date) {
	if e.ds.Stopped.Kind != kind {
		return
	}
	p := e.ds.Stopped
	p.To = on
	e.ds.Pauses = append(e.ds.Pauses, p)
	e.ds.Stopped = Pause{}
}

// period is the outcome of counting n days (in unit) after from.
type period struct {
	end      Date         // the deadline; zero when a pause is still open
	nominal  Date         // calendar days: the last day before moving it to a working day
	skipped  []SkippedDay // holidays not counted, or stepped over when moving the last day
	excluded int          // days inside pauses that would otherwise have counted
	used     int          // days counted before an open pause stopped the clock
}

// count counts n days in unit after from, disregarding the pauses, and for
// calendar-day periods moves a last day that is not a working day to the next
// working day when the law says so (rollForward).
func count(c Calendar, unit DayUnit, from Date, n int, pauses []Pause, rollForward bool) period {
	var p period
	d := from
	weeks := weekTable(c)
	if unit == CalendarDays || len(pauses) > 0 {
		weeks = nil
	}
	for p.used < n {
		if weeks != nil && p.used+5 < n && weeks.freeWeek(d.AddDays(1)) {
			d = d.AddDays(7)
			p.used += 5
			continue
		}
		d = d.AddDays(1)
		countable := unit == CalendarDays || c.IsWorkingDay(d)
		if paused, open := inPause(pauses, d); paused {
			if open {
				return p
			}
			if countable {
				p.excluded++
			}
			continue
		}
		if countable {
			p.used++
		} else if !d.IsWeekend() {
			name, _ := c.Holiday(d)
			p.skipped = append(p.skipped, SkippedDay{Date: d, Name: name})
		}
	}
	p.nominal, p.end = d, d
	if unit == CalendarDays && rollForward {
		p.end, p.skipped = NextWorkingDay(c, d)
	}
	return p
}

// skippedAfter keeps the days after d.
func skippedAfter(days []SkippedDay, d Date) []SkippedDay {
	var out []SkippedDay
	for _, s := range days {
		if s.Date.After(d) {
			out = append(out, s)
		}
	}
	return out
}

func inPause(pauses []Pause, d Date) (paused, open bool) {
	for _, p := range pauses {
		if p.contains(d) {
			return true, p.open()
		}
	}
	return false, false
}

// addPeriod is count without pauses, rolling forward under the law's last-day rule.
func (e *engine) addPeriod(from Date, n int, unit DayUnit) period {
	return count(e.cal, unit, from, n, nil, unit == CalendarDays && e.law.LastDayRule != "")
}

// between counts the days in unit after from up to and including to.
func (e *engine) between(from, to Date, unit DayUnit) int {
	if unit == CalendarDays {
		return from.DaysUntil(to)
	}
	return WorkingDaysBetween(e.cal, from, to)
}

func (e *engine) response() {
	ds := e.ds
	if ds.Received.IsZero() {
		return
	}
	var running bool
	if e.datesOnly || !ds.Stopped.IsZero() || len(ds.Pauses) > 0 || !e.clarifiedOn.IsZero() || !ds.Sent.Equal(ds.Received) {
		ds.Response, running = e.responseDeadline()
	} else {
		// No pause and no new date of receipt: the due date and its words
		// are those of every request of the law received that day.
		ds.Response, running = e.kept(keptResponse, ds.Received, e.responseDeadline)
	}
	if !running {
		return
	}
	e.extend()
	if e.datesOnly {
		return
	}
	cur := ds.current()
	if e.forPlan {
		// The date only (the standing basis reads it).
		ds.LongOverdue = e.longOverdue(cur.Date)
		return
	}
	end, skipped := AddWorkingDays(e.cal, cur.Date, LongOverdueWorkingDays)
	ds.LongOverdue = Deadline{
		Kind: DeadlineLongOverdue, Label: "Long overdue after", Date: end, From: cur.Date,
		Days: LongOverdueWorkingDays, Unit: WorkingDays, Skipped: skipped,
		Explanation: fmt.Sprintf("Long overdue after %s, %d working days after the due date in force, %s.%s",
			end.Long(), LongOverdueWorkingDays, cur.Date.Long(), prefixSpace(e.holidaysSentence(skipped))),
	}
}

// longOverdue is the date only of the deadline LongOverdueWorkingDays
// working days after due (what a plan reads of the long-overdue dates).
func (e *engine) longOverdue(due Date) Deadline {
	d, _ := e.kept(keptLongOverdue, due, func() (Deadline, bool) {
		end := addWorkingDaysQuiet(e.cal, due, LongOverdueWorkingDays)
		return Deadline{Kind: DeadlineLongOverdue, Date: end, From: due}, true
	})
	return d
}

// responseDeadline is the statutory response deadline (before any
// extension) and whether its clock runs: not while a clarification that
// restarts the count is awaited, nor while a pause is open. With
// datesOnly, its date alone.
func (e *engine) responseDeadline() (Deadline, bool) {
	ds, law := e.ds, e.law
	pauses := ds.Pauses
	// An open pause stops the count where it starts; a clarification awaited
	// under a law where it restarts the count is dealt with below.
	openPause := ds.Stopped.Kind == EventFeeNotice ||
		(ds.Stopped.Kind == EventClarificationRequested && law.Clarification == ClarificationPauses)
	if openPause {
		pauses = append(append([]Pause(nil), pauses...), ds.Stopped)
	}
	roll := law.LastDayRule != ""
	p := count(e.cal, law.Unit, ds.Received, law.ResponsePeriod, pauses, roll)
	d := Deadline{
		Kind: DeadlineResponse, Label: "Response due", Date: p.end,
		From: ds.Received, Days: law.ResponsePeriod, Unit: law.Unit, Skipped: p.skipped,
	}
	if e.datesOnly {
		// What follows, less the words: the date stops with a
		// clarification that restarts the count, else extensions apply.
		if ds.Stopped.Kind == EventClarificationRequested && law.Clarification == ClarificationRestarts {
			d.Date = Date{}
			return d, false
		}
		return d, !p.end.IsZero()
	}
	why := make([]string, 0, 8)
	why = append(why, "Received "+ds.Sent.Long()+".")
	if !e.clarifiedOn.IsZero() {
		why = append(why, fmt.Sprintf("The authority asked for clarification on %s and received it on %s, which is the new date of receipt (%s).",
			e.askedOn.Long(), e.clarifiedOn.Long(), law.ClarificationRule))
	}
	switch {
	case ds.Stopped.Kind == EventClarificationRequested && law.Clarification == ClarificationRestarts:
		d.Date = Date{}
		why = append(why, fmt.Sprintf("The authority asked for clarification on %s: the %s start again from the day it receives the answer (%s).",
			ds.Stopped.From.Long(), unitWords(law.ResponsePeriod, law.Unit), law.ClarificationRule))
		d.Explanation = strings.Join(why, " ")
		return d, false
	case p.end.IsZero():
		why = append(why, fmt.Sprintf("The clock stopped on %s (%s) with %d of %s used; it runs again from the day after the %s (%s).",
			ds.Stopped.From.Long(), pauseStart(ds.Stopped.Kind), p.used, unitWords(law.ResponsePeriod, law.Unit),
			pauseResume(ds.Stopped.Kind), e.pauseRule(ds.Stopped.Kind)))
		d.Explanation = strings.Join(why, " ")
		return d, false
	}
	fromWords := "the date of receipt"
	if !e.clarifiedOn.IsZero() {
		fromWords = "the new date of receipt"
	}
	why = append(why, e.dueSentence(p, law.ResponsePeriod, law.Citation, fromWords))
	if s := e.notCounted(p); s != "" {
		why = append(why, s)
	}
	for _, pz := range ds.Pauses {
		why = append(why, e.pauseSentence(pz))
	}
	d.Explanation = strings.Join(why, " ")
	return d, true
}

// dueSentence: "Due Tue 31 Mar 2026, the 20th working day after the date of receipt (FOIA 2000 s10(1))."
func (e *engine) dueSentence(p period, n int, citation, fromWords string) string {
	if e.law.Unit == CalendarDays {
		if p.end.Equal(p.nominal) {
			return "Due " + p.end.Long() + ", the " + ordinal(n) + " day after " + fromWords + " (" + citation + ")."
		}
		return fmt.Sprintf("The %s day after %s is %s (%s), not a working day, so the deadline is the next working day, %s (%s).",
			ordinal(n), fromWords, p.nominal.Long(), citation, p.end.Long(), e.law.LastDayRule)
	}
	return "Due " + p.end.Long() + ", the " + ordinal(n) + " working day after " + fromWords + " (" + citation + ")."
}

// notCounted: which days were not counted, and the rule that says so.
func (e *engine) notCounted(p period) string {
	if e.law.Unit == CalendarDays {
		if len(p.skipped) == 0 {
			return ""
		}
		return sentence("Also not a working day: "+joinSkipped(p.skipped)) + " " + e.ruleSentence()
	}
	if len(p.skipped) == 0 {
		return e.ruleWords().weekends
	}
	return sentence("Not counted: weekends and "+joinSkipped(p.skipped)) + " " + e.ruleSentence()
}

func (e *engine) holidaysSentence(skipped []SkippedDay) string {
	if len(skipped) == 0 {
		return ""
	}
	return sentence("Not counted: weekends and " + joinSkipped(skipped))
}

// ruleSentence: "FOIA s10(6) makes Saturdays, … non-working days, wherever the authority is."
func (e *engine) ruleSentence() string { return e.ruleWords().rule }

// ruleWords are ruleSentence, and notCounted with no holiday skipped, of
// the law's rule on its calendar: made once for each (every request
// explains its due date with them).
func (e *engine) ruleWords() ruleWords {
	key := ruleWordsKey{rule: e.law.WorkingDayRule, calendar: e.cal.Name(), description: e.cal.Description()}
	if w, ok := ruleWordsKept.Load(key); ok {
		return w.(ruleWords)
	}
	s := key.rule + ": not working days are " + key.description
	if key.calendar == CalendarUK {
		s += ", wherever the authority is"
	}
	w := ruleWords{rule: s + ".", weekends: "Not counted: weekends. " + s + "."}
	ruleWordsKept.Store(key, w)
	return w
}

type ruleWordsKey struct{ rule, calendar, description string }

type ruleWords struct{ rule, weekends string }

var ruleWordsKept sync.Map // ruleWordsKey to ruleWords

func (e *engine) pauseRule(k EventKind) string {
	if k == EventFeeNotice {
		return e.law.FeeRule
	}
	return e.law.ClarificationRule
}

func (e *engine) pauseSentence(p Pause) string {
	// Only days after the date of receipt could have counted.
	from := p.From.AddDays(-1)
	if from.Before(e.ds.Received) {
		from = e.ds.Received
	}
	n := e.between(from, p.To, e.law.Unit)
	return fmt.Sprintf("Not counted either: the %s from %s (%s) to %s (%s), both included (%s).",
		unitWords(n, e.law.Unit), p.From.Long(), pauseStart(p.Kind), p.To.Long(), pauseEnd(p.Kind), e.pauseRule(p.Kind))
}

func pauseStart(k EventKind) string {
	if k == EventFeeNotice {
		return "fees notice"
	}
	return "request for clarification"
}

func pauseResume(k EventKind) string {
	if k == EventFeeNotice {
		return "fee is received"
	}
	return "clarification is received"
}

func pauseEnd(k EventKind) string {
	if k == EventFeeNotice {
		return "fee received"
	}
	return "clarification received"
}

// extensionUpTo reports whether a law lets the authority extend by any
// length up to a limit rather than by a fixed period, so that its notice
// should give a date: FOIA s10(3), EIR reg 7(1), EISR reg 7(1).
func extensionUpTo(code LawCode) bool {
	return code == UKFOIA || code == UKEIR || code == ScotEISR
}

// extend applies the extensions claimed, in order, to the response deadline.
func (e *engine) extend() {
	ds, law := e.ds, e.law
	statutory := ds.Response.Date
	inForce := statutory
	extra, dated, unusualUsed := 0, false, false
	for _, ev := range e.extensions {
		reason := strings.TrimSpace(ev.Reason)
		if law.MaxExtensionDays == 0 && law.ExtensionDefaultDays == 0 {
			claimed := ""
			if !ev.NewDueDate.IsZero() {
				claimed = " to " + ev.NewDueDate.Long()
			}
			ds.warn("The authority claimed an extension%s on %s, but %s allows none (%s): the statutory due date %s stays in force.",
				claimed, ev.Date.Long(), law.ShortName, law.ExtensionRule, statutory.Long())
			continue
		}
		unusual := law.Code == USFOIA && (ev.NewDueDate.IsZero() || strings.Contains(strings.ToLower(reason), "unusual"))
		var d Deadline
		d.Kind, d.Label = DeadlineExtended, "Extended response due"
		what := "Extension claimed on " + ev.Date.Long()
		if reason != "" && !strings.EqualFold(reason, "extension") && reason != law.ExtensionRule {
			what += " (" + reason + ")"
		}
		if ev.NewDueDate.IsZero() || unusual {
			if unusual && unusualUsed {
				ds.warn("A second extension for unusual circumstances (%s) is not allowed by %s; ignored.", ev.Date.Long(), law.ExtensionRule)
				continue
			}
			unusualUsed = unusualUsed || unusual
			var p period
			if dated {
				p = e.addPeriod(inForce, law.ExtensionDefaultDays, law.Unit)
			} else {
				extra += law.ExtensionDefaultDays
				p = count(e.cal, law.Unit, ds.Received, law.ResponsePeriod+extra, ds.Pauses, law.LastDayRule != "")
			}
			d.Date, d.From, d.Days, d.Unit, d.Skipped = p.end, inForce, law.ExtensionDefaultDays, law.Unit, p.skipped
			d.Explanation = fmt.Sprintf("%s: %s more (%s), so due %s.", what, unitWords(law.ExtensionDefaultDays, law.Unit), law.ExtensionRule, p.end.Long())
			if law.Unit == CalendarDays && !p.end.Equal(p.nominal) {
				d.Explanation += fmt.Sprintf(" The last day, %s, is not a working day, so the deadline moves to %s (%s).", p.nominal.Long(), p.end.Long(), law.LastDayRule)
			}
			if law.Unit == WorkingDays {
				d.Skipped = skippedAfter(p.skipped, inForce)
				d.Explanation += prefixSpace(e.holidaysSentence(d.Skipped))
			}
			if ev.NewDueDate.IsZero() && extensionUpTo(law.Code) {
				d.Warning = fmt.Sprintf("The extension gives no date; %s is assumed (%s). Ask the authority for its estimate.",
					unitWords(law.ExtensionDefaultDays, law.Unit), law.ExtensionRule)
			}
			if !ev.NewDueDate.IsZero() && !ev.NewDueDate.Equal(p.end) {
				d.Warning = fmt.Sprintf("The notice gives %s; %s allows %s, to %s.", ev.NewDueDate.Long(), law.ExtensionRule,
					unitWords(law.ExtensionDefaultDays, law.Unit), p.end.Long())
			}
		} else {
			if !ev.NewDueDate.After(inForce) {
				ds.warn("The extension of %s gives %s, which is not after the due date in force (%s); ignored.",
					ev.Date.Long(), ev.NewDueDate.Long(), inForce.Long())
				continue
			}
			dated = true
			d.Date, d.From, d.Unit = ev.NewDueDate, inForce, law.Unit
			d.Days = e.between(statutory, ev.NewDueDate, law.Unit)
			d.Explanation = fmt.Sprintf("%s: new due date %s, %s after the statutory due date %s.",
				what, ev.NewDueDate.Long(), unitWords(d.Days, law.Unit), statutory.Long())
		}
		if beyond := e.between(statutory, d.Date, law.Unit); law.MaxExtensionDays > 0 && beyond > law.MaxExtensionDays {
			d.Warning = strings.TrimSpace(d.Warning + fmt.Sprintf(" Excessive extension: %s is %s after the statutory due date %s; %s.",
				d.Date.Long(), unitWords(beyond, law.Unit), statutory.Long(), law.ExtensionRule))
		}
		if d.Warning != "" {
			ds.Warnings = append(ds.Warnings, d.Warning)
		}
		inForce = d.Date
		ds.Extended = d
	}
}

func (e *engine) review() {
	ds, law := e.ds, e.law
	if last := e.lastResponse; !last.IsZero() && law.ReviewAskDays > 0 {
		ds.ReviewAskBy, _ = e.kept(keptReviewAskBy, last, func() (Deadline, bool) {
			p := e.addPeriod(last, law.ReviewAskDays, law.ReviewAskUnit)
			return Deadline{
				Kind: DeadlineReviewAskBy, Label: "Ask for " + law.AReview() + " by", Date: p.end,
				From: last, Days: law.ReviewAskDays, Unit: law.ReviewAskUnit, Skipped: p.skipped,
				Explanation: "Response received " + last.Long() + ". Ask for " + law.ReviewName + " by " + p.end.Long() + ", " +
					unitWords(law.ReviewAskDays, law.ReviewAskUnit) + " after the response." + prefixSpace(e.periodHolidays(p, law.ReviewAskUnit)),
			}, true
		})
	}
	if ds.ReviewRequested.IsZero() || law.ReviewDecideDays <= 0 {
		return
	}
	from := ds.ReviewRequested
	ds.ReviewDue, _ = e.kept(keptReviewDue, from, func() (Deadline, bool) {
		p := e.addPeriod(from, law.ReviewDecideDays, law.ReviewDecideUnit)
		label := Capitalize(law.ReviewName) + " decision due"
		return Deadline{
			Kind: DeadlineReviewDue, Label: label, Date: p.end, From: from,
			Days: law.ReviewDecideDays, Unit: law.ReviewDecideUnit, Skipped: p.skipped,
			Explanation: Capitalize(law.ReviewName + " requested " + from.Long() + ". Decision due " + p.end.Long() + ", " +
				unitWords(law.ReviewDecideDays, law.ReviewDecideUnit) + " after the request was received." +
				prefixSpace(e.periodHolidays(p, law.ReviewDecideUnit))),
		}, true
	})
	if law.ReviewDecideMax > law.ReviewDecideDays && !e.forPlan {
		pm := e.addPeriod(from, law.ReviewDecideMax, law.ReviewDecideUnit)
		ds.ReviewDueMax = Deadline{
			Kind: DeadlineReviewDueMax, Label: "Latest " + law.ReviewName + " decision", Date: pm.end, From: from,
			Days: law.ReviewDecideMax, Unit: law.ReviewDecideUnit, Skipped: pm.skipped,
			Explanation: fmt.Sprintf("At the latest %s, %s after the request was received, where the review is complex.%s",
				pm.end.Long(), unitWords(law.ReviewDecideMax, law.ReviewDecideUnit), prefixSpace(e.periodHolidays(pm, law.ReviewDecideUnit))),
		}
	}
	e.extendReview()
	cur := ds.currentReview()
	if e.forPlan {
		ds.ReviewLongOverdue = e.longOverdue(cur.Date)
		ds.ReviewLongOverdue.Kind = DeadlineReviewLongOverdue
		return
	}
	end, skipped := AddWorkingDays(e.cal, cur.Date, LongOverdueWorkingDays)
	ds.ReviewLongOverdue = Deadline{
		Kind: DeadlineReviewLongOverdue, Label: Capitalize(law.ReviewName) + " long overdue after", Date: end, From: cur.Date,
		Days: LongOverdueWorkingDays, Unit: WorkingDays, Skipped: skipped,
		Explanation: fmt.Sprintf("Long overdue after %s, %d working days after the %s due date in force, %s.%s",
			end.Long(), LongOverdueWorkingDays, law.ReviewName, cur.Date.Long(), prefixSpace(e.holidaysSentence(skipped))),
	}
}

// reviewExtensionDays is how far a review decision may be put off: FOIA's
// Code allows up to its outer limit; US FOIA's unusual circumstances apply to
// appeals too (552(a)(6)(B)(i)).
func reviewExtensionDays(law Law) int {
	if law.ReviewDecideMax > law.ReviewDecideDays {
		return law.ReviewDecideMax - law.ReviewDecideDays
	}
	if law.Code == USFOIA {
		return law.ExtensionDefaultDays
	}
	return 0
}

func (e *engine) extendReview() {
	ds, law := e.ds, e.law
	allowed := reviewExtensionDays(law)
	base := ds.ReviewDue.Date
	for _, ev := range e.reviewExts {
		if allowed == 0 {
			ds.warn("The authority put off its %s decision on %s, but %s sets a fixed time for it: %s stays in force.",
				law.ReviewName, ev.Date.Long(), law.ShortName, base.Long())
			continue
		}
		d := Deadline{Kind: DeadlineReviewExtended, Label: "Extended " + law.ReviewName + " decision due", From: base, Unit: law.ReviewDecideUnit}
		if ev.NewDueDate.IsZero() {
			p := e.addPeriod(base, allowed, law.ReviewDecideUnit)
			d.Date, d.Days, d.Skipped = p.end, allowed, p.skipped
			d.Explanation = fmt.Sprintf("Extension of the %s claimed on %s: %s more, so due %s.", law.ReviewName, ev.Date.Long(),
				unitWords(allowed, law.ReviewDecideUnit), p.end.Long())
		} else {
			d.Date = ev.NewDueDate
			d.Days = e.between(base, ev.NewDueDate, law.ReviewDecideUnit)
			d.Explanation = fmt.Sprintf("Extension of the %s claimed on %s: new date %s, %s after the normal date %s.", law.ReviewName,
				ev.Date.Long(), ev.NewDueDate.Long(), unitWords(d.Days, law.ReviewDecideUnit), base.Long())
		}
		if beyond := e.between(base, d.Date, law.ReviewDecideUnit); beyond > allowed {
			d.Warning = fmt.Sprintf("Excessive: %s is %s after the normal %s date %s; at most %s more are allowed.",
				d.Date.Long(), unitWords(beyond, law.ReviewDecideUnit), law.ReviewName, base.Long(), unitWords(allowed, law.ReviewDecideUnit))
			ds.Warnings = append(ds.Warnings, d.Warning)
		}
		ds.ReviewExtended = d
	}
}

func (e *engine) regulator() {
	ds, law := e.ds, e.law
	last, what, kind := ds.Responded, "response", keptRegulatorAfterResponse
	if ds.Reviewed.After(last) {
		last, what, kind = ds.Reviewed, law.ReviewName+" outcome", keptRegulatorAfterReview
	}
	if last.IsZero() {
		return
	}
	if d, ok := e.kept(kind, last, func() (Deadline, bool) {
		d := Deadline{Kind: DeadlineRegulatorWindow, Label: "Complain to the regulator by", From: last}
		switch {
		case law.RegulatorWindowDays > 0:
			p := e.addPeriod(last, law.RegulatorWindowDays, CalendarDays)
			d.Date, d.Days, d.Unit, d.Skipped = p.end, law.RegulatorWindowDays, CalendarDays, p.skipped
			d.Explanation = "Complain to the " + law.Regulator + " by " + p.end.Long() + ", " + strconv.Itoa(law.RegulatorWindowDays) +
				" days after the last substantive contact (" + what + ", " + last.Long() + ")."
			if !p.end.Equal(p.nominal) {
				d.Explanation += fmt.Sprintf(" The %s day, %s, is not a working day (%s).", ordinal(law.RegulatorWindowDays), p.nominal.Long(), law.LastDayRule)
			}
		case law.RegulatorWindowMonths > 0:
			d.Date = addMonths(last, law.RegulatorWindowMonths)
			d.Explanation = "Complain to the " + law.Regulator + " by " + d.Date.Long() + ", " + strconv.Itoa(law.RegulatorWindowMonths) +
				" months after the last substantive contact (" + what + ", " + last.Long() + ")."
		default:
			return Deadline{}, false
		}
		return d, true
	}); ok {
		ds.RegulatorWindow = d
	}
}

// afterRegulator works out the windows around the regulator that the other
// steps do not: the fee to pay, the complaint when a review is late, the
// regulator's own decision, and the appeal against it.
func (e *engine) afterRegulator() {
	ds, law := e.ds, e.law
	if ds.Stopped.Kind == EventFeeNotice && law.FeePayMonths > 0 {
		// "Three months beginning with the day on which the fees notice is
		// given": the notice day is the first day of the period.
		end := addMonths(ds.Stopped.From, law.FeePayMonths).AddDays(-1)
		ds.FeePayBy = Deadline{Kind: DeadlineFeePayBy, Label: "Pay the fee by", Date: end, From: ds.Stopped.From,
			Explanation: fmt.Sprintf("Fees notice of %s: unless the fee is paid within %d months beginning with that day, by %s, the authority need not answer (%s).",
				ds.Stopped.From.Long(), law.FeePayMonths, end.Long(), law.FeePayRule)}
	}
	if !ds.ReviewRequested.IsZero() && ds.Reviewed.IsZero() && !ds.currentReview().Date.IsZero() {
		due := ds.currentReview().Date
		d := Deadline{Kind: DeadlineRegulatorLate, Label: "If the " + law.ReviewName + " is late, complain by", From: due}
		switch {
		case law.RegulatorWindowDays > 0:
			p := e.addPeriod(due, law.RegulatorWindowDays, CalendarDays)
			d.Date, d.Days, d.Unit, d.Skipped = p.end, law.RegulatorWindowDays, CalendarDays, p.skipped
		case law.RegulatorWindowMonths > 0:
			d.Date = addMonths(due, law.RegulatorWindowMonths)
		}
		if !d.Date.IsZero() {
			d.Explanation = fmt.Sprintf("If the %s is not decided by %s, you may complain to the %s by %s (%s).",
				law.ReviewName, due.Long(), law.Regulator, d.Date.Long(), law.RegulatorLateRule)
			ds.RegulatorLate = d
		}
	}
	if !ds.Complained.IsZero() && law.RegulatorDecideMonths > 0 {
		end := addMonths(ds.Complained, law.RegulatorDecideMonths)
		ds.RegulatorDue = Deadline{Kind: DeadlineRegulatorDue, Label: "Regulator's decision due", Date: end, From: ds.Complained,
			Explanation: fmt.Sprintf("Complaint made %s: the %s should decide by %s (%s).",
				ds.Complained.Long(), law.Regulator, end.Long(), law.RegulatorDecideRule)}
	}
	if !ds.RegulatorDecided.IsZero() && law.AppealDays > 0 {
		p := e.addPeriod(ds.RegulatorDecided, law.AppealDays, CalendarDays)
		ds.AppealBy = Deadline{Kind: DeadlineAppealBy, Label: "Appeal to the " + law.AppealTo + " by", Date: p.end,
			From: ds.RegulatorDecided, Days: law.AppealDays, Unit: CalendarDays, Skipped: p.skipped,
			Explanation: fmt.Sprintf("Regulator's decision of %s: appeal to the %s by %s, %d days after it (%s).%s",
				ds.RegulatorDecided.Long(), law.AppealTo, p.end.Long(), law.AppealDays, law.AppealRule,
				prefixSpace(e.periodHolidays(p, CalendarDays)))}
	}
}

// addMonths adds calendar months; a day the later month lacks becomes its last
// day (31 Aug + 6 months = 28 or 29 Feb), as courts reckon a month.
func addMonths(d Date, months int) Date {
	first := NewDate(d.Year(), d.Month(), 1).AddDate(0, months, 0)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day()
	if day > last {
		day = last
	}
	return NewDate(first.Year(), first.Month(), day)
}

// coverage warns when a deadline depends on holidays beyond the checked years.
func (e *engine) coverage() {
	first, last := e.cal.Coverage()
	ds := e.ds
	var dates []Date
	for _, d := range []Deadline{ds.Response, ds.Extended, ds.LongOverdue, ds.ReviewAskBy, ds.ReviewDue,
		ds.ReviewDueMax, ds.ReviewExtended, ds.ReviewLongOverdue} {
		if !d.IsZero() && !d.Date.IsZero() {
			dates = append(dates, d.From, d.Date)
		}
	}
	years := map[int]bool{}
	for _, d := range dates {
		if !d.IsZero() && (d.Year() < first || d.Year() > last) {
			years[d.Year()] = true
		}
	}
	if len(years) == 0 {
		return
	}
	var ys []string
	for y := range years {
		ys = append(ys, fmt.Sprint(y))
	}
	sort.Strings(ys)
	ds.warn("Holidays in %s are worked out from the regular rules only (the %s calendar is checked for %d–%d): a one-off holiday there would not be counted.",
		strings.Join(ys, ", "), e.cal.Name(), first, last)
}

func (e *engine) periodHolidays(p period, unit DayUnit) string {
	if unit == CalendarDays {
		if p.end.Equal(p.nominal) {
			return ""
		}
		s := fmt.Sprintf("The last day, %s, is not a working day, so it moves to %s (%s).", p.nominal.Long(), p.end.Long(), e.law.LastDayRule)
		if len(p.skipped) > 0 {
			s += " " + sentence("Also not a working day: "+joinSkipped(p.skipped))
		}
		return s
	}
	return e.holidaysSentence(p.skipped)
}

// weekendsOnly stands in for an unknown calendar name.
var weekendsOnly = &ruleCalendar{name: "weekends", description: "Saturdays and Sundays", first: 0, last: 9999}

// StandingCode says where a request stands against its deadlines.
type StandingCode string

const (
	StandingNotStarted  StandingCode = "not_started"  // a draft: no clock yet
	StandingOnTime      StandingCode = "on_time"      // due more than DueSoonWorkingDays away
	StandingDueSoon     StandingCode = "due_soon"     // due within DueSoonWorkingDays working days
	StandingDueToday    StandingCode = "due_today"    // due today
	StandingOverdue     StandingCode = "overdue"      // past the due date in force
	StandingLongOverdue StandingCode = "long_overdue" // more than 20 working days past it
	StandingPaused      StandingCode = "paused"       // the clock is stopped: a clarification or fee is awaited from the requester
	StandingAnswered    StandingCode = "answered"     // the authority has answered; nothing is owed by it now
	StandingClosed      StandingCode = "closed"       // withdrawn or closed
)

// Standing is where a request stands on a given day.
type Standing struct {
	Code StandingCode `json:"code"`
	// Date is the relevant date: the due date in force (on_time … long_overdue),
	// the day the clock stopped (paused), the last answer (answered), or the day
	// it was closed.
	Date Date `json:"date,omitzero"`
	// WorkingDays left before the due date, or late after it.
	WorkingDays int    `json:"working_days,omitempty"`
	Text        string `json:"text"`
}

// Standing says where the request stands on today: against the response
// deadline while a response is awaited, against the review deadline while a
// review is under way.
func (ds Deadlines) Standing(today Date) Standing {
	return ds.Basis().At(today)
}

// StandingBasis is what a request's standing on any day is worked out
// from: the part of its deadlines that Standing reads, small enough to be
// stored with the request (so that a list of requests shows where each
// stands without replaying its history), and no day in it: At compares it
// with the day.
type StandingBasis struct {
	// Code is the standing itself (not_started, closed, paused, answered),
	// or on_time for a date in force, which At turns into on_time,
	// due_soon, due_today, overdue or long_overdue.
	Code StandingCode
	// Date: the due date in force (on_time), the day the clock stopped
	// (paused), the last answer (answered), the day it was closed.
	Date Date
	// LongOverdue is the date after which a date in force is long overdue.
	LongOverdue Date
	// Note: for a date in force, what is due ("Response", "Review
	// decision"); for a stopped clock, the event that stopped it.
	Note string
	// Calendar names the working days the days left are counted in.
	Calendar string
}

// Basis is the part of ds that Standing reads.
func (ds Deadlines) Basis() StandingBasis {
	b := StandingBasis{Calendar: ds.Calendar}
	timed := func(due, long Deadline, what string) StandingBasis {
		b.Code, b.Date, b.LongOverdue, b.Note = StandingOnTime, due.Date, long.Date, what
		return b
	}
	paused := func() StandingBasis {
		b.Code, b.Date, b.Note = StandingPaused, ds.Stopped.From, string(ds.Stopped.Kind)
		return b
	}
	switch ds.Status {
	case StatusDraft:
		b.Code = StandingNotStarted
		return b
	case StatusWithdrawn, StatusClosed:
		b.Code, b.Date = StandingClosed, ds.Ended
		return b
	case StatusAwaitingClarification, StatusAwaitingFee:
		if !ds.Stopped.IsZero() {
			return paused()
		}
		// A second US clarification request does not stop the clock.
		return timed(ds.current(), ds.LongOverdue, "Response")
	case StatusAwaitingResponse:
		if ds.current().Date.IsZero() {
			return paused()
		}
		return timed(ds.current(), ds.LongOverdue, "Response")
	case StatusReviewRequested:
		if ds.currentReview().Date.IsZero() {
			break
		}
		return timed(ds.currentReview(), ds.ReviewLongOverdue, "Review decision")
	}
	last := ds.Responded
	if ds.Reviewed.After(last) {
		last = ds.Reviewed
	}
	if last.IsZero() && !ds.current().Date.IsZero() {
		// A complaint to the regulator about a request never answered: the
		// response is still owed.
		return timed(ds.current(), ds.LongOverdue, "Response")
	}
	b.Code, b.Date = StandingAnswered, last
	return b
}

// At is where the request stands on today.
func (b StandingBasis) At(today Date) Standing {
	switch b.Code {
	case StandingNotStarted:
		return Standing{Code: StandingNotStarted, Text: "Not sent yet."}
	case StandingClosed:
		return Standing{Code: StandingClosed, Date: b.Date, Text: "Closed on " + b.Date.Long() + "."}
	case StandingPaused:
		what := "a clarification"
		if EventKind(b.Note) == EventFeeNotice {
			what = "the fee"
		}
		return Standing{Code: StandingPaused, Date: b.Date,
			Text: fmt.Sprintf("Clock stopped since %s, waiting for %s.", b.Date.Long(), what)}
	case StandingAnswered:
		return Standing{Code: StandingAnswered, Date: b.Date, Text: "Answered on " + b.Date.Long() + "."}
	}
	c := CalendarFor(b.Calendar)
	if c == nil {
		c = weekendsOnly
	}
	return timing(c, today, b.Date, b.LongOverdue, b.Note)
}

func timing(c Calendar, today Date, due, long Date, what string) Standing {
	s := Standing{Date: due}
	switch {
	case today.Equal(due):
		s.Code, s.Text = StandingDueToday, what+" due today."
	case today.Before(due):
		s.WorkingDays = WorkingDaysBetween(c, today, due)
		s.Code = StandingOnTime
		if s.WorkingDays <= DueSoonWorkingDays {
			s.Code = StandingDueSoon
		}
		s.Text = fmt.Sprintf("%s due %s (%s left).", what, due.Long(), unitWords(s.WorkingDays, WorkingDays))
	default:
		s.WorkingDays = WorkingDaysBetween(c, due, today)
		s.Code = StandingOverdue
		s.Text = fmt.Sprintf("%s overdue: it was due %s (%s late).", what, due.Long(), unitWords(s.WorkingDays, WorkingDays))
		if today.After(long) {
			s.Code = StandingLongOverdue
			s.Text = fmt.Sprintf("%s long overdue: it was due %s (%s late; long overdue after %s).",
				what, due.Long(), unitWords(s.WorkingDays, WorkingDays), long.Long())
		}
	}
	return s
}

// CalculatorInput is what the stand-alone calculator (`foitrack deadline`) asks for.
type CalculatorInput struct {
	Law      LawCode
	Received Date // the date of receipt
	// ClarificationRequested is when the authority asked for clarification;
	// optional under UK laws (the answer restarts the count), required where
	// it pauses the count (US FOIA).
	ClarificationRequested Date
	ClarificationReceived  Date // when the authority received the clarification
	FeeNotice, FeePaid     Date // the fees notice, and the day the fee was received
	Unusual                bool // an extension of the law's fixed length (US: unusual circumstances)
	ExtendedTo             Date // the new due date an extension notice gave
}

// Calculate checks the input, builds the history it describes and computes
// its deadlines. Bad input is an EINVALID error naming the field.
func Calculate(in CalculatorInput) (Deadlines, error) {
	var v ValidationError
	law, ok := LawByCode(in.Law)
	if !ok {
		var codes []string
		for _, l := range Laws {
			codes = append(codes, string(l.Code))
		}
		v.Add("law", fmt.Sprintf("unknown law %q: one of %s", in.Law, strings.Join(codes, ", ")))
		return Deadlines{}, v.Err()
	}
	if in.Received.IsZero() {
		v.Add("received", "the date the authority received the request is required")
		return Deadlines{}, v.Err()
	}
	notBefore := func(field string, d, floor Date, what string) {
		if !d.IsZero() && d.Before(floor) {
			v.Add(field, fmt.Sprintf("%s (%s) is before %s (%s)", field, d, what, floor))
		}
	}
	events := []Event{{Kind: EventSent, Date: in.Received}}
	last := in.Received
	asked := in.ClarificationRequested
	if !in.ClarificationReceived.IsZero() && asked.IsZero() {
		if law.Clarification == ClarificationPauses {
			v.Add("clarification_requested", fmt.Sprintf("%s stops the clock from the day the authority asked for clarification: give that date too", law.ShortName))
		}
		asked = in.Received
	}
	if !asked.IsZero() {
		notBefore("clarification_requested", asked, in.Received, "the date of receipt")
		events = append(events, Event{Kind: EventClarificationRequested, Date: asked})
		last = asked
	}
	if !in.ClarificationReceived.IsZero() {
		notBefore("clarification_received", in.ClarificationReceived, asked, "the request for clarification")
		events = append(events, Event{Kind: EventClarificationSent, Date: in.ClarificationReceived})
		last = in.ClarificationReceived
	}
	if !in.FeePaid.IsZero() && in.FeeNotice.IsZero() {
		v.Add("fee_notice", "a fee paid needs the date of the fees notice")
	}
	if !in.FeeNotice.IsZero() {
		notBefore("fee_notice", in.FeeNotice, in.Received, "the date of receipt")
		events = append(events, Event{Kind: EventFeeNotice, Date: in.FeeNotice})
		if in.FeeNotice.After(last) {
			last = in.FeeNotice
		}
		if !in.FeePaid.IsZero() {
			notBefore("fee_paid", in.FeePaid, in.FeeNotice, "the fees notice")
			events = append(events, Event{Kind: EventFeePaid, Date: in.FeePaid})
			if in.FeePaid.After(last) {
				last = in.FeePaid
			}
		}
	}
	if in.Unusual || !in.ExtendedTo.IsZero() {
		switch {
		case law.MaxExtensionDays == 0 && law.ExtensionDefaultDays == 0:
			v.Add("extension", fmt.Sprintf("%s allows no extension (%s)", law.ShortName, law.ExtensionRule))
		case in.Unusual && extensionUpTo(law.Code):
			v.Add("extension", fmt.Sprintf("%s sets no fixed extension: give the date the authority set", law.ShortName))
		case in.Unusual && !in.ExtendedTo.IsZero() && law.Code != USFOIA:
			v.Add("extension", "give either a fixed-length extension or the date the authority set, not both")
		case !in.ExtendedTo.IsZero() && !in.ExtendedTo.After(last):
			v.Add("extended_to", fmt.Sprintf("the extended due date (%s) must be after the other dates (latest %s)", in.ExtendedTo, last))
		}
		reason := "extension"
		if in.Unusual {
			reason = "unusual circumstances"
			if law.Code != USFOIA {
				reason = law.ExtensionRule
			}
		}
		events = append(events, Event{Kind: EventExtensionClaimed, Date: last, NewDueDate: in.ExtendedTo, Reason: reason})
	}
	if err := v.Err(); err != nil {
		return Deadlines{}, err
	}
	if n := len(events) - 1; events[n].Kind == EventExtensionClaimed {
		// The notice's own date is not asked for: an extension is claimed by
		// the statutory due date at the latest, so date it then.
		base := events[:n]
		SortEvents(base)
		if _, err := Replay(base); err == nil {
			due := ComputeDeadlines(law, base).Response.Date
			if !in.ExtendedTo.IsZero() && !in.ExtendedTo.After(due) && !due.IsZero() {
				v.Add("extended_to", fmt.Sprintf("the extended due date (%s) must be after the statutory due date (%s)", in.ExtendedTo, due))
				return Deadlines{}, v.Err()
			}
			if due.After(events[n].Date) {
				events[n].Date = due
			}
		}
	}
	SortEvents(events)
	if _, err := Replay(events); err != nil {
		return Deadlines{}, Errorf(EINVALID, "these dates do not make a possible history: %v", err)
	}
	return ComputeDeadlines(law, events), nil
}
