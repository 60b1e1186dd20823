package server

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// searchPage is the one search box's results (signed in, or public).
type searchPage struct {
	Query  string
	Kind   string
	Kinds  []struct{ Code, Label string }
	Result store.SearchResult
	Pager  pager
	Public bool
	// FurtherBack goes on with a search that stopped at its budget of
	// matches (Result.Stopped), from below where it stopped.
	FurtherBack string
}

var searchKinds = []struct{ Code, Label string }{
	{"", "Everything"}, {store.KindRequest, "Requests"}, {store.KindMail, "Mail"}, {store.KindDocument, "Documents"},
	{store.KindEvent, "Timeline events"}, {store.KindAuthority, "Authorities"},
}

// searchFromQuery runs the search the query string asks for: shared by the
// page, the public page and the JSON API, as the CLI shares the store's.
func (s *Server) searchFromQuery(c echo.Context, scope store.SearchScope, limit int) (searchPage, error) {
	p := searchPage{Query: strings.TrimSpace(c.QueryParam("q")), Kinds: searchKinds, Public: scope == store.SearchPublic}
	opt := store.SearchOptions{Scope: scope, Limit: limit, WalkBudget: s.searchWalkBudget}
	for _, k := range searchKinds[1:] {
		if c.QueryParam("kind") == k.Code {
			p.Kind, opt.Kinds = k.Code, []string{k.Code}
		}
	}
	page := pageParam(c)
	opt.Offset = (page - 1) * limit
	var err error
	if opt.Before, err = searchPlaceParam(c, p.Public); err != nil {
		return p, err
	}
	p.Result, err = s.st.Search(c.Request().Context(), store.ParseSearchQuery(p.Query), opt)
	if err != nil {
		return p, err
	}
	if p.Result.Stopped {
		q := url.Values{"q": {p.Query}}
		if p.Kind != "" {
			q.Set("kind", p.Kind)
		}
		if l := c.QueryParam("limit"); l != "" {
			q.Set("limit", l)
		}
		q.Set("before", sealSearchPlace(p.Result.Next, p.Public))
		p.FurtherBack = withQuery(c.Request().URL.Path, q)
	}
	p.Pager = newPager(c, page, p.Result.Total, len(p.Result.Hits), false)
	p.Pager.More = p.Result.More // "of more than 200", as the count above says
	return p, nil
}

// showSearchPage: GET /search?q=
func (s *Server) showSearchPage(c echo.Context) error {
	p, err := s.searchFromQuery(c, store.SearchSignedIn, pageSize)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "search", &view{Title: "Search", Section: "search", Data: p})
}

// showPublicSearchPage: GET /p/search?q= — anyone; finds only what the
// public pages show (public requests, their published documents), as the
// censor rules leave it.
func (s *Server) showPublicSearchPage(c echo.Context) error {
	p, err := s.searchFromQuery(c, store.SearchPublic, pageSize)
	if err != nil {
		return err
	}
	// The store left out, before counting, every hit a censor rule hides,
	// and applied the rules to the hits' titles and snippets.
	return s.renderPublic(c, http.StatusOK, "search", &view{Title: "Search published requests", Data: p})
}

// apiSearch: GET /api/v1/search?q=&kind=&limit=&page=&before= — a
// search with filters that stopped at its budget of matches says so
// ("stopped", "looked", "back_to"), with "next", the before= to go on
// with, and "further_back", the link that does.
func (s *Server) apiSearch(c echo.Context) error {
	limit := 20
	if n, err := strconv.Atoi(c.QueryParam("limit")); err == nil && n >= 1 && n <= 200 {
		limit = n
	}
	p, err := s.searchFromQuery(c, store.SearchSignedIn, limit)
	if err != nil {
		return err
	}
	for i := range p.Result.Hits {
		p.Result.Hits[i].Link = s.absURL(p.Result.Hits[i].Link)
	}
	out := struct {
		store.SearchResult
		FurtherBack string `json:"further_back,omitempty"`
	}{p.Result, ""}
	if p.FurtherBack != "" {
		out.FurtherBack = s.absURL(p.FurtherBack)
	}
	return c.JSON(http.StatusOK, out)
}

// snippetHTML shows a marked snippet with the matched words in <mark>: every
// piece of text escaped, the only markup ours.
func snippetHTML(marked string) template.HTML {
	var sb strings.Builder
	for _, part := range store.SnippetParts(marked) {
		if part.Match {
			sb.WriteString("<mark>" + template.HTMLEscapeString(part.Text) + "</mark>")
		} else {
			sb.WriteString(template.HTMLEscapeString(part.Text))
		}
	}
	return template.HTML(sb.String())
}
