package server

import (
	"bufio"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/timeline"
)

// exportTimelineJSON is the (filtered) timeline as a JSON array of events,
// with their links as sources and withheld items. It is written as it is
// read, a few events at a time (a timeline of 10,000 events was 300 MB of
// server memory a download when built whole).
func (s *Server) exportTimelineJSON(c echo.Context) error {
	var x *timeline.JSONExport
	return s.streamTimeline(c, func(w *bufio.Writer) error {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="timeline.json"`)
		x = timeline.NewJSONExport(w)
		return nil
	}, func(e *timeline.Event) error { return x.Add(e) }, func() error { return x.Close() })
}

// exportTimelineJS is the (filtered) timeline in TimelineJS's format,
// written as it is read.
func (s *Server) exportTimelineJS(c echo.Context) error {
	title := strings.TrimSpace(c.QueryParam("title"))
	if title == "" {
		title = "Timeline"
	}
	var x *timeline.TimelineJSExport
	return s.streamTimeline(c, func(w *bufio.Writer) (err error) {
		x, err = timeline.NewTimelineJSExport(w, title, "")
		return err
	}, func(e *timeline.Event) error { return x.Add(e) }, func() error { return x.Close() })
}

// streamTimeline writes the events the request's filter selects as they
// are read: start when the first is ready (so an error reading the first
// chunk still gets an error page), add each, end. An error after the first
// bytes can only cut the download short; the error handler logs it.
func (s *Server) streamTimeline(c echo.Context, start func(*bufio.Writer) error, add func(*timeline.Event) error, end func() error) error {
	res := c.Response()
	w := bufio.NewWriterSize(res, 64<<10)
	started := false
	begin := func() error {
		started = true
		res.Header().Set(echo.HeaderContentType, "application/json; charset=utf-8")
		res.WriteHeader(http.StatusOK)
		return start(w)
	}
	err := s.st.EachTimelineEventForExport(c.Request().Context(), timelineFilter(c), s.cfg.BaseURL, func(e *timeline.Event) error {
		if !started {
			if err := begin(); err != nil {
				return err
			}
		}
		return add(e)
	})
	if err != nil {
		return err
	}
	if !started {
		if err := begin(); err != nil {
			return err
		}
	}
	if err := end(); err != nil {
		return err
	}
	return w.Flush()
}
