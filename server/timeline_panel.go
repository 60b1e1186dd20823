package server

import (
	"context"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// timelinePanel is what a request or document page shows of the timeline:
// the events it is linked to and, for editors, a form to link it to one.
type timelinePanel struct {
	Target   string // document, message or request
	TargetID int64
	Links    []store.EventLinkDetail
	// Events is the link form's choice: the newest maxPanelEvents.
	Events *eventChoices
	Roles  []string
	Back   string       // where the link form returns to
	Bundle *bundleOffer // a request's evidence bundle
}

// maxPanelEvents are the events offered in the link form of a document's,
// message's or request's page.
const maxPanelEvents = 200

// eventChoices are the newest timeline events a link form offers (at
// most maxPanelEvents) as the options of its datalist. They are kept while
// nothing is written (currentUntilWritten): read and written out on every
// request's, document's or message's page, their 201 rows and 400 values
// escaped by reflection were a fifth of a request page's CPU.
type eventChoices struct {
	Count int
	More  bool // there are older events than those offered
	// Options is the datalist's options, as the template wrote them:
	// <option value="ID">date · title</option> for each.
	Options template.HTML
}

// eventChoicesKey is what the event choices are kept under.
const eventChoicesKey = "timeline event choices"

// timelineEventChoices are the event choices now (see eventChoices).
func (s *Server) timelineEventChoices(ctx context.Context) (*eventChoices, error) {
	v, err := s.currentUntilWritten(ctx, eventChoicesKey, func(ctx context.Context) (any, error) {
		// The newest events (the likely choice), a bounded list: all of
		// them (up to 5,000) were half the CPU of a message's or
		// document's page at 1,000 events. An older one is given by its
		// number.
		events, err := s.st.TimelineEventTitles(ctx, maxPanelEvents+1)
		if err != nil {
			return nil, err
		}
		ch := &eventChoices{}
		if len(events) > maxPanelEvents {
			events, ch.More = events[:maxPanelEvents], true
		}
		ch.Count = len(events)
		var b strings.Builder
		b.Grow(len(events) * 100)
		for _, te := range events {
			b.WriteString(`<option value="`)
			b.WriteString(strconv.FormatInt(te.ID, 10))
			b.WriteString(`">`)
			htmlText(&b, te.Date+" · "+truncateLabel(te.Title, 90))
			b.WriteString(`</option>`)
		}
		ch.Options = template.HTML(b.String())
		return ch, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*eventChoices), nil
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
	if p.Events, err = s.timelineEventChoices(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

func truncateLabel(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
