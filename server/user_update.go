package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// updateUser changes an account's name, role or whether it is disabled,
// and optionally sets a new password.
func (s *Server) updateUser(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := s.st.UserByID(ctx, id)
	if err != nil {
		return err
	}
	u.Name = c.FormValue("name")
	u.Role = store.Role(c.FormValue("role"))
	u.Disabled = c.FormValue("disabled") != ""
	// The account and its new password, if any, are saved together.
	err = s.st.UpdateUserWith(ctx, &u, c.FormValue("password"))
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		return s.renderUserList(c, http.StatusUnprocessableEntity, &view{Error: u.Email + " was not changed: " + tracker.ErrorMessage(err)}, store.User{})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/users", "ok", "Account %s saved.", u.Email)
}
