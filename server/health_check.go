package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// healthCheck answers GET /healthz: 200 with the schema version when the
// database answers, 503 when it does not.
func (s *Server) healthCheck(c echo.Context) error {
	v, err := s.st.SchemaVersion(c.Request().Context())
	if err != nil {
		s.log.Error("health check: database unavailable", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "schema_version": v})
}
