package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// createAPIToken makes an API token and shows its secret, once, on the
// page itself (not through a redirect, so it is never stored in a cookie).
func (s *Server) createAPIToken(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	secret, t, err := s.st.CreateAPIToken(ctx, u.ID, c.FormValue("name"))
	status := http.StatusOK
	v := &view{Title: "Your account", Section: "settings"}
	if tracker.ErrorCode(err) == tracker.EINVALID {
		status, v.Error, v.Fields = http.StatusUnprocessableEntity, "The token was not made.", fieldErrors(err)
	} else if err != nil {
		return err
	}
	p, err := s.loadSettingsPage(ctx, u)
	if err != nil {
		return err
	}
	p.NewToken, p.NewTokenName = secret, t.Name
	v.Data = p
	return s.render(c, status, "settings", v)
}
