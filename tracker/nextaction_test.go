package tracker

import (
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

// Every date below was counted by hand on a calendar (the working days on
// each law's holidays are written out beside each case); none was taken
// from the code under test.
func storyCases() []nextCase {
	sent := nev(EventSent, "2026-03-02")
	refused := nev(EventResponseReceived, "2026-03-27", OutcomeRefused)
	review := nev(EventReviewRequested, "2026-04-10")
	upheld := nev(EventReviewOutcome, "2026-05-08", OutcomeUpheld)
	complaint := nev(EventRegulatorComplaint, "2026-05-20")
	notUpheld := nev(EventRegulatorDecision, "2026-09-01", OutcomeComplaintNotUpheld)
	h := func(evs ...Event) []Event { return evs }
	return []nextCase{
		// UK FOIA: due the 20th working day after Mon 2 Mar 2026, St
		// Patrick's Day (17 Mar) not counted: Tue 31 Mar.
		{"uk-foia waiting", UKFOIA, h(sent), nil, "2026-03-10", WhoAuthority, ActionAwaitResponse, "2026-03-31", false, "FOIA 2000 s10(1)"},
		{"uk-foia due today", UKFOIA, h(sent), nil, "2026-03-31", WhoAuthority, ActionAwaitResponse, "2026-03-31", false, "s10(1)"},
		{"uk-foia late response", UKFOIA, h(sent), nil, "2026-04-01", WhoRequester, ActionChaseResponse, "", true, "chase"},
		// 40 working days after Fri 27 Mar 2026: Good Friday 3 Apr, Easter
		// Monday 6 Apr, 4 May and 25 May skipped: Thu 28 May.
		{"uk-foia refused: review first, not the ICO", UKFOIA, h(sent, refused), nil, "2026-04-01", WhoRequester, ActionRequestReview, "2026-05-28", false, "Code of Practice"},
		{"uk-foia review window missed", UKFOIA, h(sent, refused), nil, "2026-05-29", WhoNone, ActionNothing, "", false, "ended"},
		// 20 working days after Fri 10 Apr: 13 Apr-1 May (15), 4 May
		// skipped, 5-8 May (19), Mon 11 May.
		{"uk-foia review running", UKFOIA, h(sent, refused, review), nil, "2026-04-20", WhoAuthority, ActionAwaitReview, "2026-05-11", false, "Code of Practice"},
		{"uk-foia review late", UKFOIA, h(sent, refused, review), nil, "2026-05-12", WhoRequester, ActionChaseReview, "", true, "ICO"},
		// ICO: normally within 3 months of the review outcome of Fri 8 May.
		{"uk-foia review upheld", UKFOIA, h(sent, refused, review, upheld), nil, "2026-05-10", WhoRequester, ActionComplainToRegulator, "2026-08-08", false, "guidance"},
		{"uk-foia complaint made", UKFOIA, h(sent, refused, review, upheld, complaint), nil, "2026-06-01", WhoRegulator, ActionAwaitRegulator, "", false, "no statutory time"},
		// First-tier Tribunal: 28 days after Tue 1 Sep: Tue 29 Sep.
		{"uk-foia decision not upheld", UKFOIA, h(sent, refused, review, upheld, complaint, notUpheld), nil, "2026-09-02", WhoRequester, ActionAppealDecision, "2026-09-29", false, "First-tier Tribunal"},
		{"uk-foia appeal window passed", UKFOIA, h(sent, refused, review, upheld, complaint, notUpheld), nil, "2026-09-30", WhoNone, ActionNothing, "", false, "ended"},
		{"uk-foia complaint upheld", UKFOIA, h(sent, refused, review, upheld, complaint, nev(EventRegulatorDecision, "2026-09-01", OutcomeComplaintUpheld)), nil, "2026-09-02", WhoNone, ActionNothing, "", false, "comply"},
		{"uk-foia full release", UKFOIA, h(sent, nev(EventResponseReceived, "2026-03-27", OutcomeReleasedInFull)), nil, "2026-04-01", WhoNone, ActionNothing, "", false, "nothing more"},
		{"uk-foia review overturned", UKFOIA, h(sent, refused, review, nev(EventReviewOutcome, "2026-05-08", OutcomeOverturned)), nil, "2026-05-10", WhoNone, ActionNothing, "", false, "released"},
		{"uk-foia withdrawn", UKFOIA, h(sent, nev(EventWithdrawn, "2026-03-05")), nil, "2026-04-10", WhoNone, ActionNothing, "", false, "Withdrawn"},
		{"uk-foia closed", UKFOIA, h(sent, refused, nev(EventClosed, "2026-04-01")), nil, "2026-04-10", WhoNone, ActionNothing, "", false, "Closed"},
		{"uk-foia clarification owed", UKFOIA, h(sent, nev(EventClarificationRequested, "2026-03-05")), nil, "2026-03-20", WhoRequester, ActionSendClarification, "", false, "s1(3)"},
		// s9(2): three months beginning with Tue 10 Mar: to Tue 9 Jun.
		{"uk-foia fee owed", UKFOIA, h(sent, nev(EventFeeNotice, "2026-03-10")), nil, "2026-03-20", WhoRequester, ActionPayFee, "2026-06-09", false, "FOIA s9(2)"},
		{"uk-foia fee not paid in time", UKFOIA, h(sent, nev(EventFeeNotice, "2026-03-10")), nil, "2026-06-10", WhoNone, ActionNothing, "", false, "need not answer"},
		{"uk-foia reply to confirm", UKFOIA, h(sent), []PendingReply{{Kind: EventResponseReceived, Outcome: OutcomeRefused, Date: MustParseDate("2026-03-27")}}, "2026-03-28", WhoRequester, ActionConfirmReply, "", false, "refused"},
		{"uk-foia complaint about no response", UKFOIA, h(sent, nev(EventRegulatorComplaint, "2026-05-05")), nil, "2026-05-06", WhoRegulator, ActionAwaitRegulator, "", false, "ICO"},

		// FOISA: Scotland's holidays only. Due the 20th working day after
		// Mon 2 Mar: Mon 30 Mar. Review asked within 40 working days of Fri
		// 27 Mar (Good Friday, 4 and 25 May skipped; Easter Monday is not a
		// Scottish bank holiday): Wed 27 May (s20(5)).
		{"scot-foisa waiting", ScotFOISA, h(sent), nil, "2026-03-10", WhoAuthority, ActionAwaitResponse, "2026-03-30", false, "FOISA s10(1)"},
		{"scot-foisa refused", ScotFOISA, h(sent, refused), nil, "2026-04-01", WhoRequester, ActionRequestReview, "2026-05-27", false, "FOISA s20(5)"},
		// 20 working days after Fri 10 Apr: Mon 11 May (s21(1)).
		{"scot-foisa review running", ScotFOISA, h(sent, refused, review), nil, "2026-04-20", WhoAuthority, ActionAwaitReview, "2026-05-11", false, "FOISA s21(1)"},
		{"scot-foisa review late", ScotFOISA, h(sent, refused, review), nil, "2026-05-12", WhoRequester, ActionChaseReview, "", true, "s47(4)(b)"},
		// s47(4)(a): 6 months after the review response of Fri 8 May.
		{"scot-foisa review upheld", ScotFOISA, h(sent, refused, review, upheld), nil, "2026-05-10", WhoRequester, ActionComplainToRegulator, "2026-11-08", false, "s47(4)(a)"},
		// s49(3)(b): 4 months after Wed 20 May.
		{"scot-foisa complaint made", ScotFOISA, h(sent, refused, review, upheld, complaint), nil, "2026-06-01", WhoRegulator, ActionAwaitRegulator, "2026-09-20", false, "s49(3)(b)"},
		{"scot-foisa commissioner late", ScotFOISA, h(sent, refused, review, upheld, complaint), nil, "2026-09-21", WhoRegulator, ActionAwaitRegulator, "2026-09-20", true, "s49(3)(b)"},
		// Court of Session: 42 days after Tue 1 Sep: Tue 13 Oct.
		{"scot-foisa decision not upheld", ScotFOISA, h(sent, refused, review, upheld, complaint, notUpheld), nil, "2026-09-02", WhoRequester, ActionAppealDecision, "2026-10-13", false, "Court of Session"},

		// US FOIA: due the 20th working day after Mon 2 Feb 2026,
		// Presidents' Day (16 Feb) skipped: Tue 3 Mar.
		{"us-foia waiting", USFOIA, h(nev(EventSent, "2026-02-02")), nil, "2026-02-10", WhoAuthority, ActionAwaitResponse, "2026-03-03", false, "552(a)(6)(A)(i)"},
		{"us-foia late response", USFOIA, h(nev(EventSent, "2026-02-02")), nil, "2026-03-10", WhoRequester, ActionChaseResponse, "", true, "552(a)(6)(C)(i)"},
		// Appeal: at least 90 days after Fri 10 Apr 2026: Thu 9 Jul.
		{"us-foia partial release", USFOIA, h(nev(EventSent, "2026-02-02"), nev(EventResponseReceived, "2026-04-10", OutcomeReleasedInPart)), nil, "2026-04-11", WhoRequester, ActionRequestReview, "2026-07-09", false, "(III)(aa)"},
		// Appeal decided within 20 working days of Wed 15 Apr: Wed 13 May.
		{"us-foia appeal running", USFOIA, h(nev(EventSent, "2026-02-02"), nev(EventResponseReceived, "2026-04-10", OutcomeReleasedInPart), nev(EventReviewRequested, "2026-04-15")), nil, "2026-04-20", WhoAuthority, ActionAwaitReview, "2026-05-13", false, "552(a)(6)(A)(ii)"},
		{"us-foia appeal late", USFOIA, h(nev(EventSent, "2026-02-02"), nev(EventResponseReceived, "2026-04-10", OutcomeReleasedInPart), nev(EventReviewRequested, "2026-04-15")), nil, "2026-05-14", WhoRequester, ActionChaseReview, "", true, "exhausted"},
		{"us-foia appeal denied", USFOIA, h(nev(EventSent, "2026-02-02"), nev(EventResponseReceived, "2026-04-10", OutcomeReleasedInPart), nev(EventReviewRequested, "2026-04-15"), nev(EventReviewOutcome, "2026-05-12", OutcomeUpheld)), nil, "2026-05-13", WhoRequester, ActionComplainToRegulator, "", false, "OGIS"},
		{"us-foia with OGIS", USFOIA, h(nev(EventSent, "2026-02-02"), nev(EventResponseReceived, "2026-04-10", OutcomeReleasedInPart), nev(EventReviewRequested, "2026-04-15"), nev(EventReviewOutcome, "2026-05-12", OutcomeUpheld), nev(EventRegulatorComplaint, "2026-05-20")), nil, "2026-06-01", WhoRegulator, ActionAwaitRegulator, "", false, "no statutory time"},

		// Ireland: review asked within 4 weeks (20 working days) of Wed 8
		// Apr 2026 (4 May skipped): Thu 7 May; OIC within 6 months of the
		// review decision of Mon 1 Jun: Tue 1 Dec.
		{"ie-foi refused", IEFOI, h(nev(EventSent, "2026-03-09"), nev(EventResponseReceived, "2026-04-08", OutcomeRefused)), nil, "2026-04-09", WhoRequester, ActionRequestReview, "2026-05-07", false, "s21"},
		{"ie-foi review upheld", IEFOI, h(nev(EventSent, "2026-03-09"), nev(EventResponseReceived, "2026-04-08", OutcomeRefused), nev(EventReviewRequested, "2026-04-20"), nev(EventReviewOutcome, "2026-06-01", OutcomeUpheld)), nil, "2026-06-02", WhoRequester, ActionComplainToRegulator, "2026-12-01", false, "s22"},

		// Australia: internal review within 30 days of Tue 7 Apr 2026 (Thu 7
		// May), or IC review directly within 60 days (Sat 6 Jun, moved over
		// the King's Birthday, Mon 8 Jun, to Tue 9 Jun).
		{"au-foi refused", AUFOI, h(nev(EventSent, "2026-03-05"), nev(EventResponseReceived, "2026-04-07", OutcomeRefused)), nil, "2026-04-08", WhoRequester, ActionRequestReview, "2026-05-07", false, "s54B"},
		{"au-foi review window passed, IC review open", AUFOI, h(nev(EventSent, "2026-03-05"), nev(EventResponseReceived, "2026-04-07", OutcomeRefused)), nil, "2026-05-08", WhoRequester, ActionComplainToRegulator, "2026-06-09", false, "s54S(1)"},

		// EIR: reconsideration asked within 40 working days (reg 11(2)), as FOIA's Code.
		{"uk-eir refused", UKEIR, h(sent, refused), nil, "2026-04-01", WhoRequester, ActionRequestReview, "2026-05-28", false, "EIR reg 11(2)"},
		// EISR: the FOISA dates, under reg 16.
		{"scot-eisr refused", ScotEISR, h(sent, refused), nil, "2026-04-01", WhoRequester, ActionRequestReview, "2026-05-27", false, "EISR reg 16(2)"},
	}
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
