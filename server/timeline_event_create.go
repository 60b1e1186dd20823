package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// createTimelineEvent adds an event from the form.
func (s *Server) createTimelineEvent(c echo.Context) error {
	f := readTimelineForm(c)
	slug := f.Slug
	if slug == "" {
		slug = timeline.Slug(f.Date, f.Title)
	}
	ev := timeline.New(slug, f.Date, f.Title)
	te := &store.TimelineEvent{Event: ev}
	err := f.apply(ev)
	if err == nil {
		err = s.st.SaveTimelineEvent(c.Request().Context(), te)
	}
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		if code == tracker.ECONFLICT {
			err = &tracker.Error{Code: code, Message: tracker.ErrorMessage(err), Fields: map[string]string{"slug": "another event has this id"}}
		}
		return s.renderTimelineForm(c, http.StatusUnprocessableEntity, f, err)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/timeline/events/%d", te.ID), "ok", "Event added.")
}
