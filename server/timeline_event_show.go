package server

import (
	"context"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

// timelineEventPage is one event with everything it rests on.
type timelineEventPage struct {
	Item     store.TimelineEvent
	Body     template.HTML // the markdown body, rendered safely (timeline.HTML escapes everything)
	Sources  []timeline.Source
	Extra    []timeline.Field
	Links    []store.EventLinkDetail
	Withheld []timeline.Withheld // as the export will state them
	Roles    []string
	File     string // the event's file as exported, for people who keep the timeline in git
	// For the link forms (editors): recent documents and requests by name.
	Documents []linkOption
	Requests  []linkOption
	Bundle    *bundleOffer
}

// linkOption is a document or request offered in a link form.
type linkOption struct {
	ID    int64
	Label string
}

// linkChoices is how many recent documents and requests the event page
// offers by name; an older one is linked from its own page.
const linkChoices = 500

// showTimelineEvent shows an event: its fields, its body, and for each link
// the request, the authority, the dates and the exemptions cited.
func (s *Server) showTimelineEvent(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	te, err := s.st.TimelineEventByID(ctx, id)
	if err != nil {
		return err
	}
	p := timelineEventPage{Item: te, Body: template.HTML(timeline.HTML(te.Event.Text())), Extra: te.Event.Extra(), Roles: store.LinkRoles}
	if p.Links, err = s.st.EventLinkDetails(ctx, store.LinkFilter{EventIDs: []int64{id}}); err != nil {
		return err
	}
	src, wh := store.LinkedForExport(p.Links, s.cfg.BaseURL)
	exported := te.Event.WithLinks(src, wh)
	p.Sources, p.Withheld = exported.Sources(), wh
	_, file := exported.File("")
	p.File = string(file)
	if p.Bundle, err = s.offerBundle(ctx, "event", id, false); err != nil {
		return err
	}
	if currentUser(c).Role.AtLeast(store.RoleEditor) {
		// The same for every event until something is written: kept, so a
		// view reads none of the thousand rows again.
		v, err := s.currentUntilWritten(ctx, "timeline link choices", s.linkOptions)
		if err != nil {
			return err
		}
		opts := v.(linkOptions)
		p.Documents, p.Requests = opts.Documents, opts.Requests
	}
	return s.render(c, http.StatusOK, "timeline_event", &view{Title: te.Event.Title(), Section: "timeline", Data: p})
}

// linkOptions are the documents and requests the link forms offer by name.
type linkOptions struct {
	Documents, Requests []linkOption
}

// linkOptions names the newest documents and requests for the link forms;
// a document's label carries its request's reference when that request is
// among those offered.
func (s *Server) linkOptions(ctx context.Context) (any, error) {
	reqs, docs, err := s.st.LinkChoices(ctx, linkChoices)
	if err != nil {
		return nil, err
	}
	var opts linkOptions
	refs := map[int64]string{}
	for _, r := range reqs {
		refs[r.ID] = r.OurRef
		opts.Requests = append(opts.Requests, linkOption{r.ID, r.OurRef + " · " + truncateLabel(r.Title, 70) + " (" + r.AuthorityName + ")"})
	}
	for _, d := range docs {
		label := d.Filename + " · " + dispositionLabel(d.Disposition)
		if ref := refs[d.RequestID]; ref != "" {
			label += " · " + ref
		}
		opts.Documents = append(opts.Documents, linkOption{d.ID, truncateLabel(label, 110)})
	}
	return opts, nil
}
