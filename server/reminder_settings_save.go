package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/tracker"
)

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
