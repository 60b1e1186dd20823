package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// followNotification leads to where a notification points, without
// marking it read: a GET changes nothing (a prefetch or a crawler must not
// read a person's notifications for them).
func (s *Server) followNotification(c echo.Context) error {
	n, err := s.ownNotification(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, notificationTarget(n))
}

// ownNotification is the signed-in user's notification named by :id
// (someone else's is not found).
func (s *Server) ownNotification(c echo.Context) (store.Notification, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return store.Notification{}, err
	}
	return s.st.NotificationByID(c.Request().Context(), currentUser(c).ID, id)
}

// notificationTarget is where a notification leads: its link on this site,
// else the list.
func notificationTarget(n store.Notification) string {
	to := localRedirect(n.Link)
	if to == "/" && n.Link == "" {
		to = "/notifications"
	}
	return to
}
