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
	cur, err := cursorParam(c, true)
	if err != nil {
		return err
	}
	list, err := s.st.Authorities(ctx, store.AuthorityFilter{Query: p.Query, Limit: pageSize + 1, Cursor: cur})
	if err != nil {
		return err
	}
	page := pageOf(list, cur, pageSize, true, authorityCursor)
	list = page.Rows
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
	p.Pager = keysetPager(c, page, -1)
	return s.render(c, http.StatusOK, "authority_list", &view{Title: "Authorities", Section: "authorities", Data: p})
}

// authorityCursor is an authority's place in the list by name.
func authorityCursor(a tracker.Authority) store.Cursor { return store.Cursor{Key: a.Name, ID: a.ID} }
