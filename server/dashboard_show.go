package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// dashboardPage is what needs attention today.
type dashboardPage struct {
	Today         tracker.Date
	Open          int
	LongOverdue   []requestRow
	Overdue       []requestRow
	DueSoon       []requestRow // due within the next 7 days (today included)
	Clarification []requestRow // we owe the authority a clarification (or a fee)
	Reviews       []requestRow // internal reviews running, with their due dates
	Regulator     []regulatorRow
	RecentReplies []store.RecentEvent
	// Mail is filled by the mail sync feature (unmatched mail waiting, last
	// sync); nil until it exists, and the dashboard says so.
	Mail *mailPanel
	// Sends a crash interrupted: nobody knows whether the server took them,
	// and they wait for a person to settle them (see send_interrupted.go).
	InterruptedLetters   []store.OutgoingMessage
	InterruptedReminders int // shown to admins, who settle them
}

// mailPanel is the mail sync's part of the dashboard.
// MAIL: the mail sync fills this in showDashboard (see the marked place).
type mailPanel struct {
	Unmatched    int
	LastSyncText string
	LastSyncOK   bool
}

// regulatorRow is a request with the regulator, or one whose window to
// complain is still open after an unfavourable answer.
type regulatorRow struct {
	requestRow
	Deadline      tracker.Deadline // the window (zero when the complaint is made)
	WithRegulator bool
}

// dashboardDays is how far ahead "due soon" looks, in calendar days.
const dashboardDays = 7

// recentReplyKinds are the events that are news from the authority or regulator.
var recentReplyKinds = []tracker.EventKind{tracker.EventAcknowledged, tracker.EventClarificationRequested,
	tracker.EventFeeNotice, tracker.EventExtensionClaimed, tracker.EventResponseReceived,
	tracker.EventReviewOutcome, tracker.EventRegulatorDecision}

// showDashboard shows what is overdue, due soon, owed by us, under review
// or with the regulator, and what came in recently.
func (s *Server) showDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	today := s.today()
	reqs, err := s.st.Requests(ctx, store.RequestFilter{OpenOnly: true, OrderBy: "due"})
	if err != nil {
		return err
	}
	rows, err := s.requestRows(ctx, reqs)
	if err != nil {
		return err
	}
	p := dashboardPage{Today: today, Open: len(rows)}
	soon := today.AddDays(dashboardDays)
	for _, r := range rows {
		st := r.StandingNow
		switch r.Status {
		case tracker.StatusAwaitingClarification, tracker.StatusAwaitingFee:
			p.Clarification = append(p.Clarification, r)
			continue
		case tracker.StatusReviewRequested:
			p.Reviews = append(p.Reviews, r)
		case tracker.StatusRegulatorComplaint:
			p.Regulator = append(p.Regulator, regulatorRow{requestRow: r, WithRegulator: true})
			continue
		case tracker.StatusAnswered, tracker.StatusReviewDecided:
			if w := r.Deadlines.RegulatorWindow; complaintLikely(r.Outcome) && !w.IsZero() && !w.Date.Before(today) {
				p.Regulator = append(p.Regulator, regulatorRow{requestRow: r, Deadline: w})
			}
			continue
		}
		switch st.Code {
		case tracker.StandingLongOverdue:
			p.LongOverdue = append(p.LongOverdue, r)
		case tracker.StandingOverdue:
			p.Overdue = append(p.Overdue, r)
		case tracker.StandingDueToday, tracker.StandingDueSoon, tracker.StandingOnTime:
			if !st.Date.After(soon) && r.Status != tracker.StatusReviewRequested {
				p.DueSoon = append(p.DueSoon, r)
			}
		}
	}
	if p.RecentReplies, err = s.st.RecentEvents(ctx, recentReplyKinds, today.AddDays(-30), 10); err != nil {
		return err
	}
	// MAIL: unmatched messages waiting in the holding pen, and when the
	// last sync ran and how it went.
	if p.Mail, err = s.loadMailPanel(ctx); err != nil {
		return err
	}
	if p.InterruptedLetters, err = s.st.OutgoingMessages(ctx, store.OutgoingFilter{Interrupted: true}); err != nil {
		return err
	}
	if currentUser(c).Role.AtLeast(store.RoleAdmin) {
		rs, err := s.st.Reminders(ctx, store.ReminderFilter{EmailInterrupted: true})
		if err != nil {
			return err
		}
		p.InterruptedReminders = len(rs)
	}
	return s.render(c, http.StatusOK, "dashboard", &view{Title: "Dashboard", Section: "dashboard", Data: p})
}

// complaintLikely reports whether an answer is one a requester may take to
// the regulator (anything but a full release or a review that overturned).
func complaintLikely(outcome string) bool {
	return outcome != tracker.OutcomeReleasedInFull && outcome != tracker.OutcomeOverturned
}
