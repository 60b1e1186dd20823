package remind_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// letterWorld: a request refused citing s31(1)(a) and s40(2), then an
// internal review that goes overdue.
func letterWorld(t *testing.T) (*world, int64) {
	w := newWorld(t)
	ctx := context.Background()
	w.now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w.request("Drone flights", "Olu")
	id := w.ids["Drone flights"]
	r, _ := w.st.RequestByID(ctx, id)
	r.TheirRef = "FOI/2026/1234"
	r.Body = "Please provide the number of drone flights in 2025."
	if err := w.st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	for _, e := range []tracker.Event{
		{Kind: tracker.EventSent, Date: day("2026-03-02")},
		{Kind: tracker.EventResponseReceived, Date: day("2026-03-20"), Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)", "s40(2)"}},
	} {
		e.RequestID = id
		if err := w.st.AddEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	return w, id
}

func TestReviewRequestNamesEachExemptionAndThePublicInterest(t *testing.T) {
	w, id := letterWorld(t)
	ctx := context.Background()
	d, err := remind.DraftLetter(ctx, w.st, remind.DraftInput{Kind: remind.LetterReview, RequestID: id, Today: day("2026-03-23"),
		PublicInterest: []string{"- Police drones raise privacy questions for everyone in Canterbury.", "", "Spending is public money."},
		SenderName:     "Zoë Example"})
	if err != nil {
		t.Fatal(err)
	}
	if d.To != "foi@kent.police.uk" || d.Subject != "Request for internal review: Drone flights [FT-2026-0001 / FOI/2026/1234]" {
		t.Fatalf("to %q subject %q", d.To, d.Subject)
	}
	want := `Dear Kent Police,

Please pass this on to the person who conducts internal reviews.

I am writing to request an internal review of your response of Fri 20 Mar 2026 to my request "Drone flights" (your reference FOI/2026/1234), which was: refused.

You relied on the following exemptions. I ask you to reconsider each of them:

- s31(1)(a) (` + exemptionTitle(t, "s31(1)(a)") + `): this exemption is subject to the public interest test. Please explain why the public interest in withholding the information outweighs the public interest in its disclosure, and release it if it does not.
- s40(2) (` + exemptionTitle(t, "s40(2)") + `):` + s40Sentence(t) + `

I believe the public interest favours disclosure because:

- Police drones raise privacy questions for everyone in Canterbury.
- Spending is public money.

Please carry out the review and send me your decision within 20 working days of receiving this letter, as the FOIA guidance asks.

Yours faithfully,

Zoë Example
Our reference: FT-2026-0001
`
	if d.Body != want {
		t.Fatalf("draft:\n%s\nwant:\n%s", d.Body, want)
	}
}

func exemptionTitle(t *testing.T, code string) string {
	t.Helper()
	for c := code; ; {
		if ex, ok := tracker.ExemptionByCode(tracker.UKFOIA, c); ok {
			return ex.Title
		}
		i := strings.LastIndexByte(c, '(')
		if i <= 0 {
			t.Fatalf("%s is not in the catalogue", code)
		}
		c = c[:i]
	}
}

// s40Sentence is what the built-in template says of s40(2), which the
// catalogue may file as absolute (s40(2) with s40(3A)(a)) or qualified.
func s40Sentence(t *testing.T) string {
	ex, _ := tracker.ExemptionByCode(tracker.UKFOIA, "s40(2)")
	switch ex.Kind {
	case tracker.ExemptionQualified:
		return " this exemption is subject to the public interest test. Please explain why the public interest in withholding the information outweighs the public interest in its disclosure, and release it if it does not."
	case tracker.ExemptionAbsolute:
		return " please explain how each part of the information withheld falls within this exemption."
	}
	return " please explain how the information falls within it, and why it could not be released in part."
}

func TestChaserAndComplaintFollowTheHistory(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w.request("Drone flights", "Olu")
	id := w.ids["Drone flights"]
	if err := w.st.AddEvent(ctx, &tracker.Event{RequestID: id, Kind: tracker.EventSent, Date: day("2026-03-02")}); err != nil {
		t.Fatal(err)
	}
	chaser, err := remind.DraftLetter(ctx, w.st, remind.DraftInput{Kind: remind.LetterChaser, RequestID: id, Today: day("2026-04-07")})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`my request for information "Drone flights", which you received on Mon 2 Mar 2026.`,
		"Under FOIA 2000 s10(1) you should have responded by Tue 31 Mar 2026.\n\nHow that date is worked out: Received Mon 2 Mar 2026. Due Tue 31 Mar 2026, the 20th working day after the date of receipt",
		"Tue 17 Mar 2026, St Patrick's Day",
		"The response is now 3 working days late.", // 1 and 2 Apr, then Easter, then 7 Apr
		"[your name]",
	} {
		if !strings.Contains(chaser.Body, want) {
			t.Fatalf("chaser lacks %q:\n%s", want, chaser.Body)
		}
	}
	// Refused, review asked, review overdue: the complaint says so.
	for _, e := range []tracker.Event{
		{Kind: tracker.EventResponseReceived, Date: day("2026-04-08"), Outcome: tracker.OutcomeReleasedInPart, Exemptions: []string{"s43(2)"}},
		{Kind: tracker.EventReviewRequested, Date: day("2026-04-09")},
	} {
		e.RequestID = id
		if err := w.st.AddEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := w.st.RequestByID(ctx, id)
	events, _ := w.st.Events(ctx, id)
	law, _ := tracker.LawByCode(r.Law)
	ds := tracker.ComputeDeadlines(law, events)
	if got := remind.SuggestedLetters(r, ds, day("2026-05-01")); len(got) != 0 {
		t.Fatalf("suggested while the review is in time: %v", got)
	}
	today := ds.CurrentReview().Date.AddDays(3)
	if got := remind.SuggestedLetters(r, ds, today); len(got) != 2 || got[0] != remind.LetterChaser || got[1] != remind.LetterComplaint {
		t.Fatalf("suggested when the review is overdue: %v", got)
	}
	complaint, err := remind.DraftLetter(ctx, w.st, remind.DraftInput{Kind: remind.LetterComplaint, RequestID: id, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"To the Information Commissioner's Office (ICO),",
		"The response: Wed 8 Apr 2026, released in part.",
		"Exemptions relied on: s43(2)",
		"The internal review: requested on Thu 9 Apr 2026; no decision, although it was due by " + ds.CurrentReview().Date.Long(),
	} {
		if !strings.Contains(complaint.Body, want) {
			t.Fatalf("complaint lacks %q:\n%s", want, complaint.Body)
		}
	}
	if complaint.To != "" {
		t.Fatalf("a complaint is addressed to the authority: %q", complaint.To)
	}
}

func TestAdminTemplatesOverrideAndAreChecked(t *testing.T) {
	w, id := letterWorld(t)
	ctx := context.Background()
	bad := remind.Template{Kind: remind.LetterChaser, Subject: "Chaser", Body: "Dear {{.Authorty}},"}
	err := bad.Check()
	if tracker.ErrorCode(err) != tracker.EINVALID || !strings.Contains(tracker.ErrorMessage(err), "Authorty") {
		t.Fatalf("a misspelt field: %v", err)
	}
	if err := (remind.Template{Kind: remind.LetterChaser, Subject: "x", Body: "{{if .Title}}"}).Check(); err == nil {
		t.Fatal("an unclosed action was accepted")
	}
	// Every built-in template passes its own check.
	for _, k := range remind.LetterKinds {
		tpl, err := remind.DefaultTemplate(k.Kind)
		if err != nil {
			t.Fatal(err)
		}
		if err := tpl.Check(); err != nil {
			t.Fatalf("built-in %s: %v", k.Kind, err)
		}
	}
	// An admin's generic template, then one for FOIA only, which wins.
	if err := w.st.SaveLetterTemplate(ctx, &store.LetterTemplate{Kind: "internal_review", Subject: "Review please: {{.Title}}", Body: "Generic {{.Authority}}"}); err != nil {
		t.Fatal(err)
	}
	d, err := remind.DraftLetter(ctx, w.st, remind.DraftInput{Kind: remind.LetterReview, RequestID: id, Today: day("2026-03-23")})
	if err != nil || d.Subject != "Review please: Drone flights" || d.Body != "Generic Kent Police\n" || !d.Custom {
		t.Fatalf("generic override: %+v %v", d, err)
	}
	if err := w.st.SaveLetterTemplate(ctx, &store.LetterTemplate{Kind: "internal_review", Law: "uk-foia", Subject: "FOIA review", Body: "{{range .Exemptions}}{{.Code}} {{end}}"}); err != nil {
		t.Fatal(err)
	}
	d, _ = remind.DraftLetter(ctx, w.st, remind.DraftInput{Kind: remind.LetterReview, RequestID: id, Today: day("2026-03-23")})
	if d.Subject != "FOIA review" || d.Body != "s31(1)(a) s40(2)\n" {
		t.Fatalf("law override: %+v", d)
	}
	// Reset: back to the built-in text.
	if err := w.st.DeleteLetterTemplate(ctx, "internal_review", "uk-foia"); err != nil {
		t.Fatal(err)
	}
	if err := w.st.DeleteLetterTemplate(ctx, "internal_review", ""); err != nil {
		t.Fatal(err)
	}
	d, _ = remind.DraftLetter(ctx, w.st, remind.DraftInput{Kind: remind.LetterReview, RequestID: id, Today: day("2026-03-23")})
	if d.Custom || !strings.HasPrefix(d.Subject, "Request for internal review") {
		t.Fatalf("after reset: %+v", d)
	}
}
