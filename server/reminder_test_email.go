package server

import (
	"errors"
	"net/mail"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/tracker"
)

// sendTestEmail sends a short message to the signed-in admin.
func (s *Server) sendTestEmail(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	cfg, err := outbound.LoadConfig(ctx, s.st, nil)
	if err != nil {
		return s.redirectWithFlash(c, "/admin/reminders", "error", "No test email: %s", tracker.ErrorMessage(err))
	}
	now := s.cfg.Now()
	raw, err := outbound.Compose(outbound.Message{From: mail.Address{Name: cfg.FromName, Address: cfg.From},
		To: []mail.Address{{Name: u.Name, Address: u.Email}}, Subject: "foitrack test email",
		Body: "This is a test email from foitrack: the SMTP settings work.\n", Date: now,
		MessageID: outbound.NewMessageID(now, domainOf(cfg.From)), AutoSubmitted: true})
	if err != nil {
		return err
	}
	if err := (&outbound.SMTPMailer{Config: cfg}).Send(ctx, cfg.From, []string{u.Email}, raw); err != nil {
		var se *outbound.SendError
		if errors.As(err, &se) {
			return s.redirectWithFlash(c, "/admin/reminders", "error", "The test email was not sent: %s", se.Error())
		}
		return err
	}
	return s.redirectWithFlash(c, "/admin/reminders", "ok", "Test email sent to %s.", u.Email)
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
