package server

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// uploadDocument attaches a file (or records a withheld document) to a
// request. The file's name is kept as metadata only; its bytes are stored
// by their sha256.
func (s *Server) uploadDocument(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.st.RequestByID(ctx, id); err != nil {
		return err
	}
	d := tracker.Document{RequestID: id, Disposition: c.FormValue("disposition"),
		Exemptions: formList(c, "exemptions"), Description: strings.TrimSpace(c.FormValue("description"))}
	var content io.Reader
	fh, err := c.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile):
	case err != nil:
		return tracker.Errorf(tracker.EINVALID, "The file could not be read: %v", err)
	case fh.Size == 0 && fh.Filename == "":
	default:
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("server: unable to open upload: %w", err)
		}
		defer f.Close()
		content = f
		d.Filename = fh.Filename
		d.MediaType = declaredType(fh)
	}
	if content == nil && d.Disposition == tracker.DispositionWithheld {
		d.Filename = d.Description
	}
	err = s.st.AddDocument(ctx, &d, content, s.cfg.MaxUploadBytes)
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ETOOLARGE {
		p, lerr := s.loadRequestPage(ctx, id)
		if lerr != nil {
			return lerr
		}
		p.Upload = c.Request().PostForm
		if p.Upload == nil {
			p.Upload = map[string][]string{}
		}
		if c.Request().MultipartForm != nil {
			for k, v := range c.Request().MultipartForm.Value {
				p.Upload[k] = v
			}
		}
		status, fields := http.StatusUnprocessableEntity, fieldErrors(err)
		if code == tracker.ETOOLARGE {
			status, fields = http.StatusRequestEntityTooLarge, map[string]string{"file": tracker.ErrorMessage(err)}
		}
		return s.render(c, status, "request_show", &view{Title: p.Request.Title, Section: "requests",
			Error: "The document was not added: " + tracker.ErrorMessage(err), Fields: fields, Data: p})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#documents", id), "ok", "Document %s added.", d.Filename)
}

// declaredType is the media type the browser gave the file, without
// parameters; "" (let the store decide from the name and content) when it
// is missing or generic.
func declaredType(fh *multipart.FileHeader) string {
	ct := fh.Header.Get(echo.HeaderContentType)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.ToLower(strings.TrimSpace(ct))
	if ct == "" || ct == "application/octet-stream" || !strings.Contains(ct, "/") || len(ct) > 100 {
		return ""
	}
	return ct
}
