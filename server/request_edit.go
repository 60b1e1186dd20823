package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// showEditRequestPage shows the form to change a request's details.
func (s *Server) showEditRequestPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := s.st.RequestByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	p := requestFormPage{Request: r}
	if err := s.requestFormData(c.Request().Context(), c, &p); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "request_form", &view{Title: "Edit " + r.Title, Section: "requests", Data: p})
}
