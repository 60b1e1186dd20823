package server

import (
	"context"
	"time"

	"github.com/foitrack/foitrack/store"
)

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
