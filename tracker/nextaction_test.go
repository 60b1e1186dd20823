package tracker

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// nev builds an event for the tables below: kind, date and an optional outcome.
func nev(kind EventKind, date string, outcome ...string) Event {
	e := Event{Kind: kind, Date: MustParseDate(date)}
	if len(outcome) > 0 {
		e.Outcome = outcome[0]
	}
	return e
}

type nextCase struct {
	name    string
	law     LawCode
	history []Event
	pending []PendingReply
	today   string
	who     Who
	action  Action
	by      string // "" for none
	overdue bool
	cites   string // a piece of the explanation (the rule)
}

// storyCases is the table of real cases in testdata/nextaction_cases.json
// (the command-line test runs the same table through `request show` and
// `due`). Every date there was counted by hand on a calendar (the working
// days on each law's holidays are written out in each case's note); none
// was taken from the code under test.
func storyCases() []nextCase {
	raw, err := os.ReadFile("testdata/nextaction_cases.json")
	if err != nil {
		panic(err)
	}
	var table []struct {
		Name    string     `json:"name"`
		Law     LawCode    `json:"law"`
		History [][]string `json:"history"` // kind, date, outcome, new due date, reason
		Pending [][]string `json:"pending"` // kind, date, outcome
		Today   string     `json:"today"`
		Who     Who        `json:"who"`
		Action  Action     `json:"action"`
		By      *string    `json:"by"`
		Overdue bool       `json:"overdue"`
		Cites   string     `json:"cites"`
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		panic(err)
	}
	out := make([]nextCase, len(table))
	for i, c := range table {
		nc := nextCase{name: c.Name, law: c.Law, today: c.Today, who: c.Who, action: c.Action, overdue: c.Overdue, cites: c.Cites}
		if c.By != nil {
			nc.by = *c.By
		}
		for _, h := range c.History {
			e := nev(EventKind(h[0]), h[1])
			if len(h) > 2 {
				e.Outcome = h[2]
			}
			if len(h) > 3 && h[3] != "" {
				e.NewDueDate = MustParseDate(h[3])
			}
			if len(h) > 4 {
				e.Reason = h[4]
			}
			nc.history = append(nc.history, e)
		}
		for _, p := range c.Pending {
			nc.pending = append(nc.pending, PendingReply{Kind: EventKind(p[0]), Date: MustParseDate(p[1]), Outcome: p[2]})
		}
		out[i] = nc
	}
	return out
}

func TestNextActionStories(t *testing.T) {
	for _, c := range storyCases() {
		t.Run(c.name, func(t *testing.T) {
			law, _ := LawByCode(c.law)
			na := ComputeNextAction(law, c.history, c.pending, MustParseDate(c.today))
			if na.Who != c.who || na.Action != c.action || na.By.String() != c.by || na.Overdue != c.overdue {
				t.Fatalf("got %s/%s by %q overdue %v, want %s/%s by %q overdue %v\n%s",
					na.Who, na.Action, na.By, na.Overdue, c.who, c.action, c.by, c.overdue, na.Explanation)
			}
			if !strings.Contains(na.Explanation, c.cites) {
				t.Errorf("explanation %q does not cite %q", na.Explanation, c.cites)
			}
			if c.by != "" && !strings.Contains(na.Explanation, MustParseDate(c.by).Long()) {
				t.Errorf("explanation %q does not give the date %s", na.Explanation, MustParseDate(c.by).Long())
			}
		})
	}
}

// TestNextActionWindows: a window is marked met, missed or no longer
// relevant as the history moves on; stale ones are never left open.
func TestNextActionWindows(t *testing.T) {
	law, _ := LawByCode(UKFOIA)
	sent := nev(EventSent, "2026-03-02")
	refused := nev(EventResponseReceived, "2026-04-02", OutcomeRefused) // after the due date, Tue 31 Mar
	review := nev(EventReviewRequested, "2026-04-10")
	upheld := nev(EventReviewOutcome, "2026-05-08", OutcomeUpheld)
	complaint := nev(EventRegulatorComplaint, "2026-05-20")
	states := func(hist []Event, today string) map[DeadlineKind]WindowState {
		out := map[DeadlineKind]WindowState{}
		for _, w := range ComputeNextAction(law, hist, nil, MustParseDate(today)).Windows {
			out[w.Kind] = w.State
		}
		return out
	}
	check := func(name string, got map[DeadlineKind]WindowState, want map[DeadlineKind]WindowState) {
		t.Helper()
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: window %s is %q, want %q (all: %v)", name, k, got[k], v, got)
			}
		}
	}
	check("waiting", states([]Event{sent}, "2026-03-10"), map[DeadlineKind]WindowState{DeadlineResponse: WindowOpen})
	check("late, unanswered", states([]Event{sent}, "2026-04-01"), map[DeadlineKind]WindowState{DeadlineResponse: WindowMissed})
	w := states([]Event{sent, refused}, "2026-04-03")
	check("refused late", w, map[DeadlineKind]WindowState{DeadlineResponse: WindowMissed, DeadlineReviewAskBy: WindowOpen})
	if _, ok := w[DeadlineRegulatorWindow]; ok {
		t.Errorf("the ICO window is offered before the internal review: %v", w)
	}
	check("review asked", states([]Event{sent, refused, review}, "2026-04-20"), map[DeadlineKind]WindowState{
		DeadlineReviewAskBy: WindowMet, DeadlineReviewDue: WindowOpen, DeadlineRegulatorLate: WindowOpen})
	check("review decided", states([]Event{sent, refused, review, upheld}, "2026-05-10"), map[DeadlineKind]WindowState{
		DeadlineReviewAskBy: WindowMet, DeadlineReviewDue: WindowMet, DeadlineRegulatorWindow: WindowOpen})
	w = states([]Event{sent, refused, review, upheld, complaint}, "2026-09-10")
	check("complaint made", w, map[DeadlineKind]WindowState{DeadlineRegulatorWindow: WindowMet, DeadlineReviewAskBy: WindowMet})
	if _, ok := w[DeadlineRegulatorLate]; ok {
		t.Errorf("the late-review window is still listed after the review was decided: %v", w)
	}
	check("complaint window passed", states([]Event{sent, refused, review, upheld}, "2026-08-09"), map[DeadlineKind]WindowState{
		DeadlineRegulatorWindow: WindowMissed})
	check("full release", states([]Event{sent, nev(EventResponseReceived, "2026-03-20", OutcomeReleasedInFull)}, "2026-03-21"),
		map[DeadlineKind]WindowState{DeadlineResponse: WindowMet, DeadlineReviewAskBy: WindowNotRelevant})
	check("withdrawn", states([]Event{sent, nev(EventWithdrawn, "2026-03-05")}, "2026-04-10"),
		map[DeadlineKind]WindowState{DeadlineResponse: WindowNotRelevant})
}

func TestEveryActionHasALabel(t *testing.T) {
	for _, c := range storyCases() {
		if !ValidAction(c.action) || c.action.Label() == string(c.action) {
			t.Errorf("action %q has no label", c.action)
		}
	}
}
