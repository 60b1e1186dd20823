package tracker

import (
	"strings"
	"testing"
)

func ev(kind EventKind, date string, mods ...func(*Event)) Event {
	e := Event{Kind: kind, Date: MustParseDate(date)}
	for _, m := range mods {
		m(&e)
	}
	return e
}

func outcome(o string) func(*Event) { return func(e *Event) { e.Outcome = o } }

func TestReplayWholeLifecycle(t *testing.T) {
	history := []Event{
		ev(EventDraft, "2026-02-27"),
		ev(EventSent, "2026-03-02"),
		ev(EventAcknowledged, "2026-03-03"),
		ev(EventClarificationRequested, "2026-03-05"),
		ev(EventClarificationSent, "2026-03-06"),
		ev(EventExtensionClaimed, "2026-03-30", func(e *Event) { e.NewDueDate = MustParseDate("2026-04-28"); e.Reason = "public interest test" }),
		ev(EventResponseReceived, "2026-04-20", outcome(OutcomeRefused)),
		ev(EventReviewRequested, "2026-04-21"),
		ev(EventReviewOutcome, "2026-05-15", outcome(OutcomeUpheld)),
		ev(EventRegulatorComplaint, "2026-05-20"),
		ev(EventRegulatorDecision, "2026-09-01", outcome(OutcomeComplaintUpheld)),
		ev(EventResponseReceived, "2026-09-20", outcome(OutcomeReleasedInFull)),
		ev(EventClosed, "2026-09-21"),
		ev(EventNote, "2026-09-22"),
	}
	st, err := Replay(history)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusClosed || st.Outcome != OutcomeReleasedInFull || st.SentOn != MustParseDate("2026-03-02") {
		t.Fatalf("state = %+v", st)
	}
	// Each prefix has the status a person would expect.
	want := []Status{StatusDraft, StatusAwaitingResponse, StatusAwaitingResponse, StatusAwaitingClarification,
		StatusAwaitingResponse, StatusAwaitingResponse, StatusAnswered, StatusReviewRequested, StatusReviewDecided,
		StatusRegulatorComplaint, StatusRegulatorDecided, StatusAnswered, StatusClosed, StatusClosed}
	for i := range history {
		st, err := Replay(history[:i+1])
		if err != nil {
			t.Fatalf("prefix %d: %v", i+1, err)
		}
		if st.Status != want[i] {
			t.Errorf("after %s: status %s, want %s", history[i].Kind, st.Status, want[i])
		}
	}
}

func TestIllegalTransitionsAreRefused(t *testing.T) {
	cases := []struct {
		name    string
		history []Event
		want    string
	}{
		{"response to a draft", []Event{ev(EventResponseReceived, "2026-03-10", outcome(OutcomeRefused))}, "Draft"},
		{"review before any response is fine, but review outcome is not",
			[]Event{ev(EventSent, "2026-03-02"), ev(EventReviewOutcome, "2026-03-10", outcome(OutcomeUpheld))}, "Awaiting response"},
		{"anything after withdrawal", []Event{ev(EventSent, "2026-03-02"), ev(EventWithdrawn, "2026-03-03"), ev(EventAcknowledged, "2026-03-04")}, "nothing more"},
		{"fee paid without a notice", []Event{ev(EventSent, "2026-03-02"), ev(EventFeePaid, "2026-03-04")}, "Fee paid"},
		{"clarification sent unasked", []Event{ev(EventSent, "2026-03-02"), ev(EventClarificationSent, "2026-03-04")}, "Clarification sent"},
		{"sent twice", []Event{ev(EventSent, "2026-03-02"), ev(EventSent, "2026-03-04")}, "Sent"},
	}
	for _, c := range cases {
		_, err := Replay(c.history)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v (code %s), want a conflict mentioning %q", c.name, err, ErrorCode(err), c.want)
		}
	}
}

func TestEventsNeedTheirDetails(t *testing.T) {
	sent := ev(EventSent, "2026-03-02")
	for _, e := range []Event{
		ev(EventResponseReceived, "2026-03-10"),                   // no outcome
		ev(EventResponseReceived, "2026-03-10", outcome("maybe")), // bad outcome
		ev(EventExtensionClaimed, "2026-03-10"),                   // neither date nor reason
		{Kind: EventAcknowledged},                                 // no date
		ev(EventExtensionClaimed, "2026-03-10", func(e *Event) { e.NewDueDate = MustParseDate("2026-03-09") }), // date before notice
		ev("teleported", "2026-03-10"),
	} {
		if _, err := Replay([]Event{sent, e}); ErrorCode(err) != EINVALID {
			t.Errorf("%+v: err = %v, want invalid", e, err)
		}
	}
}

func TestAllowedEventsMatchesApply(t *testing.T) {
	for _, s := range Statuses {
		allowed := map[EventKind]bool{}
		for _, k := range AllowedEvents(s.Status) {
			allowed[k] = true
		}
		for _, k := range EventKinds {
			e := Event{Kind: k.Kind, Date: MustParseDate("2026-03-10"), Outcome: OutcomeRefused, Reason: "pit"}
			switch k.Kind {
			case EventReviewOutcome:
				e.Outcome = OutcomeUpheld
			case EventRegulatorDecision:
				e.Outcome = OutcomeComplaintUpheld
			}
			_, err := Apply(State{Status: s.Status}, e)
			if k.Kind == EventDraft {
				continue
			}
			if allowed[k.Kind] != (err == nil) {
				t.Errorf("status %s, event %s: allowed=%v but Apply err=%v", s.Status, k.Kind, allowed[k.Kind], err)
			}
		}
	}
}

func TestAuthorityWritesFrom(t *testing.T) {
	a := Authority{Email: "foi@met.example.gov.uk", Domains: []string{"Met.Police.UK"}}
	for addr, want := range map[string]bool{
		"foi@met.example.gov.uk": true, "x@iru.met.example.gov.uk": true, "a@met.police.uk": true,
		"a@example.gov.uk": false, "news@parish.example.org": false, "nobody": false, "a@evilmet.example.gov.uk": false,
	} {
		if got := a.WritesFrom(addr); got != want {
			t.Errorf("WritesFrom(%q) = %v, want %v", addr, got, want)
		}
	}
}
