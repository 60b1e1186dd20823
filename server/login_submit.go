package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Login rate limits: per address and email, and per address whatever the
// email (someone trying many accounts). Guesses at the current password on
// the password-change form count as logins to that account.
const (
	loginWindow        = 15 * time.Minute
	loginMaxPerAccount = 5
	loginMaxPerAddress = 30
)

var loginLimit = store.LoginLimit{Window: loginWindow, PerAccount: loginMaxPerAccount, PerAddress: loginMaxPerAddress}

// rateLimited is a refusal for too many attempts (429).
type rateLimited struct{ retryAfter time.Duration }

func (e *rateLimited) Error() string {
	return fmt.Sprintf("Too many failed sign-in attempts. Wait %d minutes and try again.", int(e.retryAfter.Minutes()))
}

// reservePasswordCheck counts a password check from this address for email
// before the password is checked (so parallel attempts cannot outrun the
// count); it returns the attempt to mark as a success, or a rateLimited error.
func (s *Server) reservePasswordCheck(c echo.Context, email string) (int64, error) {
	ip := c.RealIP()
	id, ok, err := s.st.ReserveLoginAttempt(c.Request().Context(), ip, email, loginLimit)
	if err != nil {
		return 0, err
	}
	if !ok {
		s.log.Warn("login rate limited", "ip", ip, "email", email)
		return 0, &rateLimited{retryAfter: loginWindow}
	}
	return id, nil
}

// submitLogin checks the email and password and starts a session.
func (s *Server) submitLogin(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.TrimSpace(c.FormValue("email"))
	next := localRedirect(c.FormValue("next"))
	attempt, err := s.reservePasswordCheck(c, email)
	if err != nil {
		return err
	}
	u, err := s.st.Authenticate(ctx, email, c.FormValue("password"))
	if tracker.ErrorCode(err) == tracker.EUNAUTHORIZED {
		s.log.Info("login failed", "ip", c.RealIP(), "email", email)
		return s.render(c, http.StatusUnauthorized, "login", &view{Title: "Sign in", Error: tracker.ErrorMessage(err),
			Data: loginPage{Email: email, Next: next}})
	} else if err != nil {
		return err
	}
	if err := s.st.LoginSucceeded(ctx, attempt); err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}
