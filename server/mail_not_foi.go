package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// markMailNotFOI takes a message out of the holding pen.
func (s *Server) markMailNotFOI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.st.MarkMailNotFOI(c.Request().Context(), id); tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "%s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/mail", "ok", "Marked as not about any FOI request.")
}
