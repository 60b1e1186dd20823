package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// publishConfirmPage asks an editor to confirm publishing a document whose
// text shows personal data (or could not be read), naming what was found.
type publishConfirmPage struct {
	Document tracker.Document
	Scan     store.PersonalScan
}

// publishDocument puts a released document's file on its request's public
// page (publish=1), or takes it off (publish=0). Before publishing, its
// text is scanned for personal data; what is found is shown, and only a
// confirmation naming exactly those findings (confirm=their token)
// publishes.
func (s *Server) publishDocument(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/documents/%d", id)
	publish := c.FormValue("publish") == "1"
	if publish {
		d, err := s.st.DocumentByID(ctx, id)
		if err != nil {
			return err
		}
		if d.SHA256 != "" && d.Disposition != tracker.DispositionWithheld && d.PublishedAt.IsZero() {
			scan, err := s.st.ScanDocumentForPersonalData(ctx, id, extract.Options{})
			if err != nil {
				return err
			}
			if !scan.Clean() && c.FormValue("confirm") != scan.Token() {
				return s.render(c, http.StatusOK, "publish_confirm", &view{Title: "Publish " + d.Filename + "?", Section: "documents",
					Data: publishConfirmPage{Document: d, Scan: scan}})
			}
		}
	}
	err = s.st.SetDocumentPublished(ctx, id, publish)
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
