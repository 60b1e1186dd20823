package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// loginPage is the data of the login form.
type loginPage struct {
	Email string
	Next  string
}

// showLoginPage shows the sign-in form, or the first-run setup while there
// is no user at all.
func (s *Server) showLoginPage(c echo.Context) error {
	n, err := s.st.CountUsers(c.Request().Context())
	if err != nil {
		return err
	}
	if n == 0 {
		return c.Redirect(http.StatusSeeOther, "/setup")
	}
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, localRedirect(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, "login", &view{Title: "Sign in", Data: loginPage{Next: localRedirect(c.QueryParam("next"))}})
}
