package server

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// resetLetterTemplate goes back to the built-in text.
func (s *Server) resetLetterTemplate(c echo.Context) error {
	kind, err := letterKindParam(c)
	if err != nil {
		return err
	}
	if err := s.st.DeleteLetterTemplate(c.Request().Context(), string(kind), strings.TrimSpace(c.FormValue("law"))); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/letters#"+string(kind), "ok", "Template “%s” is back to the built-in text.", kind.Label())
}
