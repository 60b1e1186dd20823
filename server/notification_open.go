package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// openNotification marks one notification read and follows its link (the
// list's titles post here, with the CSRF token).
func (s *Server) openNotification(c echo.Context) error {
	n, err := s.ownNotification(c)
	if err != nil {
		return err
	}
	if _, err := s.st.MarkNotificationsRead(c.Request().Context(), currentUser(c).ID, n.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, notificationTarget(n))
}
