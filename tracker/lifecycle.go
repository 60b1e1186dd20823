package tracker

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// EventKind is one step in a request's lifecycle. The history of a request is
// the list of its events; its status is derived from them, never stored apart.
type EventKind string

const (
	EventDraft                  EventKind = "draft"
	EventSent                   EventKind = "sent"
	EventAcknowledged           EventKind = "acknowledged"
	EventClarificationRequested EventKind = "clarification_requested" // the authority asks us (FOIA s1(3)): clock stops
	EventClarificationSent      EventKind = "clarification_sent"      // we answer: the clock restarts from its receipt
	EventFeeNotice              EventKind = "fee_notice"              // fees notice (s9 / s10(2)): clock paused
	EventFeePaid                EventKind = "fee_paid"
	EventExtensionClaimed       EventKind = "extension_claimed" // public-interest test, unusual circumstances, s14 IE…
	EventChaserSent             EventKind = "chaser_sent"
	EventResponseReceived       EventKind = "response_received"
	EventReviewRequested        EventKind = "internal_review_requested"
	EventReviewOutcome          EventKind = "review_outcome"
	EventRegulatorComplaint     EventKind = "regulator_complaint"
	EventRegulatorDecision      EventKind = "regulator_decision"
	EventWithdrawn              EventKind = "withdrawn"
	EventClosed                 EventKind = "closed"
	EventNote                   EventKind = "note" // a comment: allowed at any time, changes nothing
)

// EventKinds lists every kind with a label, in lifecycle order.
var EventKinds = []struct {
	Kind  EventKind
	Label string
}{
	{EventDraft, "Drafted"},
	{EventSent, "Sent"},
	{EventAcknowledged, "Acknowledged"},
	{EventClarificationRequested, "Clarification requested"},
	{EventClarificationSent, "Clarification sent"},
	{EventFeeNotice, "Fees notice received"},
	{EventFeePaid, "Fee paid"},
	{EventExtensionClaimed, "Extension claimed"},
	{EventChaserSent, "Chaser sent"},
	{EventResponseReceived, "Response received"},
	{EventReviewRequested, "Internal review requested"},
	{EventReviewOutcome, "Internal review outcome"},
	{EventRegulatorComplaint, "Complaint to regulator"},
	{EventRegulatorDecision, "Regulator decision"},
	{EventWithdrawn, "Withdrawn"},
	{EventClosed, "Closed"},
	{EventNote, "Note"},
}

// Label is the human name of the kind.
func (k EventKind) Label() string {
	for _, e := range EventKinds {
		if e.Kind == k {
			return e.Label
		}
	}
	return string(k)
}

// ValidEventKind reports whether k is known.
func ValidEventKind(k EventKind) bool {
	for _, e := range EventKinds {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// Outcomes of a response, a review or a regulator decision.
const (
	OutcomeReleasedInFull     = "released_in_full"
	OutcomeReleasedInPart     = "released_in_part"
	OutcomeRefused            = "refused"
	OutcomeNotHeld            = "not_held"
	OutcomeNCND               = "neither_confirm_nor_deny"
	OutcomeUpheld             = "upheld"     // review/decision upholds the original response
	OutcomeOverturned         = "overturned" // in the requester's favour
	OutcomePartlyUpheld       = "partly_upheld"
	OutcomeComplaintUpheld    = "complaint_upheld" // regulator: authority must act
	OutcomeComplaintNotUpheld = "complaint_not_upheld"
)

// ResponseOutcomes are the outcomes a response can have.
var ResponseOutcomes = []struct{ Code, Label string }{
	{OutcomeReleasedInFull, "Information released in full"},
	{OutcomeReleasedInPart, "Released in part"},
	{OutcomeRefused, "Refused"},
	{OutcomeNotHeld, "Not held"},
	{OutcomeNCND, "Neither confirm nor deny"},
}

// ReviewOutcomes are the outcomes an internal review can have.
var ReviewOutcomes = []struct{ Code, Label string }{
	{OutcomeUpheld, "Original decision upheld"},
	{OutcomePartlyUpheld, "Partly upheld (some more released)"},
	{OutcomeOverturned, "Overturned (information to be released)"},
}

// RegulatorOutcomes are the outcomes a regulator's decision can have.
var RegulatorOutcomes = []struct{ Code, Label string }{
	{OutcomeComplaintUpheld, "Complaint upheld"},
	{OutcomePartlyUpheld, "Complaint partly upheld"},
	{OutcomeComplaintNotUpheld, "Complaint not upheld"},
}

// OutcomeLabel returns the label of any outcome code.
func OutcomeLabel(code string) string {
	for _, l := range [][]struct{ Code, Label string }{ResponseOutcomes, ReviewOutcomes, RegulatorOutcomes} {
		for _, o := range l {
			if o.Code == code {
				return o.Label
			}
		}
	}
	return code
}

func validOutcome(list []struct{ Code, Label string }, code string) bool {
	for _, o := range list {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Event is one entry in a request's history.
type Event struct {
	ID        int64     `json:"id"`
	RequestID int64     `json:"request_id"`
	Kind      EventKind `json:"kind"`
	// Date is the day it happened. For sent and clarification_sent it is the
	// day the authority received it, which starts the statutory clock.
	Date Date `json:"date"`
	// Outcome of a response, review or regulator decision.
	Outcome string `json:"outcome,omitempty"`
	// NewDueDate is the date an extension notice gives; for US FOIA's unusual
	// circumstances it may be empty (10 working days are added).
	NewDueDate Date   `json:"new_due_date,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Note       string `json:"note,omitempty"`
	// Exemptions claimed in a response or review (catalogue codes, e.g. "s31(1)(a)").
	Exemptions []string `json:"exemptions,omitempty"`
	// MessageID links the event to the mail that carried it, if any.
	MessageID int64     `json:"message_id,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Status is where a request stands, derived from its history.
type Status string

const (
	StatusDraft                 Status = "draft"
	StatusAwaitingResponse      Status = "awaiting_response"
	StatusAwaitingClarification Status = "awaiting_clarification" // we owe the authority a clarification
	StatusAwaitingFee           Status = "awaiting_fee"
	StatusAnswered              Status = "answered"
	StatusReviewRequested       Status = "internal_review"
	StatusReviewDecided         Status = "review_decided"
	StatusRegulatorComplaint    Status = "regulator_complaint"
	StatusRegulatorDecided      Status = "regulator_decided"
	StatusWithdrawn             Status = "withdrawn"
	StatusClosed                Status = "closed"
)

// Statuses lists every status with a label.
var Statuses = []struct {
	Status Status
	Label  string
}{
	{StatusDraft, "Draft"},
	{StatusAwaitingResponse, "Awaiting response"},
	{StatusAwaitingClarification, "Clarification owed"},
	{StatusAwaitingFee, "Awaiting fee"},
	{StatusAnswered, "Answered"},
	{StatusReviewRequested, "Internal review"},
	{StatusReviewDecided, "Review decided"},
	{StatusRegulatorComplaint, "With the regulator"},
	{StatusRegulatorDecided, "Regulator decided"},
	{StatusWithdrawn, "Withdrawn"},
	{StatusClosed, "Closed"},
}

// Label is the human name of the status.
func (s Status) Label() string {
	for _, e := range Statuses {
		if e.Status == s {
			return e.Label
		}
	}
	return string(s)
}

// Open reports whether the request still has a live deadline on one side or the other.
func (s Status) Open() bool {
	return s != StatusDraft && s != StatusWithdrawn && s != StatusClosed
}

// transitions says which events may follow in each status. It is the whole
// lifecycle: anything not listed is refused with a message naming what is allowed.
var transitions = map[Status][]EventKind{
	StatusDraft: {EventSent, EventWithdrawn, EventClosed},
	StatusAwaitingResponse: {EventAcknowledged, EventClarificationRequested, EventFeeNotice, EventExtensionClaimed,
		EventChaserSent, EventResponseReceived, EventReviewRequested, EventRegulatorComplaint, EventWithdrawn, EventClosed},
	StatusAwaitingClarification: {EventClarificationSent, EventChaserSent, EventWithdrawn, EventClosed},
	StatusAwaitingFee:           {EventFeePaid, EventWithdrawn, EventClosed},
	StatusAnswered: {EventResponseReceived, EventReviewRequested, EventRegulatorComplaint, EventClosed,
		EventAcknowledged},
	StatusReviewRequested: {EventAcknowledged, EventExtensionClaimed, EventChaserSent, EventReviewOutcome,
		EventResponseReceived, EventRegulatorComplaint, EventWithdrawn, EventClosed},
	StatusReviewDecided:      {EventResponseReceived, EventRegulatorComplaint, EventClosed},
	StatusRegulatorComplaint: {EventAcknowledged, EventRegulatorDecision, EventResponseReceived, EventWithdrawn, EventClosed},
	StatusRegulatorDecided:   {EventResponseReceived, EventClosed},
	StatusWithdrawn:          {},
	StatusClosed:             {},
}

// AllowedEvents returns the event kinds that may be recorded in status s
// (notes are always allowed and are included last).
func AllowedEvents(s Status) []EventKind {
	return append(append([]EventKind(nil), transitions[s]...), EventNote)
}

// State is what a history adds up to.
type State struct {
	Status  Status
	Outcome string // the latest response/review/regulator outcome
	SentOn  Date
}

// SortEvents orders a history by date, then by the order it was recorded.
func SortEvents(events []Event) {
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].Date.Equal(events[j].Date) {
			return events[i].Date.Before(events[j].Date)
		}
		return events[i].ID < events[j].ID && events[i].ID != 0
	})
}

// Replay derives the state of a history, checking every transition. The
// history must be in the order the events happened (see SortEvents).
func Replay(events []Event) (State, error) {
	st := State{Status: StatusDraft}
	for i, e := range events {
		next, err := Apply(st, e)
		if err != nil {
			return st, fmt.Errorf("event %d (%s on %s): %w", i+1, e.Kind, e.Date, err)
		}
		st = next
	}
	return st, nil
}

// Apply checks that e may follow state st and returns the new state.
func Apply(st State, e Event) (State, error) {
	if !ValidEventKind(e.Kind) {
		return st, Errorf(EINVALID, "unknown event kind %q", e.Kind)
	}
	if e.Date.IsZero() {
		return st, Errorf(EINVALID, "%s: a date is required", e.Kind.Label()).On("date")
	}
	if e.Kind == EventNote || e.Kind == EventDraft {
		return st, nil
	}
	if !allowed(st.Status, e.Kind) {
		return st, illegal(st.Status, e.Kind)
	}
	switch e.Kind {
	case EventResponseReceived:
		if !validOutcome(ResponseOutcomes, e.Outcome) {
			return st, Errorf(EINVALID, "a response needs an outcome: one of %s", codes(ResponseOutcomes)).On("outcome")
		}
	case EventReviewOutcome:
		if !validOutcome(ReviewOutcomes, e.Outcome) {
			return st, Errorf(EINVALID, "a review outcome needs one of %s", codes(ReviewOutcomes)).On("outcome")
		}
	case EventRegulatorDecision:
		if !validOutcome(RegulatorOutcomes, e.Outcome) {
			return st, Errorf(EINVALID, "a regulator decision needs one of %s", codes(RegulatorOutcomes)).On("outcome")
		}
	case EventExtensionClaimed:
		if strings.TrimSpace(e.Reason) == "" && e.NewDueDate.IsZero() {
			return st, Errorf(EINVALID, "an extension needs a new due date or a reason (e.g. public interest test, unusual circumstances)").On("new_due_date", "reason")
		}
		if !e.NewDueDate.IsZero() && !e.NewDueDate.After(e.Date) {
			return st, Errorf(EINVALID, "the extended due date %s must be after the notice date %s", e.NewDueDate, e.Date).On("new_due_date")
		}
	}
	switch e.Kind {
	case EventSent:
		st.Status = StatusAwaitingResponse
		st.SentOn = e.Date
	case EventClarificationRequested:
		st.Status = StatusAwaitingClarification
	case EventClarificationSent, EventFeePaid:
		st.Status = StatusAwaitingResponse
	case EventFeeNotice:
		st.Status = StatusAwaitingFee
	case EventResponseReceived:
		st.Outcome = e.Outcome
		// A fresh response while a review or complaint is running does not end it.
		if st.Status != StatusReviewRequested && st.Status != StatusRegulatorComplaint {
			st.Status = StatusAnswered
		}
	case EventReviewRequested:
		st.Status = StatusReviewRequested
	case EventReviewOutcome:
		st.Status = StatusReviewDecided
		st.Outcome = e.Outcome
	case EventRegulatorComplaint:
		st.Status = StatusRegulatorComplaint
	case EventRegulatorDecision:
		st.Status = StatusRegulatorDecided
		st.Outcome = e.Outcome
	case EventWithdrawn:
		st.Status = StatusWithdrawn
	case EventClosed:
		st.Status = StatusClosed
	}
	return st, nil
}

func allowed(s Status, k EventKind) bool {
	for _, a := range transitions[s] {
		if a == k {
			return true
		}
	}
	return false
}

func illegal(s Status, k EventKind) error {
	var names []string
	for _, a := range transitions[s] {
		names = append(names, a.Label())
	}
	if len(names) == 0 {
		return Errorf(ECONFLICT, "cannot record %q: the request is %s, and nothing more can happen to it", k.Label(), strings.ToLower(s.Label()))
	}
	return Errorf(ECONFLICT, "cannot record %q while the request is %q; allowed next: %s",
		k.Label(), s.Label(), strings.Join(names, ", "))
}

func codes(list []struct{ Code, Label string }) string {
	var c []string
	for _, o := range list {
		c = append(c, o.Code)
	}
	return strings.Join(c, ", ")
}
