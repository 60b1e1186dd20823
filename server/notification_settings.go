package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
)

type notificationSettingsPage struct {
	Preferences store.Preferences
	// EmailConfigured: an SMTP server is set up (else reminders are in-app only).
	EmailConfigured bool
	Feed            store.CalendarFeed
	HasFeed         bool
	// FeedURL is shown once, right after it is made.
	FeedURL string
	IsAdmin bool
}

// showNotificationSettings: the user's email reminder choice and calendar feed.
func (s *Server) showNotificationSettings(c echo.Context) error {
	return s.renderNotificationSettings(c, http.StatusOK, "")
}

func (s *Server) renderNotificationSettings(c echo.Context, status int, feedURL string) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	p := notificationSettingsPage{FeedURL: feedURL, IsAdmin: u.Role.AtLeast(store.RoleAdmin)}
	var err error
	if p.Preferences, err = s.st.UserPreferences(ctx, u.ID); err != nil {
		return err
	}
	if set, err := outbound.LoadSettings(ctx, s.st, nil); err == nil && set.Host != "" {
		p.EmailConfigured = true
	}
	if p.Feed, p.HasFeed, err = s.st.ActiveCalendarFeed(ctx, u.ID); err != nil {
		return err
	}
	return s.render(c, status, "notification_settings", &view{Title: "Reminders and calendar", Section: "notifications", Data: p})
}
