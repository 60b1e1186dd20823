package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/tracker"
)

// dismissMailProposal closes a proposal without recording anything.
func (s *Server) dismissMailProposal(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	m, err := s.st.MailMessageByID(ctx, id)
	if err != nil {
		return err
	}
	if err := mailsync.DismissProposal(ctx, s.st, id); tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "%s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#mail", m.RequestID), "ok", "Proposal dismissed: nothing was recorded.")
}
