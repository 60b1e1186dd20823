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

// saveNotificationSettings turns the user's email reminders on or off.
func (s *Server) saveNotificationSettings(c echo.Context) error {
	u := currentUser(c)
	p := store.Preferences{UserID: u.ID, EmailReminders: c.FormValue("email_reminders") != ""}
	if err := s.st.SaveUserPreferences(c.Request().Context(), p); err != nil {
		return err
	}
	if p.EmailReminders {
		return s.redirectWithFlash(c, "/notifications/settings", "ok", "Reminders will be emailed to %s as well as shown here.", u.Email)
	}
	return s.redirectWithFlash(c, "/notifications/settings", "ok", "Email reminders are off: you will see reminders here only.")
}

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

// revokeCalendarFeed stops the user's feed address from working.
func (s *Server) revokeCalendarFeed(c echo.Context) error {
	if err := s.st.RevokeCalendarFeed(c.Request().Context(), currentUser(c).ID); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/notifications/settings", "ok", "The calendar feed address no longer works. Make a new one to subscribe again.")
}
