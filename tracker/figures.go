package tracker

// Figures are what one request adds to the insight statistics of its
// authority beyond its first response (which the store keeps with its own
// columns): worked out from its history on every change and stored beside
// it, so that the insight pages are SQL aggregates over stored numbers
// rather than a replay of every history on every view.
type Figures struct {
	// FirstOutcome is the first response's outcome ("" without one).
	FirstOutcome string
	// ReviewDays counts working days (on the law's calendar; calendar days
	// for a law that counts them) from asking for the internal review to
	// its first outcome; -1 without one. ReviewOutcome is the last outcome.
	ReviewDays    int
	ReviewOutcome string
	// RegulatorOutcome is the regulator's last decision ("" without one).
	RegulatorOutcome string
}

// RequestFigures works out a request's figures from its history.
func RequestFigures(law Law, history []Event) Figures {
	return requestFigures(law, CalendarFor(law.Calendar), history)
}

// requestFigures is RequestFigures on the calendar cal (nil: the law names
// none, and days are counted as calendar days).
func requestFigures(law Law, cal Calendar, history []Event) Figures {
	f := Figures{ReviewDays: -1}
	days := func(from, to Date) int {
		if law.Unit == CalendarDays || cal == nil {
			return from.DaysUntil(to)
		}
		return WorkingDaysBetween(cal, from, to)
	}
	responded := false
	var reviewAsked Date
	for _, e := range history {
		switch e.Kind {
		case EventResponseReceived:
			if !responded {
				responded, f.FirstOutcome = true, e.Outcome
			}
		case EventReviewRequested:
			if reviewAsked.IsZero() {
				reviewAsked = e.Date
			}
		case EventReviewOutcome:
			if f.ReviewDays < 0 && !reviewAsked.IsZero() {
				f.ReviewDays = days(reviewAsked, e.Date)
			}
			f.ReviewOutcome = e.Outcome
		case EventRegulatorDecision:
			f.RegulatorOutcome = e.Outcome
		}
	}
	return f
}

// Overturned reports whether a review's or a regulator's outcome went the
// requester's way, in whole or in part.
func Overturned(outcome string) bool {
	switch outcome {
	case OutcomeOverturned, OutcomePartlyUpheld, OutcomeComplaintUpheld:
		return true
	}
	return false
}
