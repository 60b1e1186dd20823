package server

import (
	"context"
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
	Items                       []timelineItem
	Pager                       pager
	ExportQuery                 string // the filters, for the export links
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
	total, err := s.st.CountTimelineEvents(ctx, f)
	if err != nil {
		return err
	}
	page := pageParam(c)
	f.Limit, f.Offset = pageSize, (page-1)*pageSize
	events, err := s.st.TimelineSummaries(ctx, f)
	if err != nil {
		return err
	}
	ids := make([]int64, len(events))
	for i, te := range events {
		ids[i] = te.ID
	}
	byEvent := map[int64][]store.EventLinkDetail{}
	if len(ids) > 0 {
		links, err := s.st.EventLinkBriefs(ctx, ids)
		if err != nil {
			return err
		}
		for _, l := range links {
			byEvent[l.EventID] = append(byEvent[l.EventID], l)
		}
	}
	for _, te := range events {
		it := timelineItem{TimelineSummary: te, Links: byEvent[te.ID]}
		seen := map[int64]bool{}
		for _, l := range it.Links {
			if l.ReqID != 0 && !seen[l.ReqID] {
				seen[l.ReqID] = true
				it.Requests = append(it.Requests, requestRef{ID: l.ReqID, Title: l.RequestTitle, Authority: l.AuthorityName})
			}
		}
		p.Items = append(p.Items, it)
	}
	p.Pager = newPager(c, page, total, len(events), false)
	q := c.Request().URL.Query()
	q.Del("page")
	p.ExportQuery = q.Encode()
	return s.render(c, http.StatusOK, "timeline", &view{Title: "Timeline", Section: "timeline", Data: p})
}
