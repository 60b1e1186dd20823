package server

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// requestListPage is the request list with its filters.
type requestListPage struct {
	Filter requestFilterForm
	Rows   []requestRow
	Pager  pager
	// AuthorityOptions: the authority filter's options (authorityOptions).
	AuthorityOptions template.HTML
	Tags             []string
	Statuses         []struct {
		Status tracker.Status
		Label  string
	}
	Laws      []tracker.Law
	ExportURL string
}

// requestFilterForm is the filter as the form shows it.
type requestFilterForm struct {
	Status      string
	AuthorityID int64
	Law         string
	Tag         string
	Query       string
	Overdue     bool
	Open        bool
}

// requestFilter reads the list filters from the query string (shared by the
// page, the CSV export and the API).
func (s *Server) requestFilter(c echo.Context) (store.RequestFilter, requestFilterForm) {
	var ff requestFilterForm
	var f store.RequestFilter
	q := c.QueryParams()
	ff.Status = q.Get("status")
	for _, st := range tracker.Statuses {
		if string(st.Status) == ff.Status {
			f.Status = st.Status
		}
	}
	if f.Status == "" {
		ff.Status = ""
	}
	if id, err := strconv.ParseInt(q.Get("authority"), 10, 64); err == nil && id > 0 {
		f.AuthorityID, ff.AuthorityID = id, id
	}
	if _, ok := tracker.LawByCode(tracker.LawCode(q.Get("law"))); ok {
		f.Law, ff.Law = tracker.LawCode(q.Get("law")), q.Get("law")
	}
	ff.Tag = strings.TrimSpace(q.Get("tag"))
	f.Tag = ff.Tag
	ff.Query = strings.TrimSpace(q.Get("q"))
	f.Query = ff.Query
	if q.Get("overdue") != "" {
		ff.Overdue = true
		// Due before today, still open: the standing says by how much.
		f.DueBefore = s.today().AddDays(-1)
	}
	if q.Get("open") != "" {
		ff.Open, f.OpenOnly = true, true
	}
	f.OrderBy = "due"
	if ff.Status == "" && !ff.Overdue && !ff.Open {
		f.OrderBy = "" // everything: newest first
	}
	return f, ff
}

// showRequestList lists requests with filters and pages.
func (s *Server) showRequestList(c echo.Context) error {
	ctx := c.Request().Context()
	f, ff := s.requestFilter(c)
	if f.Query != "" { // the search's matches walked once for the count and the page
		members, err := s.st.RequestSearchMembers(ctx, f.Query)
		if err != nil {
			return err
		}
		f.QueryMembers = members
	}
	total, err := s.st.CountRequests(ctx, f)
	if err != nil {
		return err
	}
	page := pageParam(c)
	f.Limit, f.Offset = pageSize, (page-1)*pageSize
	reqs, err := s.st.Requests(ctx, f)
	if err != nil {
		return err
	}
	p := requestListPage{Filter: ff, Statuses: tracker.Statuses, Laws: tracker.Laws}
	if p.Rows, err = s.requestRows(ctx, reqs); err != nil {
		return err
	}
	p.Pager = newPager(c, page, total, len(reqs), false)
	choices, err := s.currentUntilWritten(ctx, "request-filter-choices", func(ctx context.Context) (any, error) {
		var ch filterChoices
		var err error
		if ch.Authorities, err = s.st.AuthoritiesWithRequests(ctx); err != nil {
			return nil, err
		}
		ch.Tags, err = s.st.RequestTags(ctx)
		return ch, err
	})
	if err != nil {
		return err
	}
	p.AuthorityOptions = authorityOptions(choices.(filterChoices).Authorities, ff.AuthorityID)
	p.Tags = choices.(filterChoices).Tags
	q := url.Values{}
	for k, v := range c.QueryParams() {
		if k != "page" {
			q[k] = v
		}
	}
	p.ExportURL = withQuery("/requests/export.csv", q)
	return s.render(c, http.StatusOK, "request_list", &view{Title: "Requests", Section: "requests", Data: p})
}

// filterChoices are the request list's authorities and tags to filter by,
// kept until the next write (untilWritten).
type filterChoices struct {
	Authorities []store.AuthorityName
	Tags        []string
}

// authorityOptions is the authority filter's <option> elements, one per
// authority with requests, selected marking the one filtered by. Built
// here rather than by the template: hundreds of options, each with its
// escaping and comparison done by reflection there, were a large part of
// the list's CPU.
func authorityOptions(list []store.AuthorityName, selected int64) template.HTML {
	var b strings.Builder
	for _, a := range list {
		b.WriteString(`<option value="`)
		b.WriteString(strconv.FormatInt(a.ID, 10))
		b.WriteString(`"`)
		if a.ID == selected {
			b.WriteString(` selected`)
		}
		b.WriteString(`>`)
		b.WriteString(template.HTMLEscapeString(a.Name))
		b.WriteString(`</option>`)
	}
	return template.HTML(b.String())
}
