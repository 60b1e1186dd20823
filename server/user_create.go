package server

import (
	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// createUser adds an account with a first password the admin passes on.
func (s *Server) createUser(c echo.Context) error {
	u := store.User{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: store.Role(c.FormValue("role"))}
	err := s.st.CreateUser(c.Request().Context(), &u, c.FormValue("password"))
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		return s.renderUserList(c, statusFor[code], &view{Error: "The account was not made: " + tracker.ErrorMessage(err), Fields: fieldErrors(err)}, u)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/users", "ok", "Account %s made (%s). Give them their password in person or by another channel.", u.Email, u.Role)
}
