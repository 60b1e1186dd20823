package seed

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// The words a seeded database is made of. Places and bodies are real names
// (requests to them are what foitrack is for); everything said about them is
// made up.

var ukPlaces = []string{"Barsetshire", "Kent", "Essex", "Surrey", "Devon", "Cornwall", "Norfolk", "Suffolk", "Lancashire",
	"Yorkshire", "Cumbria", "Durham", "Northumberland", "Cheshire", "Derbyshire", "Nottinghamshire", "Leicestershire",
	"Lincolnshire", "Somerset", "Dorset", "Hampshire", "Wiltshire", "Gloucestershire", "Oxfordshire", "Berkshire",
	"Buckinghamshire", "Hertfordshire", "Cambridgeshire", "Shropshire", "Staffordshire", "Warwickshire", "Worcestershire",
	"Herefordshire", "Bristol", "Leeds", "Manchester", "Liverpool", "Birmingham", "Sheffield", "Newcastle", "Brighton",
	"Plymouth", "Southampton", "Portsmouth", "Coventry", "Bradford", "Hull", "Stoke", "Derby", "Reading"}

var scotPlaces = []string{"Glasgow", "Edinburgh", "Aberdeen", "Dundee", "Highland", "Fife", "Argyll and Bute",
	"Dumfries and Galloway", "Perth and Kinross", "Stirling", "Orkney", "Shetland"}

var walesPlaces = []string{"Cardiff", "Swansea", "Newport", "Wrexham", "Gwynedd", "Powys", "Ceredigion", "Conwy",
	"Rhondda Cynon Taf", "Caerphilly"}

var niPlaces = []string{"Belfast City", "Derry City and Strabane", "Newry, Mourne and Down", "Armagh City, Banbridge and Craigavon",
	"Causeway Coast and Glens", "Mid Ulster"}

var ukDepartments = []string{"Home Office", "Ministry of Defence", "Ministry of Justice", "Department for Education",
	"Department of Health and Social Care", "Department for Transport", "HM Treasury", "Cabinet Office",
	"Department for Work and Pensions", "Foreign, Commonwealth and Development Office", "Environment Agency",
	"Department for Environment, Food and Rural Affairs", "HM Revenue and Customs", "Crown Prosecution Service"}

var usAgencies = []string{"Federal Bureau of Investigation", "Department of Homeland Security", "Environmental Protection Agency",
	"Department of Defense", "Department of State", "Immigration and Customs Enforcement", "Customs and Border Protection",
	"Food and Drug Administration", "Federal Aviation Administration", "Department of Justice", "Department of Energy",
	"Securities and Exchange Commission", "National Security Agency", "Department of Veterans Affairs", "U.S. Forest Service"}

// bigAuthorities are made first, so that the most requested bodies (the head
// of the Zipf curve) are the ones that are in real life.
var bigAuthorities = [][5]string{
	{"Metropolitan Police Service", "Met", tracker.JurisdictionEngland, "met.police.uk", "police"},
	{"Home Office", "HO", tracker.JurisdictionUK, "homeoffice.gov.uk", "department"},
	{"Department of Homeland Security", "DHS", tracker.JurisdictionUSFed, "dhs.gov", "federal_agency"},
	{"Police Scotland", "", tracker.JurisdictionScotland, "scotland.police.uk", "police"},
	{"NHS England", "", tracker.JurisdictionEngland, "england.nhs.uk", "nhs"},
	{"Welsh Government", "", tracker.JurisdictionWales, "gov.wales", "department"},
}

type topic struct{ title, ask, tag, headline string }

var topics = []topic{
	{"Live facial recognition deployments", "every deployment of live facial recognition, with dates, places and alerts", "surveillance", "facial recognition vans deployed"},
	{"ANPR camera locations", "the locations of all automatic number plate recognition cameras", "surveillance", "ANPR network revealed"},
	{"Stop and search by ethnicity", "stop and search figures broken down by ethnicity and outcome", "policing", "stop and search disparity"},
	{"Temporary accommodation spending", "spending on temporary accommodation for homeless households", "housing", "temporary accommodation costs soar"},
	{"Pothole compensation claims", "the number and value of pothole compensation claims paid", "roads", "pothole payouts"},
	{"Agency staff costs in children's services", "spending on agency social workers", "social_care", "agency social worker bill"},
	{"Sewage discharge monitoring", "event duration monitoring data for storm overflows", "environment", "sewage spills under-reported"},
	{"Air quality monitoring", "nitrogen dioxide readings from all diffusion tubes", "environment", "air quality breaches"},
	{"Consultancy contracts", "all contracts with management consultancies over £25,000", "procurement", "consultancy spending"},
	{"Asylum accommodation contracts", "the contracts and performance reports for asylum accommodation", "immigration", "asylum hotel contracts"},
	{"Use of Tasers", "each use of Taser, with the outcome and the subject's age", "policing", "Taser use rises"},
	{"Hospital waiting lists", "the numbers waiting over 52 weeks by specialty", "health", "waiting lists lengthen"},
	{"School exclusions", "permanent exclusions by reason and pupil characteristics", "education", "exclusions by reason"},
	{"Drone surveillance flights", "every drone flight log and its purpose", "surveillance", "drone flights over protests"},
	{"Detention of children", "the number of children held in immigration detention", "immigration", "children in detention"},
	{"Surveillance technology procurement", "contracts for cell-site simulators and similar devices", "surveillance", "cell-site simulator purchases"},
	{"Flood defence spending", "capital spending on flood defences by scheme", "environment", "flood defence cuts"},
	{"Councillor expenses", "all expense claims made by councillors", "accountability", "councillor expenses"},
	{"Data breaches reported", "every personal data breach reported to the regulator", "privacy", "data breaches hidden"},
	{"Algorithmic risk scoring", "the models used to score benefit claimants for fraud risk", "algorithms", "secret risk algorithm"},
}

var campaignTags = []string{"campaign-2026", "follow-up", "press", "batch", "urgent", "data-request", "legal", "story-idea"}

var bodyTails = []string{
	"I would like the information in a machine-readable format (CSV) if possible.",
	"Please send the information by email. If any part is exempt, please release the rest.",
	"If this request is too wide, please advise how I could narrow it (section 16 duty to advise and assist).",
	"For the period 1 April 2023 to 31 March 2025.",
	"Broken down by month where the information is held in that form.",
}

var unmatchedSubjects = []string{"Our newsletter: spring edition", "Consultation on the local plan", "Invitation: stakeholder event",
	"Your enquiry", "Out of office", "Re: your message", "Service update", "Delivery Status Notification (Failure)"}

// exemptionWeights: how often each exemption is cited, roughly as in
// published request statistics (personal data first by far).
var exemptionWeights = map[tracker.LawCode][]struct {
	code   string
	weight int
}{
	tracker.UKFOIA: {{"s40(2)", 30}, {"s43(2)", 12}, {"s31(1)(a)", 10}, {"s12(1)", 10}, {"s21", 8}, {"s41", 6},
		{"s42", 4}, {"s36(2)(b)(i)", 4}, {"s35(1)(a)", 3}, {"s38(1)(a)", 3}, {"s24", 2}, {"s30(1)", 3}, {"s22", 3}, {"s14(1)", 2}},
	tracker.UKEIR:     {{"reg13", 30}, {"reg12(5)(e)", 15}, {"reg12(4)(b)", 12}, {"reg12(4)(e)", 10}, {"reg12(4)(d)", 8}, {"reg12(5)(b)", 6}, {"reg12(5)(a)", 4}},
	tracker.ScotFOISA: {{"s38(1)(b)", 30}, {"s33(1)(b)", 10}, {"s35(1)(a)", 10}, {"s12", 10}, {"s25", 8}, {"s36(2)", 5}, {"s30(b)(i)", 5}, {"s27", 3}},
	tracker.ScotEISR:  {{"reg11(2)", 30}, {"reg10(5)(e)", 12}, {"reg10(4)(b)", 10}, {"reg10(4)(e)", 8}, {"reg10(5)(b)", 5}},
	tracker.USFOIA:    {{"(b)(6)", 30}, {"(b)(7)(C)", 25}, {"(b)(5)", 20}, {"(b)(7)(E)", 12}, {"(b)(4)", 8}, {"(b)(3)", 6}, {"(b)(1)", 3}, {"(b)(7)(A)", 6}},
	tracker.IEFOI:     {{"s37", 30}, {"s36", 12}, {"s29", 10}, {"s15(1)(a)", 10}, {"s32", 6}, {"s35", 6}, {"s31", 4}},
	tracker.AUFOI:     {{"s47F", 30}, {"s47E(d)", 12}, {"s47C", 12}, {"s47G", 8}, {"s33", 5}, {"s37", 5}, {"s42", 4}, {"s24A", 8}},
}

// replyText is what a reply carrying e says.
func replyText(r *tracker.Request, e tracker.Event) (subject, text string) {
	subject = fmt.Sprintf("RE: Freedom of Information request - %s [%s]", r.Title, r.OurRef)
	var b strings.Builder
	b.WriteString("Dear requester,\n\n")
	switch e.Kind {
	case tracker.EventAcknowledged:
		b.WriteString("Thank you for your request for information, which we received and are dealing with under the Act. We will respond within the statutory time limit.\n")
	case tracker.EventClarificationRequested:
		b.WriteString("Before we can process your request we need you to clarify it. " + e.Note + "\n")
	case tracker.EventFeeNotice:
		b.WriteString("This is a fees notice. " + e.Note + " We will not process the request until the fee is paid.\n")
	case tracker.EventExtensionClaimed:
		b.WriteString("We need more time to consider the public interest test and will respond as soon as we can.\n")
	case tracker.EventResponseReceived:
		b.WriteString(responseSentence(e))
	case tracker.EventReviewOutcome:
		b.WriteString("We have completed the internal review of the handling of your request. ")
		b.WriteString("The outcome is: " + tracker.OutcomeLabel(e.Outcome) + ".\n")
	default:
		subject = "Automatic reply: " + subject
		b.WriteString("Thank you for your email. This is an automatic acknowledgement: the FOI team will reply in due course.\n")
	}
	b.WriteString("\nYours sincerely,\nInformation Governance Team\n")
	return subject, b.String()
}

func responseSentence(e tracker.Event) string {
	switch e.Outcome {
	case tracker.OutcomeReleasedInFull:
		return "Please find the information you requested attached.\n"
	case tracker.OutcomeReleasedInPart:
		return "Some of the information is attached. The rest is withheld under " + strings.Join(e.Exemptions, ", ") + ".\n"
	case tracker.OutcomeRefused:
		return "Your request is refused. The information is exempt under " + strings.Join(e.Exemptions, ", ") + ". We have considered the public interest test.\n"
	case tracker.OutcomeNotHeld:
		return "We have searched our records and do not hold the information you requested.\n"
	}
	return "We can neither confirm nor deny that we hold the information, under " + strings.Join(e.Exemptions, ", ") + ".\n"
}

// rawMessage is the RFC 5322 message a reply was: text, then attachments.
// It is written piece by piece into one buffer sized for it first: the
// seeder makes one for every message, millions at scale.
func rawMessage(s messageSpec, at time.Time, msgID string, uid uint32, atts []attachment) []byte {
	size := 512 + len(s.from)*2 + len(s.fromName) + len(s.to) + len(s.subject) + len(msgID) + len(s.text)*2
	for _, a := range atts {
		size += 256 + len(a.name) + base64.StdEncoding.EncodedLen(len(a.data))*78/76
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	hdr := func(k string, v ...string) {
		b.WriteString(k)
		b.WriteString(": ")
		for _, s := range v {
			b.WriteString(s)
		}
		b.WriteString("\r\n")
	}
	var date [64]byte
	dateHeader := at.AppendFormat(date[:0], time.RFC1123Z)
	hdr("Return-Path", "<", s.from, ">")
	hdr("Received", "from mail.", domainOf(s.from), " by mx.example.org; ", string(dateHeader))
	hdr("From", strconv.Quote(s.fromName), " <", s.from, ">")
	hdr("To", "<", s.to, ">")
	hdr("Subject", s.subject)
	hdr("Date", string(dateHeader))
	hdr("Message-ID", "<", msgID, ">")
	hdr("MIME-Version", "1.0")
	if s.state == "failed" {
		hdr("Content-Type", "multipart/mixed") // no boundary: what the parser refused
		b.WriteString("\r\n")
		writeCRLF(b, s.text)
		return b.Bytes()
	}
	if len(atts) == 0 {
		hdr("Content-Type", "text/plain; charset=utf-8")
		b.WriteString("\r\n")
		writeCRLF(b, s.text)
		return b.Bytes()
	}
	boundary := "seed-boundary-" + strconv.FormatUint(uint64(uid), 10)
	hdr("Content-Type", "multipart/mixed; boundary=\"", boundary, "\"")
	b.WriteString("\r\n--")
	b.WriteString(boundary)
	b.WriteString("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	writeCRLF(b, s.text)
	b.WriteString("\r\n")
	var enc []byte
	for _, a := range atts {
		b.WriteString("--")
		b.WriteString(boundary)
		b.WriteString("\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n")
		b.WriteString("Content-Disposition: attachment; filename=\"")
		b.WriteString(a.name)
		b.WriteString("\"\r\n\r\n")
		enc = base64.StdEncoding.AppendEncode(enc[:0], a.data)
		for len(enc) > 76 {
			b.Write(enc[:76])
			b.WriteString("\r\n")
			enc = enc[76:]
		}
		b.Write(enc)
		b.WriteString("\r\n")
	}
	b.WriteString("--")
	b.WriteString(boundary)
	b.WriteString("--\r\n")
	return b.Bytes()
}

// writeCRLF writes text with each "\n" as "\r\n".
func writeCRLF(b *bytes.Buffer, text string) {
	for {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			b.WriteString(text)
			return
		}
		b.WriteString(text[:i])
		b.WriteString("\r\n")
		text = text[i+1:]
	}
}

// fakePDF is a small, valid-looking PDF naming its request, padded to vary
// in size.
func fakePDF(title, name string, pad int) []byte {
	const line = "% Information released under the Act. Table: month, count, value.\n"
	b := bytes.NewBuffer(make([]byte, 0, 400+len(title)+len(name)+pad+len(line)))
	b.WriteString("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
	b.WriteString("% ")
	b.WriteString(title)
	b.WriteString(" — ")
	b.WriteString(name)
	b.WriteString("\n")
	for b.Len() < 300+pad {
		b.WriteString(line)
	}
	b.WriteString("trailer << /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

// SampleReply is the i-th of a stream of made-up replies from authorities
// (a third with a PDF attached, some quoting our reference), each with its
// own Message-ID: the mailbox the ingest benchmark syncs.
func SampleReply(i int) []byte {
	topic := topics[i%len(topics)]
	place := ukPlaces[(i/len(topics))%len(ukPlaces)]
	r := &tracker.Request{Title: topic.title, OurRef: fmt.Sprintf("FT-2026-%04d", i%5000+1)}
	e := tracker.Event{Kind: tracker.EventAcknowledged}
	var atts []attachment
	switch i % 3 {
	case 1:
		e = tracker.Event{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeRefused, Exemptions: []string{"s40(2)", "s31(1)(a)"}}
	case 2:
		e = tracker.Event{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeReleasedInFull}
		atts = append(atts, attachment{name: fmt.Sprintf("FOI-%d.pdf", i), data: fakePDF(topic.title, place, i%2500)})
	}
	subject, text := replyText(r, e)
	domain := slug(place) + ".gov.uk"
	s := messageSpec{from: "foi@" + domain, fromName: place + " Council FOI Team", to: "foi@requests.example.org",
		subject: subject, text: text}
	at := time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	return rawMessage(s, at, fmt.Sprintf("bench-%d@%s", i, domain), uint32(i+1), atts)
}
