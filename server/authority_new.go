package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// showCreateAuthorityPage shows an empty authority form.
func (s *Server) showCreateAuthorityPage(c echo.Context) error {
	p := newAuthorityForm(tracker.Authority{Jurisdiction: tracker.JurisdictionEngland}, true)
	return s.render(c, http.StatusOK, "authority_form", &view{Title: "New authority", Section: "authorities", Data: p})
}
