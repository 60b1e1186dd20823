package server

import (
	"crypto/rand"
	"crypto/sha256"
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
	// ctxSessionCSRF is the signed-in session's token (set by loadSession).
	ctxSessionCSRF = "session_csrf"
)

// sessionCSRFToken is the CSRF token of the session whose cookie holds
// sessionSecret: a hash of it, so that it is the session's alone and cannot
// be worked out from the database (which holds another hash of the secret).
func sessionCSRFToken(sessionSecret string) string {
	sum := sha256.Sum256([]byte("foitrack csrf token\x00" + sessionSecret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Signed in, the token is the session's own (sessionCSRFToken, derived from
// the session cookie's secret): the cookie only carries it to the forms, and
// a POST must send exactly it. A matching cookie and field planted from
// elsewhere (another account's pair, or one made before sign-in) are refused.
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
		sessionToken, _ := c.Get(ctxSessionCSRF).(string)
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			switch {
			case sessionToken != "":
				if token != sessionToken {
					s.setCookie(c, csrfCookie, sessionToken, 0)
				}
				c.Set(ctxCSRF, sessionToken)
			case token == "":
				s.newCSRFToken(c)
			default:
				c.Set(ctxCSRF, token)
			}
			return next(c)
		}
		if sessionToken != "" {
			token = sessionToken // the session's, whatever the cookie says
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
