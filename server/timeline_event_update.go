package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// updateTimelineEvent saves the form: only what changed is rewritten, so
// the event's file keeps its other lines as they were.
func (s *Server) updateTimelineEvent(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	te, err := s.st.TimelineEventByID(ctx, id)
	if err != nil {
		return err
	}
	f := readTimelineForm(c)
	f.ID = id
	err = f.apply(te.Event)
	if err == nil {
		err = s.st.SaveTimelineEvent(ctx, &te)
	}
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		if code == tracker.ECONFLICT {
			err = &tracker.Error{Code: code, Message: tracker.ErrorMessage(err), Fields: map[string]string{"slug": "another event has this id"}}
		}
		return s.renderTimelineForm(c, http.StatusUnprocessableEntity, f, err)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/timeline/events/%d", id), "ok", "Event saved.")
}
