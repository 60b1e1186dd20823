package server

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/tracker"
)

// serveCalendarFeed serves /calendar/TOKEN.ics: the iCalendar of every open
// deadline the token's user can see (every signed-in user sees every
// request). The token is the only credential, so an unknown or revoked one
// gets the same 404 as an address that never existed.
func (s *Server) serveCalendarFeed(c echo.Context) error {
	ctx := c.Request().Context()
	token, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok || len(token) < 20 || len(token) > 100 {
		return tracker.Errorf(tracker.ENOTFOUND, "There is nothing at this address.")
	}
	u, _, err := s.st.CalendarFeedUser(ctx, token)
	if err != nil {
		if tracker.ErrorCode(err) == tracker.ENOTFOUND {
			return tracker.Errorf(tracker.ENOTFOUND, "There is nothing at this address.")
		}
		return err
	}
	ws, err := s.st.OpenWindowsFrom(ctx, s.today().AddDays(-remind.FeedSinceDays))
	if err != nil {
		return err
	}
	cal := remind.BuildFeed(ws, remind.FeedOptions{Name: "FOI deadlines (" + u.DisplayName() + ")", Now: s.cfg.Now(),
		Today: s.today(), BaseURL: s.cfg.BaseURL})
	var buf bytes.Buffer
	if err := remind.WriteICS(&buf, cal); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Disposition", `inline; filename="foitrack.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", buf.Bytes())
}
