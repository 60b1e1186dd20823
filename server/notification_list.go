package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

type notificationsPage struct {
	Notifications []store.Notification
	Unread        int
	UnreadOnly    bool
	Pager         pager
}

// showNotifications lists the signed-in user's notifications, newest first.
func (s *Server) showNotifications(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	page := pageParam(c)
	p := notificationsPage{UnreadOnly: c.QueryParam("unread") != ""}
	list, err := s.st.Notifications(ctx, u.ID, p.UnreadOnly, pageSize+1, (page-1)*pageSize)
	if err != nil {
		return err
	}
	more := len(list) > pageSize
	if more {
		list = list[:pageSize]
	}
	p.Notifications = list
	if p.Unread, err = s.st.UnreadNotifications(ctx, u.ID); err != nil {
		return err
	}
	p.Pager = newPager(c, page, -1, len(list), more)
	return s.render(c, http.StatusOK, "notifications", &view{Title: "Notifications", Section: "notifications", Data: p})
}
