package store

import (
	"context"
	"sort"

	"github.com/foitrack/foitrack/tracker"
)

// AuthorityRecord is how an authority has dealt with our requests.
type AuthorityRecord struct {
	Requests int `json:"requests"` // all requests to it
	Sent     int `json:"sent"`     // of which sent (not drafts)
	Answered int `json:"answered"` // with at least one response
	// AnsweredOnTime: first response on or before the due date in force then
	// (after any clarification restart, fee pause or extension).
	AnsweredOnTime int `json:"answered_on_time"`
	// OverdueNow: awaiting a response (or review) past its due date today.
	OverdueNow int `json:"overdue_now"`
	// MedianWorkingDays from the date of receipt the count ran from to the
	// first response, on the law's calendar; HasMedian is false with no response.
	MedianWorkingDays float64 `json:"median_working_days"`
	HasMedian         bool    `json:"has_median"`
	// TopExemptions are the exemptions it cites most, most often first.
	TopExemptions []ExemptionCount `json:"top_exemptions"`
}

// OnTimeShare is AnsweredOnTime / Answered (0 when nothing is answered).
func (r AuthorityRecord) OnTimeShare() float64 {
	if r.Answered == 0 {
		return 0
	}
	return float64(r.AnsweredOnTime) / float64(r.Answered)
}

// AuthorityRecord works out an authority's record from the histories of its
// requests, as of today.
func (s *Store) AuthorityRecord(ctx context.Context, authorityID int64, today tracker.Date) (AuthorityRecord, error) {
	var rec AuthorityRecord
	reqs, err := s.Requests(ctx, RequestFilter{AuthorityID: authorityID})
	if err != nil {
		return rec, err
	}
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
	}
	histories, err := s.EventsByRequest(ctx, ids)
	if err != nil {
		return rec, err
	}
	var days []int
	for _, r := range reqs {
		rec.Requests++
		law, ok := tracker.LawByCode(r.Law)
		if !ok {
			continue
		}
		history := histories[r.ID]
		ds := tracker.ComputeDeadlines(law, history)
		if ds.Sent.IsZero() {
			continue
		}
		rec.Sent++
		if code := ds.Standing(today).Code; code == tracker.StandingOverdue || code == tracker.StandingLongOverdue {
			rec.OverdueNow++
		}
		first := -1
		for i, e := range history {
			if e.Kind == tracker.EventResponseReceived {
				first = i
				break
			}
		}
		if first < 0 {
			continue
		}
		rec.Answered++
		// The deadline that was in force when the response came: the
		// history up to (not including) it.
		before := tracker.ComputeDeadlines(law, history[:first])
		responded := history[first].Date
		if due := before.Current().Date; !due.IsZero() && !responded.After(due) {
			rec.AnsweredOnTime++
		}
		if cal := tracker.CalendarFor(law.Calendar); cal != nil && !before.Received.IsZero() {
			days = append(days, tracker.WorkingDaysBetween(cal, before.Received, responded))
		}
	}
	if len(days) > 0 {
		sort.Ints(days)
		n := len(days)
		rec.HasMedian = true
		if n%2 == 1 {
			rec.MedianWorkingDays = float64(days[n/2])
		} else {
			rec.MedianWorkingDays = float64(days[n/2-1]+days[n/2]) / 2
		}
	}
	counts, err := s.ExemptionCounts(ctx, authorityID)
	if err != nil {
		return rec, err
	}
	if len(counts) > 5 {
		counts = counts[:5]
	}
	rec.TopExemptions = counts
	return rec, nil
}
