package server

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

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
	Withheld []timeline.Withheld // as the export will state them (a private request's too: the team's view)
	// Unexported is how many links are to a private request, left out of
	// exports (store.PublicLinks).
	Unexported int
	Roles      []string
	File       string // the event's file as exported, for people who keep the timeline in git
	// For the link form (editors): recent documents and requests by name.
	LinkChoices linkOptions
	Bundle      *bundleOffer
}

// linkChoices is how many recent documents and requests the event page
// offers by name; an older one is linked from its own page. (500 of each
// were 95 kB of a 107 kB page, and a list nobody scrolls, least of all on
// a phone. A variable for the tests.)
var linkChoices = 100

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
	// The team sees every link and what it withholds; the sources and the
	// file are as exported, without a private request's links.
	_, p.Withheld = store.LinkedForExport(p.Links, s.cfg.BaseURL)
	public := store.PublicLinks(p.Links)
	p.Unexported = len(p.Links) - len(public)
	src, wh := store.LinkedForExport(public, s.cfg.BaseURL)
	exported := te.Event.WithLinks(src, wh)
	p.Sources = exported.Sources()
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
		p.LinkChoices = v.(linkOptions)
	}
	return s.render(c, http.StatusOK, "timeline_event", &view{Title: te.Event.Title(), Section: "timeline", Data: p})
}

// linkOptions are the documents and requests the link form offers by
// name: how many of each, and their <optgroup>s, built once until the next
// write (a thousand <option>s drawn by the template, each with its escaping
// done by reflection there, were two thirds of an event page's work).
type linkOptions struct {
	Documents, Requests int
	HTML                template.HTML
}

// linkOptions names the newest documents and requests for the link form, a
// document with its request's reference.
func (s *Server) linkOptions(ctx context.Context) (any, error) {
	reqs, docs, err := s.st.LinkChoices(ctx, linkChoices)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	option := func(kind string, id int64, label string) {
		b.WriteString(`<option value="`)
		b.WriteString(kind)
		b.WriteString(`:`)
		b.WriteString(strconv.FormatInt(id, 10))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(label))
		b.WriteString(`</option>`)
	}
	if len(docs) > 0 {
		b.WriteString(`<optgroup label="Documents (newest first)">`)
		for _, d := range docs {
			label := d.Filename + " · " + dispositionLabel(d.Disposition)
			if d.RequestRef != "" {
				label += " · " + d.RequestRef
			}
			option("document", d.ID, truncateLabel(label, 110))
		}
		b.WriteString(`</optgroup>`)
	}
	if len(reqs) > 0 {
		b.WriteString(`<optgroup label="Whole requests (newest first)">`)
		for _, r := range reqs {
			option("request", r.ID, r.OurRef+" · "+truncateLabel(r.Title, 70)+" ("+r.AuthorityName+")")
		}
		b.WriteString(`</optgroup>`)
	}
	return linkOptions{Documents: len(docs), Requests: len(reqs), HTML: template.HTML(b.String())}, nil
}
