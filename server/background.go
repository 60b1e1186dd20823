package server

import (
	"context"

	"github.com/foitrack/foitrack/store"
)

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
