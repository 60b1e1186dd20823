package server

import (
	"context"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// requestPage is a request with everything about it.
type requestPage struct {
	Request   tracker.Request
	Authority tracker.Authority
	Law       tracker.Law
	Events    []tracker.Event
	Documents []tracker.Document
	Deadlines tracker.Deadlines
	// Next is the deadline that matters now (response or review decision),
	// with where it stands today.
	Next     tracker.Deadline
	Standing tracker.Standing
	// NextAction is who must act next, on what, by when, as stored.
	NextAction tracker.NextAction
	Badge      *badge
	All        []deadlineRow
	Exemptions []claimedExemption
	// Forms to record the next lifecycle event: only those allowed now.
	Forms        []eventForm
	Catalogue    []tracker.Exemption
	Dispositions []struct{ Code, Label string }
	PublicURL    string
	Today        tracker.Date
	// Upload form values and messages after a refused upload.
	Upload url.Values
	// Timeline is the events the request (or its documents, its mail) supports.
	Timeline *timelinePanel
	// Mail is the request's mail, its reply address and the replies' proposals.
	Mail *requestMailPanel
	// Censor is the censor rules that apply, and the requester's details offered as rules.
	Censor *censorPanel
}

// claimedExemption is an exemption cited in the history or on a document.
type claimedExemption struct {
	Code, Title, Kind string
	Where             []string // "response of Fri 20 Mar 2026", "document report.pdf"
}

// showRequestPage shows a request: details, due date and how it was worked
// out, history, exemptions, documents, and the forms for what comes next.
func (s *Server) showRequestPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.loadRequestPage(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "request_show", &view{Title: p.Request.Title, Section: "requests", Data: p})
}

// loadRequestPage gathers the request page's data (also used to show the
// page again with an error after a refused form).
func (s *Server) loadRequestPage(ctx context.Context, id int64) (*requestPage, error) {
	r, err := s.st.RequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &requestPage{Request: r, Dispositions: dispositions, Today: s.today()}
	if p.Authority, err = s.st.AuthorityByID(ctx, r.AuthorityID); err != nil {
		return nil, err
	}
	p.Law, _ = tracker.LawByCode(r.Law)
	if p.Events, err = s.st.Events(ctx, id); err != nil {
		return nil, err
	}
	if p.Documents, err = s.st.Documents(ctx, store.DocumentFilter{RequestID: id}); err != nil {
		return nil, err
	}
	p.Deadlines = tracker.ComputeDeadlines(p.Law, p.Events)
	p.Next = p.Deadlines.NextDue()
	p.Standing = p.Deadlines.Standing(p.Today)
	p.Badge = standingBadge(p.Standing)
	plan, err := s.st.StoredPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	p.NextAction = plan.At(p.Today)
	p.All = deadlineList(p.Deadlines)
	p.Catalogue = tracker.Exemptions(r.Law)
	p.Exemptions = claimedExemptions(r.Law, p.Events, p.Documents)
	p.Forms = eventForms(r.Status, p.Today)
	if r.Visibility == tracker.VisibilityPublic {
		slug, err := s.st.EnsurePublicSlug(ctx, id)
		if err != nil {
			return nil, err
		}
		p.PublicURL = "/p/" + slug
	}
	if p.Timeline, err = s.loadTimelinePanel(ctx, "request", id); err != nil {
		return nil, err
	}
	if p.Censor, err = s.loadCensorPanel(ctx, r); err != nil {
		return nil, err
	}
	if p.Mail, err = s.loadRequestMail(ctx, r); err != nil {
		return nil, err
	}
	return p, nil
}

// claimedExemptions gathers every exemption cited, in the order first cited.
func claimedExemptions(law tracker.LawCode, events []tracker.Event, docs []tracker.Document) []claimedExemption {
	var out []claimedExemption
	index := map[string]int{}
	add := func(code, where string) {
		i, ok := index[code]
		if !ok {
			ce := claimedExemption{Code: code}
			if ex, found := tracker.ExemptionByCode(law, code); found {
				ce.Title, ce.Kind = ex.Title, ex.Kind
			}
			out = append(out, ce)
			i = len(out) - 1
			index[code] = i
		}
		out[i].Where = append(out[i].Where, where)
	}
	for _, e := range events {
		for _, code := range e.Exemptions {
			add(code, e.Kind.Label()+" on "+e.Date.Long())
		}
	}
	for i := len(docs) - 1; i >= 0; i-- {
		for _, code := range docs[i].Exemptions {
			add(code, "document "+docs[i].Filename)
		}
	}
	return out
}
