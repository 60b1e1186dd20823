package server

import (
	"fmt"

	"github.com/labstack/echo/v4"
)

// deleteDocument deletes a document attached by mistake and goes back to
// its request.
func (s *Server) deleteDocument(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.st.DeleteDocument(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d", d.RequestID), "ok", "Deleted %s.", d.Filename)
}
