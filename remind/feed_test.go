package remind_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/tracker"
)

// tricky is a title that needs every TEXT escape and, with the authority,
// folding across a multi-byte character.
const tricky = `Drones, "eyes"; C:\fleet — Zoë's request about überwachung and more words to make it long`

func TestICSFeedParsesAndMatchesTheDeadlineEngine(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.now = time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	w.request(tricky, "Olu")
	w.request("C extension", "Olu")
	w.request("B clarification", "Olu")
	w.request("D refused", "Olu")
	w.request("E review", "")
	w.request("F closed", "Olu")
	w.request("G draft", "Olu")
	add := func(name, date string, e tracker.Event) {
		e.RequestID, e.Date = w.ids[name], day(date)
		if err := w.st.AddEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{tricky, "C extension", "B clarification", "D refused", "F closed"} {
		add(n, "2026-03-02", tracker.Event{Kind: tracker.EventSent})
	}
	add("E review", "2026-02-02", tracker.Event{Kind: tracker.EventSent})
	add("E review", "2026-03-02", tracker.Event{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeRefused})
	add("E review", "2026-03-04", tracker.Event{Kind: tracker.EventReviewRequested})
	add("C extension", "2026-03-30", tracker.Event{Kind: tracker.EventExtensionClaimed, NewDueDate: day("2026-04-28"), Reason: "public interest test"})
	add("B clarification", "2026-03-09", tracker.Event{Kind: tracker.EventClarificationRequested})
	add("D refused", "2026-03-20", tracker.Event{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeRefused, Exemptions: []string{"s40(2)"}})
	add("F closed", "2026-03-05", tracker.Event{Kind: tracker.EventWithdrawn})

	feed := func(today string) ([]byte, *ical.Calendar) {
		t.Helper()
		ws, err := w.st.OpenWindowsFrom(ctx, day(today).AddDays(-remind.FeedSinceDays))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		opt := remind.FeedOptions{Name: "Olu's FOI deadlines", Now: w.now, Today: day(today), BaseURL: "https://foi.example.org"}
		if err := remind.WriteICS(&buf, remind.BuildFeed(ws, opt)); err != nil {
			t.Fatal(err)
		}
		cal, err := ical.NewDecoder(bytes.NewReader(buf.Bytes())).Decode()
		if err != nil {
			t.Fatalf("the feed does not parse: %v\n%s", err, buf.Bytes())
		}
		return buf.Bytes(), cal
	}
	raw, cal := feed("2026-04-10")
	checkLines(t, raw)

	// What a person checks with a calendar: the dates of the reminder
	// test's timeline (TestClockAcrossRequests). The late review (due Thu 2
	// Apr) opens the ICO window, 3 months from the day it was due.
	want := map[string]tracker.Date{}
	for uid, d := range map[string]string{"1-response": "2026-03-31", "2-response": "2026-04-28", "4-review-ask-by": "2026-05-20",
		"5-review": "2026-04-02", "5-regulator-window": "2026-07-02"} {
		want["request-"+uid+"@foi.example.org"] = day(d)
	}
	events := cal.Events()
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d (no clarification-stopped, closed or draft request)", len(events), len(want))
	}
	for _, e := range events {
		uid, _ := e.Props.Text(ical.PropUID)
		wantDate, ok := want[uid]
		if !ok {
			t.Fatalf("unexpected event %s", uid)
		}
		start := e.Props.Get(ical.PropDateTimeStart)
		end := e.Props.Get(ical.PropDateTimeEnd)
		if start.ValueType() != ical.ValueDate || end.ValueType() != ical.ValueDate {
			t.Fatalf("%s: not an all-day event", uid)
		}
		s, err := e.DateTimeStart(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		en, _ := e.DateTimeEnd(time.UTC)
		if tracker.DateOf(s) != wantDate || tracker.DateOf(en) != wantDate.AddDays(1) {
			t.Fatalf("%s: %s–%s, want the day %s", uid, s, en, wantDate)
		}
		summary, _ := e.Props.Text(ical.PropSummary)
		u, err := e.Props.URI(ical.PropURL)
		if err != nil || !strings.HasPrefix(u.String(), "https://foi.example.org/requests/") {
			t.Fatalf("%s: URL %v %v", uid, u, err)
		}
		if !strings.Contains(summary, " — Kent Police") {
			t.Fatalf("%s: summary %q lacks the authority", uid, summary)
		}
		if len(e.Children) != 1 || e.Children[0].Name != ical.CompAlarm {
			t.Fatalf("%s: no alarm", uid)
		}
		trig, _ := e.Children[0].Props.Get(ical.PropTrigger).Duration()
		if trig != -24*time.Hour {
			t.Fatalf("%s: alarm %v before", uid, trig)
		}
		desc, _ := e.Props.Text(ical.PropDescription)
		if !strings.Contains(desc, u.String()) || !strings.Contains(desc, wantDate.Long()) {
			t.Fatalf("%s: description %q", uid, desc)
		}
		if strings.HasPrefix(uid, "request-1-") && summary != "Passed: FOI response due: "+tricky+" — Kent Police" {
			t.Fatalf("escaped text did not survive: %q", summary)
		}
	}

	// Stable UIDs: after a (second) extension the event moves, not doubles.
	add(tricky, "2026-04-10", tracker.Event{Kind: tracker.EventExtensionClaimed, NewDueDate: day("2026-05-12"), Reason: "public interest test"})
	_, cal2 := feed("2026-04-10")
	found := 0
	for _, e := range cal2.Events() {
		uid, _ := e.Props.Text(ical.PropUID)
		if uid == "request-1-response@foi.example.org" {
			found++
			s, _ := e.DateTimeStart(time.UTC)
			if tracker.DateOf(s).String() != "2026-05-12" {
				t.Fatalf("moved event on %s", s)
			}
			summary, _ := e.Props.Text(ical.PropSummary)
			if !strings.HasPrefix(summary, "FOI extended response due: ") {
				t.Fatalf("summary %q", summary)
			}
		}
		if uid == "request-4-review-ask-by@foi.example.org" {
			if summary, _ := e.Props.Text(ical.PropSummary); !strings.HasPrefix(summary, "You: Ask for an internal review by") {
				t.Fatalf("summary %q", summary)
			}
		}
	}
	if found != 1 || len(cal2.Events()) != len(events) {
		t.Fatalf("after the extension: %d events with the UID, %d events in all", found, len(cal2.Events()))
	}
}

// checkLines checks RFC 5545 3.1: CRLF line ends, at most 75 octets a line,
// folds never inside a UTF-8 sequence.
func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("END:VCALENDAR\r\n")) {
		t.Fatal("the feed does not end with END:VCALENDAR CRLF")
	}
	folded := 0
	for i, l := range bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.Valid(l) {
			t.Fatalf("line %d splits a UTF-8 character: %q", i+1, l)
		}
		if len(l) > 0 && l[0] == ' ' {
			folded++
		}
	}
	if folded == 0 {
		t.Fatal("no line was folded: the test's long title should have been")
	}
	for _, esc := range []string{`Drones\, "eyes"\; C:\\fleet`} {
		if !bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n "), nil), []byte(esc)) {
			t.Fatalf("the feed lacks the escaped text %s", esc)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
