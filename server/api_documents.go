package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// apiListDocuments: GET /api/v1/documents?request_id=&disposition=&limit=&after=
// (the file itself: GET /api/v1/documents/:id/content), newest first; "next"
// is the page after.
func (s *Server) apiListDocuments(c echo.Context) error {
	f := store.DocumentFilter{}
	limit, cur, err := apiPage(c, false)
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = limit+1, cur
	if id, err := strconv.ParseInt(c.QueryParam("request_id"), 10, 64); err == nil {
		f.RequestID = id
	}
	if d := c.QueryParam("disposition"); d != "" {
		if !tracker.ValidDisposition(d) {
			return tracker.Errorf(tracker.EINVALID, "disposition must be released, released_redacted or withheld")
		}
		f.Disposition = d
	}
	docs, err := s.st.Documents(c.Request().Context(), f)
	if err != nil {
		return err
	}
	page := pageOf(docs, cur, limit, false, func(d tracker.Document) store.Cursor { return store.Cursor{ID: d.ID} })
	return c.JSON(http.StatusOK, apiList(s, c, "documents", page))
}

// apiGetDocument: GET /api/v1/documents/:id
func (s *Server) apiGetDocument(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.st.DocumentByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"document": d, "content_url": s.absURL("/api/v1/documents/" + strconv.FormatInt(id, 10) + "/content")})
}
