package server

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// downloadDocument sends a document's file as an attachment, with its
// media type, never to be rendered in the page: a released HTML or SVG
// file must not run as part of foitrack.
func (s *Server) downloadDocument(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d, err := s.st.DocumentByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.sendDocumentFile(c, d)
}

// sendDocumentFile writes a document's stored file as the response.
func (s *Server) sendDocumentFile(c echo.Context, d tracker.Document) error {
	if d.SHA256 == "" {
		return tracker.Errorf(tracker.ENOTFOUND, "This document was withheld: there is no file to download.")
	}
	f, err := s.st.OpenBlob(d.SHA256)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, safeMediaType(d.MediaType))
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	h.Set(echo.HeaderContentLength, strconv.FormatInt(d.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	// Should a browser render it anyway, it runs nothing and loads nothing.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("ETag", `"`+d.SHA256+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err = io.Copy(c.Response(), f)
	return err
}

// safeMediaType is the stored media type if it is well-formed, else
// application/octet-stream.
func safeMediaType(t string) string {
	mt, params, err := mime.ParseMediaType(t)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(mt, params)
}
