package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

type reminderSettingsPage struct {
	Reminders remind.Settings
	SMTP      outbound.Settings
	// SMTPError says why the stored SMTP settings cannot be used ("" when fine or unset).
	SMTPError string
	LastRun   store.ReminderRun
	HasRun    bool
	EnvNote   string
}

// showReminderSettings: the reminder job's settings, the SMTP server, the
// last run, and buttons to test the mail and run the job now.
func (s *Server) showReminderSettings(c echo.Context) error {
	return s.renderReminderSettings(c, http.StatusOK, nil)
}

func (s *Server) renderReminderSettings(c echo.Context, status int, v *view) error {
	ctx := c.Request().Context()
	var p reminderSettingsPage
	var err error
	if v == nil {
		v = &view{}
	}
	if form, ok := v.Data.(*reminderSettingsPage); ok {
		p = *form
	} else {
		if p.Reminders, err = remind.LoadSettings(ctx, s.st); err != nil && tracker.ErrorCode(err) != tracker.EINVALID {
			return err
		}
		if p.SMTP, err = outbound.LoadSettings(ctx, s.st, nil); err != nil && tracker.ErrorCode(err) != tracker.EINVALID {
			return err
		}
	}
	if p.SMTP.Host != "" {
		if _, err := p.SMTP.Resolve(nil); err != nil {
			p.SMTPError = tracker.ErrorMessage(err)
		}
	}
	if p.LastRun, p.HasRun, err = s.st.LastReminderRun(ctx); err != nil {
		return err
	}
	p.EnvNote = "Environment variables override these settings: " + strings.Join([]string{outbound.EnvHost, outbound.EnvPort, outbound.EnvTLS,
		outbound.EnvUsername, outbound.EnvPassword, outbound.EnvPasswordFile, outbound.EnvFrom, outbound.EnvFromName, remind.EnvSchedule, remind.EnvBaseURL}, ", ") + "."
	v.Title, v.Section, v.Data = "Reminders and mail", "admin", p
	return s.render(c, status, "reminder_settings", v)
}

func mustReminderSettings(c echo.Context, s *Server) remind.Settings {
	set, _ := remind.LoadSettings(c.Request().Context(), s.st)
	return set
}
