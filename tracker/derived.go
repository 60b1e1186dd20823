package tracker

import (
	"encoding/binary"
	"encoding/json"
	"sort"
	"sync"

	"github.com/foitrack/foitrack/internal/crc"
)

// Derived is everything stored about a request that follows from its law,
// its history and the replies waiting to be confirmed: its status, the due
// date in force, the figures for the statistics, the first response's
// timing, the plan with its windows, and the basis of its standing. The store keeps it beside the
// request and works it out again, with ComputeDerived, on every change to
// those inputs and on `foitrack recompute`: one function for both, so a
// recomputation gives exactly what a write would have stored.
type Derived struct {
	Status  Status
	Outcome string
	SentOn  Date
	// DueDate is what the authority owes now (Deadlines.NextDue), zero for none.
	DueDate Date
	Figures Figures
	First   FirstResponse
	Plan    Plan
	// Basis is what its standing on any day is worked out from.
	Basis StandingBasis
	// Read are the days of the law's calendar whose holidays the
	// computation asked about (zero: none): a change of the holiday
	// tables on no day of it leaves all of the above as it is
	// (RulesChange.Affects).
	Read DaySpan
}

// FirstResponse is the timing of a request's first response, for the
// authority's record: the day it came, the response date in force then
// (zero when none was), and the working days from the date of receipt to
// it on the law's calendar (-1 when not counted: no calendar, or no date of
// receipt).
type FirstResponse struct {
	On    Date
	DueOn Date
	Days  int
}

// ComputeDerived works out a request's standing under law from its history
// (in the order it happened, as SortEvents leaves it) and its replies
// waiting to be confirmed (oldest first). The error is the history's, when
// the lifecycle does not allow it (Replay's).
func ComputeDerived(law Law, history []Event, pending []PendingReply) (Derived, error) {
	return computeDerived(law, CalendarFor(law.Calendar), history, pending, nil)
}

// computeDerived is ComputeDerived on the calendar cal (nil when the law
// names none), every part of it reading the holidays through one
// readingCalendar, so that Read holds every day any of them asked about;
// through dv's kept deadlines when dv is set (Deriver).
func computeDerived(law Law, cal Calendar, history []Event, pending []PendingReply, dv *Deriver) (Derived, error) {
	// A history the lifecycle allows whole is the state Replay gives,
	// with nothing skipped: the plan's replay, once for both.
	st, since, err := replayLenient(history)
	if err != nil {
		_, err = Replay(history) // its error, naming the event
		return Derived{}, err
	}
	var reading *readingCalendar
	if cal != nil {
		reading = newReadingCalendar(cal)
		cal = reading
	}
	// The deadlines (2 kB) are worked out into a kept value: what the
	// standing keeps of them are copies (dates, words, new slices), and
	// a recompute of every request would otherwise allocate, clear and
	// collect a million of them.
	ds := keptDeadlines.Get().(*Deadlines)
	defer keptDeadlines.Put(ds)
	deadlinesForPlanInto(ds, law, cal, history, dv)
	d := Derived{
		Status: st.Status, Outcome: st.Outcome, SentOn: st.SentOn,
		DueDate: ds.NextDue().Date,
		Figures: requestFigures(law, cal, history),
		First:   firstResponse(law, cal, ds, history),
		Plan:    planFromState(law, cal, ds, st, since, pending),
		Basis:   ds.Basis(),
	}
	if reading != nil {
		d.Read = reading.read
	}
	return d, nil
}

var keptDeadlines = sync.Pool{New: func() any { return new(Deadlines) }}

// firstResponse is the timing of the first response of history (On zero
// without one), on the calendar cal (nil: the law names none); ds are the
// deadlines of the whole history.
func firstResponse(law Law, cal Calendar, ds *Deadlines, history []Event) FirstResponse {
	f := FirstResponse{Days: -1}
	for i, e := range history {
		if e.Kind != EventResponseReceived {
			continue
		}
		f.On = e.Date
		var received Date
		if responseCountSettled(history[i+1:]) {
			// Nothing after it moves the response dates: those of the
			// whole history are those in force then, from the same days
			// of the calendar.
			f.DueOn, received = ds.current().Date, ds.Received
		} else {
			f.DueOn, received = responseDue(law, cal, history[:i])
		}
		if cal != nil && !received.IsZero() {
			f.Days = WorkingDaysBetween(cal, received, e.Date)
		}
		break
	}
	return f
}

// responseCountSettled reports whether no event of history is of a kind
// that moves the response dates (engine.replay: the date of receipt, the
// pauses, the clock stopped, the extensions), so that the response dates
// after any history h are those after h and history.
func responseCountSettled(history []Event) bool {
	for _, e := range history {
		switch e.Kind {
		case EventSent, EventClarificationRequested, EventClarificationSent, EventFeeNotice, EventFeePaid, EventExtensionClaimed:
			return false
		}
	}
	return true
}

// InputsFingerprint is a fingerprint of what ComputeDerived reads of one
// request: its law's code, every field of its history that the rules read
// (kind, date, outcome, new due date and reason, in order) and its replies
// waiting to be confirmed. Under the same RulesFingerprint, two requests
// with the same InputsFingerprint have the same Derived (a CRC-64: nobody
// chooses these values to collide), so a recomputation of every request
// works out only those whose inputs changed since their standing was
// stored.
func InputsFingerprint(law LawCode, history []Event, pending []PendingReply) int64 {
	bp := fingerprintBufs.Get().(*[]byte)
	defer fingerprintBufs.Put(bp)
	b := (*bp)[:0]
	str := func(s string) []byte {
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	}
	b = str(string(law))
	b = binary.AppendUvarint(b, uint64(len(history)))
	for _, e := range history {
		b = str(string(e.Kind))
		b = binary.AppendVarint(b, e.Date.n)
		b = str(e.Outcome)
		b = binary.AppendVarint(b, e.NewDueDate.n)
		b = str(e.Reason)
	}
	b = binary.AppendUvarint(b, uint64(len(pending)))
	for _, p := range pending {
		b = str(string(p.Kind))
		b = str(p.Outcome)
		b = binary.AppendVarint(b, p.Date.n)
	}
	*bp = b
	return int64(crc.Checksum(b))
}

var fingerprintBufs = sync.Pool{New: func() any { return new([]byte) }}

// RulesFingerprint is a fingerprint of everything ComputeDerived reads
// besides a request's own inputs (InputsFingerprint): the plan version,
// the laws' rules and the holiday tables of every calendar (a holiday
// added or renamed changes it). A change of the rules' code itself
// changes PlanVersion.
func RulesFingerprint() int64 {
	b := binary.AppendUvarint(nil, PlanVersion)
	laws, err := json.Marshal(Laws)
	if err != nil {
		panic("tracker: the laws do not encode: " + err.Error())
	}
	b = append(b, laws...)
	for _, name := range ruleCalendars {
		c, ok := CalendarFor(name).(*ruleCalendar)
		if !ok {
			panic("tracker: no calendar " + name)
		}
		first, last := c.Coverage()
		b = append(b, c.Name()...)
		b = append(b, 0)
		b = append(b, c.Description()...)
		b = binary.AppendVarint(b, int64(first))
		b = binary.AppendVarint(b, int64(last))
		t := c.table()
		for _, w := range t.holiday {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		days := make([]Date, 0, len(t.names))
		for d := range t.names {
			days = append(days, d)
		}
		sort.Slice(days, func(i, j int) bool { return days[i].n < days[j].n })
		for _, d := range days {
			b = binary.AppendVarint(b, d.n)
			b = append(b, t.names[d]...)
			b = append(b, 0)
		}
	}
	return int64(crc.Checksum(b))
}
