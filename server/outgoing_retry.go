package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// retryOutgoing hands a failed message to the server again.
func (s *Server) retryOutgoing(c echo.Context) error {
	m, back, err := s.outgoingFromPath(c)
	if err != nil {
		return err
	}
	sender, err := s.outboundSender(c.Request().Context())
	if err != nil {
		return s.redirectWithFlash(c, back, "error", "Not sent: %s", tracker.ErrorMessage(err))
	}
	m, err = sender.Retry(c.Request().Context(), m.ID)
	return s.redirectAfterSend(c, back, err, sendOutcome{eventFailed: "Sent, but", refused: "Not sent again", notDone: "Not sent",
		ok: "Sent to " + joinAddrs(m.To) + "."})
}

// outgoingFromPath loads the outgoing message named by the path's id, with
// the letters page to go back to.
func (s *Server) outgoingFromPath(c echo.Context) (store.OutgoingMessage, string, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return store.OutgoingMessage{}, "", err
	}
	m, err := s.st.Outgoing(c.Request().Context(), id)
	if err != nil {
		return m, "", err
	}
	return m, fmt.Sprintf("/requests/%d/letters#outgoing", m.RequestID), nil
}
