package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// sessionCookie holds the session token; only its sha256 is in the database.
const sessionCookie = "foitrack_session"

// Context keys.
const (
	ctxUser    = "user"
	ctxSession = "session" // the sha256 of the session token (pages only)
)

// isAPI reports whether the request is for the JSON API.
func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/api/") }

// loadSession finds who is asking: for the API, the user of the bearer
// token (never a cookie, so the API needs no CSRF token); for pages, the
// user of the session cookie. It does not refuse anyone: requireLevel does.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if isAPI(c) {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			if h == "" {
				return next(c)
			}
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return tracker.Errorf(tracker.EUNAUTHORIZED, "use Authorization: Bearer <API token>")
			}
			u, _, err := s.st.UserByAPIToken(ctx, strings.TrimSpace(token))
			if err != nil {
				return err
			}
			s.setUser(c, u)
			return next(c)
		}
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		sess, u, err := s.st.SessionUser(ctx, ck.Value)
		switch tracker.ErrorCode(err) {
		case "":
			s.setUser(c, u)
			c.Set(ctxSession, sess.TokenHash)
			c.Set(ctxSessionCSRF, sessionCSRFToken(ck.Value))
		case tracker.EUNAUTHORIZED, tracker.ENOTFOUND:
			s.clearCookie(c, sessionCookie) // ended: forget it and carry on signed out
		default:
			return err
		}
		return next(c)
	}
}

// setUser makes u the user of the request, and the actor of its changes in
// the audit log.
func (s *Server) setUser(c echo.Context, u store.User) {
	c.Set(ctxUser, &u)
	ctx := store.WithActor(c.Request().Context(), "user:"+u.Email)
	c.SetRequest(c.Request().WithContext(ctx))
}

// currentUser is the signed-in user, or nil.
func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(ctxUser).(*store.User)
	return u
}

// requireLevel refuses a request without the access the route needs: with
// no user, a page redirects to the login page and the API answers 401; with
// too small a role, 403.
func (s *Server) requireLevel(l level) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !hasLevel(c, l) {
				return refuseLevel(c, l)
			}
			// Signed-in pages hold private data: keep them out of shared caches
			// and the back/forward cache after sign-out.
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
			return next(c)
		}
	}
}

// levelRoles is the role each access level needs.
var levelRoles = map[level]store.Role{levelViewer: store.RoleViewer, levelEditor: store.RoleEditor, levelAdmin: store.RoleAdmin}

// hasLevel reports whether the request's user (session or API token) has
// access level l.
func hasLevel(c echo.Context, l level) bool {
	if l == levelPublic {
		return true
	}
	u := currentUser(c)
	return u != nil && u.Role.AtLeast(levelRoles[l])
}

// refuseLevel answers a request whose user lacks access level l: a page
// asks a stranger to sign in, the API asks for a token, a signed-in user
// without the role gets 403.
func refuseLevel(c echo.Context, l level) error {
	u := currentUser(c)
	if u == nil {
		if isAPI(c) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="foitrack"`)
			return tracker.Errorf(tracker.EUNAUTHORIZED, "an API token is required (Authorization: Bearer <token>; make one under Settings)")
		}
		return c.Redirect(http.StatusSeeOther, loginURL(c))
	}
	need := levelRoles[l]
	return tracker.Errorf(tracker.EFORBIDDEN, "Your account (%s) may not do this: it needs the %s role.", u.Role, need)
}

// loginURL is the login page that comes back here (for a GET) afterwards.
func loginURL(c echo.Context) string {
	if c.Request().Method != http.MethodGet || c.Request().URL.Path == "/" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(c.Request().URL.RequestURI())
}

// localRedirect returns next when it is a path on this site, else "/": a
// login link must not send anyone elsewhere.
func localRedirect(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site,
// Secure when the site is served over https. maxAge 0 makes a session cookie.
func (s *Server) setCookie(c echo.Context, name, value string, maxAge time.Duration) {
	c.SetCookie(&http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// startSession signs u in: a new session, its cookie, and its CSRF token.
func (s *Server) startSession(c echo.Context, u store.User) error {
	token, _, err := s.st.CreateSession(c.Request().Context(), u.ID, c.RealIP(), c.Request().UserAgent())
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, token, store.SessionMaxAge)
	// The new session's own CSRF token: one planted before sign-in is no use.
	csrf := sessionCSRFToken(token)
	s.setCookie(c, csrfCookie, csrf, 0)
	c.Set(ctxCSRF, csrf)
	c.Set(ctxSessionCSRF, csrf)
	return nil
}
