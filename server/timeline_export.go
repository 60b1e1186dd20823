package server

import (
	"bufio"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/timeline"
)

// exportTimelineJSON is the (filtered) timeline as a JSON array of events,
// with their links as sources and withheld items. It is written as it is
// read, a few events at a time (a timeline of 10,000 events was 300 MB of
// server memory a download when built whole).
func (s *Server) exportTimelineJSON(c echo.Context) error {
	v := exportVariant{route: "timeline.json", filter: timelineFilter(c), base: s.cfg.BaseURL,
		disposition: `attachment; filename="timeline.json"`}
	return s.streamTimeline(c, v, func(w io.Writer) (eventWriter, error) {
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
	v := exportVariant{route: "timelinejs.json", filter: timelineFilter(c), title: title, base: s.cfg.BaseURL}
	return s.streamTimeline(c, v, func(w io.Writer) (eventWriter, error) {
		return timeline.NewTimelineJSExport(w, title, "")
	})
}

// eventWriter is a file of events written one at a time (timeline's
// JSONExport and TimelineJSExport).
type eventWriter interface {
	Add(*timeline.Event) error
	Close() error
}

// streamTimeline sends the download of variant v: the bytes kept of it
// when nothing it reads has been committed since they were written (see
// keptExports), else the events v's filter selects, written as they are
// read into the file open starts once the first is ready (so an error
// reading the first chunk still gets an error page), and kept. An error
// after the first bytes can only cut the download short; the error handler
// logs it.
//
// Only Config.Downloads are written at once: each holds a chunk of events,
// its buffers and a reader connection for as long as it takes (four at
// once were the server's peak memory). One more waits for a turn, as long
// as its client does. A kept file holds none of those while it is sent.
func (s *Server) streamTimeline(c echo.Context, v exportVariant, open func(io.Writer) (eventWriter, error)) (err error) {
	ctx := c.Request().Context()
	res := c.Response()
	res.Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	gz := acceptsGzip(c.Request())
	key := v.key()
	headers := func() {
		res.Header().Set(echo.HeaderContentType, "application/json; charset=utf-8")
		if gz {
			res.Header().Set(echo.HeaderContentEncoding, "gzip")
		}
		if v.disposition != "" {
			res.Header().Set("Content-Disposition", v.disposition)
		}
	}
	version, verr := s.st.ExportVersion(ctx)
	// sendKept sends the kept file of the variant at version, if there is
	// one, and says whether it did.
	sendKept := func() bool {
		if verr != nil {
			return false
		}
		f, etag := s.exports.open(key, version, gz)
		if f == nil {
			return false
		}
		defer f.Close()
		headers()
		res.Header().Set("ETag", etag)
		http.ServeContent(res, c.Request(), "", time.Time{}, f)
		return true
	}
	if verr != nil {
		// Written afresh and not kept: a download does not fail for want
		// of its copy.
		s.log.Warn("timeline download not kept", "err", verr)
	} else if sendKept() {
		return nil
	}
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
		// While it waited, the download ahead of it may have written and
		// kept the same file: sent from there, not written again.
		if sendKept() {
			<-s.downloads
			return nil
		}
	}
	defer func() { <-s.downloads }()
	// The bytes go to the client, gzipped if it takes them so, and to the
	// kept files, as they are and gzipped (compressed once, whichever the
	// client takes).
	var kept *keptWriter
	if verr == nil {
		// Begun after the version was read: a commit in between changes
		// the version, so what is kept is never older than its version.
		kept = s.exports.create(key, version, strings.TrimSpace(v.filter.Query) != "")
	}
	var plain, zipped []io.Writer
	if gz {
		zipped = append(zipped, res)
	} else {
		plain = append(plain, res)
	}
	if kept != nil {
		plain, zipped = append(plain, kept), append(zipped, kept.Gzip())
	}
	var zw *gzip.Writer
	if len(zipped) > 0 {
		zw, _ = gzip.NewWriterLevel(io.MultiWriter(zipped...), gzipLevel)
		plain = append(plain, zw)
	}
	if kept != nil {
		defer func() {
			if err == nil {
				s.exports.keep(kept) // the whole download
			} else {
				s.exports.discard(kept)
			}
		}()
	}
	out := io.MultiWriter(plain...)
	w := bufio.NewWriterSize(out, 64<<10)
	var x eventWriter
	start := func() (err error) {
		headers()
		res.WriteHeader(http.StatusOK)
		x, err = open(w)
		return err
	}
	err = s.st.EachTimelineEventForExport(ctx, v.filter, s.cfg.BaseURL, func(e *timeline.Event) error {
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
	if err := w.Flush(); err != nil {
		return err
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}

// acceptsGzip says whether the client takes a gzipped answer (as the
// gzip middleware decides it; the downloads skip that middleware, see
// compressesItself).
func acceptsGzip(r *http.Request) bool {
	return strings.Contains(r.Header.Get(echo.HeaderAcceptEncoding), "gzip")
}

// compressesItself are the routes that gzip their own answers, not through
// the gzip middleware: the timeline downloads, whose kept files are kept
// gzipped too.
var compressesItself = map[string]bool{"/timeline.json": true, "/timeline/timelinejs.json": true}
