package server

import (
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"
)

// setRequestOwner gives the request an owner (who gets its reminders).
func (s *Server) setRequestOwner(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	owner, _ := strconv.ParseInt(c.FormValue("owner_id"), 10, 64)
	if err := s.st.SetRequestOwner(c.Request().Context(), id, owner); err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d/letters#people", id), "ok", "Owner saved.")
}
