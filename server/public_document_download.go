package server

import (
	"github.com/labstack/echo/v4"
)

// downloadPublicDocument sends a published document of a public request.
// The file is named by its SHA-256, which the public page shows, so the
// address says nothing about the database and anyone can check the bytes.
func (s *Server) downloadPublicDocument(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.st.RequestByPublicSlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	d, err := s.st.PublishedDocument(ctx, r.ID, c.Param("sha256"))
	if err != nil {
		return err
	}
	return s.sendDocumentFile(c, d)
}
