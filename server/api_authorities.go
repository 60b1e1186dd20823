package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// apiListAuthorities: GET /api/v1/authorities?q=&limit=&after=, by name;
// "next" is the page after.
func (s *Server) apiListAuthorities(c echo.Context) error {
	limit, cur, err := apiPage(c, true)
	if err != nil {
		return err
	}
	list, err := s.st.Authorities(c.Request().Context(), store.AuthorityFilter{Query: c.QueryParam("q"), Limit: limit + 1, Cursor: cur})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList(s, c, "authorities", pageOf(list, cur, limit, true, authorityCursor)))
}

// apiGetAuthority: GET /api/v1/authorities/:id, with its record (as its
// page shows it, kept until the next write).
func (s *Server) apiGetAuthority(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.st.AuthorityByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	rec, err := s.authorityRecord(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"authority": a, "record": rec, "on_time_share": rec.OnTimeShare()})
}
