package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// documentPage is one document's metadata.
type documentPage struct {
	Document     tracker.Document
	Request      tracker.Request
	Dispositions []struct{ Code, Label string }
	Exemptions   string // as the edit form shows them
	Timeline     *timelinePanel
	PublicURL    string // of the published file, while its request is public
	Text         store.DocumentText
	TextPreview  string // the text's start, for a look at what was read
}

// showDocumentPage shows a document: metadata, hashes, exemptions, and the
// form to change its disposition.
func (s *Server) showDocumentPage(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.st.DocumentByID(ctx, id)
	if err != nil {
		return err
	}
	r, err := s.st.RequestByID(ctx, d.RequestID)
	if err != nil {
		return err
	}
	p := documentPage{Document: d, Request: r, Dispositions: dispositions, Exemptions: strings.Join(d.Exemptions, ", ")}
	if r.Visibility == tracker.VisibilityPublic && !d.PublishedAt.IsZero() {
		slug, err := s.st.PublicSlug(ctx, r.ID)
		if err != nil {
			return err
		}
		if slug != "" {
			p.PublicURL = store.PublicDocumentURL("", slug, d.SHA256)
		}
	}
	if p.Timeline, err = s.loadTimelinePanel(ctx, "document", id); err != nil {
		return err
	}
	if p.Text, err = s.st.DocumentTextByID(ctx, id); err != nil && tracker.ErrorCode(err) != tracker.ENOTFOUND {
		return err
	}
	if r := []rune(p.Text.Text); len(r) > 600 {
		p.TextPreview = string(r[:600]) + "…"
	} else {
		p.TextPreview = p.Text.Text
	}
	return s.render(c, http.StatusOK, "document_show", &view{Title: d.Filename, Section: "documents", Data: p})
}
