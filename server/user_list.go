package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// userListPage is every account, with the form to add one.
type userListPage struct {
	Users []store.User
	Roles []struct {
		Role  store.Role
		Label string
	}
	New store.User // the add form's values after a refusal
}

func (s *Server) renderUserList(c echo.Context, status int, v *view, newUser store.User) error {
	users, err := s.st.Users(c.Request().Context())
	if err != nil {
		return err
	}
	if newUser.Role == "" {
		newUser.Role = store.RoleEditor
	}
	v.Title, v.Section, v.Data = "Users", "admin", userListPage{Users: users, Roles: store.Roles, New: newUser}
	return s.render(c, status, "user_list", v)
}

// showUserList lists the accounts (admins only).
func (s *Server) showUserList(c echo.Context) error {
	return s.renderUserList(c, http.StatusOK, &view{}, store.User{})
}
