package server

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// insightPage compares authorities side by side: a table of every figure,
// and the same figures as charts.
type insightPage struct {
	In store.Insight
	// Body is the figures' tables and charts (insightFigures.body).
	Body        template.HTML
	Authorities []store.AuthorityName
	Selected    map[int64]bool
	Laws        []tracker.Law
	Law         string
	Batches     []store.Batch
	BatchID     int64
	Summary     string // the batch's sentence
	Figures     aggregate
	// NameQ filters the authorities offered; Cut says some were left out
	// of the chooser (thousands of checkboxes make a page nobody can use,
	// least of all on a phone).
	NameQ string
	Cut   bool
}

// chooserMax is how many authorities a chooser (the insight page's, the
// batch form's) offers at most.
const chooserMax = 150

// chartSet is charts with the filters their downloads repeat.
type chartSet struct {
	Charts []chart
	// Query is url.Values.Encode output: already escaped for a link.
	Query template.URL
}

// insightFilter reads the filters: authority=ID (repeated), law=, batch=.
func (s *Server) insightFilter(c echo.Context) store.InsightFilter {
	var f store.InsightFilter
	for _, v := range c.QueryParams()["authority"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 && len(f.AuthorityIDs) < 50 {
			f.AuthorityIDs = append(f.AuthorityIDs, id)
		}
	}
	if l, ok := tracker.LawByCode(tracker.LawCode(c.QueryParam("law"))); ok {
		f.Law = l.Code
	}
	if id, err := strconv.ParseInt(c.QueryParam("batch"), 10, 64); err == nil && id > 0 {
		f.BatchID = id
	}
	return f
}

// insightQuery is the query that asks for f again (the charts' downloads
// repeat it): of f alone, so that the figures kept for f can be rendered
// once for every view of them.
func insightQuery(f store.InsightFilter) url.Values {
	q := url.Values{}
	for _, id := range f.AuthorityIDs {
		q.Add("authority", strconv.FormatInt(id, 10))
	}
	if f.Law != "" {
		q.Set("law", string(f.Law))
	}
	if f.BatchID != 0 {
		q.Set("batch", strconv.FormatInt(f.BatchID, 10))
	}
	return q
}

// showInsightPage: GET /insight
func (s *Server) showInsightPage(c echo.Context) error {
	ctx := c.Request().Context()
	f := s.insightFilter(c)
	kept, figures, err := s.memoInsight(ctx, f)
	if err != nil {
		return err
	}
	in := kept.In
	body, err := kept.body(s.pages["insight"])
	if err != nil {
		return err
	}
	p := insightPage{In: in, Body: body, Figures: figures, Laws: tracker.Laws, Law: string(f.Law), BatchID: f.BatchID,
		Selected: map[int64]bool{}}
	for _, id := range f.AuthorityIDs {
		p.Selected[id] = true
	}
	choices, err := s.filterChoices(ctx)
	if err != nil {
		return err
	}
	p.NameQ = strings.TrimSpace(c.QueryParam("name"))
	p.Authorities, p.Cut = insightChoices(choices.Authorities, p.Selected, in.Rows, p.NameQ)
	if p.Batches, err = s.st.Batches(ctx, ""); err != nil {
		return err
	}
	if f.BatchID != 0 {
		p.Summary = batchSentence(in)
	}
	return s.render(c, http.StatusOK, "insight", &view{Title: "Insight", Section: "insight", Data: p})
}

// insightChoices are the authorities the chooser offers: all of them when
// they are few and no name is asked for; otherwise those chosen, those the
// page compares and those whose name holds nameQ (see chooseAuthorities).
func insightChoices(all []store.AuthorityName, selected map[int64]bool, shown []store.InsightRow, nameQ string) (out []store.AuthorityName, cut bool) {
	onPage := map[int64]bool{}
	for _, r := range shown {
		if id, err := strconv.ParseInt(r.Key, 10, 64); err == nil {
			onPage[id] = true
		}
	}
	return chooseAuthorities(all, func(a store.AuthorityName) int64 { return a.ID },
		func(a store.AuthorityName, q string) bool { return strings.Contains(strings.ToLower(a.Name), q) }, selected, onPage, nameQ)
}

// chooseAuthorities is what an authority chooser offers of all (thousands
// of checkboxes make a page nobody can use, least of all on a phone): all
// of them when they are few and nothing is looked for; otherwise those
// selected, those on the page and those find says q (lower-cased) finds,
// at most chooserMax (the selected ones always). cut says some were left
// out.
func chooseAuthorities[T any](all []T, id func(T) int64, find func(a T, q string) bool, selected, onPage map[int64]bool, q string) (out []T, cut bool) {
	if len(all) <= chooserMax && q == "" {
		return all, false
	}
	q = strings.ToLower(q)
	room := chooserMax - len(selected)
	for _, a := range all {
		switch {
		case selected[id(a)]:
		case room > 0 && (onPage[id(a)] || (q != "" && find(a, q))):
			room--
		default:
			cut = true
			continue
		}
		out = append(out, a)
	}
	return out, cut
}

// downloadInsightChart: GET /insight/NAME.svg or NAME.csv, with the page's filters.
func (s *Server) downloadInsightChart(c echo.Context) error {
	file := c.Param("file")
	name, ext, ok := strings.Cut(file, ".")
	if !ok || (ext != "svg" && ext != "csv") {
		return tracker.Errorf(tracker.ENOTFOUND, "no chart %q", file)
	}
	f := s.insightFilter(c)
	in, err := s.st.Insight(c.Request().Context(), f, s.today())
	if err != nil {
		return err
	}
	for _, ch := range insightCharts(in) {
		if ch.Name != name {
			continue
		}
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="foitrack-%s.%s"`, name, ext))
		if ext == "svg" {
			return c.Blob(http.StatusOK, "image/svg+xml", []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+ch.SVG()))
		}
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", ch.CSV())
	}
	return tracker.Errorf(tracker.ENOTFOUND, "no chart %q", name)
}

// authorityInsight is one authority's figures and charts, for its page.
func (s *Server) authorityInsight(ctx context.Context, id int64) (store.Insight, chartSet, error) {
	kept, _, err := s.memoInsight(ctx, store.InsightFilter{AuthorityIDs: []int64{id}})
	if err != nil {
		return store.Insight{}, chartSet{}, err
	}
	in := kept.In
	var charts []chart
	for _, ch := range insightCharts(in) {
		if ch.Name != "overdue" { // one authority: the table says it
			charts = append(charts, ch)
		}
	}
	return in, chartSet{Charts: charts, Query: template.URL(url.Values{"authority": {strconv.FormatInt(id, 10)}}.Encode())}, nil
}

// dashboardInsight is the dashboard's chart of how the most asked
// authorities answer. No page request computes it: refreshDashboardInsight
// does, in the background, and the dashboard shows the latest (a pass over
// every request when it was written; now the counts kept on each write).
func (s *Server) dashboardInsight() (chartSet, time.Time) {
	s.insightMu.Lock()
	defer s.insightMu.Unlock()
	if s.insightCache == nil {
		return chartSet{}, time.Time{}
	}
	return *s.insightCache, s.insightCachedAt
}

// dashboardInsightEvery is how often the dashboard's figures are redone.
const dashboardInsightEvery = 5 * time.Minute

// dashboardInsightRows is how many authorities the dashboard's chart shows.
const dashboardInsightRows = 8

// workOutDashboardInsight does one pass of refreshDashboardInsight.
func (s *Server) workOutDashboardInsight() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// One pass serves both: the Insight page's figures without filters,
	// kept for its first view, and the dashboard's, which are their eight
	// most asked authorities (the rows come most asked first) and the same
	// most-overdue list.
	key, work := s.insightWork(store.InsightFilter{})
	v, err := s.currentUntilWritten(ctx, key, work)
	if err != nil {
		return err
	}
	in := v.(*insightFigures).In
	in.Rows = in.Rows[:min(len(in.Rows), dashboardInsightRows)]
	var set chartSet
	for _, ch := range insightCharts(in) {
		if ch.Name == "on-time" || ch.Name == "overdue" {
			set.Charts = append(set.Charts, ch)
		}
	}
	s.insightMu.Lock()
	s.insightCache, s.insightCachedAt = &set, s.cfg.Now()
	s.insightMu.Unlock()
	return nil
}

// memoInsight is s.st.Insight(f) for today, kept while nothing is written
// (see untilWritten): without a batch the figures are read from counts
// kept on each write (schema sections 40-42), a row per authority and law
// (about 0.1 s at 100,000 requests, most of it the percentiles); a batch's
// pass over its requests. The dashboard's background pass works out the
// page without filters ahead of the first view.
func (s *Server) memoInsight(ctx context.Context, f store.InsightFilter) (*insightFigures, aggregate, error) {
	key, work := s.insightWork(f)
	v, err := s.untilWritten(ctx, key, work)
	if err != nil {
		return nil, v, err
	}
	return v.Val.(*insightFigures), v, nil
}

// insightWork is the key the figures for f are kept under, and their
// working out.
func (s *Server) insightWork(f store.InsightFilter) (string, func(context.Context) (any, error)) {
	return fmt.Sprintf("insight %+v", f), func(ctx context.Context) (any, error) {
		in, err := s.st.Insight(ctx, f, s.today())
		if err != nil {
			return nil, err
		}
		return &insightFigures{In: in, filter: f}, nil
	}
}

// insightFigures is the figures for a filter as memoInsight keeps them,
// with the part of the Insight page they make, rendered at most once for
// them: the tables and the charts, about 90 kB at 100,000 requests, whose
// escaping by reflection was three quarters of the page's CPU. A write
// makes new figures (untilWritten), so a new one of these.
type insightFigures struct {
	In     store.Insight
	filter store.InsightFilter // what they are the figures of (their key)
	mu     sync.Mutex
	html   template.HTML // the page's part, once rendered
}

// insightFiguresView is what the insightfigures template gets: the figures
// and what their filter makes, nothing of who asks or of their request.
type insightFiguresView struct {
	In     store.Insight
	Charts chartSet
}

// body is the tables and the charts of the Insight page for these figures
// (the template insightfigures of t), rendered on the first call.
func (k *insightFigures) body(t *template.Template) (template.HTML, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.html != "" {
		return k.html, nil
	}
	var b strings.Builder
	v := insightFiguresView{In: k.In, Charts: chartSet{Charts: insightCharts(k.In), Query: template.URL(insightQuery(k.filter).Encode())}}
	if err := t.ExecuteTemplate(&b, "insightfigures", v); err != nil {
		return "", fmt.Errorf("server: unable to render the insight figures: %w", err)
	}
	k.html = template.HTML(b.String())
	return k.html, nil
}

// refreshDashboardInsight works out the dashboard's figures now and then
// every few minutes, until the server stops.
func (s *Server) refreshDashboardInsight() {
	defer s.wg.Done()
	for first := true; ; first = false {
		if err := s.workOutDashboardInsight(); err != nil {
			s.log.Error("unable to work out the dashboard's insight", "err", err)
		}
		if first {
			close(s.startupPassDone)
		}
		select {
		case <-s.stop:
			return
		case <-time.After(dashboardInsightEvery):
		}
	}
}

// batchSentence: "Of the 14 authorities asked, 9 answered on time, 3 refused (s31 cited in 3)."
func batchSentence(in store.Insight) string {
	o := in.Overall
	if o.Sent == 0 {
		return fmt.Sprintf("None of its %d %s has been sent yet.", o.Requests, plural(o.Requests, "request", "requests"))
	}
	sb := fmt.Sprintf("Of the %d %s asked, %d answered on time", o.Sent, plural(o.Sent, "authority", "authorities"), o.OnTime)
	if o.Late > 0 {
		sb += fmt.Sprintf(", %d late", o.Late)
	}
	if o.Awaiting > 0 {
		sb += fmt.Sprintf(", %d still awaited", o.Awaiting)
	}
	if o.Refused > 0 {
		sb += fmt.Sprintf("; %d refused", o.Refused)
		if in.RefusedUnder != "" {
			sb += fmt.Sprintf(" (%d under %s)", in.RefusedUnderCount, in.RefusedUnder)
		}
	}
	return sb + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// insightCharts are the figures of an insight as charts.
func insightCharts(in store.Insight) []chart {
	rows := in.Rows
	href := func(r store.InsightRow) string {
		if id := r.AuthorityID(); id != 0 {
			return fmt.Sprintf("/authorities/%d", id)
		}
		return ""
	}
	outcomes := chart{Name: "outcomes", Title: "Requests by outcome of the first response", Stacked: true,
		Columns: []string{"Released in full", "Released in part", "Refused", "Not held", "Neither confirm nor deny", "Awaiting"}}
	onTime := chart{Name: "on-time", Title: "Share answered within the statutory time", Percent: true, Columns: []string{"on time"}}
	days := chart{Name: "days", Title: "Working days to the first response (median; p90 tick)", Unit: "days", Columns: []string{"median"}, Marker: "p90"}
	review := chart{Name: "review-days", Title: "Working days to an internal review's outcome (median; p90 tick)", Unit: "days", Columns: []string{"median"}, Marker: "p90"}
	overturn := chart{Name: "overturned", Title: "Reviews and regulator decisions, and how many went the requester's way", Stacked: true,
		Columns: []string{"Review: overturned", "Review: upheld", "Regulator: for the requester", "Regulator: for the authority"}}
	for _, r := range rows {
		outcomes.Rows = append(outcomes.Rows, chartRow{Label: r.Name, Href: href(r), Values: []float64{
			float64(r.ReleasedInFull), float64(r.ReleasedInPart), float64(r.Refused), float64(r.NotHeld), float64(r.NCND), float64(r.Awaiting)}})
		if r.OnTime+r.Late > 0 {
			onTime.Rows = append(onTime.Rows, chartRow{Label: r.Name, Href: href(r), Values: []float64{r.OnTimeShare()},
				Note: fmt.Sprintf("%d of %d", r.OnTime, r.OnTime+r.Late)})
		}
		if r.HasDays {
			days.Rows = append(days.Rows, chartRow{Label: r.Name, Href: href(r), Values: []float64{r.MedianDays}, Mark: float64(r.P90Days)})
		}
		if r.HasReviewDays {
			review.Rows = append(review.Rows, chartRow{Label: r.Name, Href: href(r), Values: []float64{r.ReviewMedianDays}, Mark: float64(r.ReviewP90Days)})
		}
		if r.Reviews+r.Regulator > 0 {
			overturn.Rows = append(overturn.Rows, chartRow{Label: r.Name, Href: href(r), Values: []float64{
				float64(r.ReviewsOverturned), float64(r.Reviews - r.ReviewsOverturned),
				float64(r.RegulatorOverturned), float64(r.Regulator - r.RegulatorOverturned)}})
		}
	}
	o := in.Overall
	outcomes.Desc = fmt.Sprintf("%d requests: %d released in full, %d in part, %d refused, %d not held, %d neither confirmed nor denied, %d awaiting a response.",
		o.Requests, o.ReleasedInFull, o.ReleasedInPart, o.Refused, o.NotHeld, o.NCND, o.Awaiting)
	onTime.Desc = fmt.Sprintf("Overall %d of %d responses with a due date came on time (%d%%).", o.OnTime, o.OnTime+o.Late, int(o.OnTimeShare()*100+0.5))
	days.Desc = "No response yet."
	if o.HasDays {
		days.Desc = fmt.Sprintf("Overall the median is %s working days, and 90%% of responses came within %d.", trimFloat(o.MedianDays), o.P90Days)
	}
	review.Desc = "No internal review decided yet."
	if o.HasReviewDays {
		review.Desc = fmt.Sprintf("Overall the median is %s working days, and 90%% of reviews were decided within %d.", trimFloat(o.ReviewMedianDays), o.ReviewP90Days)
	}
	overturn.Desc = fmt.Sprintf("%d of %d internal reviews and %d of %d regulator decisions went the requester's way, in whole or in part.",
		o.ReviewsOverturned, o.Reviews, o.RegulatorOverturned, o.Regulator)
	ex := chart{Name: "exemptions", Title: "Exemptions cited (each counted once per request)", Columns: []string{"requests"}}
	for _, e := range in.Exemptions {
		label := string(e.Law) + " " + e.Code
		if l, ok := tracker.LawByCode(e.Law); ok {
			label = l.ShortName + " " + e.Code
		}
		ex.Rows = append(ex.Rows, chartRow{Label: label, Values: []float64{float64(e.Requests)}})
	}
	ex.Desc = "No exemption cited yet."
	if len(in.Exemptions) > 0 {
		ex.Desc = fmt.Sprintf("The most cited is %s, in %d %s.", ex.Rows[0].Label, in.Exemptions[0].Requests, plural(in.Exemptions[0].Requests, "request", "requests"))
	}
	overdue := chart{Name: "overdue", Title: "Authorities with the most requests overdue now", Columns: []string{"overdue"}}
	for _, r := range in.MostOverdue {
		overdue.Rows = append(overdue.Rows, chartRow{Label: r.Name, Href: href(r), Values: []float64{float64(r.Requests)}})
	}
	overdue.Desc = "Nothing is overdue."
	if len(in.MostOverdue) > 0 {
		overdue.Desc = fmt.Sprintf("%s has the most: %d.", in.MostOverdue[0].Name, in.MostOverdue[0].Requests)
	}
	return []chart{outcomes, onTime, days, review, overturn, ex, overdue}
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
