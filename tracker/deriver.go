package tracker

import (
	"slices"
	"sync/atomic"
)

// A Deriver is ComputeDerived for a caller that works out many standings
// (a recompute of every request). Most of a request's deadlines follow
// from its law and one day alone: the response due for a request received
// on a day with no pause, the time to ask for a review after a response of
// a day, the review decision due, the complaint window, the long-overdue
// dates. A Deriver works each of those out once for each law and day,
// with its words and the days of the calendar it read, and gives every
// later request the same: a million requests have a few tens of thousands
// of such days between them.
//
// It keeps them under the rules as they were when it was made (the laws
// and their calendars' holiday tables): a request under other rules (a
// law changed, a holiday added since) is worked out without them. It is
// safe for concurrent use, and keeps no more than keptMax deadlines.
type Deriver struct {
	laws []keptLaw
	n    atomic.Int64 // deadlines kept
}

// keptMax bounds what a Deriver keeps (a few hundred bytes each).
const keptMax = 1 << 16

// keptLaw is what a Deriver keeps for a law under the rules it was made with.
type keptLaw struct {
	law   Law
	table *dayTable // the law's calendar's (nil: none, nothing kept)
	kept  [keptKinds]keptDays
}

// keptKind names a deadline a Deriver keeps.
type keptKind uint8

const (
	keptResponse keptKind = iota
	keptLongOverdue
	keptReviewAskBy
	keptReviewDue
	keptRegulatorAfterResponse
	keptRegulatorAfterReview
	keptKinds
)

// keptDays are the deadlines of one kind kept by the day they follow
// from, over the days of the calendar's table, in blocks made when first
// needed: read without a lock.
type keptDays [(tableLast-tableFirst+1)*366/keptBlock + 1]atomic.Pointer[[keptBlock]atomic.Pointer[keptDeadline]]

const keptBlock = 512

type keptDeadline struct {
	d    Deadline
	ok   bool
	read DaySpan
}

// NewDeriver is a Deriver under the current rules, keeping nothing yet.
func NewDeriver() *Deriver {
	dv := &Deriver{laws: make([]keptLaw, len(Laws))}
	for i, law := range Laws {
		dv.laws[i].law = law
		if c, ok := CalendarFor(law.Calendar).(*ruleCalendar); ok {
			dv.laws[i].table = c.table()
		}
	}
	return dv
}

// ComputeDerived is ComputeDerived(law, history, pending), the same in
// every value, Read included.
func (dv *Deriver) ComputeDerived(law Law, history []Event, pending []PendingReply) (Derived, error) {
	return computeDerived(law, CalendarFor(law.Calendar), history, pending, dv)
}

// keeping is what dv keeps for law on the calendar cal (the reading
// calendar of its computation), nil when law or its holiday table are not
// those dv was made under.
func (dv *Deriver) keeping(law Law, cal *readingCalendar) *keptLaw {
	if dv == nil || cal == nil {
		return nil
	}
	for i := range dv.laws {
		if k := &dv.laws[i]; k.law.Code == law.Code {
			if k.table == nil || k.table != cal.days || k.law != law {
				return nil
			}
			return k
		}
	}
	return nil
}

// kept is work(), the deadline of kind worked out from the day a (and the
// engine's law and calendar alone), as the engine's Deriver kept it when
// it has one: the days of the calendar work read the first time are noted
// as read again.
func (e *engine) kept(kind keptKind, a Date, work func() (Deadline, bool)) (Deadline, bool) {
	k, rc := e.keeping, e.reading
	if k == nil {
		return work()
	}
	i := a.n - k.table.lo
	if i < 0 || i >= int64(len(k.kept[kind]))*keptBlock {
		return work()
	}
	slot := &k.kept[kind][i/keptBlock]
	block := slot.Load()
	if block != nil {
		if v := block[i%keptBlock].Load(); v != nil {
			rc.noteSpan(v.read)
			return v.d, v.ok
		}
	}
	outer := rc.read
	rc.read = DaySpan{}
	d, ok := work()
	// Shared by every request given it: an append makes a copy.
	d.Skipped = slices.Clip(d.Skipped)
	v := &keptDeadline{d: d, ok: ok, read: rc.read}
	rc.read = outer
	rc.noteSpan(v.read)
	if e.deriver.n.Load() >= keptMax {
		return d, ok
	}
	if block == nil {
		slot.CompareAndSwap(nil, new([keptBlock]atomic.Pointer[keptDeadline]))
		block = slot.Load()
	}
	// Another goroutine may have kept the same deadline meanwhile.
	if block[i%keptBlock].CompareAndSwap(nil, v) {
		e.deriver.n.Add(1)
	}
	return d, ok
}
