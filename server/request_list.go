package server

import (
	"context"
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
	// Authority is the authority filter as the form shows it.
	Authority authorityPick
	Tags      []string
	Statuses  []struct {
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

// showRequestList lists requests with filters, a page at a time by
// cursor (?after=, ?before=).
func (s *Server) showRequestList(c echo.Context) error {
	if c.QueryParam("page") != "" {
		return redirectFromPageNumber(c)
	}
	ctx := c.Request().Context()
	choices, err := s.filterChoices(ctx)
	if err != nil {
		return err
	}
	pick, to := s.pickAuthority(ctx, c, choices.Authorities)
	if to != "" {
		return c.Redirect(http.StatusFound, to)
	}
	f, ff := s.requestFilter(c)
	cur, err := requestCursorParam(c, f.OrderBy)
	if err != nil {
		return err
	}
	if f.Query != "" && f.OrderBy == "due" { // the search's matches walked once for the count and the page
		members, err := s.st.RequestSearchMembers(ctx, f.Query)
		if err != nil {
			return err
		}
		f.QueryMembers = members
	}
	// Newest first, a search's requests are counted up to a bound: the
	// page itself reads only as many as it shows.
	total, more, err := s.st.CountRequestsUpTo(ctx, f, requestCountBound)
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = pageSize+1, cur
	reqs, states, today, err := s.listRequests(ctx, f)
	if err != nil {
		return err
	}
	page := pageOf(reqs, cur, pageSize, f.OrderBy == "due", func(r tracker.Request) store.Cursor { return store.RequestCursor(r, f.OrderBy) })
	p := requestListPage{Filter: ff, Statuses: tracker.Statuses, Laws: tracker.Laws}
	p.Rows = requestRowsOf(page.Rows, states, today)
	p.Pager = keysetPager(c, page, total)
	p.Pager.More = more
	p.Authority = pick
	p.Tags = choices.Tags
	q := url.Values{}
	for k, v := range c.QueryParams() {
		if k != "after" && k != "before" {
			q[k] = v
		}
	}
	p.ExportURL = withQuery("/requests/export.csv", q)
	return s.render(c, http.StatusOK, "request_list", &view{Title: "Requests", Section: "requests", Data: p})
}

// requestCountBound is how far the request list counts the requests its
// search box finds ("of more than 1000"). (A variable for the tests.)
var requestCountBound = 1000

// requestCursorParam reads the request list's ?after= or ?before= for a
// list in order: in the "due" order a row's id and due date ("" for an
// undated one), else its id.
func requestCursorParam(c echo.Context, order string) (store.Cursor, error) {
	keyed := order == "due"
	cur, err := cursorParam(c, keyed)
	if err == nil && keyed && cur.Key != "" {
		if _, perr := tracker.ParseDate(cur.Key); perr != nil {
			param := "after"
			if cur.Back {
				param = "before"
			}
			return store.Cursor{}, errBadCursor(param)
		}
	}
	return cur, err
}

// redirectFromPageNumber answers a list's old ?page=N link (lists are read
// by cursor now, and a page number no longer names a place in them): the
// same list from its first page, its filters kept.
func redirectFromPageNumber(c echo.Context) error {
	q := c.Request().URL.Query()
	q.Del("page")
	return c.Redirect(http.StatusFound, withQuery(c.Request().URL.Path, q))
}

// filterChoices are the request list's authorities and tags to filter by,
// kept until the next write (untilWritten).
type filterChoices struct {
	Authorities []store.AuthorityName
	Tags        []string
}

// filterChoices are the authorities with requests and the tags in use, kept
// until the next write: the request list and the insight page offer them
// (5,000 authorities at a million requests: reading them was most of
// /insight).
func (s *Server) filterChoices(ctx context.Context) (filterChoices, error) {
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
		return filterChoices{}, err
	}
	return choices.(filterChoices), nil
}

// authorityPick is the request list's authority filter: a typed name,
// with a bounded list of names to pick from (insightChoices) rather than
// every authority (5,000 options were most of a 320 kB page at a million
// requests, and no use on a phone).
type authorityPick struct {
	// Name is the chosen authority's name, or the name typed when it found
	// none or several.
	Name string
	// Offered are the names the field suggests; Found, when a typed name
	// found several, the links that choose one of them.
	Offered []store.AuthorityName
	Found   []authorityLink
	// Typed says a name was typed that found none or several; Full that
	// as many were found as are offered, so there may be more.
	Typed, Full bool
}

// authorityLink is the request list filtered by one authority.
type authorityLink struct {
	Name, Href string
}

// pickAuthority reads the authority filter. A typed name (authority_name,
// from the form) that finds one authority, or none typed, is answered with
// the address of the list filtered by its number, as links from other
// pages give it (to, not ""); one that finds none or several leaves the
// list unfiltered by authority and offers those found.
func (s *Server) pickAuthority(ctx context.Context, c echo.Context, all []store.AuthorityName) (p authorityPick, to string) {
	q := c.QueryParams()
	if _, typed := q["authority_name"]; typed {
		name := strings.TrimSpace(q.Get("authority_name"))
		id, found := authorityNamed(all, name)
		// The other filters kept, without the form's empty fields, and
		// from the first page.
		kept := url.Values{}
		for k, v := range q {
			if k != "authority_name" && k != "authority" && k != "after" && k != "before" && strings.Join(v, "") != "" {
				kept[k] = v
			}
		}
		if found || name == "" {
			if id != 0 {
				kept.Set("authority", strconv.FormatInt(id, 10))
			}
			return p, withQuery("/requests", kept)
		}
		p.Name, p.Typed = name, true
		p.Offered, _ = insightChoices(all, nil, nil, name)
		p.Full = len(p.Offered) >= chooserMax
		for _, a := range p.Offered {
			kept.Set("authority", strconv.FormatInt(a.ID, 10))
			p.Found = append(p.Found, authorityLink{Name: a.Name, Href: withQuery("/requests", kept)})
		}
		return p, ""
	}
	id, err := strconv.ParseInt(q.Get("authority"), 10, 64)
	if err != nil || id <= 0 {
		p.Offered, _ = insightChoices(all, nil, nil, "")
		return p, ""
	}
	p.Offered, _ = insightChoices(all, map[int64]bool{id: true}, nil, "")
	for _, a := range p.Offered {
		if a.ID == id {
			p.Name = a.Name
		}
	}
	if p.Name == "" { // no requests yet: not among the choices
		if a, err := s.st.AuthorityByID(ctx, id); err == nil {
			p.Name = a.Name
		}
	}
	return p, ""
}

// authorityNamed is the authority a typed name finds: the one so named
// (case aside), else the one whose name holds it; found is false when none
// or several do.
func authorityNamed(all []store.AuthorityName, name string) (id int64, found bool) {
	if name == "" {
		return 0, false
	}
	var exact, holding []int64
	for _, a := range all {
		switch {
		case strings.EqualFold(a.Name, name):
			exact = append(exact, a.ID)
		case len(holding) < 2 && strings.Contains(strings.ToLower(a.Name), strings.ToLower(name)):
			holding = append(holding, a.ID)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], true
	case len(exact) == 0 && len(holding) == 1:
		return holding[0], true
	}
	return 0, false
}
