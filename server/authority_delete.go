package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// deleteAuthority deletes an authority no request is addressed to.
func (s *Server) deleteAuthority(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.st.DeleteAuthority(c.Request().Context(), id)
	if tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFlash(c, fmt.Sprintf("/authorities/%d", id), "error", "Not deleted: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/authorities", "ok", "Deleted %s.", a.Name)
}
