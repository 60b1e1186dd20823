package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/tracker"
)

// saveSMTPSettings stores the SMTP server (never its password: only where to find it).
func (s *Server) saveSMTPSettings(c echo.Context) error {
	ctx := c.Request().Context()
	port, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("port")))
	set := outbound.Settings{Host: c.FormValue("host"), Port: port, TLS: outbound.TLSMode(c.FormValue("tls")),
		Username: strings.TrimSpace(c.FormValue("username")), PasswordEnv: strings.TrimSpace(c.FormValue("password_env")),
		PasswordFile: strings.TrimSpace(c.FormValue("password_file")), From: strings.TrimSpace(c.FormValue("from")),
		FromName: strings.TrimSpace(c.FormValue("from_name")), HeloName: strings.TrimSpace(c.FormValue("helo_name"))}
	if set.PasswordEnv != "" && !strings.HasPrefix(set.PasswordEnv, "FOITRACK_") {
		// Only foitrack's own variables: a setting must not read PATH or HOME into a mail server.
		err := &tracker.Error{Code: tracker.EINVALID, Message: "The password variable's name must start with FOITRACK_.",
			Fields: map[string]string{"password_env": "must start with FOITRACK_"}}
		return s.renderReminderSettings(c, http.StatusUnprocessableEntity, &view{Error: "Not saved: " + err.Message, Fields: err.Fields,
			Data: &reminderSettingsPage{Reminders: mustReminderSettings(c, s), SMTP: set}})
	}
	if set.Host != "" {
		if err := set.Validate(); err != nil {
			if tracker.ErrorCode(err) != tracker.EINVALID {
				return err
			}
			return s.renderReminderSettings(c, http.StatusUnprocessableEntity, &view{Error: "Not saved: " + tracker.ErrorMessage(err),
				Fields: fieldErrors(err), Data: &reminderSettingsPage{Reminders: mustReminderSettings(c, s), SMTP: set}})
		}
	}
	if err := s.st.PutSetting(ctx, outbound.SettingKey, set); err != nil {
		return err
	}
	if set.Host == "" {
		return s.redirectWithFlash(c, "/admin/reminders", "ok", "Mail sending is off: reminders are shown in the app only.")
	}
	return s.redirectWithFlash(c, "/admin/reminders", "ok", "SMTP settings saved. Send a test email to check them.")
}
