package server

import (
	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/tracker"
)

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
