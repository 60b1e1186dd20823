package mailsync

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/tracker"
)

// labelledReply is one file of tracker/testdata/replies or
// tracker/testdata/replies-round2 (see their READMEs).
type labelledReply struct {
	set        string // the folder
	name       string
	header     mail.Header // without the X-Label-* fields
	subject    string
	body       string
	law        tracker.LawCode
	kind       ReplyKind
	outcome    string
	exemptions []string // law:code for sibling laws, else code
}

// labelledSets are the folders of labelled replies under tracker/testdata, in
// the order they were written: each later set was first run unseen.
var labelledSets = []string{"replies", "replies-round2", "replies-round3"}

func readLabelledReplies(t testing.TB) []labelledReply {
	t.Helper()
	known := map[ReplyKind]bool{}
	for _, k := range ReplyKinds {
		known[k.Kind] = true
	}
	var out []labelledReply
	for _, set := range labelledSets {
		files, err := filepath.Glob(filepath.Join("..", "tracker", "testdata", set, "*.txt"))
		if err != nil || len(files) < 20 {
			t.Fatalf("labelled replies in %s: %d files, %v", set, len(files), err)
		}
		for _, f := range files {
			r := readLabelledReply(t, f)
			if !known[r.kind] {
				t.Fatalf("%s: unknown X-Label-Kind %q", f, r.kind)
			}
			r.set = set
			out = append(out, r)
		}
	}
	return out
}

func readLabelledReply(t testing.TB, f string) labelledReply {
	t.Helper()
	fh, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	msg, err := mail.ReadMessage(fh)
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := labelledReply{
		name:    filepath.Base(f),
		header:  mail.Header{},
		subject: msg.Header.Get("Subject"),
		body:    string(body),
		law:     tracker.LawCode(msg.Header.Get("X-Label-Law")),
		kind:    ReplyKind(msg.Header.Get("X-Label-Kind")),
		outcome: msg.Header.Get("X-Label-Outcome"),
	}
	for k, v := range msg.Header {
		if !strings.HasPrefix(k, "X-Label-") {
			r.header[k] = v
		}
	}
	for _, c := range strings.Split(msg.Header.Get("X-Label-Exemptions"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			r.exemptions = append(r.exemptions, c)
		}
	}
	return r
}

// Floors set from what the classifier achieves on the labelled set (see the
// printed figures); a change that lowers them is a regression. The set is
// written by the project, and the classifier was tuned on replies 01-40:
// on 41-56, written afterwards and first run unseen, it got 12 of 16 kinds
// right; on round 2 (57-80, also written unseen) 21 of 24 kinds, 15 of 18
// outcomes, and exemption precision 0.902 / recall 1.000 (4 false positives:
// the requester's words quoted in the letter, a "Please note that if…"
// condition, an e-mail disclaimer) before the fixes that now pass them (see
// tracker/testdata/replies-round2/README.md). Expect less than these figures
// on mail the project has never seen.
const (
	minKindAccuracy    = 0.95
	minOutcomeAccuracy = 0.95
	// The exemptions Classify proposes: the detector on the text it keeps
	// (quoted history folded; none for automatic replies and bounces).
	minExemptionPrecision = 0.95
	minExemptionRecall    = 0.95
)

// labelledScore counts what Classify got right over some labelled replies.
type labelledScore struct {
	replies, kinds, outcomes, outcomesRight int
	tp, fp, fn                              int // exemptions
}

func (s labelledScore) String() string {
	return fmt.Sprintf("kind accuracy %.3f (%d/%d); outcome accuracy %.3f (%d/%d); exemptions: %d cited, %d found, %d false positives, %d missed, precision %.3f, recall %.3f",
		s.kindAccuracy(), s.kinds, s.replies, s.outcomeAccuracy(), s.outcomesRight, s.outcomes,
		s.tp+s.fn, s.tp, s.fp, s.fn, s.precision(), s.recall())
}

func (s labelledScore) kindAccuracy() float64 { return float64(s.kinds) / float64(max(s.replies, 1)) }
func (s labelledScore) outcomeAccuracy() float64 {
	return float64(s.outcomesRight) / float64(max(s.outcomes, 1))
}
func (s labelledScore) precision() float64 { return float64(s.tp) / float64(max(s.tp+s.fp, 1)) }
func (s labelledScore) recall() float64    { return float64(s.tp) / float64(max(s.tp+s.fn, 1)) }

// TestClassifyLabelled measures the classifier over the labelled replies and
// prints, for each set and in all, the accuracy of the kind, of the proposed
// outcome for responses and reviews, and the precision and recall of the
// exemptions it proposes; then a confusion summary of the kinds.
func TestClassifyLabelled(t *testing.T) {
	replies := readLabelledReplies(t)
	confusion := map[ReplyKind]map[ReplyKind]int{}
	var all labelledScore
	bySet := map[string]*labelledScore{}
	byLaw := map[string]*labelledScore{} // "set law": each set's figures per law
	for _, r := range replies {
		perLaw := byLaw[r.set+" "+string(r.law)]
		if perLaw == nil {
			perLaw = &labelledScore{}
			byLaw[r.set+" "+string(r.law)] = perLaw
		}
		set := bySet[r.set]
		if set == nil {
			set = &labelledScore{}
			bySet[r.set] = set
		}
		var s labelledScore // this reply's counts
		s.replies = 1
		name := r.set + "/" + r.name
		c := Classify(r.header, r.subject, r.body, r.law)
		if confusion[r.kind] == nil {
			confusion[r.kind] = map[ReplyKind]int{}
		}
		confusion[r.kind][c.Kind]++
		if c.Kind == r.kind {
			s.kinds = 1
		} else {
			t.Logf("%s: classified %s, labelled %s (reason %q, sentence %q)", name, c.Kind, r.kind, c.Reason, c.Sentence)
		}
		if r.outcome != "" {
			s.outcomes = 1
			if c.ProposedOutcome == r.outcome {
				s.outcomesRight = 1
			} else {
				t.Logf("%s: proposed outcome %q, labelled %q", name, c.ProposedOutcome, r.outcome)
			}
		}
		want := map[string]bool{}
		for _, e := range r.exemptions {
			want[e] = true
		}
		got := map[string]bool{}
		for _, e := range c.Exemptions {
			key := e.Code
			if e.Law != r.law {
				key = string(e.Law) + ":" + e.Code
			}
			got[key] = true
		}
		var extra, missed []string
		for e := range got {
			if !want[e] {
				extra = append(extra, e)
			}
		}
		for e := range want {
			if !got[e] {
				missed = append(missed, e)
			}
		}
		s.tp, s.fp, s.fn = len(got)-len(extra), len(extra), len(missed)
		if len(extra)+len(missed) > 0 {
			sort.Strings(extra)
			sort.Strings(missed)
			t.Logf("%s: exemptions: false positives %v, missed %v", name, extra, missed)
		}
		for _, sum := range []*labelledScore{&all, set, perLaw} {
			sum.replies += s.replies
			sum.kinds += s.kinds
			sum.outcomes += s.outcomes
			sum.outcomesRight += s.outcomesRight
			sum.tp += s.tp
			sum.fp += s.fp
			sum.fn += s.fn
		}
		// Evidence is shown to the editor: it must come from the message.
		if c.Sentence != "" && !strings.Contains(strings.Join(strings.Fields(r.body), " "), c.Sentence) {
			t.Errorf("%s: evidence %q is not in the text", name, c.Sentence)
		}
		if c.Reason == "" {
			t.Errorf("%s: no reason given", name)
		}
	}
	var lines []string
	for _, k := range ReplyKinds {
		row := confusion[k.Kind]
		if row == nil {
			continue
		}
		var cells []string
		for _, p := range ReplyKinds {
			if n := row[p.Kind]; n > 0 {
				cells = append(cells, fmt.Sprintf("%s=%d", p.Kind, n))
			}
		}
		lines = append(lines, fmt.Sprintf("  labelled %-22s -> %s", k.Kind, strings.Join(cells, " ")))
	}
	summary := fmt.Sprintf("reply classification over %d labelled replies: %s\n", all.replies, all)
	for _, set := range labelledSets {
		summary += fmt.Sprintf("  %s (%d replies): %s\n", set, bySet[set].replies, bySet[set])
		for _, law := range tracker.Laws {
			if s := byLaw[set+" "+string(law.Code)]; s != nil {
				summary += fmt.Sprintf("    %-10s (%d): %s\n", law.Code, s.replies, s)
			}
		}
	}
	summary += "confusion (labelled -> classified):\n" + strings.Join(lines, "\n")
	t.Log(summary)
	fmt.Println(summary)
	if all.kindAccuracy() < minKindAccuracy || all.outcomeAccuracy() < minOutcomeAccuracy {
		t.Errorf("below the floor (kind %.2f, outcome %.2f)", minKindAccuracy, minOutcomeAccuracy)
	}
	if all.precision() < minExemptionPrecision || all.recall() < minExemptionRecall {
		t.Errorf("exemptions below the floor (precision %.2f, recall %.2f)", minExemptionPrecision, minExemptionRecall)
	}
}

func mimeHeader(kv ...string) textproto.MIMEHeader {
	h := textproto.MIMEHeader{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestClassifyHeaders(t *testing.T) {
	const ack = "Thank you for your request. We have received your request and will respond within 20 working days."
	const refusal = "The information you asked for is exempt from disclosure under section 31(1)(a) of the Act."
	const away = "Thank you for your email. I am out of the office until Monday with no access to email."
	tests := []struct {
		name    string
		h       Headers
		subject string
		text    string
		want    ReplyKind
		reason  string // a part of the reason
	}{
		{"RFC 3834 auto-replied", mimeHeader("Auto-Submitted", "auto-replied"), "Re: FOI", away, ReplyAutoReply, "Auto-Submitted: auto-replied"},
		{"RFC 3834 with nothing to read", mimeHeader("Auto-Submitted", "auto-generated"), "Re: FOI", "Thank you for your email.", ReplyAutoReply, "Auto-Submitted"},
		{"Auto-Submitted: no is a person", mimeHeader("Auto-Submitted", "no"), "Re: FOI", "Thank you for your email.", ReplyUnknown, ""},
		{"X-Autoreply", mimeHeader("X-Autoreply", "yes"), "Re: FOI", "Thanks.", ReplyAutoReply, "X-Autoreply"},
		{"X-Autorespond", mimeHeader("X-Autorespond", "1"), "Re: FOI", "Thanks.", ReplyAutoReply, "X-Autorespond"},
		{"Precedence auto_reply", mimeHeader("Precedence", "auto_reply"), "Re: FOI", "Thanks.", ReplyAutoReply, "Precedence: auto_reply"},
		{"Precedence bulk with auto subject", mimeHeader("Precedence", "bulk"), "Auto-Reply: FOI", "Thanks.", ReplyAutoReply, "Precedence: bulk"},
		{"Precedence bulk alone is not", mimeHeader("Precedence", "bulk"), "Council newsletter", "Thanks.", ReplyUnknown, ""},
		{"Exchange rules agent", mimeHeader("X-MS-Exchange-Generated-Message-Source", "Mailbox Rules Agent"), "Automatic reply: FOI", away, ReplyAutoReply, "Mailbox Rules Agent"},
		{"Out of Office subject", nil, "Out of Office: FOI 123", "Back soon.", ReplyAutoReply, "Subject: Out of Office"},
		{"Lotus subject", nil, "Jane Smith/COUNCIL is out of the office", "", ReplyAutoReply, "Subject"},
		{"leave in a request subject is not", nil, "Re: FOI - staff on maternity leave", ack, ReplyAcknowledgement, ""},
		{"out-of-office text without headers", nil, "Re: FOI", away, ReplyAutoReply, "out-of-office text"},
		{"automatic acknowledgement", mimeHeader("Auto-Submitted", "auto-generated"), "Automatic reply: FOI request", ack, ReplyAcknowledgement, "sent automatically: Auto-Submitted"},
		{"automatic refusal is still a refusal", mimeHeader("Auto-Submitted", "auto-generated"), "FOI 12 response", refusal, ReplyRefusal, "sent automatically"},
		{"read receipt", mimeHeader("Content-Type", `multipart/report; report-type=disposition-notification; boundary="x"`), "Read: FOI", "Your message was read.", ReplyAutoReply, "read receipt"},
		{"DSN content type", mimeHeader("Content-Type", `multipart/report; report-type="delivery-status"; boundary="x"`), "Notice", "", ReplyDeliveryFailure, "report-type=delivery-status"},
		{"MAILER-DAEMON", mimeHeader("From", "MAILER-DAEMON@mx.example.org (Mail Delivery System)"), "Notice", "", ReplyDeliveryFailure, "From: MAILER-DAEMON"},
		{"postmaster", mimeHeader("From", "postmaster@council.example.gov.uk"), "Notice", "", ReplyDeliveryFailure, "postmaster"},
		{"Exchange NDR subject", nil, "Undeliverable: FOI request", "", ReplyDeliveryFailure, "Undeliverable"},
		{"Gmail DSN subject", nil, "Delivery Status Notification (Failure)", "", ReplyDeliveryFailure, "Failure"},
		{"Exim subject", mimeHeader("Auto-Submitted", "auto-replied"), "Mail delivery failed: returning message to sender", "", ReplyDeliveryFailure, "Mail delivery failed"},
		{"delay warning", nil, "Delivery Status Notification (Delay)", "", ReplyDeliveryFailure, "delay warning"},
		{"a bounce beats auto headers", mimeHeader("Auto-Submitted", "auto-replied", "From", "Mailer-Daemon@x.example"), "Re: FOI", away, ReplyDeliveryFailure, "Mailer-Daemon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Classify(tt.h, tt.subject, tt.text, tracker.UKFOIA)
			if c.Kind != tt.want || !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("got %s (reason %q), want %s (reason containing %q)", c.Kind, c.Reason, tt.want, tt.reason)
			}
			if (c.Kind == ReplyAutoReply || c.Kind == ReplyDeliveryFailure) && (c.ProposedEvent != tracker.EventNote || len(c.Exemptions) > 0) {
				t.Errorf("automatic mail must propose a note and no exemptions: %+v", c)
			}
		})
	}
}

// Classify takes any header with Get: net/mail's, textproto's, go-message's
// and this package's Header.
func TestClassifyHeaderTypes(t *testing.T) {
	for _, h := range []Headers{mail.Header{"Auto-Submitted": {"auto-replied"}}, mimeHeader("Auto-Submitted", "auto-replied")} {
		if c := Classify(h, "Re: FOI", "Thanks.", tracker.UKFOIA); c.Kind != ReplyAutoReply {
			t.Errorf("%T: got %s", h, c.Kind)
		}
	}
}

// An authority that forwards its answer under a cover note ("Please see
// the response below") is read from the forwarded answer, and still not
// from our request quoted under it.
func TestClassifyReadsAForwardedAnswer(t *testing.T) {
	text := "Dear Ms Lindqvist,\n\nPlease see the response from our Highways team below.\n\nKind regards,\nFOI Team\n\n" +
		"From: Highways Information <highways@example.gov.uk>\nSent: 20 March 2026 16:02\nTo: FOI Team <foi@example.gov.uk>\nSubject: FOI 2026/118 response\n\n" +
		"We hold the inspection schedules but they are exempt under section 31(1)(a), as their release would be likely to prejudice the prevention of crime. " +
		"We are therefore refusing the request.\n\n" +
		"From: Freya Lindqvist <foi+r2b2@foitrack.example.org>\nSent: 02 March 2026 10:14\nTo: FOI Officer <foi@example.gov.uk>\nSubject: FOI\n\n" +
		"Please send the schedules. Personal data can be redacted under section 40(2).\n"
	c := Classify(nil, "RE: FOI 2026/118", text, tracker.UKFOIA)
	if c.Kind != ReplyRefusal || len(c.Exemptions) != 1 || c.Exemptions[0].Code != "s31(1)(a)" {
		t.Errorf("forwarded answer: kind %s, exemptions %v; want refusal under s31(1)(a) only", c.Kind, c.Exemptions)
	}
	// Without the cover note pointing below, the history stays unread.
	c = Classify(nil, "RE: FOI 2026/118", strings.Replace(text, "Please see the response from our Highways team below.",
		"We acknowledge receipt of your request and will respond within 20 working days.", 1), tracker.UKFOIA)
	if c.Kind != ReplyAcknowledgement || len(c.Exemptions) != 0 {
		t.Errorf("history read without a pointer to it: kind %s, exemptions %v", c.Kind, c.Exemptions)
	}
}

func TestClassifyIgnoresQuotedHistory(t *testing.T) {
	text := "Dear Mr Smith,\n\nWe acknowledge receipt of your request and will respond within 20 working days.\n\n" +
		"> Please note that information exempt under section 40(2) has been redacted.\n> Please find attached the documents.\n"
	c := Classify(nil, "Re: FOI", text, tracker.UKFOIA)
	if c.Kind != ReplyAcknowledgement || len(c.Exemptions) != 0 {
		t.Errorf("quoted lines were read: %+v", c)
	}
	// Top-posted: our request below an Outlook header block.
	text = "Dear Ms Lindqvist,\n\nThank you for your request. The council does not hold any information within the scope of your request.\n\nRegards,\nTom Ridley\n\n" +
		"From: Freya Lindqvist <foi+r2b2@foitrack.example.org>\nSent: 02 March 2026 10:14\nTo: FOI Officer <foi@example.gov.uk>\nSubject: FOI\n\n" +
		"Please find attached my evidence. The reports are withheld in full under section 43(2), I expect; please release them.\n"
	c = Classify(nil, "RE: FOI", text, tracker.UKFOIA)
	if c.Kind != ReplyNotHeld || len(c.Exemptions) != 0 {
		t.Errorf("the quoted request was read: %+v", c)
	}
}

// Each proposal must be an event tracker.Apply accepts once the request is in
// a state where the reply can arrive: a proposal an editor cannot confirm
// would be useless.
func TestClassifyProposalsApply(t *testing.T) {
	day := tracker.MustParseDate("2026-04-01")
	sent := tracker.State{Status: tracker.StatusAwaitingResponse, SentOn: tracker.MustParseDate("2026-03-02")}
	inReview := tracker.State{Status: tracker.StatusReviewRequested}
	for _, r := range readLabelledReplies(t) {
		c := Classify(r.header, r.subject, r.body, r.law)
		if c.Kind == ReplyUnknown {
			if c.ProposedEvent != "" {
				t.Errorf("%s: unknown must propose nothing, got %s", r.name, c.ProposedEvent)
			}
			continue
		}
		st := sent
		if c.Kind == ReplyReviewOutcome {
			st = inReview
		}
		e := tracker.Event{Kind: c.ProposedEvent, Date: day, Outcome: c.ProposedOutcome, Reason: c.ProposedReason, NewDueDate: c.ProposedDueDate}
		if _, err := tracker.Apply(st, e); err != nil && (c.Kind != ReplyReviewOutcome || c.ProposedOutcome != "") {
			t.Errorf("%s: proposal %+v refused: %v", r.name, e, err)
		}
	}
	if !AutoApplicable(ReplyAcknowledgement) || !AutoApplicable(ReplyAutoReply) || !AutoApplicable(ReplyDeliveryFailure) {
		t.Error("acknowledgements, automatic replies and bounces are applied automatically")
	}
	for _, k := range []ReplyKind{ReplyClarificationRequest, ReplyExtensionNotice, ReplyRefusal, ReplyPartialRelease,
		ReplyFullRelease, ReplyNotHeld, ReplyReviewOutcome, ReplyUnknown} {
		if AutoApplicable(k) {
			t.Errorf("%s must wait for an editor", k)
		}
	}
	// What makes automatic application safe: these events never move the status.
	for _, k := range []tracker.EventKind{tracker.EventAcknowledged, tracker.EventNote} {
		if got, err := tracker.Apply(sent, tracker.Event{Kind: k, Date: day}); err != nil || got.Status != sent.Status {
			t.Errorf("%s changed the status to %s (%v)", k, got.Status, err)
		}
	}
}

func TestClassifyExtensionDetails(t *testing.T) {
	tests := []struct {
		law          tracker.LawCode
		text         string
		reason, date string
	}{
		{tracker.UKFOIA, "We need further time to consider the public interest test. We now aim to respond by Thursday 30 April 2026.", "public interest test", "2026-04-30"},
		{tracker.UKEIR, "Because of the complexity and volume of the information we will not be able to respond within 20 working days. Your new due date is 26 May 2026.", "complex and voluminous request", "2026-05-26"},
		{tracker.UKFOIA, "We are extending the deadline. The new due date is 07/05/2026.", "extension claimed", "2026-05-07"},
		{tracker.USFOIA, "Unusual circumstances apply and we are extending the time limit; we expect to respond by 05/07/2026.", "unusual circumstances", "2026-05-07"},
		{tracker.USFOIA, "Unusual circumstances apply; we will respond on or before May 12, 2026.", "unusual circumstances", "2026-05-12"},
		{tracker.USFOIA, "Unusual circumstances apply, so we are extending the time limit by ten working days.", "unusual circumstances", ""},
	}
	for _, tt := range tests {
		c := Classify(nil, "Extension", tt.text, tt.law)
		if c.Kind != ReplyExtensionNotice || c.ProposedReason != tt.reason || c.ProposedDueDate.String() != tt.date {
			t.Errorf("%q: got %s, %q, %q; want extension, %q, %q", tt.text, c.Kind, c.ProposedReason, c.ProposedDueDate, tt.reason, tt.date)
		}
	}
}

// Sentences seen in real letters that sit near a boundary between kinds.
func TestClassifyText(t *testing.T) {
	tests := []struct {
		text    string
		want    ReplyKind
		outcome string
		law     tracker.LawCode // uk-foia when empty
	}{
		{"We apologise that we were unable to respond within 20 working days. Please find attached the information you requested.", ReplyFullRelease, tracker.OutcomeReleasedInFull, ""},
		{"Please find the information below. For clarification, the figures include agency staff.", ReplyFullRelease, tracker.OutcomeReleasedInFull, ""},
		{"You will receive a response within 20 working days, unless an extension is needed to consider the public interest.", ReplyAcknowledgement, "", ""},
		{"In some cases we may need to extend the deadline. Your request has been logged and we aim to respond within 20 working days.", ReplyAcknowledgement, "", ""},
		{"Unfortunately we do not hold the information for question 2. The figures for question 1 are attached.", ReplyPartialRelease, tracker.OutcomeReleasedInPart, ""},
		{"We are unable to confirm or deny whether the information is held, as section 31(3) applies.", ReplyRefusal, tracker.OutcomeNCND, ""},
		{"The council considers your request to be a repeated request under section 14(2).", ReplyRefusal, tracker.OutcomeRefused, ""},
		{"All the information is attached and nothing has been withheld or redacted.", ReplyFullRelease, tracker.OutcomeReleasedInFull, ""},
		{"I have determined that 40 pages may be released in full and 3 pages are withheld in part under Exemption 6.", ReplyPartialRelease, tracker.OutcomeReleasedInPart, tracker.USFOIA},
		{"You may wish to narrow your request. Some information may be withheld.", ReplyUnknown, "", ""},
		{"Hello, thanks for your email.", ReplyUnknown, "", ""},
		// A template's "I enclose" left in a refusal.
		{"I enclose a copy of the information, with the exception of the information detailed below. I have decided to withhold the information in full under section 30(b)(i).", ReplyRefusal, tracker.OutcomeRefused, tracker.ScotFOISA},
		{"I enclose the records. We are withholding 2 records in full and releasing 19 records in part.", ReplyPartialRelease, tracker.OutcomeReleasedInPart, tracker.USFOIA},
		// The not-held exceptions withhold nothing, in Scotland as in England.
		{"Your request has been handled under the EISRs and regulation 10(4)(a) applies to it.", ReplyNotHeld, tracker.OutcomeNotHeld, tracker.ScotEISR},
		{"Your request has been handled under the EIRs and regulation 12(4)(a) applies to it.", ReplyNotHeld, tracker.OutcomeNotHeld, tracker.UKEIR},
	}
	for _, tt := range tests {
		law := tt.law
		if law == "" {
			law = tracker.UKFOIA
		}
		c := Classify(nil, "Re: FOI", tt.text, law)
		if c.Kind != tt.want || c.ProposedOutcome != tt.outcome {
			t.Errorf("%q: got %s %q (%s), want %s %q", tt.text, c.Kind, c.ProposedOutcome, c.Reason, tt.want, tt.outcome)
		}
	}
}

func TestClassifyReviewOutcome(t *testing.T) {
	const done = "I have now completed the internal review. "
	tests := []struct{ text, want string }{
		{done + "I uphold the original decision.", tracker.OutcomeUpheld},
		{done + "The exemption was correctly applied and the decision is upheld.", tracker.OutcomeUpheld},
		{done + "Your complaint is upheld and the information is enclosed.", tracker.OutcomeOverturned},
		{done + "Your complaint is not upheld.", tracker.OutcomeUpheld},
		{done + "The original decision is not upheld.", tracker.OutcomeOverturned},
		{done + "The original decision is overturned.", tracker.OutcomeOverturned},
		{done + "I partially uphold the original decision.", tracker.OutcomePartlyUpheld},
		{done + "Section 43 was correctly applied. However, the names should have been disclosed.", tracker.OutcomePartlyUpheld},
	}
	for _, tt := range tests {
		c := Classify(nil, "Internal review", tt.text, tracker.UKFOIA)
		if c.Kind != ReplyReviewOutcome || c.ProposedOutcome != tt.want {
			t.Errorf("%q: got %s %q, want review_outcome %q", tt.text, c.Kind, c.ProposedOutcome, tt.want)
		}
	}
	// Review letters that never say the review is done: the verdict, with
	// the subject or the request for review, is enough.
	for _, tt := range []struct{ subject, text, want string }{
		{"Internal review - IR/0091", "Findings: section 43(2) is engaged. This part of the decision is upheld. Section 41 was wrongly applied and the statement is attached. I have therefore partially upheld your complaint.", tracker.OutcomePartlyUpheld},
		{"Re: FOI 12044", "You asked the council to review its response. I am satisfied that section 43(2) was correctly applied.", tracker.OutcomeUpheld},
		{"IR 114/2026", "Having carried out a fresh review, I have decided to affirm the original decision.", tracker.OutcomeUpheld},
	} {
		c := Classify(nil, tt.subject, tt.text, tracker.UKFOIA)
		if c.Kind != ReplyReviewOutcome || c.ProposedOutcome != tt.want {
			t.Errorf("%q: got %s %q, want review_outcome %q", tt.text, c.Kind, c.ProposedOutcome, tt.want)
		}
	}
	// A first response that upholds nothing is not a review for having the word.
	if c := Classify(nil, "FOI 5530", "The planning inspector's decision letter is attached. The appeal was upheld.", tracker.UKFOIA); c.Kind == ReplyReviewOutcome {
		t.Errorf("a release about a planning appeal read as a review outcome: %+v", c)
	}
	// An acknowledgement of a review request is not an outcome.
	c := Classify(nil, "Internal review", "We acknowledge receipt of your request for an internal review. The review will be carried out by a senior officer.", tracker.UKFOIA)
	if c.Kind != ReplyAcknowledgement {
		t.Errorf("review acknowledgement: got %s", c.Kind)
	}
}

// The real out-of-office replies and bounces collected by Alaveteli (in
// ../shared) must be recognised from their headers and subjects.
func TestClassifySharedAutoReplies(t *testing.T) {
	dir := testenv.SharedDir(t, "fixtures/emails")
	want := map[string]ReplyKind{
		"track-response-abcmail-oof.eml":       ReplyAutoReply,
		"track-response-exchange-oof-1.eml":    ReplyAutoReply,
		"track-response-generic-oof.eml":       ReplyAutoReply,
		"track-response-lotus-oof-1.eml":       ReplyAutoReply,
		"track-response-messagelabs-oof-1.eml": ReplyAutoReply,
		"track-response-outlook-oof.eml":       ReplyAutoReply,
		"track-response-ms-bounce.eml":         ReplyDeliveryFailure,
		"track-response-webshield-bounce.eml":  ReplyDeliveryFailure,
		"autoresponse-header.eml":              ReplyDeliveryFailure,
		// People's replies must not be taken for automatic ones.
		"normal-contact-reply.eml":   "human",
		"incoming-request-plain.eml": "human",
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	dec := mime.WordDecoder{}
	for _, name := range names {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		msg, err := mail.ReadMessage(strings.NewReader(strings.ReplaceAll(string(raw), "\r\n", "\n")))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, _ := io.ReadAll(msg.Body)
		subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			subject = msg.Header.Get("Subject")
		}
		c := Classify(msg.Header, subject, string(body), tracker.UKFOIA)
		automatic := c.Kind == ReplyAutoReply || c.Kind == ReplyDeliveryFailure
		if want[name] == "human" && automatic || want[name] != "human" && c.Kind != want[name] {
			t.Errorf("%s: got %s (reason %q), want %s", name, c.Kind, c.Reason, want[name])
		}
	}
}
