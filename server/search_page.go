package server

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// searchPage is the one search box's results (signed in, or public).
type searchPage struct {
	Query  string
	Kind   string
	Kinds  []struct{ Code, Label string }
	Result store.SearchResult
	Pager  pager
	Public bool
}

var searchKinds = []struct{ Code, Label string }{
	{"", "Everything"}, {store.KindRequest, "Requests"}, {store.KindMail, "Mail"}, {store.KindDocument, "Documents"},
	{store.KindEvent, "Timeline events"}, {store.KindAuthority, "Authorities"},
}

// searchFromQuery runs the search the query string asks for: shared by the
// page, the public page and the JSON API, as the CLI shares the store's.
func (s *Server) searchFromQuery(c echo.Context, scope store.SearchScope, limit int) (searchPage, error) {
	p := searchPage{Query: strings.TrimSpace(c.QueryParam("q")), Kinds: searchKinds, Public: scope == store.SearchPublic}
	opt := store.SearchOptions{Scope: scope, Limit: limit}
	for _, k := range searchKinds[1:] {
		if c.QueryParam("kind") == k.Code {
			p.Kind, opt.Kinds = k.Code, []string{k.Code}
		}
	}
	page := pageParam(c)
	opt.Offset = (page - 1) * limit
	var err error
	p.Result, err = s.st.Search(c.Request().Context(), store.ParseSearchQuery(p.Query), opt)
	if err != nil {
		return p, err
	}
	p.Pager = newPager(c, page, p.Result.Total, len(p.Result.Hits), false)
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
// public pages show (public requests, their published documents).
func (s *Server) showPublicSearchPage(c echo.Context) error {
	p, err := s.searchFromQuery(c, store.SearchPublic, pageSize)
	if err != nil {
		return err
	}
	shown := len(p.Result.Hits)
	if p.Result.Hits, err = s.censorHits(c.Request().Context(), p.Query, p.Result.Hits); err != nil {
		return err
	}
	// A count that includes a hit left out would tell it is there.
	p.Result.Total -= shown - len(p.Result.Hits)
	return s.renderPublic(c, http.StatusOK, "search", &view{Title: "Search published requests", Data: p})
}

// censorHits applies the censor rules (global, and each hit's request's and
// authority's) to public search results: a snippet a rule changes loses its
// highlighting rather than show what the rule took out, and a hit found by
// a word a rule hides is left out (its presence alone would tell), and the
// page's count leaves it out too.
func (s *Server) censorHits(ctx context.Context, query string, hits []store.SearchHit) ([]store.SearchHit, error) {
	words := strings.FieldsFunc(query, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	censors := map[int64]*tracker.Censor{}
	kept := hits[:0]
	for i := range hits {
		h := hits[i]
		c, ok := censors[h.RequestID]
		if !ok {
			var err error
			if h.RequestID == 0 {
				c, err = s.st.CensorFor(ctx, nil, nil)
			} else if r, rerr := s.st.RequestByID(ctx, h.RequestID); rerr != nil {
				return nil, rerr
			} else {
				c, err = s.st.CensorForRequest(ctx, r)
			}
			if err != nil {
				return nil, err
			}
			censors[h.RequestID] = c
		}
		hidden := false
		for _, w := range words {
			hidden = hidden || c.Hides(w)
		}
		if hidden {
			continue
		}
		// Found through a word a rule hides (a pattern, a stem, a prefix)?
		// Match it again as the public sees it.
		title, body, err := s.st.PublicHitText(ctx, h)
		if err != nil {
			return nil, err
		}
		if c.Changes(title) || c.Changes(body) {
			ok, err := store.MatchesPublicText(ctx, query, c.Apply(title), c.Apply(body))
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		if c.Changes(h.Snippet) {
			h.Marked = c.Apply(h.Snippet)
		}
		h.Title, h.Snippet, h.RequestTitle = c.Apply(h.Title), c.Apply(h.Snippet), c.Apply(h.RequestTitle)
		kept = append(kept, h)
	}
	return kept, nil
}

// apiSearch: GET /api/v1/search?q=&kind=&limit=&page=
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
	return c.JSON(http.StatusOK, p.Result)
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
