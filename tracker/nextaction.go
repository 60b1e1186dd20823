package tracker

import (
	"fmt"
	"strings"
)

// PlanVersion numbers the rules PlanNextAction and ComputeDeadlines apply
// (the laws' periods, the holiday tables, the wording), and what is stored
// with a plan (5: the standing basis). Raise it with any change to them: the
// store then works out again every plan stored under an older version when
// it opens the database.
const PlanVersion = 5

// Who must act next on a request.
type Who string

const (
	WhoRequester Who = "requester"
	WhoAuthority Who = "authority"
	WhoRegulator Who = "regulator"
	WhoNone      Who = "none"
)

// Action is what must be done next, as a code the JSON uses as it is.
type Action string

const (
	ActionAwaitResponse       Action = "await_response"
	ActionChaseResponse       Action = "chase_response"
	ActionSendClarification   Action = "send_clarification"
	ActionPayFee              Action = "pay_fee"
	ActionConfirmReply        Action = "confirm_reply"
	ActionRequestReview       Action = "request_review"
	ActionAwaitReview         Action = "await_review"
	ActionChaseReview         Action = "chase_review"
	ActionComplainToRegulator Action = "complain_to_regulator"
	ActionAwaitRegulator      Action = "await_regulator"
	ActionAppealDecision      Action = "appeal_decision"
	ActionNothing             Action = "nothing"
)

// Actions lists every action with a label, for pages and filters.
var Actions = []struct {
	Action Action
	Label  string
}{
	{ActionConfirmReply, "Confirm the reply"},
	{ActionSendClarification, "Send the clarification"},
	{ActionPayFee, "Pay the fee"},
	{ActionChaseResponse, "Chase the response"},
	{ActionRequestReview, "Ask for a review"},
	{ActionChaseReview, "Chase the review"},
	{ActionComplainToRegulator, "Complain to the regulator"},
	{ActionAppealDecision, "Appeal the decision"},
	{ActionAwaitResponse, "Awaiting the response"},
	{ActionAwaitReview, "Awaiting the review"},
	{ActionAwaitRegulator, "Awaiting the regulator"},
	{ActionNothing, "Nothing to do"},
}

// Label is the human name of the action.
func (a Action) Label() string {
	for _, x := range Actions {
		if x.Action == a {
			return x.Label
		}
	}
	return string(a)
}

// ValidAction reports whether a is a known action code.
func ValidAction(a Action) bool {
	for _, x := range Actions {
		if x.Action == a {
			return true
		}
	}
	return false
}

// WindowState says what became of a window.
type WindowState string

const (
	WindowOpen        WindowState = "open"         // still running
	WindowMet         WindowState = "met"          // what it waited for happened in time
	WindowMissed      WindowState = "missed"       // it happened late, or the date passed without it
	WindowNotRelevant WindowState = "not_relevant" // the request moved on (a full release, a withdrawal…)
)

// Window is one dated step either side may take or owes: the response due,
// the time to ask for a review, to complain, to appeal.
type Window struct {
	Kind        DeadlineKind `json:"kind"`
	Who         Who          `json:"who"`
	Label       string       `json:"label"`
	Date        Date         `json:"date"`
	State       WindowState  `json:"state"`
	Optional    bool         `json:"optional"` // the requester may, but need not
	Explanation string       `json:"explanation"`
}

// Step is one next action: who, what, by when (zero Date: no rule gives a
// date), and why, citing the rule.
type Step struct {
	Who         Who    `json:"who"`
	Action      Action `json:"action"`
	By          Date   `json:"by"`
	Explanation string `json:"explanation"`
}

// IsZero reports whether there is no step.
func (s Step) IsZero() bool { return s.Action == "" }

// Plan is everything a history says about what comes next, without
// reference to today: the step now, and the step it becomes the day after
// Now.By passes (a response not sent in time must be chased). Stored as it
// is, so that a date passing never needs a recomputation: the step in force
// on a day is Now until Now.By, Then after it (see At).
type Plan struct {
	Status Status `json:"status"`
	// Since is the day the step Now came into force: the date of the last
	// event that moved the request on, or of the newest reply waiting to be
	// confirmed. An undated step is known by it (a reminder of a
	// clarification owed is about the one asked for on that day).
	Since   Date     `json:"since,omitzero"`
	Now     Step     `json:"now"`
	Then    Step     `json:"then,omitzero"`
	Windows []Window `json:"windows"`
}

// PendingReply is a reply read as a lifecycle event (a refusal, a release)
// that waits for a person to confirm it.
type PendingReply struct {
	Kind    EventKind `json:"kind"`
	Outcome string    `json:"outcome,omitempty"`
	Date    Date      `json:"date"`
}

// NextAction is the step in force on a day, with every window as it stands
// that day.
type NextAction struct {
	Status Status `json:"status"`
	Who    Who    `json:"who"`
	Action Action `json:"action"`
	By     Date   `json:"by"`
	// Overdue: By has passed, or the step is a chaser (what it chases is late).
	Overdue     bool     `json:"overdue"`
	Explanation string   `json:"explanation"`
	Windows     []Window `json:"windows"`
}

// ComputeNextAction says who must act next on a request under law, on what,
// by when, and why, from its history (in the order it happened) and the
// replies waiting to be confirmed, on today.
func ComputeNextAction(law Law, history []Event, pending []PendingReply, today Date) NextAction {
	return PlanNextAction(law, history, pending).At(today)
}

// StepAt is the step in force on today: Now until its date has passed,
// then Then (when there is one). Overdue when its date has passed, or when
// it is a chaser (what it chases is overdue).
func (p Plan) StepAt(today Date) (Step, bool) {
	s := p.Now
	if !s.By.IsZero() && today.After(s.By) && !p.Then.IsZero() {
		s = p.Then
	}
	chaser := s.Action == ActionChaseResponse || s.Action == ActionChaseReview
	return s, chaser || (!s.By.IsZero() && today.After(s.By))
}

// At is the plan as it stands on today.
func (p Plan) At(today Date) NextAction {
	s, overdue := p.StepAt(today)
	return NextAction{Status: p.Status, Who: s.Who, Action: s.Action, By: s.By, Overdue: overdue,
		Explanation: s.Explanation, Windows: WindowsAt(p.Windows, today)}
}

// WindowsAt marks the open windows whose date has passed as missed, in a
// copy of ws.
func WindowsAt(ws []Window, today Date) []Window {
	out := make([]Window, len(ws))
	copy(out, ws)
	SetWindowsAt(out, today)
	return out
}

// SetWindowsAt is WindowsAt in place, for windows of the caller's own.
func SetWindowsAt(ws []Window, today Date) {
	for i := range ws {
		if ws[i].State == WindowOpen && today.After(ws[i].Date) {
			ws[i].State = WindowMissed
		}
	}
}

// adverse reports whether an answer leaves the requester something to
// challenge: anything but a full release (or a review that overturned).
func adverse(outcome string) bool {
	switch outcome {
	case OutcomeReleasedInFull, OutcomeOverturned, OutcomeComplaintUpheld, "":
		return false
	}
	return true
}

// PlanNextAction works out the plan of a request under law from its
// history and its replies waiting to be confirmed. The dates come from
// ComputeDeadlines; this only says which of them matters and to whom.
func PlanNextAction(law Law, history []Event, pending []PendingReply) Plan {
	return PlanFromDeadlines(law, ComputeDeadlines(law, history), history, pending)
}

// PlanFromDeadlines is PlanNextAction for a caller that has the history's
// deadlines already (ds must be ComputeDeadlines(law, history)).
func PlanFromDeadlines(law Law, ds Deadlines, history []Event, pending []PendingReply) Plan {
	return planFrom(law, CalendarFor(law.Calendar), &ds, history, pending)
}

// planFrom is PlanFromDeadlines without copying the Deadlines, on the
// law's calendar cal.
func planFrom(law Law, cal Calendar, ds *Deadlines, history []Event, pending []PendingReply) Plan {
	st, since, _ := replayLenient(history)
	return planFromState(law, cal, ds, st, since, pending)
}

// planFromState is planFrom for a caller that has replayLenient's state
// and date of the history already.
func planFromState(law Law, cal Calendar, ds *Deadlines, st State, since Date, pending []PendingReply) Plan {
	p := Plan{Status: ds.Status, Since: since, Windows: planWindows(law, ds, st.Outcome)}
	p.Now, p.Then = planSteps(law, cal, ds, st.Outcome)
	if len(pending) > 0 && ds.Status.Open() {
		r := pending[len(pending)-1]
		what := strings.ToLower(r.Kind.Label())
		if r.Outcome != "" {
			what += ": " + strings.ToLower(OutcomeLabel(r.Outcome))
		}
		p.Now = Step{Who: WhoRequester, Action: ActionConfirmReply,
			Explanation: fmt.Sprintf("A reply of %s reads as %s. Check it and confirm it (or correct it): nothing read from mail is recorded without you, and the next step depends on it.",
				r.Date.Long(), what)}
		p.Then = Step{}
		p.Since = r.Date
		if len(pending) > 1 {
			p.Now.Explanation += fmt.Sprintf(" %d replies wait to be confirmed.", len(pending))
		}
	}
	return p
}

// replayLenient is the state of a history, skipping the events the
// lifecycle refuses (as ComputeDeadlines does, with a warning there), and
// the date of the last event that moved the request on (not a note, an
// acknowledgement or a chaser, which leave the next step where it was).
func replayLenient(history []Event) (State, Date, error) {
	st := State{Status: StatusDraft}
	var since Date
	var first error
	for _, ev := range history {
		next, err := Apply(st, ev)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		st = next
		switch ev.Kind {
		case EventNote, EventAcknowledged, EventChaserSent:
		default:
			since = ev.Date
		}
	}
	return st, since, first
}

func none(why string) Step { return Step{Who: WhoNone, Action: ActionNothing, Explanation: why} }

// planSteps is the heart of it: the step now, and what follows when its date passes.
func planSteps(law Law, cal Calendar, ds *Deadlines, outcome string) (now, then Step) {
	switch ds.Status {
	case StatusDraft:
		return none("Not sent yet: no clock runs until the authority receives the request."), Step{}
	case StatusWithdrawn:
		return none("Withdrawn on " + ds.Ended.Long() + ": nothing more is owed by either side."), Step{}
	case StatusClosed:
		return none("Closed on " + ds.Ended.Long() + ": nothing more is owed by either side."), Step{}
	case StatusAwaitingClarification:
		if !ds.Stopped.IsZero() {
			return Step{Who: WhoRequester, Action: ActionSendClarification,
				Explanation: fmt.Sprintf("The authority asked for clarification on %s. The clock is stopped until it receives your answer (%s); no rule sets a date for it, but the request goes nowhere until you reply.",
					ds.Stopped.From.Long(), law.ClarificationRule)}, Step{}
		}
		// A second US clarification does not stop the clock: answer it, and
		// the response is still due.
		cur := ds.current()
		return Step{Who: WhoRequester, Action: ActionSendClarification,
			Explanation: fmt.Sprintf("The authority asked for clarification again; only one request may stop the clock (%s), so the response is still due %s.",
				law.ClarificationRule, cur.Date.Long())}, Step{}
	case StatusAwaitingFee:
		s := Step{Who: WhoRequester, Action: ActionPayFee, By: ds.FeePayBy.Date}
		if !ds.FeePayBy.IsZero() {
			s.Explanation = ds.FeePayBy.Explanation + fmt.Sprintf(" The clock is stopped until the fee is received (%s).", law.FeeRule)
		} else {
			s.Explanation = fmt.Sprintf("Fees notice of %s: the clock is stopped until the fee is received (%s). No rule foitrack knows sets a date to pay by.",
				ds.Stopped.From.Long(), law.FeeRule)
		}
		then = none(fmt.Sprintf("The fee was not paid by %s: the authority need not answer (%s). Send the request again if you still want the information.",
			ds.FeePayBy.Date.Long(), law.FeePayRule))
		if ds.FeePayBy.IsZero() {
			then = Step{}
		}
		return s, then
	case StatusAwaitingResponse:
		return awaitResponse(law, cal, ds)
	case StatusAnswered:
		return afterAnswer(law, ds, outcome)
	case StatusReviewRequested:
		return awaitReview(law, ds)
	case StatusReviewDecided:
		return afterReview(law, ds, outcome)
	case StatusRegulatorComplaint:
		s := Step{Who: WhoRegulator, Action: ActionAwaitRegulator, By: ds.RegulatorDue.Date}
		if !ds.RegulatorDue.IsZero() {
			s.Explanation = ds.RegulatorDue.Explanation
		} else {
			s.Explanation = fmt.Sprintf("Complaint made %s: the %s decides in its own time (no statutory time limit).",
				ds.Complained.Long(), law.Regulator)
		}
		return s, Step{}
	case StatusRegulatorDecided:
		return afterRegulatorDecision(law, ds, outcome)
	}
	return none("Nothing to do."), Step{}
}

func awaitResponse(law Law, cal Calendar, ds *Deadlines) (Step, Step) {
	cur := ds.current()
	if cur.Date.IsZero() {
		// The clock is stopped (a fee or clarification the state did not catch).
		return Step{Who: WhoAuthority, Action: ActionAwaitResponse, Explanation: cur.Explanation}, Step{}
	}
	cite := law.Citation
	if cur.Kind == DeadlineExtended {
		// The date an extension gives, under the rule that allows it.
		cite += "; extended under " + law.ExtensionRule
	}
	now := Step{Who: WhoAuthority, Action: ActionAwaitResponse, By: cur.Date,
		Explanation: "The authority must respond by " + cur.Date.Long() + " (" + cite + "). " + cur.Explanation}
	if cur.Warning != "" {
		now.Explanation += " " + cur.Warning
		if law.RegulatorRule != "" && law.Code != USFOIA && strings.Contains(cur.Warning, "Excessive extension") {
			now.Explanation += fmt.Sprintf(" You may complain to the %s about the delay.", law.Regulator)
		}
	}
	then := Step{Who: WhoRequester, Action: ActionChaseResponse,
		Explanation: "The response was due " + cur.Date.Long() + " (" + cite + ") and has not come: chase it."}
	switch {
	case law.Code == USFOIA:
		then.Explanation += " With no response in time, remedies are treated as exhausted and you may go to court (5 U.S.C. 552(a)(6)(C)(i))."
	case law.Code == ScotFOISA || law.Code == ScotEISR:
		// In Scotland a failure to respond is itself reviewed first: the
		// Commissioner takes an application only after a review (s47(1)).
		by, _ := AddWorkingDays(cal, cur.Date, law.ReviewAskDays)
		rule := "FOISA s20(5)(a): 40 working days after the time for complying expired; the Commissioner takes an application only after a review, s47(1)"
		if law.Code == ScotEISR {
			rule = "EISR reg 16(2): 40 working days after the time for complying expired; the Commissioner takes an application only after a review, reg 17 applying FOISA s47(1)"
		}
		then.Explanation += fmt.Sprintf(" If it still does not come, require %s for the failure to respond, by %s (%s).", law.AReview(), by.Long(), rule)
	case law.RegulatorRule != "":
		then.Explanation += " If it still does not come, you may complain to the " + law.Regulator + " about the delay."
	}
	return now, then
}

func afterAnswer(law Law, ds *Deadlines, outcome string) (Step, Step) {
	if !adverse(outcome) {
		return none("The information was released in full on " + ds.Responded.Long() + ": nothing more is required."), Step{}
	}
	ask := ds.ReviewAskBy
	if ask.IsZero() {
		return none("Answered on " + ds.Responded.Long() + "."), Step{}
	}
	now := Step{Who: WhoRequester, Action: ActionRequestReview, By: ask.Date,
		Explanation: "The response of " + ds.Responded.Long() + ": " + strings.ToLower(OutcomeLabel(outcome)) + ". The next step is to ask for " +
			law.AReview() + " by " + ask.Date.Long() + " (" + law.ReviewAskRule + "); the " + law.Regulator + " normally takes a complaint only after it."}
	if law.RegulatorDirect {
		now.Explanation = fmt.Sprintf("The response of %s: %s. You may ask for %s by %s (%s), or go straight to the %s (%s).",
			ds.Responded.Long(), strings.ToLower(OutcomeLabel(outcome)), law.AReview(), ask.Date.Long(), law.ReviewAskRule, law.Regulator, law.RegulatorRule)
	}
	if law.Code == USFOIA {
		now.Explanation = fmt.Sprintf("The response of %s: %s, an adverse determination. The next step is an administrative appeal to the agency, by %s (%s).",
			ds.Responded.Long(), strings.ToLower(OutcomeLabel(outcome)), ask.Date.Long(), law.ReviewAskRule)
	}
	then := none("The time to ask for " + law.AReview() + " ended " + ask.Date.Long() +
		". The authority may still agree to one late; otherwise nothing more can be required of it.")
	if law.RegulatorDirect && !ds.RegulatorWindow.IsZero() && ds.RegulatorWindow.Date.After(ask.Date) {
		then = Step{Who: WhoRequester, Action: ActionComplainToRegulator, By: ds.RegulatorWindow.Date,
			Explanation: fmt.Sprintf("The time for %s ended %s; you may still ask the %s for a review by %s (%s).",
				law.AReview(), ask.Date.Long(), law.Regulator, ds.RegulatorWindow.Date.Long(), law.RegulatorRule)}
	}
	return now, then
}

func awaitReview(law Law, ds *Deadlines) (Step, Step) {
	cur := ds.currentReview()
	if cur.Date.IsZero() {
		return Step{Who: WhoAuthority, Action: ActionAwaitReview,
			Explanation: fmt.Sprintf("%s requested %s.", Capitalize(law.ReviewName), ds.ReviewRequested.Long())}, Step{}
	}
	now := Step{Who: WhoAuthority, Action: ActionAwaitReview, By: cur.Date,
		Explanation: fmt.Sprintf("%s requested %s: the authority must decide by %s (%s).",
			Capitalize(law.ReviewName), ds.ReviewRequested.Long(), cur.Date.Long(), law.ReviewDecideRule)}
	then := Step{Who: WhoRequester, Action: ActionChaseReview,
		Explanation: fmt.Sprintf("The %s decision was due %s (%s) and has not come: chase it.", law.ReviewName, cur.Date.Long(), law.ReviewDecideRule)}
	if !ds.RegulatorLate.IsZero() {
		then.Explanation += fmt.Sprintf(" You may instead complain to the %s now, by %s (%s).", law.Regulator, ds.RegulatorLate.Date.Long(), law.RegulatorLateRule)
	} else if law.RegulatorLateRule != "" {
		then.Explanation += " Or: " + law.RegulatorLateRule + "."
	}
	return now, then
}

func afterReview(law Law, ds *Deadlines, outcome string) (Step, Step) {
	if !adverse(outcome) {
		return none(fmt.Sprintf("The %s of %s found for you (%s): the information should now be released; nothing more is required of you.",
			law.ReviewName, ds.Reviewed.Long(), strings.ToLower(OutcomeLabel(outcome)))), Step{}
	}
	w := ds.RegulatorWindow
	now := Step{Who: WhoRequester, Action: ActionComplainToRegulator, By: w.Date}
	if law.Code == USFOIA || w.IsZero() {
		now.Explanation = fmt.Sprintf("The %s of %s: %s. The next step is %s (%s).",
			law.ReviewName, ds.Reviewed.Long(), strings.ToLower(OutcomeLabel(outcome)), regulatorWords(law), law.RegulatorRule)
		return now, Step{}
	}
	now.Explanation = fmt.Sprintf("The %s of %s: %s. The next step is a complaint to the %s, by %s (%s).",
		law.ReviewName, ds.Reviewed.Long(), strings.ToLower(OutcomeLabel(outcome)), law.Regulator, w.Date.Long(), law.RegulatorRule)
	then := none(fmt.Sprintf("The window to complain to the %s closed %s (%s); it may still accept a late complaint with good reason.",
		law.Regulator, w.Date.Long(), law.RegulatorRule))
	return now, then
}

func regulatorWords(law Law) string {
	if law.Code == USFOIA {
		return "mediation by OGIS or a suit in federal court"
	}
	return "a complaint to the " + law.Regulator
}

func afterRegulatorDecision(law Law, ds *Deadlines, outcome string) (Step, Step) {
	if outcome == OutcomeComplaintUpheld {
		return none(fmt.Sprintf("The %s upheld the complaint on %s: the authority must now comply with the decision; nothing more is required of you.",
			law.Regulator, ds.RegulatorDecided.Long())), Step{}
	}
	if ds.AppealBy.IsZero() {
		return none(fmt.Sprintf("The %s decided on %s (%s). The law gives no further appeal with a window foitrack can count.",
			law.Regulator, ds.RegulatorDecided.Long(), strings.ToLower(OutcomeLabel(outcome)))), Step{}
	}
	now := Step{Who: WhoRequester, Action: ActionAppealDecision, By: ds.AppealBy.Date,
		Explanation: fmt.Sprintf("The %s decided on %s: %s. You may appeal to the %s by %s (%s).",
			law.Regulator, ds.RegulatorDecided.Long(), strings.ToLower(OutcomeLabel(outcome)), law.AppealTo, ds.AppealBy.Date.Long(), law.AppealRule)}
	then := none(fmt.Sprintf("The time to appeal to the %s ended %s.", law.AppealTo, ds.AppealBy.Date.Long()))
	return now, then
}

// planWindows is every dated window of the history, with what became of it.
// Open windows turn into missed ones as days pass (WindowsAt); the rest is
// fixed by the history.
func planWindows(law Law, ds *Deadlines, outcome string) []Window {
	var out []Window
	ended := ds.Status == StatusWithdrawn || ds.Status == StatusClosed
	state := func(done Date, d Date) WindowState {
		switch {
		case !done.IsZero() && done.After(d):
			return WindowMissed
		case !done.IsZero():
			return WindowMet
		case ended:
			return WindowNotRelevant
		}
		return WindowOpen
	}
	add := func(d Deadline, who Who, optional bool, st WindowState) {
		if d.IsZero() || d.Date.IsZero() {
			return
		}
		if out == nil {
			// Room for the usual few at once (none: nil, as ever).
			out = make([]Window, 0, 4)
		}
		out = append(out, Window{Kind: d.Kind, Who: who, Label: d.Label, Date: d.Date, State: st, Optional: optional, Explanation: d.Explanation})
	}
	if cur := ds.current(); !ds.Received.IsZero() {
		add(cur, WhoAuthority, false, state(ds.Responded, cur.Date))
	}
	add(ds.FeePayBy, WhoRequester, false, WindowOpen)
	if !ds.ReviewAskBy.IsZero() {
		// Asked for a review since the last response: met (or late). Not
		// asked, and nothing to challenge, or the request moved on: not relevant.
		var asked Date
		if !ds.ReviewRequested.IsZero() && !ds.ReviewRequested.Before(ds.Responded) {
			asked = ds.ReviewRequested
		}
		st := state(asked, ds.ReviewAskBy.Date)
		if asked.IsZero() && (ds.Status != StatusAnswered || !adverse(outcome)) {
			st = WindowNotRelevant
		}
		add(ds.ReviewAskBy, WhoRequester, true, st)
	}
	if !ds.ReviewRequested.IsZero() {
		add(ds.currentReview(), WhoAuthority, false, state(ds.Reviewed, ds.currentReview().Date))
		if ds.Reviewed.IsZero() && ds.Status == StatusReviewRequested {
			add(ds.RegulatorLate, WhoRequester, true, WindowOpen)
		}
	}
	// The complaint window counts only where the regulator may be asked now:
	// after a review's outcome (or straight after an answer where the law
	// allows it), and only if something is left to challenge.
	if w := ds.RegulatorWindow; !w.IsZero() {
		relevant := !ds.Reviewed.IsZero() || law.RegulatorDirect
		st := state(ds.Complained, w.Date)
		if ds.Complained.IsZero() && (!relevant || !adverse(outcome) || ds.Status == StatusReviewRequested) {
			st = WindowNotRelevant
		}
		if relevant || !ds.Complained.IsZero() {
			add(w, WhoRequester, true, st)
		}
	}
	add(ds.RegulatorDue, WhoRegulator, false, state(ds.RegulatorDecided, ds.RegulatorDue.Date))
	if !ds.AppealBy.IsZero() {
		st := WindowOpen
		if outcome == OutcomeComplaintUpheld || ds.Status != StatusRegulatorDecided {
			st = WindowNotRelevant
		}
		add(ds.AppealBy, WhoRequester, true, st)
	}
	return out
}
