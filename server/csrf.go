package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// CSRF protection is a double-submit token: a random value in an HttpOnly,
// SameSite=Lax cookie, repeated in every form (field csrf_token) or in the
// X-CSRF-Token header. Another site can make a browser send the cookie (not
// even that, with Lax, for a cross-site POST) but cannot read it to put it
// in the form. Requests that change something must carry both, equal. The
// API is exempt: it takes only bearer tokens, which a browser never adds
// on its own.
const (
	csrfCookie = "foitrack_csrf"
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
	ctxCSRF    = "csrf"
)

func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isAPI(c) {
			return next(c)
		}
		req := c.Request()
		var token string
		if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
			token = ck.Value
		}
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			if token == "" {
				token = s.newCSRFToken(c)
			} else {
				c.Set(ctxCSRF, token)
			}
			return next(c)
		}
		sent := req.Header.Get(csrfHeader)
		if sent == "" {
			sent = req.PostFormValue(csrfField) // the form was parsed by limitBody
		}
		if token == "" || sent == "" || subtle.ConstantTimeCompare([]byte(token), []byte(sent)) != 1 {
			return tracker.Errorf(tracker.EFORBIDDEN,
				"This form did not come with a valid security token (it may be from another site, or your browser blocked cookies, or it is too old). Go back, reload the page and try again.")
		}
		c.Set(ctxCSRF, token)
		return next(c)
	}
}

// newCSRFToken sets a fresh token (at sign-in and sign-out, so a token
// planted before sign-in is no use after it).
func (s *Server) newCSRFToken(c echo.Context) string {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	s.setCookie(c, csrfCookie, token, 0)
	c.Set(ctxCSRF, token)
	return token
}

func csrfToken(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}
