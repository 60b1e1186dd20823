package server

import (
	"fmt"

	"github.com/labstack/echo/v4"
)

// watchRequest adds or removes the signed-in user as a watcher.
func (s *Server) watchRequest(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	watch := c.FormValue("watch") == "1"
	if err := s.st.SetWatching(c.Request().Context(), id, currentUser(c).ID, watch); err != nil {
		return err
	}
	msg := "You will be told about this request's deadlines."
	if !watch {
		msg = "You no longer watch this request."
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d/letters#people", id), "ok", "%s", msg)
}
