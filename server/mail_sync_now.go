package server

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// runMailSyncNow starts a sync pass in the background (never two at once:
// mailsync refuses a second).
func (s *Server) runMailSyncNow(c echo.Context) error {
	ctx := c.Request().Context()
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil {
		return err
	}
	if !cfg.Enabled() {
		return s.redirectWithFlash(c, "/admin/mail", "error", "No mailbox is configured.")
	}
	if err := cfg.Validate(); err != nil {
		return s.redirectWithFlash(c, "/admin/mail", "error", "The settings cannot be used: %s", tracker.ErrorMessage(err))
	}
	s.background(store.Actor(ctx), func(ctx context.Context) {
		syncer := &mailsync.Syncer{Store: s.st, Config: cfg, Log: s.log}
		if _, err := syncer.Run(ctx); err != nil {
			s.log.Warn("mail sync started by hand failed", "err", err)
		}
	})
	return s.redirectWithFlash(c, "/admin/mail", "ok", "Mail sync started. Reload this page to see how it went.")
}
