package server

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// downloadRawMail sends the message exactly as it was fetched (.eml), as an
// attachment: never rendered by the browser.
func (s *Server) downloadRawMail(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	m, err := s.st.MailMessageByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if m.RawSHA256 == "" {
		return tracker.Errorf(tracker.ENOTFOUND, "Only the header of this message was fetched (it was over the size limit).")
	}
	f, err := s.st.OpenBlob(m.RawSHA256)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "message/rfc822")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="message-%d.eml"`, m.ID))
	h.Set(echo.HeaderContentLength, strconv.FormatInt(m.RawSize, 10))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("ETag", `"`+m.RawSHA256+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err = io.Copy(c.Response(), f)
	return err
}
