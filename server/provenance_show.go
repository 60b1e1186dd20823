package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// provenancePage is a document's provenance chain.
type provenancePage struct {
	store.DocumentProvenance
	Authority tracker.Authority
	PublicURL string
	Bundle    *bundleOffer // of the request
}

// showDocumentProvenance shows where a document came from: the request, our
// message it answered, the reply it came in (sender, Date, Message-ID,
// Received chain, DKIM, IMAP mailbox/UIDVALIDITY/UID, when fetched, raw
// sha256), the attachment itself, the events it supports, and every audit
// entry about it.
func (s *Server) showDocumentProvenance(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p := provenancePage{}
	if p.DocumentProvenance, err = s.st.DocumentProvenance(ctx, id); err != nil {
		return err
	}
	if p.Authority, err = s.st.AuthorityByID(ctx, p.Request.AuthorityID); err != nil {
		return err
	}
	if p.PublicSlug != "" {
		p.PublicURL = "/p/" + p.PublicSlug
	}
	if p.Bundle, err = s.offerBundle(ctx, "request", p.Request.ID, p.Request.Visibility != tracker.VisibilityPublic); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "provenance", &view{Title: "Provenance of " + p.Document.Filename, Section: "documents", Data: p})
}
