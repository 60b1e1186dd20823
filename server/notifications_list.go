package server

import (
	"net/http"
	"strconv"

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
