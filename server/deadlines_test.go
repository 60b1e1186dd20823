package server

import (
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// A deadline says whether it was met once the thing it waited for happened,
// and nothing while it still runs.
func TestDeadlineOutcome(t *testing.T) {
	law, _ := tracker.LawByCode(tracker.UKFOIA)
	ev := func(kind tracker.EventKind, date string) tracker.Event {
		e := tracker.Event{Kind: kind, Date: tracker.MustParseDate(date)}
		if kind == tracker.EventResponseReceived {
			e.Outcome = tracker.OutcomeRefused
		}
		return e
	}
	sent := ev(tracker.EventSent, "2026-03-02") // due Tue 31 Mar 2026
	outcome := func(events ...tracker.Event) map[tracker.DeadlineKind]string {
		out := map[tracker.DeadlineKind]string{}
		for _, d := range deadlineList(tracker.ComputeDeadlines(law, events)) {
			if d.Outcome != nil {
				out[d.Kind] = d.Outcome.Label
			}
		}
		return out
	}
	if got := outcome(sent); len(got) != 0 {
		t.Errorf("no answer yet, yet outcomes %v", got)
	}
	late := outcome(sent, ev(tracker.EventResponseReceived, "2026-04-02"))
	if late[tracker.DeadlineResponse] != "missed: answered Thu 2 Apr 2026" || late[tracker.DeadlineLongOverdue] != "answered Thu 2 Apr 2026, before it" {
		t.Errorf("answered late: %v", late)
	}
	onTime := outcome(sent, ev(tracker.EventResponseReceived, "2026-03-31"))
	if onTime[tracker.DeadlineResponse] != "met: answered Tue 31 Mar 2026" {
		t.Errorf("answered on the due date: %v", onTime)
	}
}
