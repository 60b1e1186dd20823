package server

import (
	"strconv"

	"github.com/labstack/echo/v4"
)

// readNotifications marks the posted notifications read (all when none is named).
func (s *Server) readNotifications(c echo.Context) error {
	u := currentUser(c)
	var ids []int64
	for _, v := range c.Request().Form["id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	n, err := s.st.MarkNotificationsRead(c.Request().Context(), u.ID, ids...)
	if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/notifications", "ok", "%d marked read.", n)
}
