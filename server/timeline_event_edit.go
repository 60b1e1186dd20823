package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) showEditTimelineEvent(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	te, err := s.st.TimelineEventByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.renderTimelineForm(c, http.StatusOK, formFromEvent(te), nil)
}
