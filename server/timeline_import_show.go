package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// timelineImportPage is the import form and, after a post, what it did.
type timelineImportPage struct {
	Done      bool
	Read      int
	Created   []store.TimelineImportItem
	Updated   []store.TimelineImportItem
	Unchanged int
	Errors    []string // file:line: problem
	Notes     []string // duplicates and twins
	Skipped   []string
}

// showTimelineImport shows the form to upload event files.
func (s *Server) showTimelineImport(c echo.Context) error {
	return s.render(c, http.StatusOK, "timeline_import", &view{Title: "Import timeline events", Section: "timeline", Data: timelineImportPage{}})
}
