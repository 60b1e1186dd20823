package remind

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// LetterKind names a drafted letter; each has a built-in template an admin
// may replace (letter_templates).
type LetterKind string

const (
	LetterRequest   LetterKind = "request"
	LetterChaser    LetterKind = "chaser"
	LetterReview    LetterKind = "internal_review"
	LetterComplaint LetterKind = "regulator_complaint"
)

// LetterKinds lists the letters, with what they are for.
var LetterKinds = []struct {
	Kind    LetterKind
	Label   string
	Purpose outbound.Purpose
	Help    string
}{
	{LetterRequest, "Request", outbound.PurposeRequest, "The request itself, from its text."},
	{LetterChaser, "Chaser", outbound.PurposeChaser, "A polite reminder when the response (or the review) is overdue."},
	{LetterReview, "Internal review request", outbound.PurposeReview, "After a refusal or a partial release: names each exemption cited and your public interest points."},
	{LetterComplaint, "Complaint to the regulator", outbound.PurposeComplaint, "When the review is overdue or upheld the refusal."},
}

// Label is the kind's name.
func (k LetterKind) Label() string {
	for _, l := range LetterKinds {
		if l.Kind == k {
			return l.Label
		}
	}
	return string(k)
}

// Purpose is what sending the letter records.
func (k LetterKind) Purpose() outbound.Purpose {
	for _, l := range LetterKinds {
		if l.Kind == k {
			return l.Purpose
		}
	}
	return ""
}

// ValidLetterKind reports whether k is known.
func ValidLetterKind(k LetterKind) bool { return k.Purpose() != "" }

// Template is a letter template: plain text with fields in Go template
// syntax ({{.Authority}}, {{range .Exemptions}}…). See LetterData for the fields.
type Template struct {
	Kind    LetterKind `json:"kind"`
	Law     string     `json:"law,omitempty"` // "" for every law
	Subject string     `json:"subject"`
	Body    string     `json:"body"`
	// Custom: edited by an admin (else the built-in text).
	Custom bool `json:"custom"`
}

//go:embed templates/*.txt
var builtinTemplates embed.FS

// DefaultTemplate is the built-in template of a kind.
func DefaultTemplate(k LetterKind) (Template, error) {
	if !ValidLetterKind(k) {
		return Template{}, tracker.Errorf(tracker.EINVALID, "unknown letter %q", k)
	}
	b, err := builtinTemplates.ReadFile("templates/" + string(k) + ".txt")
	if err != nil {
		return Template{}, fmt.Errorf("remind: missing built-in template %s: %w", k, err)
	}
	head, body, _ := strings.Cut(string(b), "\n\n")
	return Template{Kind: k, Subject: strings.TrimPrefix(head, "Subject: "), Body: body}, nil
}

// MaxTemplateBytes bounds an edited template.
const MaxTemplateBytes = 20_000

// Check parses the template and renders it against sample data, so that a
// mistake is reported when an admin saves it, not when a letter is drafted.
func (t Template) Check() error {
	var v tracker.ValidationError
	if strings.TrimSpace(t.Subject) == "" {
		v.Add("subject", "a subject is required")
	}
	if strings.TrimSpace(t.Body) == "" {
		v.Add("body", "the letter is empty")
	}
	if len(t.Subject)+len(t.Body) > MaxTemplateBytes {
		v.Add("body", fmt.Sprintf("at most %d bytes", MaxTemplateBytes))
	}
	if err := v.Err(); err != nil {
		return err
	}
	if _, _, err := t.Render(SampleLetterData()); err != nil {
		return err
	}
	return nil
}

// Render fills the template with data. A template error is an EINVALID
// domain error naming the field at fault.
func (t Template) Render(data LetterData) (subject, body string, err error) {
	subject, err = render("subject", t.Subject, data)
	if err != nil {
		return "", "", err
	}
	body, err = render("body", t.Body, data)
	if err != nil {
		return "", "", err
	}
	return strings.Join(strings.Fields(subject), " "), tidy(body), nil
}

func render(field, text string, data LetterData) (string, error) {
	tpl, err := template.New(field).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", &tracker.Error{Code: tracker.EINVALID, Message: "the template does not parse: " + err.Error(),
			Fields: map[string]string{field: err.Error()}}
	}
	var b strings.Builder
	if err := tpl.Execute(&b, data); err != nil {
		return "", &tracker.Error{Code: tracker.EINVALID, Message: "the template cannot be filled in: " + err.Error(),
			Fields: map[string]string{field: err.Error()}}
	}
	return b.String(), nil
}

// tidy trims trailing spaces and collapses runs of blank lines that optional
// fields leave behind.
func tidy(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var out []string
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}

// ExemptionRef is an exemption cited, as a letter names it.
type ExemptionRef struct {
	Code      string
	Title     string
	Qualified bool // subject to the public interest test
	Absolute  bool
}

// LetterData is every field a letter template can use. Dates are written
// out ("Tue 31 Mar 2026"); a field that does not apply is empty.
type LetterData struct {
	Today string
	// The request.
	Title, RequestText, OurRef, TheirRef string
	Authority, AuthorityEmail            string
	// The law.
	LawName, LawShort, Citation string
	// The response: received (the first date of receipt), due, how late.
	SentOn, DueDate, DueExplanation, Late string
	WorkingDaysLate                       int
	ResponseDate, Outcome                 string
	Exemptions                            []ExemptionRef
	// What the user adds: one point per line.
	PublicInterest []string
	// The internal review (appeal).
	ReviewName, AReview, ReviewPeriod, ReviewAskBy             string
	ReviewRequestedOn, ReviewDue, ReviewDueExplanation         string
	ReviewLate, ReviewOutcome, ReviewDate                      string
	Regulator, RegulatorURL, RegulatorWindow, RegulatorExplain string
	// Who signs, and where replies go.
	SenderName, ReplyAddress string
}

// LetterInput is what BuildLetterData works from.
type LetterInput struct {
	Request        tracker.Request
	Authority      tracker.Authority
	Events         []tracker.Event
	Today          tracker.Date
	PublicInterest []string
	SenderName     string
	ReplyAddress   string
}

// BuildLetterData works out the fields of a letter about a request on a day.
func BuildLetterData(in LetterInput) LetterData {
	r := in.Request
	law, _ := tracker.LawByCode(r.Law)
	ds := tracker.ComputeDeadlines(law, in.Events)
	d := LetterData{
		Today: in.Today.Long(), Title: r.Title, RequestText: strings.TrimSpace(r.Body), OurRef: r.OurRef, TheirRef: r.TheirRef,
		Authority: in.Authority.Name, AuthorityEmail: in.Authority.Email,
		LawName: law.Name, LawShort: law.ShortName, Citation: law.Citation,
		ReviewName: law.ReviewName, AReview: law.AReview(), Regulator: law.Regulator, RegulatorURL: law.RegulatorURL,
		SenderName: in.SenderName, ReplyAddress: in.ReplyAddress,
	}
	if d.Authority == "" {
		d.Authority = r.AuthorityName
	}
	if d.SenderName == "" {
		d.SenderName = "[your name]"
	}
	if law.ReviewDecideDays > 0 {
		d.ReviewPeriod = unitWords(law.ReviewDecideDays, law.ReviewDecideUnit)
	}
	for _, p := range in.PublicInterest {
		if p = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(p), "-*•")); p != "" {
			d.PublicInterest = append(d.PublicInterest, p)
		}
	}
	if !ds.Sent.IsZero() {
		d.SentOn = ds.Sent.Long()
	}
	c := tracker.CalendarFor(law.Calendar)
	if cur := ds.Current(); !cur.Date.IsZero() {
		d.DueDate, d.DueExplanation = cur.Date.Long(), cur.Explanation
		if in.Today.After(cur.Date) && c != nil {
			d.WorkingDaysLate = tracker.WorkingDaysBetween(c, cur.Date, in.Today)
			d.Late = unitWords(d.WorkingDaysLate, tracker.WorkingDays)
		}
	}
	if !ds.Responded.IsZero() {
		d.ResponseDate = ds.Responded.Long()
		d.Outcome = strings.ToLower(tracker.OutcomeLabel(latestOutcome(in.Events, tracker.EventResponseReceived)))
	}
	if !ds.ReviewAskBy.IsZero() {
		d.ReviewAskBy = ds.ReviewAskBy.Date.Long()
	}
	if !ds.ReviewRequested.IsZero() {
		d.ReviewRequestedOn = ds.ReviewRequested.Long()
		if ds.Reviewed.IsZero() {
			if cur := ds.CurrentReview(); !cur.Date.IsZero() {
				d.ReviewDue, d.ReviewDueExplanation = cur.Date.Long(), cur.Explanation
				if in.Today.After(cur.Date) && c != nil {
					d.ReviewLate = unitWords(tracker.WorkingDaysBetween(c, cur.Date, in.Today), tracker.WorkingDays)
				}
			}
		} else {
			d.ReviewDate = ds.Reviewed.Long()
			d.ReviewOutcome = strings.ToLower(tracker.OutcomeLabel(latestOutcome(in.Events, tracker.EventReviewOutcome)))
		}
	}
	if !ds.RegulatorWindow.IsZero() {
		d.RegulatorWindow, d.RegulatorExplain = ds.RegulatorWindow.Date.Long(), ds.RegulatorWindow.Explanation
	}
	d.Exemptions = citedExemptions(r.Law, in.Events)
	return d
}

// latestOutcome is the outcome of the last event of the kind.
func latestOutcome(events []tracker.Event, kind tracker.EventKind) string {
	out := ""
	for _, e := range events {
		if e.Kind == kind {
			out = e.Outcome
		}
	}
	return out
}

// citedExemptions lists the exemptions the authority relies on now: those of
// its latest response or review decision that cited any.
func citedExemptions(law tracker.LawCode, events []tracker.Event) []ExemptionRef {
	var codes []string
	for _, e := range events {
		if (e.Kind == tracker.EventResponseReceived || e.Kind == tracker.EventReviewOutcome) && len(e.Exemptions) > 0 {
			codes = e.Exemptions
		}
	}
	var out []ExemptionRef
	for _, code := range codes {
		ref := ExemptionRef{Code: code}
		if ex, ok := lookupExemption(law, code); ok {
			ref.Title = ex.Title
			ref.Qualified = ex.Kind == tracker.ExemptionQualified || ex.Kind == tracker.ExemptionException
			ref.Absolute = ex.Kind == tracker.ExemptionAbsolute
		}
		out = append(out, ref)
	}
	return out
}

// lookupExemption finds code in the catalogue, or failing that the nearest
// provision it belongs to (s31(1)(a) → s31(1) → s31).
func lookupExemption(law tracker.LawCode, code string) (tracker.Exemption, bool) {
	for c := code; c != ""; {
		if ex, ok := tracker.ExemptionByCode(law, c); ok {
			return ex, true
		}
		i := strings.LastIndexByte(c, '(')
		if i <= 0 {
			break
		}
		c = c[:i]
	}
	return tracker.Exemption{}, false
}

// SuggestedLetters are the letters that fit where the request stands on today.
func SuggestedLetters(r tracker.Request, ds tracker.Deadlines, today tracker.Date) []LetterKind {
	var out []LetterKind
	switch ds.Status {
	case tracker.StatusDraft:
		out = append(out, LetterRequest)
	case tracker.StatusAwaitingResponse:
		if cur := ds.Current(); !cur.Date.IsZero() && today.After(cur.Date) {
			out = append(out, LetterChaser)
			if !ds.LongOverdue.IsZero() && today.After(ds.LongOverdue.Date) {
				out = append(out, LetterComplaint)
			}
		}
	case tracker.StatusAnswered:
		if unfavourable(r.Outcome) {
			out = append(out, LetterReview)
		}
	case tracker.StatusReviewRequested:
		if cur := ds.CurrentReview(); !cur.Date.IsZero() && today.After(cur.Date) {
			out = append(out, LetterChaser, LetterComplaint)
		}
	case tracker.StatusReviewDecided:
		if r.Outcome == tracker.OutcomeUpheld || r.Outcome == tracker.OutcomePartlyUpheld {
			out = append(out, LetterComplaint)
		}
	}
	return out
}

// SampleLetterData fills every field, for checking and previewing templates.
func SampleLetterData() LetterData {
	return LetterData{
		Today: "Wed 1 Apr 2026", Title: "Drone flights over Canterbury", RequestText: "Please provide the number of drone flights in 2025.",
		OurRef: "FT-2026-0001", TheirRef: "FOI/2026/1234", Authority: "Kent Police", AuthorityEmail: "foi@kent.police.uk",
		LawName: "Freedom of Information Act 2000", LawShort: "FOIA", Citation: "FOIA 2000 s10(1)",
		SentOn: "Mon 2 Mar 2026", DueDate: "Tue 31 Mar 2026",
		DueExplanation:  "Due Tue 31 Mar 2026, the 20th working day after the date of receipt (FOIA 2000 s10(1)).",
		Late:            "1 working day",
		WorkingDaysLate: 1, ResponseDate: "Fri 20 Mar 2026", Outcome: "refused",
		Exemptions: []ExemptionRef{{Code: "s31(1)(a)", Title: "Law enforcement", Qualified: true},
			{Code: "s40(2)", Title: "Personal information", Absolute: true}},
		PublicInterest: []string{"Drone use by the police raises privacy concerns of wide public interest."},
		ReviewName:     "internal review", AReview: "an internal review", ReviewPeriod: "20 working days", ReviewAskBy: "Wed 20 May 2026",
		ReviewRequestedOn: "Mon 23 Mar 2026", ReviewDue: "Tue 21 Apr 2026",
		ReviewDueExplanation: "Internal review requested Mon 23 Mar 2026. Decision due Tue 21 Apr 2026, 20 working days after the request was received.",
		ReviewLate:           "2 working days", ReviewOutcome: "", ReviewDate: "",
		Regulator: "Information Commissioner's Office (ICO)", RegulatorURL: "https://ico.org.uk/make-a-complaint/",
		RegulatorWindow: "Sat 20 Jun 2026", RegulatorExplain: "Complain to the ICO by Sat 20 Jun 2026.",
		SenderName: "Zoë Example", ReplyAddress: "foi+abc@example.org",
	}
}

func unitWords(n int, unit tracker.DayUnit) string {
	word := "day"
	if unit == tracker.WorkingDays {
		word = "working day"
	}
	if n != 1 {
		word += "s"
	}
	return fmt.Sprintf("%d %s", n, word)
}

// LoadTemplate returns the template in force for a letter under a law: the
// admin's for that law, else the admin's for every law, else the built-in.
func LoadTemplate(ctx context.Context, st *store.Store, k LetterKind, law tracker.LawCode) (Template, error) {
	for _, l := range []string{string(law), ""} {
		t, found, err := st.LetterTemplate(ctx, string(k), l)
		if err != nil {
			return Template{}, err
		}
		if found {
			return Template{Kind: k, Law: t.Law, Subject: t.Subject, Body: t.Body, Custom: true}, nil
		}
	}
	return DefaultTemplate(k)
}
