package server

import (
	"fmt"

	"github.com/labstack/echo/v4"
)

// unlinkTimelineEvent removes a link.
func (s *Server) unlinkTimelineEvent(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	l, err := s.st.EventLinkByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteEventLink(c.Request().Context(), id); err != nil {
		return err
	}
	back := localPath(c.FormValue("back"), fmt.Sprintf("/timeline/events/%d", l.EventID))
	return s.redirectWithFlash(c, back, "ok", "Link removed.")
}
