// Package remind chases deadlines: it works out which reminders are due on a
// given day from the deadline engine (rules.go), gives each one exactly once
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
	KindClosingSoon = "closing_soon" // stage 1: a window we must act in
	KindClosesToday = "closes_today" // stage 2
)

// Due is one reminder that applies to a request on a day.
type Due struct {
	Deadline string       `json:"deadline"`
	Kind     string       `json:"kind"`
	Stage    int          `json:"stage"`
	DueDate  tracker.Date `json:"due_date"` // the date the reminder is about: part of its identity
	// Title is short ("Response overdue"); Text says why, in a sentence.
	Title string `json:"title"`
	Text  string `json:"text"`
	// Explanation is the deadline engine's account of the date.
	Explanation string `json:"explanation,omitempty"`
	// Letter names the letter that should go out next, if any (chaser,
	// internal_review, regulator_complaint).
	Letter string `json:"letter,omitempty"`
}

// Evaluate returns the reminders that apply to a request on today: for each
// of its live deadlines, the one latest stage reached. It is pure: the same
// request, history and day always give the same answer.
func Evaluate(r tracker.Request, law tracker.Law, ds tracker.Deadlines, today tracker.Date, rules Rules) []Due {
	rules = rules.withDefaults()
	c := tracker.CalendarFor(law.Calendar)
	if c == nil {
		return nil
	}
	e := evaluator{r: r, law: law, ds: ds, today: today, rules: rules, cal: c}
	switch ds.Status {
	case tracker.StatusAwaitingResponse:
		e.response()
	case tracker.StatusAwaitingClarification, tracker.StatusAwaitingFee:
		if !ds.Stopped.IsZero() {
			e.owed()
		} else {
			// A second US clarification request does not stop the clock.
			e.response()
		}
	case tracker.StatusAnswered:
		if unfavourable(r.Outcome) {
			e.window(DeadlineReviewAskBy, ds.ReviewAskBy, "internal_review")
		}
	case tracker.StatusReviewRequested:
		overdue := e.review()
		if overdue {
			// The window a late review opens runs from the day it was due
			// (as the next action says), not from the original answer.
			e.window(DeadlineRegulatorWindow, ds.RegulatorLate, "regulator_complaint")
		}
	case tracker.StatusReviewDecided:
		if r.Outcome == tracker.OutcomeUpheld || r.Outcome == tracker.OutcomePartlyUpheld {
			e.window(DeadlineRegulatorWindow, ds.RegulatorWindow, "regulator_complaint")
		}
	}
	return e.out
}

// unfavourable reports whether a response outcome is worth a review.
func unfavourable(outcome string) bool {
	switch outcome {
	case tracker.OutcomeRefused, tracker.OutcomeReleasedInPart, tracker.OutcomeNCND, tracker.OutcomeNotHeld:
		return true
	}
	return false
}

type evaluator struct {
	r     tracker.Request
	law   tracker.Law
	ds    tracker.Deadlines
	today tracker.Date
	rules Rules
	cal   tracker.Calendar
	out   []Due
}

// timing is the stage of a due date on today: due soon, due today, overdue,
// long overdue (after long), or nothing yet.
func (e *evaluator) timing(due, long tracker.Date) (kind string, stage, days int, ok bool) {
	switch {
	case e.today.Equal(due):
		return KindDueToday, 2, 0, true
	case e.today.Before(due):
		days = tracker.WorkingDaysBetween(e.cal, e.today, due)
		if days <= e.rules.DueSoonDays {
			return KindDueSoon, 1, days, true
		}
		return "", 0, days, false
	default:
		days = tracker.WorkingDaysBetween(e.cal, due, e.today)
		if !long.IsZero() && e.today.After(long) {
			return KindLongOverdue, 4, days, true
		}
		return KindOverdue, 3, days, true
	}
}

func (e *evaluator) response() {
	cur := e.ds.Current()
	if cur.Date.IsZero() {
		return
	}
	kind, stage, days, ok := e.timing(cur.Date, e.ds.LongOverdue.Date)
	if !ok {
		return
	}
	extended := cur.Kind == tracker.DeadlineExtended
	d := Due{Deadline: DeadlineResponse, Kind: kind, Stage: stage, DueDate: cur.Date, Explanation: cur.Explanation}
	if extended {
		d.Deadline = DeadlineExtended
	}
	who := e.r.AuthorityName
	if who == "" {
		who = "The authority"
	}
	switch kind {
	case KindDueSoon:
		d.Title = fmt.Sprintf("Response due in %s", workingDays(days))
		if extended {
			d.Title = fmt.Sprintf("Extension ending in %s", workingDays(days))
		}
		d.Text = fmt.Sprintf("%s must respond by %s.", who, cur.Date.Long())
	case KindDueToday:
		d.Title = "Response due today"
		if extended {
			d.Title = "Extension ends today"
		}
		d.Text = fmt.Sprintf("%s must respond today, %s.", who, cur.Date.Long())
	case KindOverdue:
		d.Title = "Response overdue"
		d.Text = fmt.Sprintf("The response was due %s and is %s late. A polite chaser is drafted for you.", cur.Date.Long(), workingDays(days))
		d.Letter = "chaser"
	case KindLongOverdue:
		d.Title = "Response long overdue"
		d.Text = fmt.Sprintf("The response was due %s and is %s late. Chase again, and consider a complaint to the %s.",
			cur.Date.Long(), workingDays(days), e.law.Regulator)
		d.Letter = "chaser"
	}
	e.out = append(e.out, d)
}

// review adds the review decision's reminder and reports whether it is overdue.
func (e *evaluator) review() (overdue bool) {
	cur := e.ds.CurrentReview()
	if cur.Date.IsZero() {
		return false
	}
	kind, stage, days, ok := e.timing(cur.Date, e.ds.ReviewLongOverdue.Date)
	if !ok {
		return false
	}
	name := e.law.ReviewName
	d := Due{Deadline: DeadlineReview, Kind: kind, Stage: stage, DueDate: cur.Date, Explanation: cur.Explanation}
	if cur.Kind == tracker.DeadlineReviewExtended {
		d.Deadline = DeadlineReviewExtended
	}
	switch kind {
	case KindDueSoon:
		d.Title = fmt.Sprintf("%s decision due in %s", tracker.Capitalize(name), workingDays(days))
		d.Text = fmt.Sprintf("The %s decision is due by %s.", name, cur.Date.Long())
	case KindDueToday:
		d.Title = fmt.Sprintf("%s decision due today", tracker.Capitalize(name))
		d.Text = fmt.Sprintf("The %s decision is due today, %s.", name, cur.Date.Long())
	case KindOverdue:
		d.Title = fmt.Sprintf("%s overdue", tracker.Capitalize(name))
		d.Text = fmt.Sprintf("The %s decision was due %s and is %s late. You can chase it, or complain to the %s.",
			name, cur.Date.Long(), workingDays(days), e.law.Regulator)
		d.Letter = "regulator_complaint"
	case KindLongOverdue:
		d.Title = fmt.Sprintf("%s long overdue", tracker.Capitalize(name))
		d.Text = fmt.Sprintf("The %s decision was due %s and is %s late. A complaint to the %s is drafted for you.",
			name, cur.Date.Long(), workingDays(days), e.law.Regulator)
		d.Letter = "regulator_complaint"
	}
	e.out = append(e.out, d)
	return kind == KindOverdue || kind == KindLongOverdue
}

// owed: the clock waits for us (a clarification or a fee).
func (e *evaluator) owed() {
	st := e.ds.Stopped
	deadline, what := DeadlineClarification, "clarification"
	if st.Kind == tracker.EventFeeNotice {
		deadline, what = DeadlineFee, "fee"
	}
	d := Due{Deadline: deadline, Kind: KindOwed, Stage: 1, DueDate: st.From}
	since := tracker.WorkingDaysBetween(e.cal, st.From, e.today)
	if since >= e.rules.StillOwedDays {
		d.Kind, d.Stage = KindStillOwed, 2
	}
	restart := "the clock stays stopped until the authority receives it"
	if what == "clarification" && e.law.Clarification == tracker.ClarificationRestarts {
		restart = fmt.Sprintf("the %d working days start again from the day the authority receives it (%s)",
			e.law.ResponsePeriod, e.law.ClarificationRule)
	}
	if what == "clarification" {
		d.Title = "Clarification owed"
		if d.Kind == KindStillOwed {
			d.Title = "Clarification still owed"
		}
		d.Text = fmt.Sprintf("The authority asked for clarification on %s (%s ago): %s.", st.From.Long(), workingDays(since), restart)
	} else {
		d.Title = "Fee owed"
		if d.Kind == KindStillOwed {
			d.Title = "Fee still owed"
		}
		d.Text = fmt.Sprintf("The authority sent a fees notice on %s (%s ago): %s (%s).", st.From.Long(), workingDays(since), restart, e.law.FeeRule)
	}
	e.out = append(e.out, d)
}

// window: a last day for us to act (ask for a review, complain).
func (e *evaluator) window(deadline string, w tracker.Deadline, letter string) {
	if w.IsZero() || w.Date.IsZero() || e.today.After(w.Date) {
		return
	}
	d := Due{Deadline: deadline, DueDate: w.Date, Explanation: w.Explanation, Letter: letter}
	days := tracker.WorkingDaysBetween(e.cal, e.today, w.Date)
	switch {
	case e.today.Equal(w.Date):
		d.Kind, d.Stage = KindClosesToday, 2
	case days <= e.rules.WindowLeadDays:
		d.Kind, d.Stage = KindClosingSoon, 1
	default:
		return
	}
	if deadline == DeadlineReviewAskBy {
		d.Title = fmt.Sprintf("Ask for %s by %s", e.law.AReview(), w.Date.Long())
		d.Text = fmt.Sprintf("The response was %s: if you want it reconsidered, ask for %s by %s. A request is drafted for you.",
			lowerOutcome(e.r.Outcome), e.law.AReview(), w.Date.Long())
	} else {
		d.Title = fmt.Sprintf("Complaint window closing %s", w.Date.Long())
		d.Text = fmt.Sprintf("A complaint to the %s should normally be made by %s. A complaint is drafted for you.", e.law.Regulator, w.Date.Long())
	}
	if d.Kind == KindClosesToday {
		d.Title += " (today)"
	}
	e.out = append(e.out, d)
}

func workingDays(n int) string { return unitWords(n, tracker.WorkingDays) }

// lowerOutcome is the outcome's label for the middle of a sentence.
func lowerOutcome(code string) string {
	l := tracker.OutcomeLabel(code)
	if l == "" {
		return "unfavourable"
	}
	return strings.ToLower(l[:1]) + l[1:]
}
