package server

import (
	"context"

	"github.com/foitrack/foitrack/outbound"
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
