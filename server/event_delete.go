package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// eventDeletePage asks before an event is deleted.
type eventDeletePage struct {
	Request tracker.Request
	Event   tracker.Event
}

// confirmDeleteEvent shows what would be deleted and asks to confirm: a
// plain page, so it works without JavaScript and with the keyboard.
func (s *Server) confirmDeleteEvent(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	eventID, err := idParam(c, "event")
	if err != nil {
		return err
	}
	ev, err := s.st.EventByID(ctx, eventID)
	if err != nil {
		return err
	}
	if ev.RequestID != id {
		return tracker.Errorf(tracker.ENOTFOUND, "There is no such event on this request.")
	}
	r, err := s.st.RequestByID(ctx, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "event_delete", &view{Title: "Delete " + ev.Kind.Label(), Section: "requests",
		Data: eventDeletePage{Request: r, Event: ev}})
}

// deleteEvent removes an event recorded by mistake, if the history still
// holds without it. Without confirm=yes (a form from elsewhere) it asks first.
func (s *Server) deleteEvent(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	eventID, err := idParam(c, "event")
	if err != nil {
		return err
	}
	ev, err := s.st.EventByID(c.Request().Context(), eventID)
	if err != nil {
		return err
	}
	if ev.RequestID != id {
		return tracker.Errorf(tracker.ENOTFOUND, "There is no such event on this request.")
	}
	if c.FormValue("confirm") != "yes" {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/requests/%d/events/%d/delete", id, eventID))
	}
	err = s.st.DeleteEvent(c.Request().Context(), id, eventID)
	if tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#history", id), "error", "%s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#history", id), "ok", "Deleted: %s of %s.", ev.Kind.Label(), ev.Date.Long())
}
