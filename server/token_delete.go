package server

import (
	"github.com/labstack/echo/v4"
)

// deleteAPIToken revokes one of the user's own tokens.
func (s *Server) deleteAPIToken(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.st.DeleteAPIToken(c.Request().Context(), currentUser(c).ID, id); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/settings", "ok", "Token revoked: programs using it can no longer get in.")
}
