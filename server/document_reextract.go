package server

import (
	"fmt"

	"github.com/labstack/echo/v4"
)

// reextractDocument queues a document's text to be read again (after
// pdftotext was installed, or after a failure); the background worker
// reads it, never this request.
func (s *Server) reextractDocument(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.st.RequeueDocumentText(c.Request().Context(), id); err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/documents/%d#text", id), "ok", "%s",
		"The text will be read again in the background; reload the page in a minute.")
}
