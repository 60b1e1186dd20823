package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) showNewTimelineEvent(c echo.Context) error {
	return s.renderTimelineForm(c, http.StatusOK, timelineForm{Date: s.today().String()}, nil)
}
