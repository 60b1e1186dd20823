package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/timeline"
)

// exportTimelineJSON is the (filtered) timeline as a JSON array of events,
// with their links as sources and withheld items.
func (s *Server) exportTimelineJSON(c echo.Context) error {
	events, err := s.st.TimelineEventsForExport(c.Request().Context(), timelineFilter(c), s.cfg.BaseURL)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="timeline.json"`)
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", timeline.ExportJSON(events))
}

// exportTimelineJS is the (filtered) timeline in TimelineJS's format.
func (s *Server) exportTimelineJS(c echo.Context) error {
	events, err := s.st.TimelineEventsForExport(c.Request().Context(), timelineFilter(c), s.cfg.BaseURL)
	if err != nil {
		return err
	}
	title := strings.TrimSpace(c.QueryParam("title"))
	if title == "" {
		title = "Timeline"
	}
	b, err := timeline.MarshalTimelineJS(title, "", events)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", b)
}
