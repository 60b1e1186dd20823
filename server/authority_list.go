package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// authorityListPage is the searchable list of authorities.
type authorityListPage struct {
	Query       string
	Authorities []tracker.Authority
	Counts      map[int64]int // requests per authority
	Total       int
	Pager       pager
}

// showAuthorityList lists authorities by name, with a search.
func (s *Server) showAuthorityList(c echo.Context) error {
	ctx := c.Request().Context()
	p := authorityListPage{Query: strings.TrimSpace(c.QueryParam("q"))}
	page := pageParam(c)
	list, err := s.st.Authorities(ctx, store.AuthorityFilter{Query: p.Query, Limit: pageSize + 1, Offset: (page - 1) * pageSize})
	if err != nil {
		return err
	}
	more := len(list) > pageSize
	if more {
		list = list[:pageSize]
	}
	p.Authorities = list
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	if p.Counts, err = s.st.RequestCountsByAuthority(ctx, ids); err != nil {
		return err
	}
	if p.Total, err = s.st.CountAuthorities(ctx); err != nil {
		return err
	}
	p.Pager = newPager(c, page, -1, len(list), more)
	return s.render(c, http.StatusOK, "authority_list", &view{Title: "Authorities", Section: "authorities", Data: p})
}
