package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/tracker"
)

// bundleOffer is a download button for an evidence bundle: which kind it
// is and what is inside, said before anything is downloaded.
type bundleOffer struct {
	URL      string
	Kind     string // evidence.Public or evidence.Confidential
	Contents []string
}

// offerBundle describes the bundle a request or event page offers: the
// public one for a public request and for a timeline event, the
// confidential one only for a private request (which has no public one).
func (s *Server) offerBundle(ctx context.Context, scope string, id int64, private bool) (*bundleOffer, error) {
	o := &bundleOffer{Kind: evidence.Public, URL: fmt.Sprintf("/requests/%d/bundle.zip", id)}
	if scope == "event" {
		o.URL = fmt.Sprintf("/timeline/events/%d/bundle.zip", id)
	}
	if private {
		o.Kind, o.URL = evidence.Confidential, o.URL+"?kind="+evidence.Confidential
	}
	var err error
	o.Contents, err = evidence.Describe(ctx, s.st, scope, id, o.Kind)
	return o, err
}

// bundleKind reads the ?kind= of a bundle download: public unless asked.
func bundleKind(c echo.Context) (string, error) {
	switch k := c.QueryParam("kind"); k {
	case "", evidence.Public:
		return evidence.Public, nil
	case evidence.Confidential:
		return k, nil
	default:
		return "", tracker.Errorf(tracker.EINVALID, "a bundle is %s or %s, not %q", evidence.Public, evidence.Confidential, k)
	}
}

// bundleFileName names the kind in the file name, so that a confidential
// bundle is never mistaken for one to publish.
func bundleFileName(stem, kind string) string {
	if kind == evidence.Confidential {
		return stem + "-CONFIDENTIAL-evidence.zip"
	}
	return stem + "-public-evidence.zip"
}

// downloadRequestBundle sends the evidence bundle of a request.
func (s *Server) downloadRequestBundle(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	kind, err := bundleKind(c)
	if err != nil {
		return err
	}
	return s.sendBundle(c, "request", id, kind, bundleFileName(fmt.Sprintf("foitrack-request-%d", id), kind))
}

// downloadEventBundle sends the evidence bundle of a timeline event.
func (s *Server) downloadEventBundle(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	kind, err := bundleKind(c)
	if err != nil {
		return err
	}
	te, err := s.st.TimelineEventByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.sendBundle(c, "event", id, kind, bundleFileName(te.Event.ID(), kind))
}

// sendBundle writes the bundle whole to a temporary file before sending it,
// so that an error is a clean error page, never half a zip, and a large
// bundle is not held in memory.
func (s *Server) sendBundle(c echo.Context, scope string, id int64, kind, name string) error {
	f, err := os.CreateTemp("", "foitrack-bundle-*.zip")
	if err != nil {
		return fmt.Errorf("server: unable to create bundle file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := evidence.Write(c.Request().Context(), s.st, f, scope, id, evidence.Options{BaseURL: s.cfg.BaseURL, Now: s.cfg.Now, Kind: kind}); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("server: unable to read bundle file: %w", err)
	}
	name = strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, name)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Stream(http.StatusOK, "application/zip", f)
}
