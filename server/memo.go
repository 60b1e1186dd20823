package server

import (
	"context"

	"github.com/foitrack/foitrack/tracker"
)

// A page's aggregate over many rows (insight figures, the exemptions
// catalogue's counts) is kept and shown again while nothing has been
// written since it was worked out: every change is an audit entry, so the
// audit log's head says whether anything changed, in one indexed read. The
// day is part of the key too (figures such as "overdue now" depend on it).
// The first view after a change works it out again.

// memo is a kept value with the audit log's head and the day it is for.
type memo struct {
	val  any
	head int64
	day  tracker.Date
}

// maxMemos bounds the values kept (one per page and filter).
const maxMemos = 128

// untilWritten returns the value kept under key if nothing has been written
// since and it is the same day, else work's result, which it keeps.
func (s *Server) untilWritten(ctx context.Context, key string, work func() (any, error)) (any, error) {
	_, head, err := s.st.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	s.memoMu.Lock()
	m, ok := s.memos[key]
	s.memoMu.Unlock()
	if ok && m.head == head && m.day == today {
		return m.val, nil
	}
	v, err := work()
	if err != nil {
		return nil, err
	}
	s.memoMu.Lock()
	if s.memos == nil || len(s.memos) >= maxMemos {
		s.memos = map[string]memo{}
	}
	s.memos[key] = memo{val: v, head: head, day: today}
	s.memoMu.Unlock()
	return v, nil
}
