package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// requestMailPanel is the request page's mail: the reply address, the
// proposals waiting for an editor, and every message of the request.
type requestMailPanel struct {
	ReplyAddress string
	Proposals    []mailProposal
	Messages     []mailRow
}

// mailProposal is a reply's proposal with its confirm form's choices.
type mailProposal struct {
	Message    store.MailMessage
	Proposal   mailsync.Proposal
	Outcomes   []struct{ Code, Label string }
	Exemptions string // the detected codes, comma-separated, for the form
}

// loadRequestMail gathers the request page's mail panel.
func (s *Server) loadRequestMail(ctx context.Context, r tracker.Request) (*requestMailPanel, error) {
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil && tracker.ErrorCode(err) != tracker.EINVALID {
		return nil, err
	}
	p := &requestMailPanel{ReplyAddress: cfg.ReplyAddressFor(r.ReplyToken)}
	msgs, err := s.st.MailMessages(ctx, store.MailFilter{RequestID: r.ID})
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		row := mailRow{MailMessage: m}
		row.Proposal, _ = mailsync.ReadProposal(m)
		p.Messages = append(p.Messages, row)
		if m.ProposalState != store.ProposalProposed {
			continue
		}
		mp := mailProposal{Message: m, Proposal: row.Proposal}
		switch row.Proposal.ProposedEvent {
		case tracker.EventResponseReceived:
			mp.Outcomes = tracker.ResponseOutcomes
		case tracker.EventReviewOutcome:
			mp.Outcomes = tracker.ReviewOutcomes
		}
		var codes []string
		for _, e := range row.Proposal.Exemptions {
			codes = append(codes, e.Code)
		}
		mp.Exemptions = strings.Join(tracker.NormalizeTags(codes), ", ")
		p.Proposals = append(p.Proposals, mp)
	}
	return p, nil
}

// loadMailPanel is the dashboard's mail panel: what waits in the holding
// pen and how the last sync went.
func (s *Server) loadMailPanel(ctx context.Context) (*mailPanel, error) {
	n, err := s.st.UnmatchedMailCount(ctx)
	if err != nil {
		return nil, err
	}
	p := &mailPanel{Unmatched: n, LastSyncText: "never", LastSyncOK: true}
	run, found, err := s.st.LastMailSyncRun(ctx)
	if err != nil {
		return nil, err
	}
	if !found {
		cfg, err := mailsync.LoadConfig(ctx, s.st)
		if err == nil && !cfg.Enabled() {
			p.LastSyncText = "never (no mailbox is configured)"
		}
		return p, nil
	}
	loc := s.cfg.Location
	switch {
	case run.FinishedAt.IsZero():
		p.LastSyncText = "running since " + run.StartedAt.In(loc).Format("2 Jan 2006 15:04") + " (or stopped before it finished)"
	case run.Error != "":
		p.LastSyncOK = false
		p.LastSyncText = fmt.Sprintf("%s — failed: %s (%d fetched before)", run.FinishedAt.In(loc).Format("2 Jan 2006 15:04"), run.Error, run.Fetched)
	default:
		resumed := ""
		if run.Resumed > 0 {
			resumed = fmt.Sprintf(" (and %d from an interrupted pass)", run.Resumed)
		}
		p.LastSyncText = fmt.Sprintf("%s — %d fetched%s, %d matched, %d unmatched, %d failed, %d duplicates skipped",
			run.FinishedAt.In(loc).Format("2 Jan 2006 15:04"), run.Fetched, resumed, run.Matched, run.Unmatched, run.Failed, run.Duplicates)
	}
	return p, nil
}
