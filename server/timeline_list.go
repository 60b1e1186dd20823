package server

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// timelinePage is the timeline: events in date order, filtered.
type timelinePage struct {
	Tag, Actor, From, To, Query string
	Importance                  int
	Levels                      []int // importance choices
	Tags, Actors                []string
	// Items is the page's events with their links (timelineItems).
	Items       template.HTML
	Pager       pager
	ExportQuery string // the filters, for the export links
}

// timelineItem is an event with what it is linked to.
type timelineItem struct {
	store.TimelineSummary
	Links    []store.EventLinkDetail
	Requests []requestRef // distinct requests behind the links
}

// requestRef names a request.
type requestRef struct {
	ID        int64
	Title     string
	Authority string
}

// timelineListing is a page of the timeline: its events with their links
// written out, how many there are on it and how many match in all.
type timelineListing struct {
	Items        template.HTML
	Count, Total int
}

// listTimeline is page page of the events f finds.
func (s *Server) listTimeline(ctx context.Context, f store.TimelineFilter, page int) (*timelineListing, error) {
	total, err := s.st.CountTimelineEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	f.Limit, f.Offset = pageSize, (page-1)*pageSize
	events, err := s.st.TimelineSummaries(ctx, f)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(events))
	for i, te := range events {
		ids[i] = te.ID
	}
	byEvent := map[int64][]store.EventLinkDetail{}
	if len(ids) > 0 {
		links, err := s.st.EventLinkBriefs(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			byEvent[l.EventID] = append(byEvent[l.EventID], l)
		}
	}
	var items []timelineItem
	for _, te := range events {
		it := timelineItem{TimelineSummary: te, Links: byEvent[te.ID]}
		seen := map[int64]bool{}
		for _, l := range it.Links {
			if l.ReqID != 0 && !seen[l.ReqID] {
				seen[l.ReqID] = true
				it.Requests = append(it.Requests, requestRef{ID: l.ReqID, Title: l.RequestTitle, Authority: l.AuthorityName})
			}
		}
		items = append(items, it)
	}
	return &timelineListing{Items: timelineItems(items), Count: len(events), Total: total}, nil
}

// timelineFilter reads the filters from the query string.
func timelineFilter(c echo.Context) store.TimelineFilter {
	f := store.TimelineFilter{
		Tag:   strings.TrimSpace(c.QueryParam("tag")),
		Actor: strings.TrimSpace(c.QueryParam("actor")),
		From:  strings.TrimSpace(c.QueryParam("from")),
		To:    strings.TrimSpace(c.QueryParam("to")),
		Query: strings.TrimSpace(c.QueryParam("q")),
	}
	if n, err := strconv.Atoi(c.QueryParam("importance")); err == nil && n >= 1 && n <= 10 {
		f.MinImportance = n
	}
	return f
}

// showTimeline lists events chronologically with their linked requests and documents.
func (s *Server) showTimeline(c echo.Context) error {
	ctx := c.Request().Context()
	f := timelineFilter(c)
	p := timelinePage{Tag: f.Tag, Actor: f.Actor, From: f.From, To: f.To, Query: f.Query, Importance: f.MinImportance,
		Levels: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	// The filters' choices: every event's tags and actors counted, kept
	// until the next write (a pass over all events was a sixth of the page
	// at 1,000 events).
	facets, err := s.untilWritten(ctx, "timeline facets", func(ctx context.Context) (any, error) {
		tags, actors, err := s.st.TimelineFacets(ctx)
		return [2][]string{tags, actors}, err
	})
	if err != nil {
		return err
	}
	p.Tags, p.Actors = facets.Val.([2][]string)[0], facets.Val.([2][]string)[1]
	page := pageParam(c)
	var l *timelineListing
	if f.Tag == "" && f.Actor == "" && f.From == "" && f.To == "" && f.Query == "" && f.MinImportance == 0 && page == 1 {
		// The timeline as it opens, the same for everyone: kept while
		// nothing is written (its events' links were half of its CPU, their
		// writing out most of the rest).
		v, err := s.currentUntilWritten(ctx, "timeline first page", func(ctx context.Context) (any, error) {
			return s.listTimeline(ctx, f, page)
		})
		if err != nil {
			return err
		}
		l = v.(*timelineListing)
	} else if l, err = s.listTimeline(ctx, f, page); err != nil {
		return err
	}
	p.Items = l.Items
	p.Pager = newPager(c, page, l.Total, l.Count, false)
	q := c.Request().URL.Query()
	q.Del("page")
	p.ExportQuery = q.Encode()
	return s.render(c, http.StatusOK, "timeline", &view{Title: "Timeline", Section: "timeline", Data: p})
}
