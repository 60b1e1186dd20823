package server

import (
	"context"
	"fmt"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// badge is a short coloured label.
type badge struct {
	Label string
	Class string
}

// standingBadge is the label shown beside a due date ("overdue 3 working
// days"); nil when there is nothing to say (drafts, answered, closed).
func standingBadge(st tracker.Standing) *badge {
	days := func(n int) string {
		if n == 1 {
			return "1 working day"
		}
		return fmt.Sprintf("%d working days", n)
	}
	switch st.Code {
	case tracker.StandingOnTime:
		return &badge{days(st.WorkingDays) + " left", "blue"}
	case tracker.StandingDueSoon:
		return &badge{"due soon: " + days(st.WorkingDays) + " left", "amber"}
	case tracker.StandingDueToday:
		return &badge{"due today", "amber"}
	case tracker.StandingOverdue:
		return &badge{"overdue by " + days(st.WorkingDays), "red"}
	case tracker.StandingLongOverdue:
		return &badge{"long overdue: " + days(st.WorkingDays) + " late", "red"}
	case tracker.StandingPaused:
		return &badge{"clock stopped", ""}
	}
	return nil
}

// requestRow is a request in a list, with where it stands today.
type requestRow struct {
	tracker.Request
	// Deadlines are filled by requestRowWithDeadlines only (the API's
	// page of one request, which shows them); a list needs none of them.
	Deadlines   tracker.Deadlines
	StandingNow tracker.Standing
	Standing    *badge
	// Next is who must act next, as stored (windows only where loaded).
	Next tracker.NextAction
}

// requestRows is where each request stands today and who must act next,
// from what is stored with it (one lookup by id each: no history is read).
func (s *Server) requestRows(ctx context.Context, reqs []tracker.Request) ([]requestRow, error) {
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
	}
	today := s.today()
	states, err := s.st.ListStates(ctx, ids, today)
	if err != nil {
		return nil, err
	}
	return requestRowsOf(reqs, states, today), nil
}

// listRequests is Requests with each request's row (requestRows), read
// with the list: no second lookup of each request for its state.
func (s *Server) listRequests(ctx context.Context, f store.RequestFilter) ([]tracker.Request, map[int64]store.ListState, tracker.Date, error) {
	today := s.today()
	reqs, states, err := s.st.RequestsWithStates(ctx, f, today)
	return reqs, states, today, err
}

// requestRowsOf is requestRows of states read on today.
func requestRowsOf(reqs []tracker.Request, states map[int64]store.ListState, today tracker.Date) []requestRow {
	rows := make([]requestRow, len(reqs))
	for i, r := range reqs {
		rows[i].Request = r
		st := states[r.ID]
		rows[i].Next = tracker.NextAction{Status: r.Status, Who: st.Step.Who, Action: st.Step.Action, By: st.Step.By,
			Overdue: st.Overdue, Explanation: st.Step.Explanation, Windows: []tracker.Window{}}
		if _, ok := tracker.LawByCode(r.Law); !ok {
			continue
		}
		rows[i].StandingNow = st.Standing.At(today)
		rows[i].Standing = standingBadge(rows[i].StandingNow)
	}
	return rows
}

// requestRowsWithWindows is requestRows with every window of each
// request's next action, as stored (one query for the page's).
func (s *Server) requestRowsWithWindows(ctx context.Context, reqs []tracker.Request) ([]requestRow, error) {
	rows, err := s.requestRows(ctx, reqs)
	if err != nil {
		return nil, err
	}
	return rows, s.addWindows(ctx, rows)
}

// addWindows reads the stored windows of rows' requests into their next
// actions (one query for them all).
func (s *Server) addWindows(ctx context.Context, rows []requestRow) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	windows, err := s.st.WindowsOf(ctx, ids)
	if err != nil {
		return err
	}
	today := s.today()
	for i := range rows {
		// The windows read are this call's own: marked where they lie, not
		// copied (WindowsAt), and a request with none has [], not null.
		ws := windows[rows[i].ID]
		if ws == nil {
			ws = []tracker.Window{}
		}
		tracker.SetWindowsAt(ws, today)
		rows[i].Next.Windows = ws
	}
	return nil
}

// requestRowWithDeadlines is requestRowsWithWindows of one request, with
// its deadlines worked out from its history (for a page about it alone).
func (s *Server) requestRowWithDeadlines(ctx context.Context, r tracker.Request) (requestRow, error) {
	rows, err := s.requestRowsWithWindows(ctx, []tracker.Request{r})
	if err != nil {
		return requestRow{}, err
	}
	row := rows[0]
	if law, ok := tracker.LawByCode(r.Law); ok {
		history, err := s.st.Events(ctx, r.ID)
		if err != nil {
			return row, err
		}
		row.Deadlines = tracker.ComputeDeadlines(law, history)
	}
	return row, nil
}

// deadlineRow is a deadline on the request page, with what became of it
// once the thing it waited for happened: a response due date that was met
// or missed is history, not a date still to watch.
type deadlineRow struct {
	tracker.Deadline
	Outcome *badge // nil while it still runs
}

// deadlineList is every deadline that applies, in the order they arise.
func deadlineList(ds tracker.Deadlines) []deadlineRow {
	var out []deadlineRow
	// The regulator's window is not listed here: whether it is open yet
	// (after the review, not straight after a refusal) is the next action's
	// business, and "Where it stands" lists it with its state.
	for _, d := range []tracker.Deadline{ds.Response, ds.Extended, ds.LongOverdue, ds.ReviewAskBy, ds.ReviewDue,
		ds.ReviewDueMax, ds.ReviewExtended, ds.ReviewLongOverdue} {
		if !d.IsZero() {
			out = append(out, deadlineRow{Deadline: d, Outcome: deadlineOutcome(ds, d)})
		}
	}
	return out
}

// deadlineOutcome says whether a deadline was met, by the event it waited
// for: the response, the request for a review, the review's outcome.
func deadlineOutcome(ds tracker.Deadlines, d tracker.Deadline) *badge {
	var done tracker.Date
	var what string
	switch d.Kind {
	case tracker.DeadlineResponse, tracker.DeadlineExtended, tracker.DeadlineLongOverdue:
		done, what = ds.Responded, "answered"
	case tracker.DeadlineReviewAskBy:
		done, what = ds.ReviewRequested, "asked"
	case tracker.DeadlineReviewDue, tracker.DeadlineReviewDueMax, tracker.DeadlineReviewExtended, tracker.DeadlineReviewLongOverdue:
		done, what = ds.Reviewed, "decided"
	default:
		return nil
	}
	if done.IsZero() || d.Date.IsZero() {
		return nil
	}
	if d.Kind == tracker.DeadlineLongOverdue || d.Kind == tracker.DeadlineReviewLongOverdue {
		if done.After(d.Date) {
			return &badge{what + " " + done.Long() + ", after it", "red"}
		}
		return &badge{what + " " + done.Long() + ", before it", ""}
	}
	if done.After(d.Date) {
		return &badge{"missed: " + what + " " + done.Long(), "red"}
	}
	return &badge{"met: " + what + " " + done.Long(), "green"}
}
