package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// sendLetter sends an edited letter. Any failure shows the draft again, as
// edited, with the reason: the server's own reply when it refused.
func (s *Server) sendLetter(c echo.Context, id int64, kind remind.LetterKind, points string, edited remind.Draft) error {
	ctx := c.Request().Context()
	again := func(status int, failed *store.OutgoingMessage, msg string, fields map[string]string) error {
		p, err := s.draftPage(ctx, c, id, kind, points)
		if err != nil {
			return err
		}
		p.Draft.To, p.Draft.Subject, p.Draft.Body, p.Failed = edited.To, edited.Subject, edited.Body, failed
		return s.render(c, status, "letter_draft", &view{Title: p.Label + ": " + p.Request.Title, Section: "requests",
			Error: msg, Fields: fields, Data: p})
	}
	sender, err := s.outboundSender(ctx)
	if err != nil {
		return again(http.StatusUnprocessableEntity, nil, "Not sent: "+tracker.ErrorMessage(err), nil)
	}
	to, err := outbound.ParseAddressList(edited.To)
	if err != nil {
		return again(http.StatusUnprocessableEntity, nil, "Not sent: "+err.Error(), map[string]string{"to": err.Error()})
	}
	if len(to) == 0 && kind == remind.LetterComplaint {
		return again(http.StatusUnprocessableEntity, nil, "Not sent: give the regulator's address (or copy the letter into its web form).",
			map[string]string{"to": "required"})
	}
	m, err := sender.Send(ctx, outbound.Letter{RequestID: id, Purpose: kind.Purpose(), To: to, Subject: edited.Subject, Body: edited.Body})
	var se *outbound.SendError
	var ee *outbound.EventError
	switch {
	case errors.As(err, &ee):
		return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d/letters", id), "error", "%s sent, but %s", kind.Label(), ee.Error())
	case errors.As(err, &se):
		return again(http.StatusBadGateway, &m, "Not sent: "+se.Error()+". It is kept as a failed message: retry it from the letters page, or change it and send again.", nil)
	case err != nil && (tracker.ErrorCode(err) == tracker.EINVALID || tracker.ErrorCode(err) == tracker.ECONFLICT):
		return again(http.StatusUnprocessableEntity, nil, "Not sent: "+tracker.ErrorMessage(err), fieldErrors(err))
	case err != nil:
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d/letters", id), "ok", "%s sent to %s; recorded in the history as of %s.",
		kind.Label(), joinAddrs(m.To), sender.Today().Long())
}

// sendOutcome words the flash messages after a send (or a resolution).
type sendOutcome struct {
	eventFailed string // sent, but its lifecycle event could not be recorded
	refused     string // the server refused it, or could not be reached
	refusedNext string // what the user can do then (may be "")
	notDone     string // refused by foitrack itself (invalid, conflict)
	ok          string
}

// redirectAfterSend shows a send's outcome on the letters page: a domain
// error as a message; only an internal error goes to the error page.
func (s *Server) redirectAfterSend(c echo.Context, back string, err error, o sendOutcome) error {
	var se *outbound.SendError
	var ee *outbound.EventError
	switch {
	case errors.As(err, &ee):
		return s.redirectWithFlash(c, back, "error", "%s %s", o.eventFailed, ee.Error())
	case errors.As(err, &se):
		return s.redirectWithFlash(c, back, "error", "%s: %s.%s", o.refused, se.Error(), o.refusedNext)
	case err != nil && tracker.ErrorCode(err) != tracker.EINTERNAL:
		return s.redirectWithFlash(c, back, "error", "%s: %s", o.notDone, tracker.ErrorMessage(err))
	case err != nil:
		return err
	}
	return s.redirectWithFlash(c, back, "ok", "%s", o.ok)
}

func joinAddrs(l []string) string {
	out := ""
	for i, a := range l {
		if i > 0 {
			out += ", "
		}
		out += a
	}
	return out
}
