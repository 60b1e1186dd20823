package server

import (
	"context"
	"time"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
)

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
