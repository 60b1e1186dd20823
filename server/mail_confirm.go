package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/tracker"
)

// confirmMailProposal records the lifecycle event a reply proposes, as the
// editor confirmed (or corrected) it, linked to the message.
func (s *Server) confirmMailProposal(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	m, err := s.st.MailMessageByID(ctx, id)
	if err != nil {
		return err
	}
	var v tracker.ValidationError
	e := eventFromForm(c, m.RequestID, &v)
	back := fmt.Sprintf("/requests/%d#mail-%d", m.RequestID, m.ID)
	if m.RequestID == 0 {
		back = fmt.Sprintf("/mail/%d", m.ID)
	}
	if err := v.Err(); err != nil {
		return s.redirectWithFlash(c, back, "error", "Not recorded: %s", tracker.ErrorMessage(err))
	}
	if !e.Date.IsZero() && e.Date.After(s.today()) {
		return s.redirectWithFlash(c, back, "error", "Not recorded: the date is in the future.")
	}
	e, err = mailsync.ConfirmProposal(ctx, s.st, id, mailsync.Confirmation{Kind: e.Kind, Date: e.Date, Outcome: e.Outcome,
		NewDueDate: e.NewDueDate, Exemptions: e.Exemptions, Reason: e.Reason, Note: e.Note})
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		return s.redirectWithFlash(c, back, "error", "Not recorded: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#history", m.RequestID), "ok", "Recorded from the reply: %s on %s.", e.Kind.Label(), e.Date.Long())
}
