package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// showEditAuthorityPage shows the form to change an authority.
func (s *Server) showEditAuthorityPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.st.AuthorityByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "authority_form", &view{Title: "Edit " + a.Name, Section: "authorities", Data: newAuthorityForm(a, false)})
}
