package server

import (
	"github.com/labstack/echo/v4"
)

func (s *Server) deleteTimelineEvent(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.st.DeleteTimelineEvent(c.Request().Context(), id); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/timeline", "ok", "Event deleted (its links with it); the audit log keeps what it was.")
}
