package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// updateAuthority saves the authority form.
func (s *Server) updateAuthority(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.st.AuthorityByID(ctx, id)
	if err != nil {
		return err
	}
	authorityFromForm(c, &a)
	err = s.st.UpdateAuthority(ctx, &a)
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		return s.render(c, http.StatusUnprocessableEntity, "authority_form", &view{Title: "Edit " + a.Name, Section: "authorities",
			Error: "Not saved: " + tracker.ErrorMessage(err), Fields: fieldErrors(err), Data: newAuthorityForm(a, false)})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/authorities/%d", a.ID), "ok", "Changes saved.")
}
