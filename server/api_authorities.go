package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// apiListAuthorities: GET /api/v1/authorities?q=&limit=&offset=
func (s *Server) apiListAuthorities(c echo.Context) error {
	limit, offset := apiLimit(c)
	list, err := s.st.Authorities(c.Request().Context(), store.AuthorityFilter{Query: c.QueryParam("q"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	if list == nil {
		list = []tracker.Authority{}
	}
	return c.JSON(http.StatusOK, map[string]any{"authorities": list})
}

// apiGetAuthority: GET /api/v1/authorities/:id, with its record.
func (s *Server) apiGetAuthority(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.st.AuthorityByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	rec, err := s.st.AuthorityRecord(c.Request().Context(), id, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"authority": a, "record": rec, "on_time_share": rec.OnTimeShare()})
}
