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
	p := notificationsPage{UnreadOnly: c.QueryParam("unread") != ""}
	cur, err := cursorParam(c, false)
	if err != nil {
		return err
	}
	list, err := s.st.Notifications(ctx, u.ID, p.UnreadOnly, pageSize+1, cur)
	if err != nil {
		return err
	}
	page := pageOf(list, cur, pageSize, false, func(n store.Notification) store.Cursor { return store.Cursor{ID: n.ID} })
	list = page.Rows
	p.Notifications = list
	if p.Unread, err = s.st.UnreadNotifications(ctx, u.ID); err != nil {
		return err
	}
	p.Pager = keysetPager(c, page, -1)
	return s.render(c, http.StatusOK, "notifications", &view{Title: "Notifications", Section: "notifications", Data: p})
}
