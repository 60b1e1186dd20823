package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// serveAuditCheckpoint sends the latest signed checkpoint of the audit
// log's transparency log, as a C2SP signed note, to anyone: it reveals only
// the log's size and root hash, and is what readers of an evidence bundle
// check its checkpoint against (with `foitrack verify --checkpoint`). It
// never signs one itself (serve does, on its schedule), so that a public
// request cannot make the tracker re-hash its log.
func (s *Server) serveAuditCheckpoint(c echo.Context) error {
	cp, ok, err := s.st.LatestCheckpoint(c.Request().Context())
	if err != nil {
		return err
	}
	if !ok {
		return tracker.Errorf(tracker.ENOTFOUND, "no checkpoint has been signed yet")
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(cp.Note))
}
