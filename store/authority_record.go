package store

import (
	"context"
	"database/sql"
	"fmt"

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

// AuthorityRecord reads an authority's record, as of today, by indexed SQL
// over the columns kept with each request (tracker.FirstResponse, stored with the request's standing): it reads the
// authority's entries of one index, never its requests' histories.
func (s *Store) AuthorityRecord(ctx context.Context, authorityID int64, today tracker.Date) (AuthorityRecord, error) {
	var rec AuthorityRecord
	var onTime sql.NullInt64
	var overdue sql.NullInt64
	err := s.r.QueryRowContext(ctx, `
		SELECT count(*), count(sent_on), count(responded_on),
			sum(responded_on <= response_due_on),
			sum(next_by < ? AND then_action IN ('chase_response', 'chase_review'))
		FROM requests INDEXED BY requests_authority_record WHERE authority_id = ?`, today, authorityID).
		Scan(&rec.Requests, &rec.Sent, &rec.Answered, &onTime, &overdue)
	if err != nil {
		return rec, fmt.Errorf("store: unable to read the authority's record: %w", err)
	}
	rec.AnsweredOnTime, rec.OverdueNow = int(onTime.Int64), int(overdue.Int64)
	var timed int
	if err := s.r.QueryRowContext(ctx, `SELECT count(response_days) FROM requests INDEXED BY requests_authority_record
		WHERE authority_id = ? AND response_days IS NOT NULL`, authorityID).Scan(&timed); err != nil {
		return rec, fmt.Errorf("store: unable to read the authority's record: %w", err)
	}
	if timed > 0 {
		// The middle one (or two) of the working days, in index order.
		median := func(offset int) (float64, error) {
			var d float64
			err := s.r.QueryRowContext(ctx, `SELECT response_days FROM requests INDEXED BY requests_authority_record
				WHERE authority_id = ? AND response_days IS NOT NULL ORDER BY response_days LIMIT 1 OFFSET ?`, authorityID, offset).Scan(&d)
			return d, err
		}
		m, err := median(timed / 2)
		if err == nil && timed%2 == 0 {
			var lo float64
			if lo, err = median(timed/2 - 1); err == nil {
				m = (lo + m) / 2
			}
		}
		if err != nil {
			return rec, fmt.Errorf("store: unable to read the authority's median: %w", err)
		}
		rec.MedianWorkingDays, rec.HasMedian = m, true
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
