package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// eventFromForm reads a lifecycle event from the posted form.
func eventFromForm(c echo.Context, requestID int64, v *tracker.ValidationError) tracker.Event {
	e := tracker.Event{RequestID: requestID, Kind: tracker.EventKind(c.FormValue("kind"))}
	if !tracker.ValidEventKind(e.Kind) {
		v.Add("kind", "choose what happened")
	}
	e.Date = formDate(c, "date", v)
	if e.Date.IsZero() {
		v.Add("date", "a date is required")
	}
	e.Outcome = c.FormValue("outcome")
	e.NewDueDate = formDate(c, "new_due_date", v)
	e.Reason = strings.TrimSpace(c.FormValue("reason"))
	e.Note = strings.TrimSpace(strings.ReplaceAll(c.FormValue("note"), "\r\n", "\n"))
	e.Exemptions = formList(c, "exemptions")
	e.Exemptions = append(e.Exemptions, formList(c, "exemptions_other")...)
	return e
}

// recordEvent records the next lifecycle event of a request. A refused
// event (illegal transition, missing outcome, unknown exemption) shows the
// request page again with the form open, what was entered and the reason.
func (s *Server) recordEvent(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.st.RequestByID(ctx, id); err != nil {
		return err
	}
	var v tracker.ValidationError
	e := eventFromForm(c, id, &v)
	if !e.Date.IsZero() && e.Date.After(s.today()) {
		v.Add("date", "this date is in the future")
	}
	err = v.Err()
	if err == nil {
		err = s.st.AddEvent(ctx, &e)
	}
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		p, lerr := s.loadRequestPage(ctx, id)
		if lerr != nil {
			return lerr
		}
		msg := tracker.ErrorMessage(err)
		for i := range p.Forms {
			if p.Forms[i].Kind == e.Kind {
				f := &p.Forms[i]
				f.Open, f.Values, f.Error, f.Fields = true, c.Request().PostForm, msg, mergeFields(&v, err)
			}
		}
		return s.render(c, http.StatusUnprocessableEntity, "request_show", &view{Title: p.Request.Title, Section: "requests",
			Error: fmt.Sprintf("%s was not recorded: %s", e.Kind.Label(), msg), Data: p})
	} else if err != nil {
		return err
	}
	r, err := s.st.RequestByID(ctx, id)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Recorded: %s on %s. Status: %s.", e.Kind.Label(), e.Date.Long(), r.Status.Label())
	if !r.DueDate.IsZero() {
		msg += " Next date: " + r.DueDate.Long() + "."
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#history", id), "ok", "%s", msg)
}
