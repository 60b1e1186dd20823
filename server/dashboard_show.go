package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// dashboardPage is what needs attention today. Everything on it is read
// from the next actions stored with each request (see store/nextaction.go):
// no history is replayed to show it.
type dashboardPage struct {
	Today tracker.Date
	Open  int
	// NeedsYou: every step that is the requester's today, replies to
	// confirm first, then by date; a page at a time.
	NeedsYou      []store.ActionItem
	NeedsYouTotal int
	Pager         pager
	// Late: requests whose authority missed its date (a chaser is due).
	Late int
	// DueSoon: the authorities' (and regulators') dates in the next 7 days.
	DueSoon       []store.ActionItem
	DueSoonTotal  int
	Regulator     []tracker.Request // complaints with the regulator
	RegulatorOpen int
	RecentReplies []store.RecentEvent
	// Mail is filled by the mail sync feature (unmatched mail waiting, last
	// sync); nil until it exists, and the dashboard says so.
	Mail *mailPanel
	// Sends a crash interrupted: nobody knows whether the server took them,
	// and they wait for a person to settle them (see send_interrupted.go).
	InterruptedLetters   []store.OutgoingMessage
	InterruptedReminders int // shown to admins, who settle them
	// Insight: how the most asked authorities answer (insight_page.go),
	// as worked out at InsightAt (zero: not yet).
	Insight   chartSet
	InsightAt time.Time
}

// mailPanel is the mail sync's part of the dashboard.
// MAIL: the mail sync fills this in showDashboard (see the marked place).
type mailPanel struct {
	Unmatched    int
	LastSyncText string
	LastSyncOK   bool
}

// dashboardDays is how far ahead "due soon" looks, in calendar days.
const dashboardDays = 7

// dashboardPanelRows is how many rows the panels other than "Needs you" show.
const dashboardPanelRows = 20

// recentReplyKinds are the events that are news from the authority or regulator.
var recentReplyKinds = []tracker.EventKind{tracker.EventAcknowledged, tracker.EventClarificationRequested,
	tracker.EventFeeNotice, tracker.EventExtensionClaimed, tracker.EventResponseReceived,
	tracker.EventReviewOutcome, tracker.EventRegulatorDecision}

// showDashboard shows what the requester must do (in date order, replies to
// confirm first), what the authorities owe this week, what is with the
// regulator, and what came in recently.
func (s *Server) showDashboard(c echo.Context) error {
	if c.QueryParam("page") != "" {
		return redirectFromPageNumber(c)
	}
	ctx := c.Request().Context()
	today := s.today()
	p := dashboardPage{Today: today}
	var err error
	if p.Open, err = s.st.CountRequests(ctx, store.RequestFilter{OpenOnly: true}); err != nil {
		return err
	}
	// "Needs you" a page at a time by cursor (the key: its rank and date).
	cur, err := cursorParam(c, true)
	if err == nil && cur.Set() && !store.ValidNeedsYouCursor(cur) {
		err = errBadCursor("after")
		if cur.Back {
			err = errBadCursor("before")
		}
	}
	if err != nil {
		return err
	}
	needs, total, err := s.st.NeedsYou(ctx, today, pageSize+1, cur)
	if err != nil {
		return err
	}
	page := pageOf(needs, cur, pageSize, true, func(it store.ActionItem) store.Cursor { return it.Cursor })
	p.NeedsYou, p.NeedsYouTotal = page.Rows, total
	p.Pager = keysetPager(c, page, total)
	if p.Late, err = s.st.CountLate(ctx, today); err != nil {
		return err
	}
	if p.DueSoon, p.DueSoonTotal, err = s.st.AwaitedBetween(ctx, today, today.AddDays(dashboardDays), dashboardPanelRows); err != nil {
		return err
	}
	regulator := store.RequestFilter{Status: tracker.StatusRegulatorComplaint, Limit: dashboardPanelRows}
	if p.RegulatorOpen, err = s.st.CountRequests(ctx, regulator); err != nil {
		return err
	}
	if p.Regulator, err = s.st.Requests(ctx, regulator); err != nil {
		return err
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
	p.Insight, p.InsightAt = s.dashboardInsight()
	return s.render(c, http.StatusOK, "dashboard", &view{Title: "Dashboard", Section: "dashboard", Data: p})
}

// actionLetter is the letter the app can draft for an action ("" when none):
// the path under /requests/ID/letters/.
func actionLetter(a tracker.Action) string {
	switch a {
	case tracker.ActionChaseResponse, tracker.ActionChaseReview:
		return "chaser"
	case tracker.ActionRequestReview:
		return "internal_review"
	case tracker.ActionComplainToRegulator:
		return "regulator_complaint"
	}
	return ""
}
