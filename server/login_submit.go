package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// Login rate limits: per address and email, and per address whatever the
// email (someone trying many accounts).
const (
	loginWindow        = 15 * time.Minute
	loginMaxPerAccount = 5
	loginMaxPerAddress = 30
)

// rateLimited is a refusal for too many attempts (429).
type rateLimited struct{ retryAfter time.Duration }

func (e *rateLimited) Error() string {
	return fmt.Sprintf("Too many failed sign-in attempts. Wait %d minutes and try again.", int(e.retryAfter.Minutes()))
}

// submitLogin checks the email and password and starts a session.
func (s *Server) submitLogin(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.TrimSpace(c.FormValue("email"))
	next := localRedirect(c.FormValue("next"))
	ip := c.RealIP()
	since := s.cfg.Now().Add(-loginWindow)
	perAccount, err := s.st.LoginFailures(ctx, ip, email, since)
	if err != nil {
		return err
	}
	perAddress, err := s.st.LoginFailures(ctx, ip, "", since)
	if err != nil {
		return err
	}
	if perAccount >= loginMaxPerAccount || perAddress >= loginMaxPerAddress {
		s.log.Warn("login rate limited", "ip", ip, "email", email)
		return &rateLimited{retryAfter: loginWindow}
	}
	u, err := s.st.Authenticate(ctx, email, c.FormValue("password"))
	if tracker.ErrorCode(err) == tracker.EUNAUTHORIZED {
		if err := s.st.RecordLoginAttempt(ctx, ip, email, false); err != nil {
			return err
		}
		s.log.Info("login failed", "ip", ip, "email", email)
		return s.render(c, http.StatusUnauthorized, "login", &view{Title: "Sign in", Error: tracker.ErrorMessage(err),
			Data: loginPage{Email: email, Next: next}})
	} else if err != nil {
		return err
	}
	if err := s.st.RecordLoginAttempt(ctx, ip, email, true); err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}
