package server

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// idParam reads a numeric path parameter; anything else is a 404 (an
// address that names nothing), never a 500.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, tracker.Errorf(tracker.ENOTFOUND, "There is nothing at this address.")
	}
	return id, nil
}

// formDate reads an optional YYYY-MM-DD form field; a bad value is a field error.
func formDate(c echo.Context, field string, v *tracker.ValidationError) tracker.Date {
	s := strings.TrimSpace(c.FormValue(field))
	if s == "" {
		return tracker.Date{}
	}
	d, err := tracker.ParseDate(s)
	if err != nil {
		v.Add(field, "not a date: use YYYY-MM-DD")
	}
	return d
}

// formList splits a comma-separated form field (and repeated fields, as
// checkboxes send them) into trimmed, non-empty values.
func formList(c echo.Context, field string) []string {
	var out []string
	for _, v := range c.Request().Form[field] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// pageSize is the length of a page of a list.
const pageSize = 50

// pager is the position in a paged list and the links around it.
type pager struct {
	Page, Total, From, To int
	// More: there are more than Total (a count that stopped at a bound).
	More             bool
	PrevURL, NextURL string
}

// pageParam reads ?page= (1 when absent or bad).
func pageParam(c echo.Context) int {
	p, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || p < 1 || p > 1_000_000 {
		return 1
	}
	return p
}

// newPager builds the links; total < 0 means unknown, and hasMore says
// whether there is a next page.
func newPager(c echo.Context, page, total, shown int, hasMore bool) pager {
	p := pager{Page: page, Total: max(total, 0)}
	if shown > 0 {
		p.From = (page-1)*pageSize + 1
		p.To = p.From + shown - 1
	}
	link := func(n int) string {
		q := c.Request().URL.Query()
		q.Del("page")
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return c.Request().URL.Path
		}
		return c.Request().URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if hasMore || (total >= 0 && page*pageSize < total) {
		p.NextURL = link(page + 1)
	}
	return p
}

// withQuery is path with the query q (none when q is empty).
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// fieldErrors are the per-field messages of a validation error (nil for others).
func fieldErrors(err error) map[string]string {
	var te *tracker.Error
	if errors.As(err, &te) {
		return te.Fields
	}
	return nil
}

// localPath accepts a redirect target only when it is a path on this site.
func localPath(p, fallback string) string {
	if strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.Contains(p, `\`) && !strings.ContainsAny(p, "\r\n") {
		return p
	}
	return fallback
}

// formInt reads an integer form field (0 when absent or bad).
func formInt(c echo.Context, field string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue(field)), 10, 64)
	return n
}
