package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// submitRequest creates a request: a draft, or sent on the date given.
func (s *Server) submitRequest(c echo.Context) error {
	ctx := c.Request().Context()
	var v tracker.ValidationError
	var r tracker.Request
	requestFromForm(c, &r, &v)
	sentOn := formDate(c, "sent_on", &v)
	if !sentOn.IsZero() && sentOn.After(s.today()) {
		v.Add("sent_on", "this date is in the future")
	}
	// Every field's message at once: the form's own checks and the domain's.
	err := v.Err()
	if verr := r.Validate(); err != nil || verr != nil {
		err = &tracker.Error{Code: tracker.EINVALID, Message: "Please correct the highlighted fields.", Fields: mergeFields(&v, verr)}
	} else {
		// Whoever logs a request owns it: its reminders go to them.
		err = s.st.CreateRequestWith(ctx, &r, store.NewRequest{SentOn: sentOn, OwnerID: currentUser(c).ID})
	}
	if code := tracker.ErrorCode(err); code == tracker.EINVALID {
		p := requestFormPage{IsNew: true, Request: r, SentOn: strings.TrimSpace(c.FormValue("sent_on"))}
		if err := s.requestFormData(ctx, c, &p); err != nil {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "request_form", &view{Title: "New request", Section: "requests",
			Error: "The request was not saved: " + tracker.ErrorMessage(err), Fields: fieldErrors(err), Data: p})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d", r.ID), "ok", "Request %s saved.", r.OurRef)
}
