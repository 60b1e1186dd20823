// Package remind chases deadlines: it works out which reminders are due on a
// given day from each request's stored next action (rules.go: the plan
// tracker.PlanNextAction made, as the store keeps it, so that reminders,
// pages, `due` and the feed never disagree), gives each one exactly once
// to a request's owner and watchers, in the app and by email (job.go), drafts
// the letter that should go out next (letters.go), and publishes every open
// deadline as an iCalendar feed (ics.go, feed.go).
//
// Nothing here reads the wall clock: every entry point takes "now" (or
// "today"), so that tests can move a clock across months of deadlines.
package remind

import (
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// Rules are the tunable parts of the reminder rules, all in working days on
// the request's own law calendar.
type Rules struct {
	// DueSoonDays: a deadline this many working days away or fewer is "due soon".
	DueSoonDays int `json:"due_soon_days"`
	// WindowLeadDays: a window the requester must act in (asking for a
	// review, complaining to the regulator) is "closing" this many working
	// days before its last day.
	WindowLeadDays int `json:"window_lead_days"`
	// StillOwedDays: a clarification (or fee) we owe is reminded again when it
	// is still owed this many working days after it was asked for.
	StillOwedDays int `json:"still_owed_days"`
}

// DefaultRules: due soon 3 working days ahead (as the deadline engine's
// standing), windows 10 working days ahead, a second reminder after 10.
var DefaultRules = Rules{DueSoonDays: tracker.DueSoonWorkingDays, WindowLeadDays: 10, StillOwedDays: 10}

// withDefaults fills unset fields.
func (r Rules) withDefaults() Rules {
	if r.DueSoonDays <= 0 {
		r.DueSoonDays = DefaultRules.DueSoonDays
	}
	if r.WindowLeadDays <= 0 {
		r.WindowLeadDays = DefaultRules.WindowLeadDays
	}
	if r.StillOwedDays <= 0 {
		r.StillOwedDays = DefaultRules.StillOwedDays
	}
	return r
}

// Deadlines a reminder can be about (reminder_log.deadline).
const (
	DeadlineResponse        = "response"         // the statutory response date
	DeadlineExtended        = "extended"         // an extended response date: its reminders say "extension ending"
	DeadlineReview          = "review"           // the internal review (appeal) decision
	DeadlineReviewExtended  = "review_extended"  // an extended review decision
	DeadlineClarification   = "clarification"    // we owe the authority a clarification
	DeadlineFee             = "fee"              // we owe the authority a fee
	DeadlineReviewAskBy     = "review_ask_by"    // last day for us to ask for a review
	DeadlineRegulatorWindow = "regulator_window" // last day to complain to the regulator
	DeadlineAppeal          = "appeal"           // last day to appeal the regulator's decision
	DeadlineConfirmReply    = "confirm_reply"    // a reply read from mail waits for us to confirm it
)

// Kinds of reminder, with their stage: within one deadline and due date a
// later stage supersedes the earlier ones, so a run that was missed gives
// only the latest, and never an earlier one after a later.
const (
	KindDueSoon     = "due_soon"     // stage 1
	KindDueToday    = "due_today"    // stage 2
	KindOverdue     = "overdue"      // stage 3
	KindLongOverdue = "long_overdue" // stage 4
	KindOwed        = "owed"         // stage 1: the clock waits for us
	KindStillOwed   = "still_owed"   // stage 2
	KindYourMove    = "your_move"    // stage 0: a step of ours came into force
	KindClosingSoon = "closing_soon" // stage 1 (3 for a fee): a window we must act in
	KindClosesToday = "closes_today" // stage 2 (4 for a fee)
	KindPassed      = "passed"       // stage 3: its date passed and it is still ours
)

// Due is one reminder that applies to a request on a day.
type Due struct {
	// Who must act, and on what: the step in force that day, as the
	// request page, the dashboard and `due` show it.
	Who    tracker.Who    `json:"who"`
	Action tracker.Action `json:"action"`

	Deadline string       `json:"deadline"`
	Kind     string       `json:"kind"`
	Stage    int          `json:"stage"`
	DueDate  tracker.Date `json:"due_date"` // the date the reminder is about: part of its identity
	// Title is short ("Response overdue"); Text says why, in a sentence.
	Title string `json:"title"`
	Text  string `json:"text"`
	// Explanation is the engine's account of the date or the step.
	Explanation string `json:"explanation,omitempty"`
	// Letter names the letter that should go out next, if any (chaser,
	// internal_review, regulator_complaint).
	Letter string `json:"letter,omitempty"`
}

// Evaluate returns the reminders that apply to a request on today, from its
// stored plan: one for the step in force when it is ours (whatever its date:
// every step the dashboard's "Needs you" lists is reminded of), and one for
// the authority's date when it is due soon or today. It is pure: the same
// request, plan and day always give the same answer.
func Evaluate(r tracker.Request, law tracker.Law, p tracker.Plan, today tracker.Date, rules Rules) []Due {
	rules = rules.withDefaults()
	c := tracker.CalendarFor(law.Calendar)
	if c == nil {
		return nil
	}
	e := evaluator{r: r, law: law, p: p, today: today, rules: rules, cal: c}
	s, overdue := p.StepAt(today)
	since := p.Since
	if s != p.Now {
		// The step after a date passed: in force from the day after it.
		since = p.Now.By.AddDays(1)
	}
	d := Due{Who: s.Who, Action: s.Action, Explanation: s.Explanation}
	switch s.Action {
	case tracker.ActionAwaitResponse, tracker.ActionAwaitReview:
		e.authority(d, s)
	case tracker.ActionChaseResponse, tracker.ActionChaseReview:
		e.chase(d)
	case tracker.ActionSendClarification, tracker.ActionPayFee:
		e.owed(d, s, since)
	case tracker.ActionConfirmReply:
		d.Deadline, d.Kind, d.DueDate = DeadlineConfirmReply, KindYourMove, since
		d.Title = "Reply to confirm"
		d.Text = "A reply read from mail waits for you to confirm it (or correct it): the next step depends on it."
		e.out = append(e.out, d)
	case tracker.ActionRequestReview, tracker.ActionComplainToRegulator, tracker.ActionAppealDecision:
		e.window(d, s, since, overdue)
	}
	return e.out
}

type evaluator struct {
	r     tracker.Request
	law   tracker.Law
	p     tracker.Plan
	today tracker.Date
	rules Rules
	cal   tracker.Calendar
	out   []Due
}

// windowKind is the kind of the stored window dated d of the given kinds
// ("" when there is none).
func (e *evaluator) windowKind(d tracker.Date, kinds ...tracker.DeadlineKind) (tracker.DeadlineKind, string) {
	for _, w := range e.p.Windows {
		for _, k := range kinds {
			if w.Kind == k && w.Date.Equal(d) {
				return k, w.Explanation
			}
		}
	}
	return "", ""
}

// authority: the authority's date, due soon or today.
func (e *evaluator) authority(d Due, s tracker.Step) {
	if s.By.IsZero() || e.today.After(s.By) {
		return
	}
	days := tracker.WorkingDaysBetween(e.cal, e.today, s.By)
	switch {
	case e.today.Equal(s.By):
		d.Kind, d.Stage = KindDueToday, 2
	case days <= e.rules.DueSoonDays:
		d.Kind, d.Stage = KindDueSoon, 1
	default:
		return
	}
	d.DueDate = s.By
	who := e.r.AuthorityName
	if who == "" {
		who = "The authority"
	}
	if s.Action == tracker.ActionAwaitResponse {
		kind, why := e.windowKind(s.By, tracker.DeadlineResponse, tracker.DeadlineExtended)
		d.Deadline, d.Explanation = DeadlineResponse, why
		extended := kind == tracker.DeadlineExtended
		if extended {
			d.Deadline = DeadlineExtended
		}
		if d.Kind == KindDueSoon {
			d.Title = fmt.Sprintf("Response due in %s", workingDays(days))
			if extended {
				d.Title = fmt.Sprintf("Extension ending in %s", workingDays(days))
			}
			d.Text = fmt.Sprintf("%s must respond by %s.", who, s.By.Long())
		} else {
			d.Title = "Response due today"
			if extended {
				d.Title = "Extension ends today"
			}
			d.Text = fmt.Sprintf("%s must respond today, %s.", who, s.By.Long())
		}
	} else {
		kind, why := e.windowKind(s.By, tracker.DeadlineReviewDue, tracker.DeadlineReviewExtended)
		d.Deadline, d.Explanation = DeadlineReview, why
		if kind == tracker.DeadlineReviewExtended {
			d.Deadline = DeadlineReviewExtended
		}
		name := e.law.ReviewName
		if d.Kind == KindDueSoon {
			d.Title = fmt.Sprintf("%s decision due in %s", tracker.Capitalize(name), workingDays(days))
			d.Text = fmt.Sprintf("The %s decision is due by %s.", name, s.By.Long())
		} else {
			d.Title = fmt.Sprintf("%s decision due today", tracker.Capitalize(name))
			d.Text = fmt.Sprintf("The %s decision is due today, %s.", name, s.By.Long())
		}
	}
	if d.Explanation == "" {
		d.Explanation = s.Explanation
	}
	e.out = append(e.out, d)
}

// chase: the authority's date passed (the plan's Now.By) and we must chase.
func (e *evaluator) chase(d Due) {
	due := e.p.Now.By
	late := tracker.WorkingDaysBetween(e.cal, due, e.today)
	long, _ := tracker.AddWorkingDays(e.cal, due, tracker.LongOverdueWorkingDays)
	d.DueDate, d.Kind, d.Stage = due, KindOverdue, 3
	if e.today.After(long) {
		d.Kind, d.Stage = KindLongOverdue, 4
	}
	d.Letter = string(LetterChaser)
	if d.Action == tracker.ActionChaseResponse {
		kind, why := e.windowKind(due, tracker.DeadlineResponse, tracker.DeadlineExtended)
		d.Deadline = DeadlineResponse
		if kind == tracker.DeadlineExtended {
			d.Deadline = DeadlineExtended
		}
		if why != "" {
			d.Explanation = why
		}
		d.Title = "Response overdue"
		d.Text = fmt.Sprintf("The response was due %s and is %s late. A polite chaser is drafted for you.", due.Long(), workingDays(late))
		if d.Kind == KindLongOverdue {
			d.Title = "Response long overdue"
			d.Text = fmt.Sprintf("The response was due %s and is %s late. Chase again, and consider a complaint to the %s.",
				due.Long(), workingDays(late), e.law.Regulator)
		}
	} else {
		kind, _ := e.windowKind(due, tracker.DeadlineReviewDue, tracker.DeadlineReviewExtended)
		d.Deadline = DeadlineReview
		if kind == tracker.DeadlineReviewExtended {
			d.Deadline = DeadlineReviewExtended
		}
		name := e.law.ReviewName
		d.Title = fmt.Sprintf("%s overdue", tracker.Capitalize(name))
		d.Text = fmt.Sprintf("The %s decision was due %s and is %s late. You can chase it, or complain to the %s.",
			name, due.Long(), workingDays(late), e.law.Regulator)
		if d.Kind == KindLongOverdue {
			d.Title = fmt.Sprintf("%s long overdue", tracker.Capitalize(name))
			d.Text = fmt.Sprintf("The %s decision was due %s and is %s late. A complaint to the %s is drafted for you.",
				name, due.Long(), workingDays(late), e.law.Regulator)
			d.Letter = string(LetterComplaint)
		}
	}
	e.out = append(e.out, d)
}

// owed: the clock waits for us (a clarification or a fee), since the day
// it was asked for; a fee has a date to pay by.
func (e *evaluator) owed(d Due, s tracker.Step, since tracker.Date) {
	d.DueDate, d.Kind, d.Stage = since, KindOwed, 1
	ago := tracker.WorkingDaysBetween(e.cal, since, e.today)
	if ago >= e.rules.StillOwedDays {
		d.Kind, d.Stage = KindStillOwed, 2
	}
	if s.Action == tracker.ActionSendClarification {
		d.Deadline = DeadlineClarification
		d.Title = "Clarification owed"
		if d.Kind == KindStillOwed {
			d.Title = "Clarification still owed"
		}
		restart := "the clock stays stopped until the authority receives it"
		if e.law.Clarification == tracker.ClarificationRestarts {
			restart = fmt.Sprintf("the %d working days start again from the day the authority receives it (%s)",
				e.law.ResponsePeriod, e.law.ClarificationRule)
		}
		d.Text = fmt.Sprintf("The authority asked for clarification on %s (%s ago): %s.", since.Long(), workingDays(ago), restart)
		e.out = append(e.out, d)
		return
	}
	d.Deadline = DeadlineFee
	d.Title = "Fee owed"
	if d.Kind == KindStillOwed {
		d.Title = "Fee still owed"
	}
	d.Text = fmt.Sprintf("The authority sent a fees notice on %s (%s ago): the clock stays stopped until it receives the fee (%s).",
		since.Long(), workingDays(ago), e.law.FeeRule)
	if !s.By.IsZero() {
		d.Text += fmt.Sprintf(" Pay it by %s.", s.By.Long())
		switch left := tracker.WorkingDaysBetween(e.cal, e.today, s.By); {
		case e.today.Equal(s.By):
			d.Kind, d.Stage, d.Title = KindClosesToday, 4, "Fee to pay today"
		case !e.today.After(s.By) && left <= e.rules.WindowLeadDays:
			d.Kind, d.Stage, d.Title = KindClosingSoon, 3, fmt.Sprintf("Fee to pay by %s", s.By.Long())
		}
	}
	e.out = append(e.out, d)
}

// window: a step of ours with a last day (ask for a review, complain,
// appeal), or none (US FOIA after an appeal: OGIS or the courts): reminded
// when it comes into force, again as its last day nears, and on the day.
func (e *evaluator) window(d Due, s tracker.Step, since tracker.Date, overdue bool) {
	d.Kind, d.DueDate = KindYourMove, s.By
	if s.By.IsZero() {
		d.DueDate = since
	}
	switch {
	case s.By.IsZero():
	case overdue:
		d.Kind, d.Stage = KindPassed, 3
	case e.today.Equal(s.By):
		d.Kind, d.Stage = KindClosesToday, 2
	case tracker.WorkingDaysBetween(e.cal, e.today, s.By) <= e.rules.WindowLeadDays:
		d.Kind, d.Stage = KindClosingSoon, 1
	}
	by := ""
	if !s.By.IsZero() {
		by = " by " + s.By.Long()
	}
	switch s.Action {
	case tracker.ActionRequestReview:
		d.Deadline, d.Letter = DeadlineReviewAskBy, string(LetterReview)
		d.Title = fmt.Sprintf("Ask for %s%s", e.law.AReview(), by)
		d.Text = fmt.Sprintf("The response was %s: if you want it reconsidered, ask for %s%s. A request is drafted for you.",
			lowerOutcome(e.r.Outcome), e.law.AReview(), by)
	case tracker.ActionComplainToRegulator:
		d.Deadline, d.Letter = DeadlineRegulatorWindow, string(LetterComplaint)
		d.Title = "Complain to the " + e.law.Regulator + by
		if !s.By.IsZero() {
			d.Title = fmt.Sprintf("Complaint window closing %s", s.By.Long())
		}
		d.Text = "The next step is " + regulatorWords(e.law) + by + ". A complaint is drafted for you."
	case tracker.ActionAppealDecision:
		d.Deadline = DeadlineAppeal
		d.Title = fmt.Sprintf("Appeal to the %s%s", e.law.AppealTo, by)
		d.Text = fmt.Sprintf("The %s's decision went against you: you may appeal to the %s%s.", e.law.Regulator, e.law.AppealTo, by)
	}
	switch d.Kind {
	case KindClosesToday:
		d.Title += " (today)"
	case KindPassed:
		d.Title += " (passed)"
	}
	e.out = append(e.out, d)
}

// regulatorWords names the step after a review: a complaint to the
// regulator, or for US FOIA mediation by OGIS or a suit.
func regulatorWords(law tracker.Law) string {
	if law.Code == tracker.USFOIA {
		return "mediation by OGIS or a suit in federal court"
	}
	return "a complaint to the " + law.Regulator
}

func workingDays(n int) string { return unitWords(n, tracker.WorkingDays) }

// unfavourable reports whether a response outcome is worth a review.
func unfavourable(outcome string) bool {
	switch outcome {
	case tracker.OutcomeRefused, tracker.OutcomeReleasedInPart, tracker.OutcomeNCND, tracker.OutcomeNotHeld:
		return true
	}
	return false
}

// lowerOutcome is the outcome's label for the middle of a sentence.
func lowerOutcome(code string) string {
	l := tracker.OutcomeLabel(code)
	if l == "" {
		return "unfavourable"
	}
	return strings.ToLower(l[:1]) + l[1:]
}
