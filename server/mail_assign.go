package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/tracker"
)

// assignMail files a message from the holding pen on the request chosen.
func (s *Server) assignMail(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	choice := strings.TrimSpace(c.FormValue("request_id"))
	requestID, err := strconv.ParseInt(choice, 10, 64)
	if err != nil && choice != "" {
		// A reference (FT-2026-0042) typed instead of a number.
		switch r, err := s.st.RequestByOurRef(ctx, choice); {
		case err == nil:
			requestID = r.ID
		case tracker.ErrorCode(err) == tracker.ENOTFOUND:
			return s.redirectWithFieldError(c, fmt.Sprintf("/mail/%d", id), "request_id", "No request has the number or reference %q.", choice)
		default:
			return err
		}
	}
	if requestID <= 0 {
		return s.redirectWithFieldError(c, fmt.Sprintf("/mail/%d", id), "request_id", "Choose the request this message is about.")
	}
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil {
		return err
	}
	in := cfg.Ingester(s.st, s.log)
	res, err := in.Assign(ctx, id, requestID)
	if tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFieldError(c, fmt.Sprintf("/mail/%d", id), "request_id", "Not filed: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	msg := "Filed on this request."
	if res.Documents > 0 {
		msg += fmt.Sprintf(" %d %s added.", res.Documents, pluralWord(res.Documents, "document", "documents"))
	}
	if res.Applied != "" {
		msg += " Recorded: " + res.Applied.Label() + "."
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#mail", requestID), "ok", "%s", msg)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
