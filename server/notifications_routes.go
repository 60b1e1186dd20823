package server

import (
	"context"
	"time"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
)

// registerReminderRoutes adds the routes of reminders, notifications,
// drafted letters, outbound mail, batches and the calendar feed
// (registerRoutes calls it, so that routes.go stays the one list's root).
func (s *Server) registerReminderRoutes(public, viewer, editor, admin routeGroup) {
	// The feed is fetched by calendar apps, which have no session: the
	// secret in the address is the credential.
	public.GET("/calendar/:file", s.serveCalendarFeed)

	viewer.GET("/notifications", s.showNotifications)
	viewer.POST("/notifications/read", s.readNotifications)
	viewer.GET("/notifications/settings", s.showNotificationSettings)
	viewer.POST("/notifications/settings", s.saveNotificationSettings)
	viewer.POST("/notifications/calendar", s.createCalendarFeed)
	viewer.POST("/notifications/calendar/revoke", s.revokeCalendarFeed)
	viewer.GET("/notifications/:id", s.followNotification)
	viewer.POST("/notifications/:id/open", s.openNotification)
	viewer.GET("/requests/:id/letters", s.showRequestLetters)
	viewer.POST("/requests/:id/watch", s.watchRequest)
	viewer.GET("/batches", s.showBatchList)
	viewer.GET("/batches/:id", s.showBatch)
	viewer.GET("/batches/:id/export.csv", s.exportBatchCSV)

	editor.POST("/requests/:id/owner", s.setRequestOwner)
	editor.GET("/requests/:id/letters/:kind", s.showLetterDraft)
	editor.POST("/requests/:id/letters/:kind", s.submitLetter)
	editor.POST("/outgoing/:id/retry", s.retryOutgoing)
	editor.GET("/batches/new", s.showNewBatchPage)
	editor.POST("/batches", s.submitBatch)
	editor.POST("/batches/:id/send", s.sendBatch)

	admin.GET("/admin/letters", s.showLetterTemplates)
	admin.POST("/admin/letters/:kind", s.saveLetterTemplate)
	admin.POST("/admin/letters/:kind/reset", s.resetLetterTemplate)
	admin.GET("/admin/reminders", s.showReminderSettings)
	admin.POST("/admin/reminders", s.saveReminderSettings)
	admin.POST("/admin/reminders/smtp", s.saveSMTPSettings)
	admin.POST("/admin/reminders/test-email", s.sendTestEmail)
	admin.POST("/admin/reminders/run", s.runRemindersNow)
}

// outboundSender is a Sender on the stored SMTP configuration, on the
// server's clock. It returns outbound.ErrNotConfigured when there is none.
func (s *Server) outboundSender(ctx context.Context) (*outbound.Sender, error) {
	cfg, err := outbound.LoadConfig(ctx, s.st, nil)
	if err != nil {
		return nil, err
	}
	return &outbound.Sender{Store: s.st, Mailer: &outbound.SMTPMailer{Config: cfg}, Config: cfg, Now: s.cfg.Now, Location: s.cfg.Location}, nil
}

// unreadNotifications is the count the navigation shows (0 on error: a
// badge is not worth failing a page for).
func (s *Server) unreadNotifications(u *store.User) int {
	if u == nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := s.st.UnreadNotifications(ctx, u.ID)
	if err != nil {
		s.log.Warn("unable to count notifications", "user", u.ID, "err", err)
		return 0
	}
	return n
}

// background runs fn beside the requests, acting as actor (for the audit
// log), stopped (its context cancelled) when the server closes, which waits
// for it.
func (s *Server) background(actor string, fn func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithCancel(store.WithActor(context.Background(), actor))
		defer cancel()
		go func() {
			select {
			case <-s.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		fn(ctx)
	}()
}
