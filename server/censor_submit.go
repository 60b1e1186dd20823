package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// addCensorRules adds one rule, or several (the requester's details a
// request page offers: one "pattern" field each), of one scope.
func (s *Server) addCensorRules(c echo.Context) error {
	ctx := c.Request().Context()
	back := localPath(c.FormValue("back"), "/censor")
	if err := c.Request().ParseForm(); err != nil {
		return tracker.Errorf(tracker.EINVALID, "the form could not be read")
	}
	patterns := c.Request().PostForm["pattern"]
	if len(patterns) == 0 {
		return s.redirectWithFieldError(c, back, "pattern", "No rule added: nothing to replace was given.")
	}
	var rules []*tracker.CensorRule
	for _, pat := range patterns {
		rules = append(rules, &tracker.CensorRule{Scope: c.FormValue("scope"), ScopeID: formInt(c, "scope_id"), Pattern: pat,
			Regexp: c.FormValue("regexp") == "1", Replacement: strings.TrimSpace(c.FormValue("replacement")), Note: c.FormValue("note")})
	}
	// All or none: a refused pattern adds none of the others.
	err := s.st.AddCensorRules(ctx, rules)
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ENOTFOUND {
		return s.redirectWithFieldError(c, back, "pattern", "Rule not added: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, back, "ok", "%d censor rule(s) added: they apply to the public page, public bundles, timeline exports and public search from now on.", len(rules))
}

// deleteCensorRule removes a rule.
func (s *Server) deleteCensorRule(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.st.DeleteCensorRule(c.Request().Context(), id); err != nil {
		return err
	}
	return s.redirectWithFlash(c, localPath(c.FormValue("back"), "/censor"), "ok", "Censor rule deleted.")
}

// saveRequesterDetails keeps the requester's own details, offered as rules
// and looked for before a document is published.
func (s *Server) saveRequesterDetails(c echo.Context) error {
	d := store.RequesterDetails{Name: strings.TrimSpace(c.FormValue("name")), Address: strings.TrimSpace(c.FormValue("address")),
		Email: strings.TrimSpace(c.FormValue("email"))}
	if len(d.Name)+len(d.Address)+len(d.Email) > 2000 {
		return tracker.Errorf(tracker.EINVALID, "the requester's details are too long")
	}
	if err := s.st.PutSetting(c.Request().Context(), store.RequesterDetailsSetting, d); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.redirectWithFlash(c, "/censor", "ok", "Requester's details saved.")
}
