package mailsync

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Proposal is a reply's classification (Classify) with what became of it.
// It is stored as JSON in mail_messages.classification and shown on the
// request page, where an editor confirms the proposed event (or dismisses
// it); the kinds AutoApplicable allows are recorded at once when the
// lifecycle allows it.
type Proposal struct {
	Classification
	Label string       `json:"label"`
	Date  tracker.Date `json:"date"` // the day the reply was sent (its Date header, else when it was fetched)
	// State is the message's proposal_state (store.Proposal…): proposed,
	// applied, confirmed, dismissed; "" when nothing is proposed.
	State string `json:"state,omitempty"`
	// Law is the law the reply was read under: its request's, or for mail in
	// the holding pen the one its sender's authority implies ("" when the
	// sender is no known authority, or several with different laws).
	Law     tracker.LawCode `json:"law,omitempty"`
	EventID int64           `json:"event_id,omitempty"` // the event recorded automatically
	Note    string          `json:"note,omitempty"`     // why an automatic event was not recorded
}

// proposeFor classifies a reply for request r under law (r is zero when the
// message is unmatched: the classification is still kept, for the holding
// pen; law is then the one its sender implies, see senderLaw). Only the
// reply's own text is read, not the quoted history below it.
func proposeFor(pm *ParsedMessage, r tracker.Request, law tracker.LawCode, m store.MailMessage, rr *replyReading) Proposal {
	if rr == nil {
		rr = readMessageReply(pm)
	}
	c := classifyReply(pm.Header, pm.Subject, rr, law)
	p := Proposal{Classification: c, Label: c.Kind.Label(), Law: law}
	day := m.FetchedAt
	if !pm.Date.IsZero() {
		day = pm.Date
	}
	p.Date = tracker.DateOf(day)
	if c.ProposedEvent != "" && r.ID != 0 {
		p.State = store.ProposalProposed
	}
	return p
}

// senderLaw is the law mail from addr is read under when it matches no
// request: the default law of the authority that writes from its domain
// (the most specific domain any authority lists), or "" when none does or
// the authorities there have different laws. A Police Scotland letter in the
// holding pen is then read under FOISA, never as UK FOIA (whose s35 is a
// different exemption).
func senderLaw(tx *store.Tx, addr string) (tracker.LawCode, error) {
	for _, domain := range senderDomains(addr) {
		laws, err := tx.LawsForDomain(domain)
		if err != nil {
			return "", err
		}
		switch len(laws) {
		case 0:
			continue
		case 1:
			return laws[0], nil
		default:
			return "", nil
		}
	}
	return "", nil
}

// event is the lifecycle event the proposal records.
func (p Proposal) event(requestID, mailID int64) tracker.Event {
	e := tracker.Event{RequestID: requestID, Kind: p.ProposedEvent, Date: p.Date, Outcome: p.ProposedOutcome,
		NewDueDate: p.ProposedDueDate, MessageID: mailID, Note: p.Sentence}
	switch e.Kind {
	case tracker.EventResponseReceived, tracker.EventReviewOutcome:
		// Only responses claim exemptions.
		for _, c := range p.Exemptions {
			e.Exemptions = append(e.Exemptions, c.Code)
		}
	case tracker.EventExtensionClaimed:
		e.Reason = p.ProposedReason
		if e.Reason == "" {
			e.Reason = p.Sentence
		}
	case tracker.EventNote:
		e.Note = strings.TrimSpace(p.Label + ": " + p.Reason + ". " + p.Sentence)
	}
	return e
}

// ReadProposal decodes a message's stored classification (ok is false when
// there is none).
func ReadProposal(m store.MailMessage) (Proposal, bool) {
	var p Proposal
	if len(m.Classification) == 0 || json.Unmarshal(m.Classification, &p) != nil {
		return p, false
	}
	p.State = m.ProposalState
	return p, true
}

// Confirmation is what an editor confirms: the proposal, possibly corrected.
type Confirmation struct {
	Kind       tracker.EventKind
	Date       tracker.Date
	Outcome    string
	NewDueDate tracker.Date
	Exemptions []string
	Reason     string
	Note       string
}

// ConfirmProposal records the event an editor confirmed for a filed reply,
// linked to the message, and marks the proposal confirmed, in one
// transaction.
func ConfirmProposal(ctx context.Context, st *store.Store, mailID int64, c Confirmation) (tracker.Event, error) {
	var e tracker.Event
	err := st.Update(ctx, func(tx *store.Tx) error {
		m, err := tx.MailByID(mailID)
		if err != nil {
			return err
		}
		if m.RequestID == 0 {
			return tracker.Errorf(tracker.ECONFLICT, "this message is not filed on a request")
		}
		if m.ProposalState != store.ProposalProposed {
			return tracker.Errorf(tracker.ECONFLICT, "there is no open proposal for this message (it is %s)", orNone(m.ProposalState))
		}
		if !tracker.ValidEventKind(c.Kind) {
			return tracker.Errorf(tracker.EINVALID, "unknown event kind %q", c.Kind)
		}
		e = tracker.Event{RequestID: m.RequestID, Kind: c.Kind, Date: c.Date, Outcome: c.Outcome, NewDueDate: c.NewDueDate,
			Exemptions: c.Exemptions, Reason: strings.TrimSpace(c.Reason), Note: strings.TrimSpace(c.Note), MessageID: m.ID}
		if err := tx.AddEvent(&e); err != nil {
			return err
		}
		return tx.SetMailProposalState(m.ID, store.ProposalConfirmed)
	})
	return e, err
}

// DismissProposal closes a proposal without recording anything.
func DismissProposal(ctx context.Context, st *store.Store, mailID int64) error {
	return st.Update(ctx, func(tx *store.Tx) error {
		m, err := tx.MailByID(mailID)
		if err != nil {
			return err
		}
		if m.ProposalState != store.ProposalProposed {
			return tracker.Errorf(tracker.ECONFLICT, "there is no open proposal for this message (it is %s)", orNone(m.ProposalState))
		}
		return tx.SetMailProposalState(m.ID, store.ProposalDismissed)
	})
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// readMessageReply reads the reply part of a message for the classifier.
func readMessageReply(pm *ParsedMessage) *replyReading {
	reply, _ := QuotedFolded(pm.TextBody)
	return readReply(reply)
}
