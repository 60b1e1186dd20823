package tracker

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
	st, err := Replay(history)
	if err != nil {
		return Derived{}, err
	}
	ds := deadlinesForPlan(law, history)
	return Derived{
		Status: st.Status, Outcome: st.Outcome, SentOn: st.SentOn,
		DueDate: ds.NextDue().Date,
		Figures: RequestFigures(law, history),
		First:   firstResponse(law, history),
		Plan:    planFrom(law, &ds, history, pending),
		Basis:   ds.Basis(),
	}, nil
}

// firstResponse is the timing of the first response of history (On zero
// without one).
func firstResponse(law Law, history []Event) FirstResponse {
	f := FirstResponse{Days: -1}
	for i, e := range history {
		if e.Kind != EventResponseReceived {
			continue
		}
		f.On = e.Date
		var received Date
		f.DueOn, received = responseDue(law, history[:i])
		if cal := CalendarFor(law.Calendar); cal != nil && !received.IsZero() {
			f.Days = WorkingDaysBetween(cal, received, e.Date)
		}
		break
	}
	return f
}
