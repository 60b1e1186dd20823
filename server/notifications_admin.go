package server

import (
	"errors"
	"net/http"
	"net/mail"
	"strconv"
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

// saveReminderSettings stores the schedule and rules (serve reads the
// schedule again every minute).
func (s *Server) saveReminderSettings(c echo.Context) error {
	ctx := c.Request().Context()
	atoi := func(name string) int { n, _ := strconv.Atoi(strings.TrimSpace(c.FormValue(name))); return n }
	set := remind.Settings{Schedule: c.FormValue("schedule"), Timezone: strings.TrimSpace(c.FormValue("timezone")),
		BaseURL: c.FormValue("base_url")}
	set.DueSoonDays, set.WindowLeadDays, set.StillOwedDays = atoi("due_soon_days"), atoi("window_lead_days"), atoi("still_owed_days")
	if err := set.Validate(); err != nil {
		if tracker.ErrorCode(err) != tracker.EINVALID {
			return err
		}
		smtp, _ := outbound.LoadSettings(ctx, s.st, nil)
		return s.renderReminderSettings(c, http.StatusUnprocessableEntity, &view{Error: "Not saved: " + tracker.ErrorMessage(err),
			Fields: fieldErrors(err), Data: &reminderSettingsPage{Reminders: set, SMTP: smtp}})
	}
	if err := s.st.PutSetting(ctx, remind.SettingKey, set); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/reminders", "ok", "Reminder settings saved. A new schedule applies within a minute.")
}

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

func mustReminderSettings(c echo.Context, s *Server) remind.Settings {
	set, _ := remind.LoadSettings(c.Request().Context(), s.st)
	return set
}

// sendTestEmail sends a short message to the signed-in admin.
func (s *Server) sendTestEmail(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	cfg, err := outbound.LoadConfig(ctx, s.st, nil)
	if err != nil {
		return s.redirectWithFlash(c, "/admin/reminders", "error", "No test email: %s", tracker.ErrorMessage(err))
	}
	now := s.cfg.Now()
	raw, err := outbound.Compose(outbound.Message{From: mail.Address{Name: cfg.FromName, Address: cfg.From},
		To: []mail.Address{{Name: u.Name, Address: u.Email}}, Subject: "foitrack test email",
		Body: "This is a test email from foitrack: the SMTP settings work.\n", Date: now,
		MessageID: outbound.NewMessageID(now, domainOf(cfg.From)), AutoSubmitted: true})
	if err != nil {
		return err
	}
	if err := (&outbound.SMTPMailer{Config: cfg}).Send(ctx, cfg.From, []string{u.Email}, raw); err != nil {
		var se *outbound.SendError
		if errors.As(err, &se) {
			return s.redirectWithFlash(c, "/admin/reminders", "error", "The test email was not sent: %s", se.Error())
		}
		return err
	}
	return s.redirectWithFlash(c, "/admin/reminders", "ok", "Test email sent to %s.", u.Email)
}

// runRemindersNow runs the reminder job once, as the scheduled job would.
func (s *Server) runRemindersNow(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := remind.NewRunner(ctx, s.st, s.log)
	if err != nil {
		return s.redirectWithFlash(c, "/admin/reminders", "error", "Reminders not run: %s", tracker.ErrorMessage(err))
	}
	res, err := r.Run(ctx, s.cfg.Now())
	if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/reminders", "ok", "Reminders run: %d given now (%d given before), %d emailed, %d emails failed.",
		res.Given, res.Already, res.Emailed, res.Failed)
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
