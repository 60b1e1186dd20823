package server

import (
	"bufio"
	"io"
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
	return s.streamTimeline(c, func(w io.Writer) (eventWriter, error) {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="timeline.json"`)
		return timeline.NewJSONExport(w), nil
	})
}

// exportTimelineJS is the (filtered) timeline in TimelineJS's format,
// written as it is read.
func (s *Server) exportTimelineJS(c echo.Context) error {
	title := strings.TrimSpace(c.QueryParam("title"))
	if title == "" {
		title = "Timeline"
	}
	return s.streamTimeline(c, func(w io.Writer) (eventWriter, error) {
		return timeline.NewTimelineJSExport(w, title, "")
	})
}

// eventWriter is a file of events written one at a time (timeline's
// JSONExport and TimelineJSExport).
type eventWriter interface {
	Add(*timeline.Event) error
	Close() error
}

// streamTimeline writes the events the request's filter selects as they
// are read, into the file open starts once the first is ready (so an error
// reading the first chunk still gets an error page). An error after the
// first bytes can only cut the download short; the error handler logs it.
//
// Only Config.Downloads are written at once: each holds a chunk of events,
// its buffers and a reader connection for as long as it takes (four at
// once were the server's peak memory). One more waits for a turn, as long
// as its client does.
func (s *Server) streamTimeline(c echo.Context, open func(io.Writer) (eventWriter, error)) error {
	ctx := c.Request().Context()
	select {
	case s.downloads <- struct{}{}:
	default:
		s.downloadsWaiting.Add(1)
		select {
		case s.downloads <- struct{}{}:
			s.downloadsWaiting.Add(-1)
		case <-ctx.Done():
			s.downloadsWaiting.Add(-1)
			return ctx.Err()
		}
	}
	defer func() { <-s.downloads }()
	res := c.Response()
	w := bufio.NewWriterSize(res, 64<<10)
	var x eventWriter
	start := func() (err error) {
		res.Header().Set(echo.HeaderContentType, "application/json; charset=utf-8")
		res.WriteHeader(http.StatusOK)
		x, err = open(w)
		return err
	}
	err := s.st.EachTimelineEventForExport(ctx, timelineFilter(c), s.cfg.BaseURL, func(e *timeline.Event) error {
		if x == nil {
			if err := start(); err != nil {
				return err
			}
		}
		return x.Add(e)
	})
	if err != nil {
		return err
	}
	if x == nil {
		if err := start(); err != nil {
			return err
		}
	}
	if err := x.Close(); err != nil {
		return err
	}
	return w.Flush()
}
