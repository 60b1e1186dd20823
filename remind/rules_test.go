package remind_test

import (
	"fmt"
	"testing"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/tracker"
)

// history is a request with its plan, as the store keeps it, and its deadlines.
func history(law tracker.LawCode, evs ...tracker.Event) (tracker.Request, tracker.Law, tracker.Plan, tracker.Deadlines) {
	l, _ := tracker.LawByCode(law)
	st, err := tracker.Replay(evs)
	if err != nil {
		panic(err)
	}
	r := tracker.Request{Title: "T", AuthorityName: "A", Law: law, Status: st.Status, Outcome: st.Outcome}
	return r, l, tracker.PlanNextAction(l, evs, nil), tracker.ComputeDeadlines(l, evs)
}

func ev(kind tracker.EventKind, date string, opts ...func(*tracker.Event)) tracker.Event {
	e := tracker.Event{Kind: kind, Date: tracker.MustParseDate(date)}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func outcome(o string) func(*tracker.Event) { return func(e *tracker.Event) { e.Outcome = o } }

// TestResponseRemindersAgreeWithTheEngineStanding: with the default rules,
// the response reminder of every day from sending to long overdue is the
// deadline engine's own standing for that day, for each law.
func TestResponseRemindersAgreeWithTheEngineStanding(t *testing.T) {
	for _, law := range tracker.Laws {
		r, l, p, ds := history(law.Code, ev(tracker.EventSent, "2026-11-20"))
		for d := tracker.MustParseDate("2026-11-20"); d.Before(tracker.MustParseDate("2027-03-01")); d = d.AddDays(1) {
			want := ds.Standing(d).Code
			got := tracker.StandingCode("on_time")
			for _, x := range remind.Evaluate(r, l, p, d, remind.Rules{}) {
				if x.Deadline == remind.DeadlineResponse {
					got = tracker.StandingCode(x.Kind)
				}
			}
			if got != want {
				t.Fatalf("%s on %s: reminder %s, engine standing %s", law.Code, d, got, want)
			}
		}
	}
}

func kinds(dues []remind.Due) string {
	s := ""
	for _, d := range dues {
		s += fmt.Sprintf("%s/%s@%s ", d.Deadline, d.Kind, d.DueDate)
	}
	return s
}

func TestRuleCases(t *testing.T) {
	sent := ev(tracker.EventSent, "2026-03-02")
	cases := []struct {
		name  string
		law   tracker.LawCode
		evs   []tracker.Event
		today string
		rules remind.Rules
		want  string
	}{
		{"on time", tracker.UKFOIA, []tracker.Event{sent}, "2026-03-20", remind.Rules{}, ""},
		{"due soon with 5 days' notice", tracker.UKFOIA, []tracker.Event{sent}, "2026-03-24", remind.Rules{DueSoonDays: 5}, "response/due_soon@2026-03-31 "},
		{"fee owed", tracker.UKFOIA, []tracker.Event{sent, ev(tracker.EventFeeNotice, "2026-03-10")}, "2026-03-11", remind.Rules{}, "fee/owed@2026-03-10 "},
		{"clarification still owed after 10 working days", tracker.UKFOIA,
			[]tracker.Event{sent, ev(tracker.EventClarificationRequested, "2026-03-05")}, "2026-03-20", remind.Rules{}, "clarification/still_owed@2026-03-05 "},
		{"released in full: nothing", tracker.UKFOIA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeReleasedInFull))}, "2026-05-15", remind.Rules{}, ""},
		{"review upheld: complaint window (ICO, 3 months)", tracker.UKFOIA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeRefused)),
				ev(tracker.EventReviewRequested, "2026-03-23"), ev(tracker.EventReviewOutcome, "2026-04-15", outcome(tracker.OutcomeUpheld))},
			"2026-07-15", remind.Rules{}, "regulator_window/closes_today@2026-07-15 "},
		{"review overturned: nothing", tracker.UKFOIA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeRefused)),
				ev(tracker.EventReviewRequested, "2026-03-23"), ev(tracker.EventReviewOutcome, "2026-04-15", outcome(tracker.OutcomeOverturned))},
			"2026-07-15", remind.Rules{}, ""},
		{"Scotland: the window is 6 months", tracker.ScotFOISA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeRefused)),
				ev(tracker.EventReviewRequested, "2026-03-23"), ev(tracker.EventReviewOutcome, "2026-04-15", outcome(tracker.OutcomeUpheld))},
			"2026-10-15", remind.Rules{}, "regulator_window/closes_today@2026-10-15 "},
		// US FOIA: after the appeal, OGIS or the courts, with no window the
		// statute sets: one reminder, known by the day of the appeal decision.
		{"US FOIA: OGIS or court, undated", tracker.USFOIA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeRefused)),
				ev(tracker.EventReviewRequested, "2026-03-23"), ev(tracker.EventReviewOutcome, "2026-04-15", outcome(tracker.OutcomeUpheld))},
			"2026-07-15", remind.Rules{}, "regulator_window/your_move@2026-04-15 "},
		// A step of ours is reminded of the day it comes into force, whatever
		// its date, as the dashboard's "Needs you" lists it.
		{"refused: ask for a review, at once", tracker.UKFOIA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeRefused))}, "2026-03-21", remind.Rules{}, "review_ask_by/your_move@2026-05-20 "},
		{"ICO decision: appeal to the tribunal", tracker.UKFOIA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeRefused)),
				ev(tracker.EventReviewRequested, "2026-03-23"), ev(tracker.EventReviewOutcome, "2026-04-15", outcome(tracker.OutcomeUpheld)),
				ev(tracker.EventRegulatorComplaint, "2026-04-20"), ev(tracker.EventRegulatorDecision, "2026-09-01", outcome(tracker.OutcomeComplaintNotUpheld))},
			"2026-09-02", remind.Rules{}, "appeal/your_move@2026-09-29 "},
		{"fee: to pay in 3 months, closing", tracker.UKFOIA, []tracker.Event{sent, ev(tracker.EventFeeNotice, "2026-03-10")}, "2026-06-01", remind.Rules{}, "fee/closing_soon@2026-03-10 "},
		{"review overdue: chase", tracker.UKFOIA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeRefused)),
				ev(tracker.EventReviewRequested, "2026-03-23")}, "2026-04-23", remind.Rules{}, "review/overdue@2026-04-22 "},
		{"past the ask-by date: nothing", tracker.UKFOIA,
			[]tracker.Event{sent, ev(tracker.EventResponseReceived, "2026-03-20", outcome(tracker.OutcomeRefused))}, "2026-05-21", remind.Rules{}, ""},
		{"withdrawn: nothing", tracker.UKFOIA, []tracker.Event{sent, ev(tracker.EventWithdrawn, "2026-03-05")}, "2026-04-15", remind.Rules{}, ""},
	}
	for _, c := range cases {
		r, l, p, _ := history(c.law, c.evs...)
		if got := kinds(remind.Evaluate(r, l, p, tracker.MustParseDate(c.today), c.rules)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
