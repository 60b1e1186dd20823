package server

import (
	"net/url"

	"github.com/foitrack/foitrack/tracker"
)

// eventForm is the form that records one kind of lifecycle event.
type eventForm struct {
	Kind       tracker.EventKind
	Label      string
	Hint       string
	DateLabel  string
	Outcomes   []struct{ Code, Label string }
	Exemptions bool // ask which exemptions were cited
	NewDueDate bool // ask for the new due date (extensions)
	Reason     bool // ask for the reason (extensions)
	// After a refused submission: the form is open, with what was sent and the messages.
	Open   bool
	Values url.Values
	Error  string
	Fields map[string]string
}

// eventHints say, per kind, what the date means and what the event does.
var eventHints = map[tracker.EventKind]struct{ dateLabel, hint string }{
	tracker.EventSent:                   {"Date the authority received it", "The statutory clock starts the day after this date."},
	tracker.EventAcknowledged:           {"Date of the acknowledgement", "The authority confirmed it has the request. The deadline does not change."},
	tracker.EventClarificationRequested: {"Date they asked", "The authority asked what you meant. Under UK laws the count starts again when they receive your answer; under others it pauses."},
	tracker.EventClarificationSent:      {"Date the authority received your answer", "This becomes the new date of receipt (UK laws)."},
	tracker.EventFeeNotice:              {"Date of the fees notice", "The clock is paused until the fee is received."},
	tracker.EventFeePaid:                {"Date the authority received the fee", "The clock runs again from the next day."},
	tracker.EventExtensionClaimed:       {"Date of the extension notice", "Give the new date the authority set and its reason (e.g. public interest test)."},
	tracker.EventChaserSent:             {"Date sent", "A reminder to the authority. The deadline does not change."},
	tracker.EventResponseReceived:       {"Date of the response", "What came back, and every exemption the authority cited."},
	tracker.EventReviewRequested:        {"Date the authority received your request", "Asking the authority to reconsider: its own deadline starts the day after."},
	tracker.EventReviewOutcome:          {"Date of the review decision", "What the review decided, and any exemptions still relied on."},
	tracker.EventRegulatorComplaint:     {"Date of the complaint", "The complaint to the regulator (ICO, Scottish Information Commissioner, …)."},
	tracker.EventRegulatorDecision:      {"Date of the decision", "What the regulator decided."},
	tracker.EventWithdrawn:              {"Date withdrawn", "We withdrew the request. Nothing more can be recorded after this."},
	tracker.EventClosed:                 {"Date closed", "Nothing more to do. Nothing more can be recorded after this."},
	tracker.EventNote:                   {"Date", "A comment in the history; it changes nothing."},
}

// eventForms are the forms for the events allowed in status, in lifecycle order.
func eventForms(status tracker.Status, today tracker.Date) []eventForm {
	var out []eventForm
	for _, k := range tracker.AllowedEvents(status) {
		f := eventForm{Kind: k, Label: k.Label(), Values: url.Values{"date": {today.String()}}}
		if h, ok := eventHints[k]; ok {
			f.DateLabel, f.Hint = h.dateLabel, h.hint
		} else {
			f.DateLabel = "Date"
		}
		switch k {
		case tracker.EventResponseReceived:
			f.Outcomes, f.Exemptions = tracker.ResponseOutcomes, true
		case tracker.EventReviewOutcome:
			f.Outcomes, f.Exemptions = tracker.ReviewOutcomes, true
		case tracker.EventRegulatorDecision:
			f.Outcomes = tracker.RegulatorOutcomes
		case tracker.EventExtensionClaimed:
			f.NewDueDate, f.Reason = true, true
		}
		out = append(out, f)
	}
	return out
}
