package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// authorityPage is an authority, its record and its requests.
type authorityPage struct {
	Authority tracker.Authority
	Record    store.AuthorityRecord
	Rows      []requestRow
	// Titles of the exemptions in the record, by law and code.
	ExemptionTitles map[string]string
	// OlderURL shows the next page of requests; Paged: this is not the first.
	OlderURL string
	Paged    bool
	Insight  store.Insight
	Charts   chartSet
}

// showAuthorityPage shows an authority with its record: how many requests,
// the share answered on time, the median time to answer, and the
// exemptions it cites most.
func (s *Server) showAuthorityPage(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	a, err := s.st.AuthorityByID(ctx, id)
	if err != nil {
		return err
	}
	p := authorityPage{Authority: a, ExemptionTitles: map[string]string{}}
	if p.Record, err = s.authorityRecord(ctx, id); err != nil {
		return err
	}
	for _, ec := range p.Record.TopExemptions {
		if ex, ok := tracker.ExemptionByCode(ec.Law, ec.Code); ok {
			p.ExemptionTitles[string(ec.Law)+" "+ec.Code] = ex.Title
		}
	}
	if p.Insight, p.Charts, err = s.authorityInsight(ctx, id); err != nil {
		return err
	}
	// Its requests a page at a time, newest first, by id (keyset: ?before=
	// the last id shown), so the largest authority's page stays small.
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	reqs, states, today, err := s.listRequests(ctx, store.RequestFilter{AuthorityID: id, BeforeID: before, Limit: pageSize + 1})
	if err != nil {
		return err
	}
	if len(reqs) > pageSize {
		reqs = reqs[:pageSize]
		p.OlderURL = fmt.Sprintf("/authorities/%d?before=%d#requests", id, reqs[len(reqs)-1].ID)
	}
	p.Paged = before > 0
	p.Rows = requestRowsOf(reqs, states, today)
	return s.render(c, http.StatusOK, "authority_show", &view{Title: a.Name, Section: "authorities", Data: p})
}

// authorityRecord is an authority's record as its page and the API show
// it. It reads every one of the authority's index entries and claims (34 ms
// for the largest at a million requests): kept until the next write (see
// memo.go), never shown out of date.
func (s *Server) authorityRecord(ctx context.Context, id int64) (store.AuthorityRecord, error) {
	rec, err := s.currentUntilWritten(ctx, "authority-record:"+strconv.FormatInt(id, 10), func(ctx context.Context) (any, error) {
		return s.st.AuthorityRecord(ctx, id, s.today())
	})
	if err != nil {
		return store.AuthorityRecord{}, err
	}
	return rec.(store.AuthorityRecord), nil
}
