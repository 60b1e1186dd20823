package server

import (
	"context"
	"strconv"
	"time"
)

// auditHeadShort is the audit log's head for the page footer: entry and the
// start of its hash ("" when the log is empty or cannot be read).
func (s *Server) auditHeadShort() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	h, id, err := s.st.AuditHead(ctx)
	if err != nil || id == 0 {
		return ""
	}
	return "#" + strconv.FormatInt(id, 10) + " " + h[:16]
}
