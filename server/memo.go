package server

import (
	"context"
	"time"

	"github.com/foitrack/foitrack/tracker"
)

// A page's aggregate over many rows (insight figures, the exemptions
// catalogue's counts) is kept and shown again while nothing has been
// written since it was worked out: every change is an audit entry, so the
// audit log's head says whether anything changed, in one indexed read. The
// day is part of the key too (figures such as "overdue now" depend on it).
//
// The first view after a change works it out again, while the page waits,
// when that is quick. When it is not (the last time took longer than
// Config.SlowAggregate: a pass over every request of a large database), no
// page waits for it: the page shows the figures kept, with the time they
// were worked out, and they are worked out again in the background. That
// runs one at a time, and for each aggregate at most once in ten times the
// length of its last pass, so that a stream of writes (a mail sync) cannot
// keep a core busy redoing figures.

// memo is a kept value with the audit log's head and the day it is for,
// when its working out began and how long it took.
type memo struct {
	val  any
	head int64
	day  tracker.Date
	at   time.Time
	took time.Duration
}

// maxMemos bounds the values kept (one per page and filter).
const maxMemos = 128

// aggregate is a kept value and how fresh it is.
type aggregate struct {
	Val   any
	AsOf  time.Time // when it was worked out
	Stale bool      // written to since: being worked out again
}

// slowAggregate is Config.SlowAggregate with its default.
func (s *Server) slowAggregate() time.Duration {
	if s.cfg.SlowAggregate == 0 {
		return 50 * time.Millisecond
	}
	return s.cfg.SlowAggregate
}

// untilWritten returns the value kept under key if nothing has been written
// since and it is the same day, else work's result, which it keeps; or,
// when work is slow, the value kept, marked stale, while work runs in the
// background (see above).
func (s *Server) untilWritten(ctx context.Context, key string, work func(context.Context) (any, error)) (aggregate, error) {
	m, ok, fresh, head, today, err := s.kept(ctx, key)
	if err != nil {
		return aggregate{}, err
	}
	if fresh {
		return aggregate{Val: m.val, AsOf: m.at}, nil
	}
	if slow := s.slowAggregate(); ok && slow >= 0 && m.took > slow {
		s.refreshInBackground(key, m, work)
		return aggregate{Val: m.val, AsOf: m.at, Stale: true}, nil
	}
	return s.workOut(ctx, key, head, today, work)
}

// currentUntilWritten is untilWritten for a value never shown out of
// date, however long it takes (a filter's choices: quick, and wrong when
// stale).
func (s *Server) currentUntilWritten(ctx context.Context, key string, work func(context.Context) (any, error)) (any, error) {
	m, _, fresh, head, today, err := s.kept(ctx, key)
	if err != nil || fresh {
		return m.val, err
	}
	a, err := s.workOut(ctx, key, head, today, work)
	return a.Val, err
}

// kept is the value kept under key (ok: there is one), whether it is
// fresh (nothing written since, same day), and the head and day now.
func (s *Server) kept(ctx context.Context, key string) (m memo, ok, fresh bool, head int64, today tracker.Date, err error) {
	if _, head, err = s.st.AuditHead(ctx); err != nil {
		return m, false, false, 0, today, err
	}
	today = s.today()
	s.memoMu.Lock()
	m, ok = s.memos[key]
	s.memoMu.Unlock()
	return m, ok, ok && m.head == head && m.day == today, head, today, nil
}

// workOut runs work and keeps its value under key for head and today.
func (s *Server) workOut(ctx context.Context, key string, head int64, today tracker.Date, work func(context.Context) (any, error)) (aggregate, error) {
	start := time.Now()
	v, err := work(ctx)
	if err != nil {
		return aggregate{}, err
	}
	s.memoMu.Lock()
	if s.memos == nil || len(s.memos) >= maxMemos {
		s.memos = map[string]memo{}
	}
	// Not over figures of a later head (a page's pass that began after
	// this one did and ended first).
	if m, ok := s.memos[key]; !ok || m.head <= head {
		s.memos[key] = memo{val: v, head: head, day: today, at: start, took: time.Since(start)}
	}
	s.memoMu.Unlock()
	return aggregate{Val: v, AsOf: start}, nil
}

// refreshInBackground works out key's value again in the background, unless
// another aggregate is being worked out, or key's last pass (m) was less
// than ten of its lengths ago.
func (s *Server) refreshInBackground(key string, m memo, work func(context.Context) (any, error)) {
	s.memoMu.Lock()
	defer s.memoMu.Unlock()
	if s.memoRefreshing || time.Since(m.at) < 10*m.took {
		return
	}
	select {
	case <-s.stop:
		return // closing
	default:
	}
	s.memoRefreshing = true
	s.background("system", func(ctx context.Context) {
		defer func() {
			s.memoMu.Lock()
			s.memoRefreshing = false
			s.memoMu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		_, head, err := s.st.AuditHead(ctx)
		if err == nil {
			_, err = s.workOut(ctx, key, head, s.today(), work)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Error("unable to work out kept figures", "key", key, "err", err)
		}
	})
}
