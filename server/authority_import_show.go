package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// authorityImportPage is the CSV import form, and after an import what it did.
type authorityImportPage struct {
	Heading   string   // the summary of a refused import
	RowErrors []string // one line per bad row
	Pasted    string   // the pasted CSV of a refused import, given back to be corrected
}

// showImportAuthoritiesPage shows the CSV upload form.
func (s *Server) showImportAuthoritiesPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "authority_import", &view{Title: "Import authorities", Section: "authorities", Data: authorityImportPage{}})
}
