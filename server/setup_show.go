package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// setupPage is the data of the first-run form.
type setupPage struct {
	User store.User
}

// needsSetup reports whether there is no user yet; the setup page exists
// only then (afterwards it is a 404, as if it had never been there).
func (s *Server) needsSetup(c echo.Context) error {
	n, err := s.st.CountUsers(c.Request().Context())
	if err != nil {
		return err
	}
	if n > 0 {
		return tracker.Errorf(tracker.ENOTFOUND, "There is no page at this address.")
	}
	return nil
}

// showSetupPage shows the form that makes the first admin.
func (s *Server) showSetupPage(c echo.Context) error {
	if err := s.needsSetup(c); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "setup", &view{Title: "Set up foitrack", Data: setupPage{}})
}
