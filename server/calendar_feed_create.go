package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// createCalendarFeed makes (or replaces) the user's secret feed address and
// shows it once.
func (s *Server) createCalendarFeed(c echo.Context) error {
	u := currentUser(c)
	token, _, err := s.st.CreateCalendarFeed(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	return s.renderNotificationSettings(c, http.StatusOK, s.absURL("/calendar/"+token+".ics"))
}
