package server

import (
	"context"
	"fmt"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// timelinePanel is what a request or document page shows of the timeline:
// the events it is linked to and, for editors, a form to link it to one.
type timelinePanel struct {
	Target   string // document, message or request
	TargetID int64
	Links    []store.EventLinkDetail
	Events   []eventOption // for the link form: the newest maxPanelEvents
	// MoreEvents: there are older events than those offered.
	MoreEvents bool
	Roles      []string
	Back       string       // where the link form returns to
	Bundle     *bundleOffer // a request's evidence bundle
}

// maxPanelEvents are the events offered in the link form of a document's,
// message's or request's page.
const maxPanelEvents = 200

// eventOption is an event in a select list.
type eventOption struct {
	ID    int64
	Label string
}

// loadTimelinePanel gathers the panel for a request or a document.
func (s *Server) loadTimelinePanel(ctx context.Context, target string, id int64) (*timelinePanel, error) {
	p := &timelinePanel{Target: target, TargetID: id, Roles: store.LinkRoles}
	f := store.LinkFilter{}
	switch target {
	case "document":
		f.DocumentID, p.Back = id, fmt.Sprintf("/documents/%d", id)
	case "request":
		f.RequestID, p.Back = id, fmt.Sprintf("/requests/%d", id)
		r, err := s.st.RequestByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if p.Bundle, err = s.offerBundle(ctx, "request", id, r.Visibility != tracker.VisibilityPublic); err != nil {
			return nil, err
		}
	default:
		f.MessageID, p.Back = id, fmt.Sprintf("/mail/%d", id)
	}
	var err error
	if p.Links, err = s.st.EventLinkDetails(ctx, f); err != nil {
		return nil, err
	}
	// The newest events (the likely choice), a bounded list: all of them
	// (up to 5,000) were half the CPU of a message's or document's page at
	// 1,000 events. An older one is given by its number.
	events, err := s.st.TimelineEventTitles(ctx, maxPanelEvents+1)
	if err != nil {
		return nil, err
	}
	if len(events) > maxPanelEvents {
		events, p.MoreEvents = events[:maxPanelEvents], true
	}
	for _, te := range events {
		p.Events = append(p.Events, eventOption{ID: te.ID, Label: te.Date + " · " + truncateLabel(te.Title, 90)})
	}
	return p, nil
}

func truncateLabel(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
