package server

import (
	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

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
