package server

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// publishDocument puts a released document's file on its request's public
// page (publish=1), or takes it off (publish=0).
func (s *Server) publishDocument(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/documents/%d", id)
	publish := c.FormValue("publish") == "1"
	err = s.st.SetDocumentPublished(c.Request().Context(), id, publish)
	if tracker.ErrorCode(err) == tracker.EINVALID {
		return s.redirectWithFlash(c, back, "error", "Not published: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	msg := "Document taken off the public page."
	if publish {
		msg = "Document published: anyone with the link to the request's public page can download it."
	}
	return s.redirectWithFlash(c, back, "ok", "%s", msg)
}
