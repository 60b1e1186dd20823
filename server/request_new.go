package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// showCreateRequestPage shows an empty request form (?authority=ID preselects one).
func (s *Server) showCreateRequestPage(c echo.Context) error {
	p := requestFormPage{IsNew: true, Request: tracker.Request{Visibility: tracker.VisibilityPrivate}}
	if id, err := strconv.ParseInt(c.QueryParam("authority"), 10, 64); err == nil {
		p.Request.AuthorityID = id
	}
	if err := s.requestFormData(c.Request().Context(), c, &p); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "request_form", &view{Title: "New request", Section: "requests", Data: p})
}
