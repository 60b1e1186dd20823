package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// deleteEvent removes an event recorded by mistake, if the history still
// holds without it.
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
	err = s.st.DeleteEvent(c.Request().Context(), id, eventID)
	if tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#history", id), "error", "%s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#history", id), "ok", "Deleted: %s of %s.", ev.Kind.Label(), ev.Date.Long())
}
