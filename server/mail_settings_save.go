package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/tracker"
)

// saveMailSettings validates and stores the mailbox settings. The password
// is never a field: only where to read it from.
func (s *Server) saveMailSettings(c echo.Context) error {
	ctx := c.Request().Context()
	current, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil && tracker.ErrorCode(err) != tracker.EINVALID {
		return err
	}
	size := func(name string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue(name)), 10, 64)
		return n
	}
	port, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("port")))
	cfg := mailsync.Config{
		Host: strings.TrimSpace(c.FormValue("host")), Port: port, TLS: c.FormValue("tls_mode"),
		Username: strings.TrimSpace(c.FormValue("username")), PasswordEnv: strings.TrimSpace(c.FormValue("password_env")),
		PasswordFile: strings.TrimSpace(c.FormValue("password_file")), Mailbox: strings.TrimSpace(c.FormValue("mailbox")),
		ProcessedFolder: strings.TrimSpace(c.FormValue("processed_folder")), Schedule: strings.TrimSpace(c.FormValue("schedule")),
		MaxMessageBytes: size("max_message_bytes"), MaxAttachmentBytes: size("max_attachment_bytes"),
		ReplyAddress: strings.TrimSpace(c.FormValue("reply_address")), DKIM: c.FormValue("dkim"),
		// Fields set by the environment keep their stored values.
		Overridden: current.Overridden,
	}
	if err := mailsync.SaveConfig(ctx, s.st, cfg); tracker.ErrorCode(err) == tracker.EINVALID {
		return s.renderMailSettings(c, http.StatusUnprocessableEntity, cfg, &view{Error: "Not saved: " + tracker.ErrorMessage(err), Fields: fieldErrors(err)})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/mail", "ok", "Mail settings saved. A new schedule applies within a minute.")
}
