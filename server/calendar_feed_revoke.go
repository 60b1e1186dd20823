package server

import (
	"github.com/labstack/echo/v4"
)

// revokeCalendarFeed stops the user's feed address from working.
func (s *Server) revokeCalendarFeed(c echo.Context) error {
	if err := s.st.RevokeCalendarFeed(c.Request().Context(), currentUser(c).ID); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/notifications/settings", "ok", "The calendar feed address no longer works. Make a new one to subscribe again.")
}
