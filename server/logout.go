package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// logout ends the session and forgets its cookie.
func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.st.DeleteSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	s.newCSRFToken(c)
	s.setFlash(c, "ok", "You are signed out.")
	return c.Redirect(http.StatusSeeOther, "/login")
}
