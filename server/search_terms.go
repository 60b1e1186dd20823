package server

import (
	"context"
	"time"
)

// searchTermsEvery is how often the words written since the last look are
// moved into the table of indexed words (store.KeepSearchTerms): a search
// reads them where they are meanwhile, so it only bounds that table.
const searchTermsEvery = 10 * time.Second

// keepSearchTerms fills the table of indexed words a chunk at a time after
// an upgrade (a search's prefixes are searched as before until it is
// done), then keeps it, until the server closes: run by background, whose
// context ends a step in progress (a chunk of the fill can read for a
// second or more) when the server closes.
func (s *Server) keepSearchTerms(running context.Context) {
	var filling time.Time // when the fill was first seen not done
	for {
		ctx, cancel := context.WithTimeout(running, time.Minute)
		done, err := s.st.KeepSearchTerms(ctx)
		cancel()
		wait := searchTermsEvery
		switch {
		case err != nil && running.Err() == nil:
			s.log.Error("unable to keep the indexed words", "err", err)
		case err != nil: // the server is closing
		case !done:
			if filling.IsZero() {
				filling = time.Now()
				s.log.Info("filling the table of indexed words (prefixes are searched as before until it is done)")
			}
			wait = 10 * time.Millisecond // the next chunk, leaving the writer to others between
		case !filling.IsZero():
			s.log.Info("the table of indexed words is filled", "took", time.Since(filling).Round(time.Millisecond))
			filling = time.Time{}
		}
		select {
		case <-running.Done():
			return
		case <-time.After(wait):
		}
	}
}
