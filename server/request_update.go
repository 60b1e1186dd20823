package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// updateRequest saves the edit form.
func (s *Server) updateRequest(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := s.st.RequestByID(ctx, id)
	if err != nil {
		return err
	}
	var v tracker.ValidationError
	requestFromForm(c, &r, &v)
	err = v.Err()
	if verr := r.Validate(); err != nil || verr != nil {
		err = &tracker.Error{Code: tracker.EINVALID, Message: "Please correct the highlighted fields.", Fields: mergeFields(&v, verr)}
	} else {
		err = s.st.UpdateRequest(ctx, &r)
	}
	if tracker.ErrorCode(err) == tracker.EINVALID {
		p := requestFormPage{Request: r}
		if err := s.requestFormData(ctx, c, &p); err != nil {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "request_form", &view{Title: "Edit " + r.Title, Section: "requests",
			Error: "The changes were not saved: " + tracker.ErrorMessage(err), Fields: fieldErrors(err), Data: p})
	} else if err != nil {
		return err
	}
	// UpdateRequest made the public page, if the request is public now.
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d", r.ID), "ok", "Changes saved.")
}
