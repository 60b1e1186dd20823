package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// submitSetup makes the first admin and signs them in.
func (s *Server) submitSetup(c echo.Context) error {
	if err := s.needsSetup(c); err != nil {
		return err
	}
	u := store.User{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: store.RoleAdmin}
	password := c.FormValue("password")
	if password != c.FormValue("password_confirm") {
		return s.render(c, http.StatusUnprocessableEntity, "setup", &view{Title: "Set up foitrack",
			Error:  "Please correct the highlighted fields.",
			Fields: map[string]string{"password_confirm": "the two passwords differ"}, Data: setupPage{User: u}})
	}
	err := s.st.CreateFirstAdmin(c.Request().Context(), &u, password)
	if tracker.ErrorCode(err) == tracker.EINVALID {
		return s.render(c, http.StatusUnprocessableEntity, "setup", &view{Title: "Set up foitrack",
			Error: tracker.ErrorMessage(err), Fields: fieldErrors(err), Data: setupPage{User: u}})
	} else if err != nil {
		return err
	}
	s.log.Info("first admin created", "email", u.Email)
	// Signed in at once, as by the login form: the sign-in is recorded
	// (and, for an admin, audited) the same way.
	if u, err = s.st.Authenticate(c.Request().Context(), u.Email, password); err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/", "ok", "Welcome! You are the admin of this foitrack. Start by importing authorities, then log your first request.")
}
