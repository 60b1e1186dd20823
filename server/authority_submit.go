package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// submitAuthority creates an authority.
func (s *Server) submitAuthority(c echo.Context) error {
	var a tracker.Authority
	authorityFromForm(c, &a)
	err := s.st.CreateAuthority(c.Request().Context(), &a)
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		return s.render(c, http.StatusUnprocessableEntity, "authority_form", &view{Title: "New authority", Section: "authorities",
			Error: "Not saved: " + tracker.ErrorMessage(err), Fields: fieldErrors(err), Data: newAuthorityForm(a, true)})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/authorities/%d", a.ID), "ok", "Authority %s added.", a.Name)
}
