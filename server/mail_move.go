package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/tracker"
)

// moveMail moves a filed message to another request, or back to the
// holding pen (request_id "pen"), with its documents and proposal.
func (s *Server) moveMail(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	to := strings.TrimSpace(c.FormValue("request_id"))
	var requestID int64
	if to != "pen" {
		if requestID, _ = strconv.ParseInt(to, 10, 64); requestID <= 0 {
			return s.redirectWithFieldError(c, fmt.Sprintf("/mail/%d", id), "move_to", "Choose the request to move it to, or the holding pen.")
		}
	}
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil {
		return err
	}
	in := cfg.Ingester(s.st, s.log)
	res, err := in.Move(ctx, id, requestID)
	if code := tracker.ErrorCode(err); err != nil && (code == tracker.ECONFLICT || code == tracker.ENOTFOUND) {
		return s.redirectWithFieldError(c, fmt.Sprintf("/mail/%d", id), "move_to", "Not moved: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	if requestID == 0 {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "ok", "Back in the holding pen; what was recorded from it was taken off its request.")
	}
	msg := "Moved to this request."
	if res.Documents > 0 {
		msg += fmt.Sprintf(" %d %s came with it.", res.Documents, pluralWord(res.Documents, "document", "documents"))
	}
	if res.Applied != "" {
		msg += " Recorded: " + res.Applied.Label() + "."
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#mail", requestID), "ok", "%s", msg)
}
