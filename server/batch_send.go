package server

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// sendBatch starts (or resumes) sending a batch in the background: throttled,
// it can take a while. The page shows where it stands.
func (s *Server) sendBatch(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	b, err := s.st.BatchByID(ctx, id)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/batches/%d", id)
	sender, err := s.outboundSender(ctx)
	if err != nil {
		return s.redirectWithFlash(c, back, "error", "Not sent: %s", tracker.ErrorMessage(err))
	}
	if err := s.st.SetBatchState(ctx, id, store.BatchSending, ""); err != nil {
		return err
	}
	u := currentUser(c)
	bs := &remind.BatchSender{Sender: sender, SenderName: u.DisplayName()}
	s.background("user:"+u.Email, func(ctx context.Context) {
		res, err := bs.Send(ctx, id)
		if err != nil {
			s.log.Error("batch send", "batch", id, "err", err)
			return
		}
		s.log.Info("batch send", "batch", id, "sent", len(res.Sent), "failed", res.Failed, "not_sent", len(res.NotSent))
	})
	return s.redirectWithFlash(c, back, "info", "Sending “%s”: one request every %d seconds. Reload this page to follow it.", b.Title, b.ThrottleSeconds)
}
