package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// serveAsset serves an embedded static file. URLs carry the file's hash
// (assetURL), so browsers may keep it for a long time.
func (s *Server) serveAsset(c echo.Context) error {
	a, ok := s.assets[c.Param("file")]
	if !ok {
		return tracker.Errorf(tracker.ENOTFOUND, "No such file.")
	}
	h := c.Response().Header()
	etag := `"` + a.hash + `"`
	h.Set("ETag", etag)
	h.Set(echo.HeaderCacheControl, "public, max-age=604800")
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, a.contentType, a.body)
}
