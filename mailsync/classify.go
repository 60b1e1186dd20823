package mailsync

import (
	"mime"
	"regexp"
	"strings"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// ReplyKind is what a reply from an authority is, as far as its text shows.
type ReplyKind string

const (
	ReplyAcknowledgement      ReplyKind = "acknowledgement"
	ReplyClarificationRequest ReplyKind = "clarification_request"
	ReplyExtensionNotice      ReplyKind = "extension_notice"
	ReplyRefusal              ReplyKind = "refusal"
	ReplyPartialRelease       ReplyKind = "partial_release"
	ReplyFullRelease          ReplyKind = "full_release"
	ReplyNotHeld              ReplyKind = "not_held"
	ReplyReviewOutcome        ReplyKind = "review_outcome"
	ReplyAutoReply            ReplyKind = "auto_reply" // out-of-office and other automatic replies
	ReplyDeliveryFailure      ReplyKind = "delivery_failure"
	ReplyUnknown              ReplyKind = "unknown"
)

// ReplyKinds lists every kind with a label, in lifecycle order.
var ReplyKinds = []struct {
	Kind  ReplyKind
	Label string
}{
	{ReplyAcknowledgement, "Acknowledgement"},
	{ReplyClarificationRequest, "Clarification request"},
	{ReplyExtensionNotice, "Extension notice"},
	{ReplyRefusal, "Refusal"},
	{ReplyPartialRelease, "Partial release"},
	{ReplyFullRelease, "Full release"},
	{ReplyNotHeld, "Information not held"},
	{ReplyReviewOutcome, "Internal review outcome"},
	{ReplyAutoReply, "Automatic reply"},
	{ReplyDeliveryFailure, "Delivery failure"},
	{ReplyUnknown, "Not recognised"},
}

// Label is the human name of the kind.
func (k ReplyKind) Label() string {
	for _, r := range ReplyKinds {
		if r.Kind == k {
			return r.Label
		}
	}
	return string(k)
}

// Headers is what Classify reads from a message header. This package's
// Header, net/mail.Header, net/textproto.MIMEHeader and go-message's
// mail.Header all have this method.
type Headers interface {
	Get(key string) string
}

// Classification is the proposed reading of a reply: what kind it is, the
// sentence that shows it, and the lifecycle event it would record.
type Classification struct {
	Kind ReplyKind `json:"kind"`
	// Sentence is the evidence from the text ("" when the headers decided).
	Sentence string `json:"sentence,omitempty"`
	// Reason says why, for a person checking the proposal:
	// "Auto-Submitted: auto-replied", "exemption cited and information enclosed".
	Reason string `json:"reason"`
	// Exemptions cited in the text (see tracker.DetectExemptions); none for
	// automatic replies and bounces, whose text is not the authority's answer.
	Exemptions []tracker.ExemptionCitation `json:"exemptions,omitempty"`
	// ProposedEvent is the event to record when an editor confirms ("" for
	// unknown). Automatic replies and bounces propose a note.
	ProposedEvent tracker.EventKind `json:"proposed_event,omitempty"`
	// ProposedOutcome goes with a response or review outcome event; "" for a
	// review whose outcome the text does not make clear (the editor picks).
	ProposedOutcome string `json:"proposed_outcome,omitempty"`
	// ProposedReason and ProposedDueDate go with an extension: "public
	// interest test", "unusual circumstances"…, and the new date when the
	// notice gives one.
	ProposedReason  string       `json:"proposed_reason,omitempty"`
	ProposedDueDate tracker.Date `json:"proposed_due_date"`
}

// AutoApplicable reports whether a reply of this kind may be recorded on its
// request without an editor confirming it. Only kinds that cannot change the
// request's status or outcome qualify:
//
//   - acknowledgement: recorded as an "Acknowledged" event, which never
//     changes the status (and only where tracker.Apply allows it; otherwise it
//     stays a proposal);
//   - auto_reply and delivery_failure: recorded as a note on the request,
//     which changes nothing. A bounce still needs a person: the request may
//     not have reached the authority, and its clock may not have started.
//
// Every other kind (clarification request, extension notice, refusal,
// partial or full release, not held, internal review outcome, unknown) is
// shown on the request page as a proposal with the sentence it came from,
// and becomes an event only when an editor confirms it.
func AutoApplicable(kind ReplyKind) bool {
	return kind == ReplyAcknowledgement || kind == ReplyAutoReply || kind == ReplyDeliveryFailure
}

// Classify reads a reply: its header for bounces and automatic replies, then
// its text for what the authority says. text should be the reply's own text
// (QuotedFolded's reply part): quoted history would be read as if the
// authority had written it. Lines starting with ">" are ignored in any case.
//
// A nil h is allowed (no header). The law is the request's law, for
// exemption detection.
func Classify(h Headers, subject, text string, law tracker.LawCode) Classification {
	return classifyReply(h, subject, readReply(text), law)
}

// replyReading is the part of classifying a reply that does not depend on
// the law: its own text, its sentences and the cues they show. The sync
// works it out while parsing, outside the writer's transaction, which only
// adds what the request's law changes (exemptions, dates).
type replyReading struct {
	text      string
	sentences []tracker.Sentence
	ev        evidence
}

func readReply(text string) *replyReading {
	text = withoutQuotedLines(text)
	sentences := tracker.Sentences(text)
	return &replyReading{text: text, sentences: sentences, ev: gather(sentences)}
}

// classifyReply is Classify of a reply read by readReply.
func classifyReply(h Headers, subject string, rr *replyReading, law tracker.LawCode) Classification {
	if h == nil {
		h = noHeaders{}
	}
	text, sentences := rr.text, rr.sentences

	if reason, ok := deliveryFailure(h, subject); ok {
		return proposal(Classification{Kind: ReplyDeliveryFailure, Reason: reason,
			Sentence: firstMatch(sentences, bounceTextFilter)})
	}
	if reportType(h) == "disposition-notification" {
		return proposal(Classification{Kind: ReplyAutoReply, Reason: "read receipt (multipart/report; report-type=disposition-notification)"})
	}
	if outOfOfficeSubject.MatchString(subject) {
		return proposal(Classification{Kind: ReplyAutoReply, Reason: "Subject: " + subject,
			Sentence: firstMatch(sentences, outOfOfficeFilter)})
	}

	citations := tracker.DetectExemptions(law, text)
	c := classifyText(sentences, rr.ev, citations, law, reviewSubject.MatchString(subject))
	c.Exemptions = citations
	auto := automaticReply(h, subject)
	oof := firstMatch(sentences, outOfOfficeFilter)
	// Automatic headers alone do not make a reply an out-of-office: FOI case
	// systems send acknowledgements, and sometimes whole responses, with
	// Auto-Submitted set. The text decides unless it says nothing, or says
	// only "thank you, I am away".
	if (auto != "" || oof != "") && (c.Kind == ReplyUnknown || oof != "" && c.Kind == ReplyAcknowledgement) {
		reason := auto
		if reason == "" {
			reason = "out-of-office text"
		}
		return proposal(Classification{Kind: ReplyAutoReply, Reason: reason, Sentence: oof}) // no exemptions: see Classification
	}
	if auto != "" {
		c.Reason += " (sent automatically: " + auto + ")"
	}
	return proposal(c)
}

type noHeaders struct{}

func (noHeaders) Get(string) string { return "" }

// proposal fills in the event an editor would record for c.Kind.
func proposal(c Classification) Classification {
	switch c.Kind {
	case ReplyAcknowledgement:
		c.ProposedEvent = tracker.EventAcknowledged
	case ReplyClarificationRequest:
		c.ProposedEvent = tracker.EventClarificationRequested
	case ReplyExtensionNotice:
		c.ProposedEvent = tracker.EventExtensionClaimed
	case ReplyRefusal, ReplyPartialRelease, ReplyFullRelease, ReplyNotHeld:
		c.ProposedEvent = tracker.EventResponseReceived
		if c.ProposedOutcome == "" {
			c.ProposedOutcome = map[ReplyKind]string{
				ReplyRefusal:        tracker.OutcomeRefused,
				ReplyPartialRelease: tracker.OutcomeReleasedInPart,
				ReplyFullRelease:    tracker.OutcomeReleasedInFull,
				ReplyNotHeld:        tracker.OutcomeNotHeld,
			}[c.Kind]
		}
	case ReplyReviewOutcome:
		c.ProposedEvent = tracker.EventReviewOutcome
	case ReplyAutoReply, ReplyDeliveryFailure:
		c.ProposedEvent = tracker.EventNote
	}
	return c
}

// withoutQuotedLines drops the history of the thread (see QuotedFolded) and
// any other line quoted with ">". What is left is the authority's own text:
// our request quoted below it is not their answer.
func withoutQuotedLines(text string) string {
	text, quoted := QuotedFolded(text)
	if quoted != "" && pointsBelow(text) {
		// "Please see the response below": the authority forwarded its
		// answer, which is the first message of the history. The rest
		// (often our request) is still not theirs. The pointer itself is
		// no evidence of a release ("see … below" reads as one).
		text = belowPointer.ReplaceAllString(text, "") + "\n" + firstQuotedMessage(quoted)
	}
	lines := strings.Split(text, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimLeft(l, " \t"), ">") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// belowPointer is a short cover note that hands the reader to the text
// below it: "Please see the response below", "Our reply is below".
var belowPointer = regexp.MustCompile(`(?i)\b(?:see|find|read|refer to)\b[^.\n]{0,40}\bbelow\b|\b(?:response|reply|answer)\b[^.\n]{0,20}\bbelow\b`)

// pointsBelow says whether a reply is only a cover note for what follows.
func pointsBelow(reply string) bool {
	reply = strings.TrimSpace(reply)
	return len(reply) < 600 && belowPointer.MatchString(reply)
}

// firstQuotedMessage is the body of the first message in a quoted history:
// after its header block, up to the next quoted message.
func firstQuotedMessage(quoted string) string {
	lines := strings.Split(quoted, "\n")
	body := 1 // the line after the one that starts the quote
	for i := 1; i < len(lines) && i <= 8; i++ {
		if strings.TrimSpace(lines[i]) == "" {
			body = i + 1
			break
		}
	}
	if body >= len(lines) {
		return ""
	}
	rest, _ := QuotedFolded(strings.Join(lines[body:], "\n"))
	return rest
}

// Bounces (delivery status notifications).
var (
	// Subjects MTAs give bounces: Postfix "Undelivered Mail Returned to
	// Sender", Exchange "Undeliverable:", Gmail "Delivery Status Notification
	// (Failure)", Exim "Mail delivery failed", Sendmail "Returned mail:", qmail "failure notice".
	bounceSubject = regexp.MustCompile(`(?i)^\s*(?:undeliverable|undelivered mail|delivery status notification|mail delivery failed|returned mail|delivery failure|failure notice|message not delivered|non-?delivery|delivery has failed|mail system error)`)
	// Senders of bounces.
	bounceFrom = regexp.MustCompile(`(?i)\b(?:mailer-daemon|postmaster)@|mail delivery (?:system|subsystem)`)
	// The sentence of a bounce worth showing.
	bounceText = regexp.MustCompile(`(?i)could not be delivered|delivery has failed|undeliverable|user unknown|recipient (?:address )?(?:rejected|not found)|does not exist|couldn't be found|mailbox (?:unavailable|full)`)
)

// reportType returns the report-type of a multipart/report message, or "".
func reportType(h Headers) string {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/report" {
		return ""
	}
	return strings.ToLower(params["report-type"])
}

func deliveryFailure(h Headers, subject string) (string, bool) {
	reason := ""
	switch {
	case reportType(h) == "delivery-status":
		reason = "Content-Type: multipart/report; report-type=delivery-status"
	case bounceFrom.MatchString(h.Get("From")):
		reason = "From: " + h.Get("From")
	case bounceSubject.MatchString(subject):
		reason = "Subject: " + subject
	default:
		return "", false
	}
	if strings.Contains(strings.ToLower(subject), "delay") {
		reason += " (a delay warning: the mail may still be delivered)"
	}
	return reason, true
}

// Automatic replies.
var (
	// Out-of-office subjects: Outlook "Out of Office:", "Out of Office
	// AutoReply:", Lotus "… is out of the office", "AUTO: …", "On leave".
	// A subject that merely mentions leave ("FOI - staff on maternity leave")
	// is not one: leave words count only as "is on leave" or at the start.
	outOfOfficeSubject = regexp.MustCompile(`(?i)\bout of (?:the )?office\b|\bOOO\b|^\s*auto:|\bis (?:on (?:annual )?leave|away)\b|^\s*(?:on )?(?:annual )?leave\b|\baway from (?:the|my) (?:office|desk)\b`)
	// Subjects of other automatic replies, which may still be an FOI team's
	// automatic acknowledgement: Exchange "Automatic reply:", "Auto-Reply", "Autoreply".
	autoReplySubject = regexp.MustCompile(`(?i)^\s*(?:automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|automatic response)\b`)
	// Out-of-office sentences.
	outOfOfficeText = regexp.MustCompile(`(?i)\b(?:I am|I'm|I will be) (?:currently )?(?:out of (?:the )?office|away|on (?:annual |maternity |paternity |parental |sick )?leave|not in the office|working remotely with)\b|\bon (?:annual )?leave until\b|\b(?:no|limited) access to (?:my )?e-?mails?\b|\bout of (?:the )?office (?:until|returning)\b|\breturning on\b|\bback in the office on\b`)
)

// automaticReply returns why the header or subject marks a message as
// automatic, or "". Deliberately not used on their own:
// X-Auto-Response-Suppress (Exchange sets it on many system messages,
// including FOI case systems' real responses) and
// X-MS-Exchange-Inbox-Rules-Loop (also set on mail forwarded by a rule,
// which may be a real reply).
func automaticReply(h Headers, subject string) string {
	if v := strings.TrimSpace(h.Get("Auto-Submitted")); v != "" && !strings.EqualFold(v, "no") {
		return "Auto-Submitted: " + v // RFC 3834
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if v := h.Get(k); v != "" {
			return k + ": " + v
		}
	}
	if v := h.Get("X-MS-Exchange-Generated-Message-Source"); strings.Contains(strings.ToLower(v), "mailbox rules agent") {
		return "X-MS-Exchange-Generated-Message-Source: " + v // Exchange out-of-office and inbox-rule replies
	}
	p := strings.ToLower(strings.TrimSpace(h.Get("Precedence")))
	if p == "auto_reply" {
		return "Precedence: auto_reply"
	}
	if autoReplySubject.MatchString(subject) {
		if p == "bulk" || p == "junk" {
			return "Precedence: " + p + " and Subject: " + subject
		}
		return "Subject: " + subject
	}
	return ""
}

// signal is one thing the text of a reply can show.
type signal int

const (
	sigAcknowledged signal = iota
	sigClarification
	sigExtension
	sigReviewDone     // an internal review or appeal has been decided
	sigReviewDecision // uphold, overturn, affirm…
	sigReleased       // information is given, attached or enclosed
	sigPartial        // redactions, release in part
	sigWithheld       // information withheld or exempt, cost or vexatious refusal
	sigWithheldAll    // all of it withheld: "withhold the information in full"
	sigRefused        // the request is refused, without saying why
	sigNotHeld
	sigNCND // neither confirm nor deny
	numSignals
)

// cue is a phrase that shows a signal.
type cue struct {
	signal signal
	re     *regexp.Regexp
	// any: the cue counts even in a conditional sentence (see hypothetical),
	// because it is itself phrased as a polite request.
	any bool
}

func re(pattern string) *regexp.Regexp { return regexp.MustCompile(`(?i)` + pattern) }

// cues are the phrases the classifier looks for, sentence by sentence. Each
// is a short phrase, so that a misreading can be traced to one line.
var cues = []cue{
	// Acknowledgements: receipt confirmed, an answer promised.
	{sigAcknowledged, re(`\backnowledges? (?:the )?receipt\b|\bwe acknowledge receipt\b`), false},
	{sigAcknowledged, re(`\b(?:we|I) have (?:now )?received your (?:request|e-?mail|application|letter|appeal|FOI)`), false},
	{sigAcknowledged, re(`\bconfirm that we have received\b`), false},
	{sigAcknowledged, re(`\byour (?:request|e-?mail|application) (?:has been|is being|was|will be) (?:received|logged|registered|recorded|assigned|passed)\b`), false},
	{sigAcknowledged, re(`\b(?:reference|tracking|case) number\b.{0,40}\b(?:assigned|given|allocated)\b|\b(?:assigned|given|allocated) (?:the )?(?:reference|tracking|case) number\b`), false},
	{sigAcknowledged, re(`\b(?:we|I) (?:will|shall|aim to|expect to) (?:respond|reply|send you (?:a|our) (?:response|reply)|provide (?:you with )?(?:a|our) response)\b`), false},
	{sigAcknowledged, re(`\byou (?:should|will|can expect to) (?:therefore )?receive (?:a|our) (?:response|reply)\b`), false},

	// Clarification requests: the authority needs us to say more.
	{sigClarification, re(`\bplease (?:could you )?(?:clarify|specify|confirm (?:which|what|whether)|identify the)\b`), true},
	{sigClarification, re(`\b(?:could|can|would) you (?:please )?(?:clarify|specify|confirm (?:which|what|whether)|tell us (?:which|what|whether)|let us know (?:which|what|whether)|provide (?:more|further) (?:details|information))\b`), true},
	{sigClarification, re(`\bif you could (?:please )?(?:clarify|specify|confirm (?:which|what|whether))\b`), true},
	{sigClarification, re(`\b(?:need|require|request|seek|awaiting) (?:some )?(?:further |more |additional )?(?:clarification|information (?:from you )?(?:before|to identify|to locate))\b`), false},
	{sigClarification, re(`\b(?:need|require) (?:some )?(?:further|more|additional) (?:information|details) (?:from you|before)?`), false},
	{sigClarification, re(`\bbefore we can (?:process|proceed|deal with|respond|begin)\b|\bonce we receive your clarification\b`), false},
	{sigClarification, re(`\bdoes not reasonably describe\b|\byour request is (?:unclear|ambiguous|too broad)\b`), false},

	// Extension notices: the deadline moves.
	{sigExtension, re(`\b(?:extend|extending) (?:the )?(?:time|deadline|period|date|response|timescale)`), false},
	{sigExtension, re(`\bextension (?:of|to) (?:the )?(?:time|deadline|period|date|response)`), false},
	{sigExtension, re(`\b(?:need|needs|require|requires) (?:additional|further|more|extra) time\b|\bwill need (?:additional|further|more|extra) time\b`), false},
	{sigExtension, re(`\b(?:new|revised|extended) (?:target |due |response )?(?:date|deadline)\b`), false},
	{sigExtension, re(`\bunusual circumstances\b`), false},
	{sigExtension, re(`\b(?:will not|won't|cannot|can't) be able to (?:respond|reply|provide|complete|send)\b`), false},
	{sigExtension, re(`\bnot (?:yet )?(?:reached|made|completed) (?:a|our) (?:final )?decision\b`), false},
	{sigExtension, re(`\b(?:unable|not (?:been )?able) to (?:complete|conclude|finish)\b[^.]{0,80}\bwithin\b`), false},

	// Internal reviews and appeals that have been decided, and their verdicts.
	{sigReviewDone, re(`\b(?:completed|conducted|carried out|undertaken|concluded) (?:an? |the |this |my |our )?(?:[a-z-]+ )?(?:internal )?review\b`), false}, // "a fresh review"
	{sigReviewDone, re(`\b(?:asked|asking|requested|requesting) (?:(?:the|us|our|this)\b\s*)?(?:[a-z]+ )?to review (?:its|our|the|their|this) (?:original )?(?:response|decision|handling)\b`), false},
	{sigReviewDone, re(`\bI am the (?:internal )?reviewer\b|\b(?:internal )?review (?:of|into) (?:our|the) (?:original )?(?:response|decision|handling)\b`), false},
	{sigReviewDone, re(`\b(?:outcome|result|findings?) of (?:the|my|our|this|your) (?:internal )?review\b|\binternal review (?:outcome|decision)\b`), false},
	{sigReviewDone, re(`\bI have (?:now )?reviewed\b|\bconsidering your (?:administrative )?appeal\b|\bon your appeal\b`), false},
	{sigReviewDecision, re(`\buph(?:o|e)ld(?:s|ing)?\b|\baffirm(?:s|ed|ing)?\b|\bovertur(?:n|ns|ned|ning)\b|\brevers(?:e|ed|ing)\b|\bremand(?:s|ed|ing)?\b`), false},
	{sigReviewDecision, re(`\b(?:correctly|properly) (?:applied|withheld|refused)\b|\bshould have been (?:disclosed|released|provided)\b`), false},
	{sigReviewDecision, re(maintainDecision), false},

	// Responses.
	{sigReleased, re(`\b(?:please )?(?:find|see) (?:the )?(?:attached|enclosed|below)\b`), false},
	{sigReleased, re(`\b(?:find|see) (?:the |our |my )?(?:information|details|figures|data|answers?|response|reply|documents?|records?|cop(?:y|ies))\b[^.]{0,30}\b(?:attached|enclosed|below)\b`), false},
	{sigReleased, re(`\b(?:is|are|has been|have been) (?:attached|enclosed)\b|\b(?:I|we) (?:enclose|attach|have attached|am enclosing|are enclosing)\b`), false},
	{sigReleased, re(`\b(?:released|disclosed|provided|granted) in full\b|\bgrant(?:ed)? full access\b|\bhas been provided\b`), false},
	{sigReleased, re(`\b(?:are|is) being released\b|\bset out in the table below\b`), false},
	{sigReleased, re(`\b(?:answers?|information|figures|details|data|responses?)\b[^.]{0,40}\b(?:are|is) (?:set out |provided |shown |given |listed )?(?:below|as follows)\b`), false},
	{sigReleased, re(`\bin (?:response|answer|reply) to (?:your )?(?:question|part|point) \d`), false},
	{sigPartial, re(`\bredact(?:ed|ion|ions)?\b|\bedited cop(?:y|ies)\b`), false},
	{sigPartial, re(`\b(?:released|disclosed|granted|provided|access|withheld) in part\b|\bpartial(?:ly)? (?:release|released|releasable|grant|granted|disclosure|disclosed|access)\b`), false},
	// "a decision to part grant your request" (Ireland), "I have decided to
	// disclose some of the located information" (police).
	{sigPartial, re(`\bpart[- ]?grant(?:s|ed|ing)?\b|\b(?:disclose|release|provide|grant access to) (?:some|part) of the (?:located |requested |relevant )?(?:information|records|documents)\b`), false},
	{sigPartial, re(`\bportions\b.{0,60}\bwithheld\b|\b(?:some|certain|parts of the) (?:information|material|details|content) (?:has|have) (?:also )?been (?:withheld|removed)\b|\b(?:has|have) (?:also )?been removed\b`), false},
	{sigWithheld, re(`\b(?:is|are|was|were|been|being|be) (?:therefore )?(?:withheld|exempt)\b|\bexempt from disclosure\b|\bwithhold(?:ing)?\b`), false},
	{sigWithheld, re(`\bexceeds? (?:the )?(?:appropriate|cost|costs|fees?) limit\b|\bwould exceed the (?:appropriate|cost) limit\b|\bexcessive cost\b`), false},
	{sigWithheld, re(`\bvexatious\b|\bmanifestly unreasonable\b|\brepeated request\b`), false},
	{sigWithheldAll, re(`\bwithh[eo]ld(?:ing)? (?:the |this |all (?:of )?(?:the )?)?(?:requested )?(?:information|documents|records|material) in (?:full|(?:its|their) entirety)\b|\ball (?:of )?(?:the )?(?:information|documents|records)\b[^.]{0,40}\b(?:is|are) (?:therefore )?(?:exempt|withheld)\b`), false},
	{sigRefused, re(`\brefus(?:e|ed|ing) (?:access|your request|the request|this request|to (?:provide|disclose|release))\b|\brefusal notice\b|\bdenied\b|\bdeny(?:ing)? your request\b`), false},
	{sigRefused, re(`\b(?:unable|not able|not in a position) to (?:provide|disclose|release|comply)\b`), false},
	{sigNotHeld, re(`\b(?:does|do|did) not hold\b|\b(?:is|are|was|were) not held\b|\bhold(?:s)? no (?:recorded )?(?:information|records|data)\b|\bno (?:recorded )?information (?:is |was )?held\b`), false},
	{sigNotHeld, re(`\bno (?:responsive|relevant) (?:records|documents)\b|\b(?:located|found|identified) no (?:responsive |relevant )?(?:records|documents)\b`), false},
	{sigNotHeld, re(`\bno (?:records|documents)(?: relevant to your request| responsive to your request)? (?:were|was|could be) (?:located|found|identified)\b|\b(?:do|does) not exist\b`), false},
	{sigNCND, re(`\bneither confirms? nor den(?:y|ies)\b|\b(?:unable|not able|not obliged|not required) to confirm or deny\b`), false},
}

// hypothetical matches sentences about what may happen, not what has: a
// conditional opener ("If…", "In some cases…", see tracker.ConditionalSentence)
// or "may"/"might" ("some information may be withheld", "you may wish to
// narrow your request", "you may ask for an internal review").
var (
	mayMight = regexp.MustCompile(`(?i)\b(?:may|might)\b`)
	// The month: "26 May 2026", "May 26, 2026".
	monthMay = regexp.MustCompile(`(?i)\b\d{1,2}(?:st|nd|rd|th)?\s+may\b|\bmay\s+\d`)
)

// decided marks a sentence that reports a decision even when it says "may":
// "I have determined that 180 pages may be released".
var decided = regexp.MustCompile(`(?i)\b(?:I|we) have (?:now )?(?:determined|decided|concluded)\b`)

func hypothetical(s string) bool { return hypotheticalFolded(s, fold(s)) }

// hypotheticalFolded is hypothetical with fold(s) at hand.
func hypotheticalFolded(s, folded string) bool {
	if tracker.ConditionalSentence(s) {
		return true
	}
	if mayMightFilter.need != nil && !containsAny(folded, mayMightFilter.need) {
		return false
	}
	return mayMight.MatchString(monthMay.ReplaceAllString(s, "")) && !decided.MatchString(s)
}

// apology matches "sorry we were unable to respond within 20 working days",
// said in late responses: not a notice of extension.
var apology = regexp.MustCompile(`(?i)\bapologi[sz]e|\bsorry\b`)

// negated matches sentences that deny a withholding: "nothing has been
// withheld", "no information was redacted", "without redaction".
var negated = regexp.MustCompile(`(?i)\b(?:no|not|nothing|none|without)\b[^.]{0,30}\b(?:withheld|withhold|redact|exempt)`)

// Codes that do not withhold anything: the EIR, EISR, Irish and Australian
// "not held" provisions, and FOIA s39 / FOISA s39(2), which only send a request
// to the environmental regulations.
var notHeldCodes = map[string]bool{"uk-eir:reg12(4)(a)": true, "scot-eisr:reg10(4)(a)": true, "ie-foi:s15(1)(a)": true, "au-foi:s24A": true}
var routingCodes = map[string]bool{"uk-foia:s39": true, "scot-foisa:s39(2)": true}

// aboutRights matches sentences that attach the usual enclosures of any
// decision letter ("Information about your rights of review is attached",
// "the public interest test is set out in the annex"), which release nothing.
var aboutRights = regexp.MustCompile(`(?i)\b(?:rights?|review|appeal|complain(?:t|ts)?|public interest test|leaflet|procedure)\b`)

// evidence is, per signal, the first sentence that shows it.
type evidence [numSignals]string

func (e evidence) has(s signal) bool { return e[s] != "" }

// Prefiltered forms of the patterns read on every sentence (see prefilter):
// cueFilters[i] is cues[i].re's.
var (
	cueFilters = func() []prefiltered {
		out := make([]prefiltered, len(cues))
		for i, c := range cues {
			out[i] = prefilter(c.re)
		}
		return out
	}()
	mayMightFilter    = prefilter(mayMight)
	negatedFilter     = prefilter(negated)
	aboutRightsFilter = prefilter(aboutRights)
	apologyFilter     = prefilter(apology)
	bounceTextFilter  = prefilter(bounceText)
	outOfOfficeFilter = prefilter(outOfOfficeText)
)

func gather(sentences []tracker.Sentence) evidence {
	var ev evidence
	for _, s := range sentences {
		folded := fold(s.Text)
		hypo := hypotheticalFolded(s.Text, folded)
		neg := negatedFilter.match(s.Text, folded)
		rights := aboutRightsFilter.match(s.Text, folded)
		sorry := apologyFilter.match(s.Text, folded)
		for i, c := range cues {
			if ev[c.signal] != "" || (hypo && !c.any) {
				continue
			}
			if neg && (c.signal == sigWithheld || c.signal == sigPartial) || c.signal == sigReleased && rights ||
				c.signal == sigExtension && sorry {
				continue
			}
			if cueFilters[i].match(s.Text, folded) {
				ev[c.signal] = s.Text
			}
		}
	}
	return ev
}

// classifyText decides the kind from the sentences. The order matters and is
// the whole policy: a decided review beats everything (review letters repeat
// the refusal they review); an extension or clarification beats a response
// (an extension letter names the exemption it is weighing; a clarification
// letter may say what is not held); a response beats an acknowledgement
// (responses thank the requester for the request too).
//
// inReview says the subject is that of a review or appeal ("Internal review
// of …"): then a verdict is enough, as review letters often go straight to
// their findings without saying that the review is done.
func classifyText(sentences []tracker.Sentence, ev evidence, citations []tracker.ExemptionCitation, law tracker.LawCode, inReview bool) Classification {
	var withholding, notHeldCited []string
	withholdingSentence := ""
	for _, c := range citations {
		key := string(c.Law) + ":" + c.Code
		switch {
		case notHeldCodes[key]:
			notHeldCited = append(notHeldCited, c.Code)
		case !routingCodes[key] && !hypothetical(c.Sentence): // "may fall under section 43(2)"
			withholding = append(withholding, c.Code)
			withholdingSentence = firstOf(withholdingSentence, c.Sentence)
		}
	}
	notHeld := ev.has(sigNotHeld) || len(notHeldCited) > 0
	// "We refuse your request" after "we do not hold it" refuses nothing held.
	withheld := ev.has(sigWithheld) || ev.has(sigNCND) || len(withholding) > 0 || ev.has(sigRefused) && !notHeld
	withheldWhy := "request refused"
	if len(withholding) > 0 {
		withheldWhy = "exemption cited: " + strings.Join(withholding, ", ")
	}
	withheldSentence := firstOf(ev[sigNCND], ev[sigWithheld], withholdingSentence, ev[sigRefused])

	switch {
	case (ev.has(sigReviewDone) || inReview) && ev.has(sigReviewDecision):
		outcome := reviewOutcome(sentences)
		return Classification{Kind: ReplyReviewOutcome, Sentence: ev[sigReviewDecision], ProposedOutcome: outcome,
			Reason: "a decided review or appeal (" + firstOf(tracker.OutcomeLabel(outcome), "outcome unclear") + ")"}
	case ev.has(sigExtension):
		reason, due := extensionDetails(sentences, law)
		return Classification{Kind: ReplyExtensionNotice, Sentence: ev[sigExtension], Reason: "the response date moves",
			ProposedReason: reason, ProposedDueDate: due}
	case ev.has(sigClarification):
		return Classification{Kind: ReplyClarificationRequest, Sentence: ev[sigClarification], Reason: "the authority asks for clarification"}
	case ev.has(sigPartial):
		return Classification{Kind: ReplyPartialRelease, Sentence: ev[sigPartial], Reason: "information released with parts withheld or redacted"}
	case ev.has(sigWithheldAll) && !notHeld:
		// Letters are built from templates, and "I enclose a copy of the
		// information" survives in refusals; "withheld in full" is the decision.
		return Classification{Kind: ReplyRefusal, Sentence: ev[sigWithheldAll], Reason: "all the information withheld (" + withheldWhy + ")"}
	case withheld && ev.has(sigReleased):
		return Classification{Kind: ReplyPartialRelease, Sentence: withheldSentence,
			Reason: "some information released, some withheld (" + withheldWhy + ")"}
	case withheld:
		c := Classification{Kind: ReplyRefusal, Sentence: withheldSentence, Reason: "information withheld or request refused (" + withheldWhy + ")"}
		if ev.has(sigNCND) {
			c.ProposedOutcome = tracker.OutcomeNCND
			c.Reason = "neither confirms nor denies that the information is held"
		}
		return c
	case notHeld && ev.has(sigReleased):
		return Classification{Kind: ReplyPartialRelease, Sentence: ev[sigNotHeld], Reason: "some information released, some not held"}
	case notHeld && ev.has(sigNotHeld):
		return Classification{Kind: ReplyNotHeld, Sentence: ev[sigNotHeld], Reason: "the information is not held"}
	case notHeld:
		return Classification{Kind: ReplyNotHeld, Reason: "not-held provision cited: " + strings.Join(notHeldCited, ", ")}
	case ev.has(sigReleased):
		return Classification{Kind: ReplyFullRelease, Sentence: ev[sigReleased], Reason: "information released, nothing withheld"}
	case ev.has(sigAcknowledged):
		return Classification{Kind: ReplyAcknowledgement, Sentence: ev[sigAcknowledged], Reason: "receipt acknowledged"}
	}
	return Classification{Kind: ReplyUnknown, Reason: "no recognised phrase"}
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstMatch(sentences []tracker.Sentence, p prefiltered) string {
	for _, s := range sentences {
		if p.match(s.Text, fold(s.Text)) {
			return s.Text
		}
	}
	return ""
}

// reviewSubject matches the subject of a review or appeal thread: "Internal
// review of Freedom of Information request …", "FOIA Appeal", "Appeal No. A-2026-00812".
var reviewSubject = re(`\binternal review\b|\b(?:FOIA?|administrative) appeal\b|\bappeal (?:no\b|number|ref|decision)`)

// "decided to maintain the original response": upheld.
const maintainDecision = `\bmaintain(?:s|ed|ing)? (?:the|its|our) (?:original |initial )?(?:decision|response|position|refusal)\b`

// Review verdicts.
var (
	partlyUpheld = re(`\b(?:partially|partly|in part) uph(?:o|e)ld\b|\buph(?:o|e)ld(?:s|ing)? (?:\w+ ){0,4}in part\b`)
	overturned   = re(`\bovertur(?:n|ns|ned|ning)\b|\brevers(?:e|ed|ing) (?:the|our|its) (?:original )?decision\b|\bremand(?:s|ed|ing)?\b|\bnot (?:been )?(?:correctly|properly) applied\b|\bshould have been (?:disclosed|released|provided)\b`)
	upholdWord   = re(`\buph(?:o|e)ld(?:s|ing)?\b|\baffirm(?:s|ed|ing)?\b|\b(?:correctly|properly) (?:applied|withheld|refused)\b|` + maintainDecision)
	// "I do not uphold", "is not upheld", "cannot affirm".
	upholdNegated = re(`\b(?:not|cannot|can't)\b(?:\s+\w+){0,3}\s+(?:uph(?:o|e)ld|affirm)`)
	// The requester's side of a review: upholding a complaint or an appeal
	// is a win for the requester, upholding a decision a loss.
	requesterSide = re(`\b(?:your|the) (?:complaint|appeal|grounds|arguments|request for (?:an? )?(?:internal )?review)\b`)
	decisionSide  = re(`\b(?:decision|response|refusal|exemptions?|action|determination)\b`)
)

// reviewOutcome reads the verdict of a review: upheld, overturned, partly
// upheld, or "" when the text does not say clearly.
func reviewOutcome(sentences []tracker.Sentence) string {
	var up, over, partly bool
	for _, s := range sentences {
		t := s.Text
		if hypothetical(t) {
			continue
		}
		if partlyUpheld.MatchString(t) {
			partly = true
			continue
		}
		if overturned.MatchString(t) {
			over = true
		}
		if upholdWord.MatchString(t) && !overturned.MatchString(t) {
			forRequester := requesterSide.MatchString(t) && !decisionSide.MatchString(t)
			if upholdNegated.MatchString(t) != forRequester {
				over = true // "your complaint is upheld", "the decision is not upheld"
			} else {
				up = true
			}
		}
	}
	switch {
	case partly || up && over:
		return tracker.OutcomePartlyUpheld
	case over:
		return tracker.OutcomeOverturned
	case up:
		return tracker.OutcomeUpheld
	}
	return ""
}

// Extension details.
var (
	piReason      = re(`\bpublic interest\b`)
	unusualReason = re(`\bunusual circumstances\b`)
	complexReason = re(`\bcomplex|\bvolum`)
	// A date the notice sets: "by 30 April 2026", "new due date is 26 May
	// 2026", "no later than 14/05/2026", "on or before April 30, 2026".
	dueDateLead = re(`\b(?:by|until|no later than|on or before|due date is|due date:|deadline is|deadline of)\s+(?:\w+day,?\s+)?`)
	dayMonth    = re(`^(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|August|September|October|November|December),?\s+(\d{4})`)
	monthDay    = re(`^(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})`)
	numericDate = re(`^(\d{1,2})/(\d{1,2})/(\d{4})`)
)

// extensionDetails proposes the reason for an extension and the new due
// date, the latest date the notice sets (numeric dates are read day first,
// except under US FOIA).
func extensionDetails(sentences []tracker.Sentence, law tracker.LawCode) (string, tracker.Date) {
	reason := "extension claimed"
	var due tracker.Date
	for _, s := range sentences {
		if hypothetical(s.Text) {
			continue
		}
		switch {
		case unusualReason.MatchString(s.Text):
			reason = "unusual circumstances"
		case piReason.MatchString(s.Text) && reason == "extension claimed":
			reason = "public interest test"
		case complexReason.MatchString(s.Text) && reason == "extension claimed":
			reason = "complex and voluminous request"
		}
		for _, loc := range dueDateLead.FindAllStringIndex(s.Text, -1) {
			if d, ok := parseLetterDate(s.Text[loc[1]:], law == tracker.USFOIA); ok && d.After(due) {
				due = d
			}
		}
	}
	return reason, due
}

func parseLetterDate(s string, monthFirst bool) (tracker.Date, bool) {
	var day, month, year string
	if m := dayMonth.FindStringSubmatch(s); m != nil {
		day, month, year = m[1], m[2], m[3]
	} else if m := monthDay.FindStringSubmatch(s); m != nil {
		day, month, year = m[2], m[1], m[3]
	} else if m := numericDate.FindStringSubmatch(s); m != nil {
		day, month, year = m[1], m[2], m[3]
		if monthFirst {
			day, month = month, day
		}
	} else {
		return tracker.Date{}, false
	}
	layout := "2 January 2006"
	if len(month) <= 2 {
		layout = "2 1 2006"
	}
	month = strings.ToUpper(month[:1]) + strings.ToLower(month[1:]) // time.Parse wants "April"
	t, err := time.Parse(layout, day+" "+month+" "+year)
	if err != nil {
		return tracker.Date{}, false
	}
	return tracker.DateOf(t), true
}
