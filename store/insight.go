package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// Insight: how authorities answer, from the figures stored on each request
// (schema sections 16 and 18, tracker.RequestFigures). Every number is an SQL
// aggregate over indexed columns; nothing here replays a history.

// InsightFilter chooses the requests counted.
type InsightFilter struct {
	AuthorityIDs []int64 // these authorities, side by side; none: all (the most asked, Limit rows)
	Law          tracker.LawCode
	BatchID      int64
	Limit        int // rows when AuthorityIDs is empty (default 20)
}

// InsightRow is one group's figures (an authority, a law, or everything).
type InsightRow struct {
	Key  string `json:"key"` // the authority's id, the law's code, or "" overall
	Name string `json:"name"`
	// Requests counts every request; Sent those sent; Answered those with a
	// response; OnTime/Late the answered ones with a due date in force.
	Requests   int `json:"requests"`
	Sent       int `json:"sent"`
	Answered   int `json:"answered"`
	OnTime     int `json:"on_time"`
	Late       int `json:"late"`
	OverdueNow int `json:"overdue_now"`
	// First responses by outcome; Awaiting: sent, no response, still open.
	ReleasedInFull int `json:"released_in_full"`
	ReleasedInPart int `json:"released_in_part"`
	Refused        int `json:"refused"`
	NotHeld        int `json:"not_held"`
	NCND           int `json:"neither_confirm_nor_deny"`
	Awaiting       int `json:"awaiting"`
	// Working days to the first response and to the review's outcome
	// (median, and the 90th percentile by nearest rank).
	MedianDays       float64 `json:"median_days"`
	P90Days          int     `json:"p90_days"`
	HasDays          bool    `json:"has_days"`
	ReviewMedianDays float64 `json:"review_median_days"`
	ReviewP90Days    int     `json:"review_p90_days"`
	HasReviewDays    bool    `json:"has_review_days"`
	// Reviews and regulator decisions, and how many went the requester's
	// way in whole or in part (tracker.Overturned).
	Reviews             int `json:"reviews"`
	ReviewsOverturned   int `json:"reviews_overturned"`
	Regulator           int `json:"regulator"`
	RegulatorOverturned int `json:"regulator_overturned"`
}

// OnTimeShare is OnTime of the answered ones with a due date (0 when none).
func (r InsightRow) OnTimeShare() float64 {
	if r.OnTime+r.Late == 0 {
		return 0
	}
	return float64(r.OnTime) / float64(r.OnTime+r.Late)
}

// AuthorityID is the row's authority (0 for a law or overall row).
func (r InsightRow) AuthorityID() int64 { id, _ := strconv.ParseInt(r.Key, 10, 64); return id }

// Insight is the figures the insight pages show.
type Insight struct {
	Overall    InsightRow       `json:"overall"`
	Rows       []InsightRow     `json:"authorities"`
	Laws       []InsightRow     `json:"laws"`
	Exemptions []ExemptionCount `json:"exemptions"` // each counted once per request
	// RefusedUnder: the exemption (by section, s31 for s31(1)(a)) most cited
	// in refusals, and in how many refused requests.
	RefusedUnder      string `json:"refused_under"`
	RefusedUnderCount int    `json:"refused_under_count"`
	// MostOverdue: authorities with the most requests overdue now, and how
	// many (Requests and OverdueNow; no other figure).
	MostOverdue []InsightRow `json:"most_overdue"`
}

// insightConds is the filter's WHERE over requests r.
func insightConds(f InsightFilter) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	if len(f.AuthorityIDs) > 0 {
		conds = append(conds, "r.authority_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.AuthorityIDs)), ",")+")")
		for _, id := range f.AuthorityIDs {
			args = append(args, id)
		}
	}
	if f.Law != "" {
		conds = append(conds, "r.law = ?")
		args = append(args, string(f.Law))
	}
	if f.BatchID != 0 {
		conds = append(conds, "r.id IN (SELECT request_id FROM batch_requests WHERE batch_id = ?)")
		args = append(args, f.BatchID)
	}
	return strings.Join(conds, " AND "), args
}

// Insight works out the figures for the filter as of today.
func (s *Store) Insight(ctx context.Context, f InsightFilter, today tracker.Date) (Insight, error) {
	var in Insight
	if f.Limit <= 0 {
		f.Limit = 20
	}
	where, args := insightConds(f)
	// Without a batch the figures are read from the counts kept on each
	// write (schema section 38): a row per authority and law, not a pass
	// over the requests. A batch's few requests are counted one by one.
	from, overdueFrom := insightCounts, insightOverdue
	if f.BatchID != 0 {
		from = insightRequests
	}
	if len(f.AuthorityIDs) > 0 {
		// Theirs alone, not all those overdue.
		overdueFrom = insightOverdueOf
	}
	overall, err := s.insightGroups(ctx, from, overdueFrom, "''", where, args, today, "", 1)
	if err != nil {
		return in, err
	}
	if len(overall) == 1 {
		in.Overall = overall[0]
	}
	in.Overall.Name = "All"
	if in.Rows, err = s.insightGroups(ctx, from, overdueFrom, authorityKey, where, args, today, "n DESC, key", f.Limit); err != nil {
		return in, err
	}
	if in.Laws, err = s.insightGroups(ctx, from, overdueFrom, "r.law", where, args, today, "n DESC, key", 20); err != nil {
		return in, err
	}
	for i := range in.Laws {
		if l, ok := tracker.LawByCode(tracker.LawCode(in.Laws[i].Key)); ok {
			in.Laws[i].Name = l.Name
		} else {
			in.Laws[i].Name = in.Laws[i].Key
		}
	}
	if in.MostOverdue, err = s.mostOverdue(ctx, overdueFrom, where, args, today, 10); err != nil {
		return in, err
	}
	if err := s.nameAuthorities(ctx, in.Rows, in.MostOverdue); err != nil {
		return in, err
	}
	if in.Exemptions, err = s.exemptionsOncePerRequest(ctx, from == insightCounts, where, args, 15); err != nil {
		return in, err
	}
	refused := `SELECT s, n FROM (
			SELECT CASE WHEN instr(c.code, '(') > 1 THEN substr(c.code, 1, instr(c.code, '(') - 1) ELSE c.code END AS s,
				count(DISTINCT r.id) AS n
			FROM requests r JOIN exemption_claims c ON c.request_id = r.id
			WHERE ` + where + ` AND r.first_outcome = 'refused'
			GROUP BY s ORDER BY n DESC, s LIMIT 1)`
	if from == insightCounts {
		refused = `SELECT r.section AS s, sum(r.requests) AS n FROM insight_refused r WHERE ` + where + `
			GROUP BY s HAVING n > 0 ORDER BY n DESC, s LIMIT 1`
	}
	err = s.r.QueryRowContext(ctx, refused, args...).Scan(&in.RefusedUnder, &in.RefusedUnderCount)
	if err != nil && !strings.Contains(err.Error(), "no rows") {
		return in, fmt.Errorf("store: unable to count refusals by exemption: %w", err)
	}
	return in, nil
}

// authorityKey groups insight rows by authority.
const authorityKey = "CAST(r.authority_id AS TEXT)"

// What insightGroups reads, as r: the requests; those with a due date, by
// it, or by authority and it (a where that takes those before a day reads
// only them); or the counts kept on each write, which a where over
// authority_id and law alone selects as it does requests.
const (
	insightRequests  = "requests r"
	insightOverdue   = "requests r INDEXED BY requests_overdue"
	insightOverdueOf = "requests r INDEXED BY requests_overdue_authority"
	insightCounts    = "insight_counts r"
)

// insightGroups computes the figures grouped by the SQL expression group
// (over from; those overdue now over overdueFrom when from is the counts),
// ordered by order (n: the group's requests), at most limit groups.
func (s *Store) insightGroups(ctx context.Context, from, overdueFrom, group, where string, args []any, today tracker.Date, order string, limit int) ([]InsightRow, error) {
	if order == "" {
		order = "key"
	}
	// Authorities are grouped by their id as stored (index order, no
	// sort), and shown by it as text.
	by := group
	if group == authorityKey {
		by = "r.authority_id"
	}
	q := `SELECT ` + group + ` AS key, count(*) AS n,
			count(r.sent_on), count(r.responded_on), COALESCE(sum(r.responded_on <= r.response_due_on), 0), COALESCE(sum(r.responded_on > r.response_due_on), 0),
			sum(r.due_date IS NOT NULL AND r.due_date < ?),
			sum(r.first_outcome = 'released_in_full'), sum(r.first_outcome = 'released_in_part'), sum(r.first_outcome = 'refused'),
			sum(r.first_outcome = 'not_held'), sum(r.first_outcome = 'neither_confirm_nor_deny'),
			sum(r.sent_on IS NOT NULL AND r.responded_on IS NULL AND r.status NOT IN ('withdrawn', 'closed')),
			sum(r.review_outcome <> ''), sum(r.review_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')),
			sum(r.regulator_outcome <> ''), sum(r.regulator_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld'))
		FROM ` + from + ` WHERE ` + where + ` GROUP BY ` + by + ` ORDER BY ` + order + ` LIMIT ?`
	qargs := append(append([]any{today.String()}, args...), limit)
	counted := from == insightCounts
	if counted {
		// Overdue now depends on the day: counted below.
		q = `SELECT ` + group + ` AS key, sum(r.requests) AS n,
				sum(r.sent), sum(r.answered), sum(r.on_time), sum(r.late), 0,
				sum(r.released_in_full), sum(r.released_in_part), sum(r.refused), sum(r.not_held), sum(r.ncnd), sum(r.awaiting),
				sum(r.reviews), sum(r.reviews_overturned), sum(r.regulator), sum(r.regulator_overturned)
			FROM ` + from + ` WHERE ` + where + ` GROUP BY ` + by + ` HAVING n > 0 ORDER BY ` + order + ` LIMIT ?`
		qargs = append(append([]any{}, args...), limit)
	}
	rows, err := s.r.QueryContext(ctx, q, qargs...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to work out insight: %w", err)
	}
	var out []InsightRow
	index := map[string]int{}
	for rows.Next() {
		var r InsightRow
		if err := rows.Scan(&r.Key, &r.Requests, &r.Sent, &r.Answered, &r.OnTime, &r.Late, &r.OverdueNow,
			&r.ReleasedInFull, &r.ReleasedInPart, &r.Refused, &r.NotHeld, &r.NCND, &r.Awaiting,
			&r.Reviews, &r.ReviewsOverturned, &r.Regulator, &r.RegulatorOverturned); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unable to read insight: %w", err)
		}
		index[r.Key] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to work out insight: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// The rest per group, of the groups listed.
	keys := make([]any, 0, len(out))
	for _, r := range out {
		if by == "r.authority_id" {
			keys = append(keys, r.AuthorityID())
		} else {
			keys = append(keys, r.Key)
		}
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",")
	if counted {
		if err := s.overdueNow(ctx, out, index, overdueFrom, group, by, where, args, ph, keys, today); err != nil {
			return nil, err
		}
		for _, kind := range []string{"response", "review"} {
			if err := s.countedPercentiles(ctx, out, index, kind, group, by, where, args, ph, keys); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	// Median and 90th percentile per group.
	for _, col := range []string{"response_days", "review_days"} {
		rows, err := s.r.QueryContext(ctx, `SELECT key,
				avg(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN d END),
				max(CASE WHEN rn = (9 * n + 9) / 10 THEN d END)
			FROM (SELECT `+group+` AS key, r.`+col+` AS d,
					row_number() OVER (PARTITION BY `+by+` ORDER BY r.`+col+`) AS rn,
					count(*) OVER (PARTITION BY `+by+`) AS n
				FROM `+from+` WHERE `+where+` AND r.`+col+` >= 0 AND `+by+` IN (`+ph+`))
			GROUP BY key`, append(append([]any{}, args...), keys...)...)
		if err != nil {
			return nil, fmt.Errorf("store: unable to work out %s percentiles: %w", col, err)
		}
		for rows.Next() {
			var key string
			var median float64
			var p90 int
			if err := rows.Scan(&key, &median, &p90); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: unable to read percentiles: %w", err)
			}
			out[index[key]].setDays(col == "response_days", median, p90)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: unable to work out percentiles: %w", err)
		}
	}
	return out, nil
}

// setDays sets the median and 90th percentile of the working days to the
// first response (response) or to the review's outcome.
func (r *InsightRow) setDays(response bool, median float64, p90 int) {
	if response {
		r.MedianDays, r.P90Days, r.HasDays = median, p90, true
	} else {
		r.ReviewMedianDays, r.ReviewP90Days, r.HasReviewDays = median, p90, true
	}
}

// overdueNow counts each listed group's requests overdue today (those with
// a due date before it: the open ones) in from.
func (s *Store) overdueNow(ctx context.Context, out []InsightRow, index map[string]int, from, group, by, where string, args []any, ph string, keys []any, today tracker.Date) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+group+` AS key, count(*) FROM `+from+`
		WHERE r.due_date IS NOT NULL AND r.due_date < ? AND `+where+` AND `+by+` IN (`+ph+`) GROUP BY key`,
		append(append([]any{today.String()}, args...), keys...)...)
	if err != nil {
		return fmt.Errorf("store: unable to count overdue requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return fmt.Errorf("store: unable to read overdue requests: %w", err)
		}
		if i, ok := index[key]; ok {
			out[i].OverdueNow = n
		}
	}
	return rows.Err()
}

// countedPercentiles sets each listed group's median and 90th percentile
// (by nearest rank, as the pass over the requests takes them) of the
// working days of kind from insight_days, how many requests took each
// number of days: the days at a rank are the fewest whose running count
// reaches it.
func (s *Store) countedPercentiles(ctx context.Context, out []InsightRow, index map[string]int, kind, group, by, where string, args []any, ph string, keys []any) error {
	rows, err := s.r.QueryContext(ctx, `WITH h AS (
			SELECT `+group+` AS key, r.days, sum(r.requests) AS n FROM insight_days r
			WHERE r.kind = ? AND `+where+` AND `+by+` IN (`+ph+`) GROUP BY key, r.days HAVING n > 0),
		c AS (SELECT key, days, sum(n) OVER (PARTITION BY key ORDER BY days) AS upto, sum(n) OVER (PARTITION BY key) AS total FROM h)
		SELECT key, (min(CASE WHEN upto >= (total + 1) / 2 THEN days END) + min(CASE WHEN upto >= (total + 2) / 2 THEN days END)) / 2.0,
			min(CASE WHEN upto >= (9 * total + 9) / 10 THEN days END)
		FROM c GROUP BY key`, append(append([]any{kind}, args...), keys...)...)
	if err != nil {
		return fmt.Errorf("store: unable to work out %s percentiles: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var median float64
		var p90 int
		if err := rows.Scan(&key, &median, &p90); err != nil {
			return fmt.Errorf("store: unable to read percentiles: %w", err)
		}
		if i, ok := index[key]; ok {
			out[i].setDays(kind == "response", median, p90)
		}
	}
	return rows.Err()
}

// mostOverdue lists the authorities with the most requests (of where)
// overdue today, at most limit, from the index of the requests with a due
// date from (it holds every column read).
func (s *Store) mostOverdue(ctx context.Context, from, where string, args []any, today tracker.Date, limit int) ([]InsightRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+authorityKey+` AS key, count(*) AS n FROM `+from+`
		WHERE `+where+` AND r.due_date IS NOT NULL AND r.due_date < ? GROUP BY r.authority_id ORDER BY n DESC, key LIMIT ?`,
		append(append([]any{}, args...), today.String(), limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to count overdue requests: %w", err)
	}
	defer rows.Close()
	var out []InsightRow
	for rows.Next() {
		var r InsightRow
		if err := rows.Scan(&r.Key, &r.Requests); err != nil {
			return nil, fmt.Errorf("store: unable to read overdue requests: %w", err)
		}
		r.OverdueNow = r.Requests
		out = append(out, r)
	}
	return out, rows.Err()
}

// nameAuthorities fills the names of authority rows.
func (s *Store) nameAuthorities(ctx context.Context, lists ...[]InsightRow) error {
	for _, l := range lists {
		for i := range l {
			if err := s.r.QueryRowContext(ctx, `SELECT name FROM authorities WHERE id = ?`, l[i].AuthorityID()).Scan(&l[i].Name); err != nil {
				return fmt.Errorf("store: unable to read authority name: %w", err)
			}
		}
	}
	return nil
}

// exemptionsOncePerRequest counts each exemption (with its subsection) once
// per request, however many responses, reviews and documents cite it;
// counted: from the counts kept on each write (insight_exemptions).
func (s *Store) exemptionsOncePerRequest(ctx context.Context, counted bool, where string, args []any, limit int) ([]ExemptionCount, error) {
	q := `SELECT c.law, c.code, count(DISTINCT c.request_id), count(DISTINCT c.request_id)
		FROM exemption_claims c JOIN requests r ON r.id = c.request_id
		WHERE ` + where + `
		GROUP BY c.law, c.code ORDER BY count(DISTINCT c.request_id) DESC, c.law, c.code LIMIT ?`
	if counted {
		q = `SELECT r.claim_law, r.code, sum(r.requests) AS n, sum(r.requests) FROM insight_exemptions r
			WHERE ` + where + ` GROUP BY r.claim_law, r.code HAVING n > 0 ORDER BY n DESC, r.claim_law, r.code LIMIT ?`
	}
	rows, err := s.r.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to count exemptions: %w", err)
	}
	defer rows.Close()
	out := []ExemptionCount{}
	for rows.Next() {
		var c ExemptionCount
		var law string
		if err := rows.Scan(&law, &c.Code, &c.Claims, &c.Requests); err != nil {
			return nil, fmt.Errorf("store: unable to read exemption count: %w", err)
		}
		c.Law = tracker.LawCode(law)
		out = append(out, c)
	}
	return out, rows.Err()
}
