package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// changePassword changes the user's own password (the current one is
// asked for) and ends their other sessions; API tokens and the calendar feed
// too, when the form's boxes say so.
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
		// The other sessions are ended with the change; tokens and the feed
		// go too, in the same transaction, when the boxes are ticked.
		r, err := s.st.ChangePassword(ctx, u.ID, c.FormValue("new_password"), keep,
			c.FormValue("revoke_tokens") != "", c.FormValue("revoke_feeds") != "")
		if tracker.ErrorCode(err) == tracker.EINVALID {
			fields["new_password"] = fieldErrors(err)["password"]
		} else if err != nil {
			return err
		} else {
			return s.redirectWithFlash(c, "/settings", "ok", "Password changed. Your other sessions are signed out%s.", revokedNote(r))
		}
	}
	p, err := s.loadSettingsPage(ctx, u)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, "settings", &view{Title: "Your account", Section: "settings",
		Error: "The password was not changed.", Fields: fields, Data: p})
}

// revokedNote says what else was revoked ("" when nothing).
func revokedNote(r store.Revoked) string {
	var parts []string
	if r.APITokens > 0 {
		parts = append(parts, fmt.Sprintf("%d API token(s) revoked", r.APITokens))
	}
	if r.CalendarFeeds > 0 {
		parts = append(parts, "your calendar feed address revoked")
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// signOutEverywhere ends every session of the user, this one too, and their
// API tokens and calendar feed when the boxes say so.
func (s *Server) signOutEverywhere(c echo.Context) error {
	u := currentUser(c)
	r, err := s.st.RevokeAccess(c.Request().Context(), u.ID, "", c.FormValue("revoke_tokens") != "", c.FormValue("revoke_feeds") != "")
	if err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie)
	s.newCSRFToken(c)
	s.setFlash(c, "ok", "You are signed out everywhere (%d session(s) ended)%s.", r.Sessions, revokedNote(r))
	return c.Redirect(http.StatusSeeOther, "/login")
}
