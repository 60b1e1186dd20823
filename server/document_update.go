package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// updateDocument changes a document's disposition, exemptions and description.
func (s *Server) updateDocument(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.st.DocumentByID(ctx, id)
	if err != nil {
		return err
	}
	d.Disposition = c.FormValue("disposition")
	d.Exemptions = formList(c, "exemptions")
	d.Description = strings.TrimSpace(c.FormValue("description"))
	err = s.st.UpdateDocument(ctx, &d)
	if tracker.ErrorCode(err) == tracker.EINVALID {
		r, rerr := s.st.RequestByID(ctx, d.RequestID)
		if rerr != nil {
			return rerr
		}
		p := documentPage{Document: d, Request: r, Dispositions: dispositions, Exemptions: c.FormValue("exemptions")}
		fields := fieldErrors(err)
		if len(fields) == 0 {
			fields = map[string]string{"exemptions": tracker.ErrorMessage(err)}
		}
		return s.render(c, http.StatusUnprocessableEntity, "document_show", &view{Title: d.Filename, Section: "documents",
			Error: "Not saved: " + tracker.ErrorMessage(err), Fields: fields, Data: p})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/documents/%d", id), "ok", "Document updated.")
}
