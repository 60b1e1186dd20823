package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// importAuthorities reads an uploaded CSV (WhatDoTheyKnow's layout or
// foitrack's own) and imports every row, or none: a file with a bad row is
// refused whole, with each bad row's number and problem.
func (s *Server) importAuthorities(c echo.Context) error {
	var src io.Reader
	fh, err := c.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart):
		if text := c.FormValue("csv"); strings.TrimSpace(text) != "" {
			src = strings.NewReader(text)
		}
	case err != nil:
		return tracker.Errorf(tracker.EINVALID, "The file could not be read: %v", err)
	default:
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("server: unable to open upload: %w", err)
		}
		defer f.Close()
		src = f
	}
	refuse := func(status int, err error) error {
		p := authorityImportPage{Pasted: c.FormValue("csv")}
		lines := strings.Split(tracker.ErrorMessage(err), "\n")
		p.Heading = lines[0]
		for _, l := range lines[1:] {
			if l = strings.TrimSpace(l); l != "" {
				p.RowErrors = append(p.RowErrors, l)
			}
		}
		return s.render(c, status, "authority_import", &view{Title: "Import authorities", Section: "authorities", Data: p})
	}
	if src == nil {
		return refuse(http.StatusUnprocessableEntity, tracker.Errorf(tracker.EINVALID, "Choose a CSV file to import (or paste its text)."))
	}
	list, err := tracker.ParseAuthoritiesCSV(src)
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ETOOLARGE {
		return refuse(statusFor[code], err)
	} else if err != nil {
		return err
	}
	if len(list) == 0 {
		return refuse(http.StatusUnprocessableEntity, tracker.Errorf(tracker.EINVALID, "The CSV has a header but no authorities."))
	}
	res, err := s.st.ImportAuthorities(c.Request().Context(), list)
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		return refuse(statusFor[code], err)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/authorities", "ok", "Imported %d authorities: %d new, %d updated, %d unchanged.", res.Created+res.Updated+res.Unchanged, res.Created, res.Updated, res.Unchanged)
}
