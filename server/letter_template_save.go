package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// saveLetterTemplate checks and stores an admin's template.
func (s *Server) saveLetterTemplate(c echo.Context) error {
	kind, err := letterKindParam(c)
	if err != nil {
		return err
	}
	law := strings.TrimSpace(c.FormValue("law"))
	if _, ok := tracker.LawByCode(tracker.LawCode(law)); law != "" && !ok {
		return tracker.Errorf(tracker.EINVALID, "Unknown law %q.", law)
	}
	t := remind.Template{Kind: kind, Law: law, Subject: strings.TrimSpace(c.FormValue("subject")),
		Body: strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")}
	if err := t.Check(); err != nil {
		if tracker.ErrorCode(err) != tracker.EINVALID {
			return err
		}
		return s.renderLetterTemplates(c, http.StatusUnprocessableEntity, &letterTemplateForm{Kind: kind, Law: law,
			Subject: t.Subject, Body: t.Body, Error: tracker.ErrorMessage(err)})
	}
	if err := s.st.SaveLetterTemplate(c.Request().Context(), &store.LetterTemplate{Kind: string(kind), Law: law, Subject: t.Subject, Body: t.Body}); err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/letters#"+string(kind), "ok", "Template “%s” saved; new drafts use it.", kind.Label())
}
