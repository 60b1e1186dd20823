package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// A send interrupted midway (the process died while the SMTP server had the
// message) is never sent again on its own: nobody knows whether the server
// accepted it. These handlers let a person settle it. Each form carries the
// attempt it was shown (attempted_at), so that an answer about an attempt
// that has since been retried is refused rather than applied to the new one.

// attemptedAtParam reads the attempt a form was shown (zero when the form
// had none: a reminder claimed before claims were timed).
func attemptedAtParam(c echo.Context) (time.Time, error) {
	v := strings.TrimSpace(c.FormValue("attempted_at"))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return t, tracker.Errorf(tracker.EINVALID, "The form is out of date: reload the page and try again.")
	}
	return t, nil
}

// markOutgoingSent records an editor's word that an interrupted message
// reached the server, with the lifecycle event its sending stands for.
func (s *Server) markOutgoingSent(c echo.Context) error {
	m, back, err := s.outgoingFromPath(c)
	if err != nil {
		return err
	}
	attempted, err := attemptedAtParam(c)
	if err != nil {
		return s.redirectWithFlash(c, back, "error", "Not marked sent: %s", tracker.ErrorMessage(err))
	}
	// Marking needs no mail server: only the store and the clock.
	sender := &outbound.Sender{Store: s.st, Now: s.cfg.Now, Location: s.cfg.Location}
	m, err = sender.MarkInterruptedSent(c.Request().Context(), m.ID, attempted, c.FormValue("note"))
	return s.redirectAfterSend(c, back, err, sendOutcome{eventFailed: "Marked sent, but", refused: "Not marked sent",
		notDone: "Not marked sent", ok: fmt.Sprintf("Marked sent to %s as of %s, and recorded in the history.",
			joinAddrs(m.To), m.SentAt.In(s.cfg.Location).Format("2 Jan 2006 15:04"))})
}

// sendOutgoingAgain gives up on an interrupted message's last attempt and
// sends it again through the retry path (the page warned it may arrive twice).
func (s *Server) sendOutgoingAgain(c echo.Context) error {
	m, back, err := s.outgoingFromPath(c)
	if err != nil {
		return err
	}
	attempted, err := attemptedAtParam(c)
	if err != nil {
		return s.redirectWithFlash(c, back, "error", "Not sent: %s", tracker.ErrorMessage(err))
	}
	sender, err := s.outboundSender(c.Request().Context())
	if err != nil {
		return s.redirectWithFlash(c, back, "error", "Not sent: %s", tracker.ErrorMessage(err))
	}
	m, err = sender.SendInterruptedAgain(c.Request().Context(), m.ID, attempted)
	return s.redirectAfterSend(c, back, err, sendOutcome{eventFailed: "Sent, but", refused: "Not sent again",
		refusedNext: " It is kept as a failed message: retry it when the server accepts mail.", notDone: "Not sent",
		ok: "Sent again to " + joinAddrs(m.To) + "."})
}

type interruptedSendsPage struct {
	Reminders []store.Reminder
	Outgoing  []store.OutgoingMessage
	// Requests names the requests of both lists; UserNames the reminders' users.
	Requests  map[int64]tracker.Request
	UserNames map[int64]string
	// After is the grace period in words.
	After string
}

// showInterruptedSends: every reminder email and outgoing letter whose
// sending was interrupted, for an admin to settle (letters link to their
// request's letters page, where editors settle them).
func (s *Server) showInterruptedSends(c echo.Context) error {
	ctx := c.Request().Context()
	p := interruptedSendsPage{Requests: map[int64]tracker.Request{}, UserNames: map[int64]string{},
		After: fmt.Sprintf("%d minutes", int(store.SendInterruptedAfter.Minutes()))}
	var err error
	if p.Reminders, err = s.st.Reminders(ctx, store.ReminderFilter{EmailInterrupted: true}); err != nil {
		return err
	}
	if p.Outgoing, err = s.st.OutgoingMessages(ctx, store.OutgoingFilter{Interrupted: true}); err != nil {
		return err
	}
	var ids []int64
	for _, r := range p.Reminders {
		ids = append(ids, r.RequestID)
	}
	for _, m := range p.Outgoing {
		ids = append(ids, m.RequestID)
	}
	if len(ids) > 0 {
		reqs, err := s.st.Requests(ctx, store.RequestFilter{IDs: ids})
		if err != nil {
			return err
		}
		for _, r := range reqs {
			p.Requests[r.ID] = r
		}
	}
	users, err := s.st.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		p.UserNames[u.ID] = u.DisplayName() + " <" + u.Email + ">"
	}
	return s.render(c, http.StatusOK, "interrupted_sends", &view{Title: "Interrupted sends", Section: "admin", Data: p})
}

// resolveReminderEmail settles an interrupted reminder email: "emailed"
// marks it sent, "again" lets the next reminder run send it.
func (s *Server) resolveReminderEmail(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	const back = "/admin/reminders/interrupted"
	attempted, err := attemptedAtParam(c)
	if err != nil {
		return s.redirectWithFlash(c, back, "error", "Nothing changed: %s", tracker.ErrorMessage(err))
	}
	var emailed bool
	switch c.FormValue("action") {
	case "emailed":
		emailed = true
	case "again":
	default:
		return s.redirectWithFlash(c, back, "error", "Choose “Mark emailed” or “Send again”.")
	}
	err = s.st.ResolveInterruptedReminderEmail(ctx, id, attempted, emailed)
	switch {
	case err != nil && tracker.ErrorCode(err) != tracker.EINTERNAL:
		return s.redirectWithFlash(c, back, "error", "Nothing changed: %s", tracker.ErrorMessage(err))
	case err != nil:
		return err
	case emailed:
		return s.redirectWithFlash(c, back, "ok", "Reminder %d marked emailed.", id)
	}
	return s.redirectWithFlash(c, back, "ok", "Reminder %d will be emailed again by the next reminder run (or Run reminders now).", id)
}
