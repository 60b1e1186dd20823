package mailsync

import (
	"context"
	"encoding/json"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// What the command line (foitrack mail list/show) and the JSON API
// (/api/v1/mail) show of stored mail: one shape for both, snake_case keys,
// [] for an empty list, a time as RFC 3339 or "" when unknown.

// MessageSummary is a message in a list.
type MessageSummary struct {
	ID            int64  `json:"id"`
	Direction     string `json:"direction"` // in (fetched) or out (sent by foitrack)
	State         string `json:"state"`     // new, matched, unmatched (the holding pen), not_foi, failed, over_limit
	InHoldingPen  bool   `json:"in_holding_pen"`
	Subject       string `json:"subject"`
	From          string `json:"from"`
	FromName      string `json:"from_name"`
	SentAt        string `json:"sent_at"`
	FetchedAt     string `json:"fetched_at"`
	RequestID     int64  `json:"request_id"` // 0: on no request
	RequestOurRef string `json:"request_our_ref"`
	RequestTitle  string `json:"request_title"`
	MatchRule     string `json:"match_rule"`
	Kind          string `json:"kind"` // the classification's reply kind, "" when not classified
	ProposalState string `json:"proposal_state"`
	Error         string `json:"error"`
}

// MessageView is one message with everything known about it.
type MessageView struct {
	MessageSummary
	Headers        MessageHeaders      `json:"headers"`
	Text           string              `json:"text"`   // the text body
	Reply          string              `json:"reply"`  // the text without the quoted history
	Quoted         string              `json:"quoted"` // the quoted history
	HasHTML        bool                `json:"has_html"`
	Classification *ClassificationView `json:"classification"` // absent until classified
	Documents      []DocumentSummary   `json:"documents"`
	DKIM           []DKIMView          `json:"dkim"`
	Provenance     Provenance          `json:"provenance"`
	Warnings       []string            `json:"warnings"`
}

// MessageHeaders are the header fields foitrack reads.
type MessageHeaders struct {
	MessageID  string   `json:"message_id"`
	InReplyTo  string   `json:"in_reply_to"`
	References []string `json:"references"`
	From       string   `json:"from"`
	To         []string `json:"to"`
	Cc         []string `json:"cc"`
	Date       string   `json:"date"` // as written
	Subject    string   `json:"subject"`
}

// ClassificationView is what the reply was read as, and what is proposed.
type ClassificationView struct {
	Kind       string          `json:"kind"`
	Label      string          `json:"label"`
	Reason     string          `json:"reason"`
	Sentence   string          `json:"sentence"`
	Exemptions []CitationView  `json:"exemptions"`
	Proposal   ProposalView    `json:"proposal"`
	Law        tracker.LawCode `json:"law"` // the law it was read under
	Date       string          `json:"date"`
	EventID    int64           `json:"event_id"` // the event recorded automatically, 0 when none
	Note       string          `json:"note"`
}

// CitationView is an exemption the reply cites.
type CitationView struct {
	Law      tracker.LawCode `json:"law"`
	Code     string          `json:"code"`
	Title    string          `json:"title"`
	Sentence string          `json:"sentence"`
}

// ProposalView is the event a reply proposes, and where it stands.
type ProposalView struct {
	State   string `json:"state"` // proposed, applied, confirmed, dismissed, or "" when nothing is proposed
	Event   string `json:"event"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
	DueDate string `json:"due_date"`
}

// DocumentSummary is a document that came with a message.
type DocumentSummary struct {
	ID          int64  `json:"id"`
	RequestID   int64  `json:"request_id"`
	Filename    string `json:"filename"`
	MediaType   string `json:"media_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Disposition string `json:"disposition"`
}

// DKIMView is one DKIM signature's verification.
type DKIMView struct {
	Status    string `json:"status"`
	Domain    string `json:"domain"`
	Selector  string `json:"selector"`
	Error     string `json:"error"`
	KeyName   string `json:"key_name"`
	KeyRecord string `json:"key_record"`
}

// Provenance is where a message came from and how it is kept.
type Provenance struct {
	Mailbox     string   `json:"mailbox"`
	UIDValidity uint32   `json:"uidvalidity"`
	UID         uint32   `json:"uid"`
	FetchedAt   string   `json:"fetched_at"`
	RawSHA256   string   `json:"raw_sha256"` // "" when only the header was fetched
	RawSize     int64    `json:"raw_size"`
	Received    []string `json:"received"`
}

// SummaryOf is the list form of a stored message.
func SummaryOf(m store.MailMessage) MessageSummary {
	s := MessageSummary{
		ID: m.ID, Direction: m.Direction, State: m.State, Subject: m.Subject, From: m.FromAddr, FromName: m.FromName,
		SentAt: timeString(m.SentAt), FetchedAt: timeString(m.FetchedAt), RequestID: m.RequestID,
		RequestOurRef: m.RequestOurRef, RequestTitle: m.RequestTitle, MatchRule: m.MatchRule,
		ProposalState: m.ProposalState, Error: m.Error,
	}
	s.InHoldingPen = m.Direction == "in" && m.State == store.MailUnmatched && m.RequestID == 0
	if p, ok := ReadProposal(m); ok {
		s.Kind = string(p.Kind)
	}
	return s
}

// ListMessages lists stored messages.
func ListMessages(ctx context.Context, st *store.Store, f store.MailFilter) ([]MessageSummary, error) {
	f.Summary = true // a summary has no bodies, headers or addresses
	msgs, err := st.MailMessages(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]MessageSummary, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, SummaryOf(m))
	}
	return out, nil
}

// ViewMessage is everything known about one stored message.
func ViewMessage(ctx context.Context, st *store.Store, id int64) (MessageView, error) {
	m, err := st.MailMessageByID(ctx, id)
	if err != nil {
		return MessageView{}, err
	}
	v := MessageView{MessageSummary: SummaryOf(m), Text: m.TextBody, HasHTML: m.HTMLBody != "",
		Documents: []DocumentSummary{}, DKIM: []DKIMView{}, Warnings: nonNilStrings(m.Warnings)}
	v.Reply, v.Quoted = QuotedFolded(m.TextBody)
	v.Headers = MessageHeaders{MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: nonNilStrings(m.References),
		From: m.FromAddr, To: nonNilStrings(m.To), Cc: nonNilStrings(m.Cc), Date: m.DateHeader, Subject: m.Subject}
	if m.FromName != "" {
		v.Headers.From = m.FromName + " <" + m.FromAddr + ">"
	}
	v.Provenance = Provenance{Mailbox: m.Mailbox, UIDValidity: m.UIDValidity, UID: m.UID, FetchedAt: timeString(m.FetchedAt),
		RawSHA256: m.RawSHA256, RawSize: m.RawSize, Received: nonNilStrings(m.Received)}
	var dkim []DKIMResult
	_ = json.Unmarshal(m.DKIM, &dkim) // stored by this package; an empty column is no signature
	for _, d := range dkim {
		v.DKIM = append(v.DKIM, DKIMView{Status: d.Status, Domain: d.Domain, Selector: d.Selector, Error: d.Error, KeyName: d.KeyName, KeyRecord: d.KeyRecord})
	}
	if p, ok := ReadProposal(m); ok {
		law := p.Law
		if law == "" && m.RequestID != 0 {
			if r, err := st.RequestByID(ctx, m.RequestID); err == nil {
				law = r.Law // classified before the law was recorded with it
			}
		}
		c := &ClassificationView{Kind: string(p.Kind), Label: p.Label, Reason: p.Reason, Sentence: p.Sentence,
			Exemptions: []CitationView{}, Law: law, Date: p.Date.String(), EventID: p.EventID, Note: p.Note,
			Proposal: ProposalView{State: m.ProposalState, Event: string(p.ProposedEvent), Outcome: p.ProposedOutcome,
				Reason: p.ProposedReason, DueDate: p.ProposedDueDate.String()}}
		for _, e := range p.Exemptions {
			cv := CitationView{Law: e.Law, Code: e.Code, Sentence: e.Sentence}
			if ex, ok := tracker.ExemptionByCode(e.Law, e.Code); ok {
				cv.Title = ex.Title
			}
			c.Exemptions = append(c.Exemptions, cv)
		}
		v.Classification = c
	}
	docs, err := st.Documents(ctx, store.DocumentFilter{MessageID: m.ID})
	if err != nil {
		return v, err
	}
	for _, d := range docs {
		v.Documents = append(v.Documents, DocumentSummary{ID: d.ID, RequestID: d.RequestID, Filename: d.Filename,
			MediaType: d.MediaType, Size: d.Size, SHA256: d.SHA256, Disposition: d.Disposition})
	}
	return v, nil
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
