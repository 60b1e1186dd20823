package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// changePassword changes the user's own password (the current one is
// asked for) and ends their other sessions.
func (s *Server) changePassword(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	fields := map[string]string{}
	attempt, err := s.reservePasswordCheck(c, u.Email)
	if err != nil {
		return err
	}
	ok, err := s.st.CheckPassword(ctx, u.ID, c.FormValue("current_password"))
	if err != nil {
		return err
	}
	if ok {
		if err := s.st.LoginSucceeded(ctx, attempt); err != nil {
			return err
		}
	}
	if !ok {
		fields["current_password"] = "this is not your current password"
	} else if c.FormValue("new_password") != c.FormValue("new_password_confirm") {
		fields["new_password_confirm"] = "the two new passwords differ"
	} else {
		keep, _ := c.Get(ctxSession).(string)
		err := s.st.SetPassword(ctx, u.ID, c.FormValue("new_password"), keep)
		if tracker.ErrorCode(err) == tracker.EINVALID {
			fields["new_password"] = fieldErrors(err)["password"]
		} else if err != nil {
			return err
		} else {
			return s.redirectWithFlash(c, "/settings", "ok", "Password changed. Your other sessions are signed out.")
		}
	}
	p, err := s.loadSettingsPage(ctx, u)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, "settings", &view{Title: "Your account", Section: "settings",
		Error: "The password was not changed.", Fields: fields, Data: p})
}
