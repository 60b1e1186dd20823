package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// censorPage lists every censor rule and the requester's own details.
type censorPage struct {
	Rules     []tracker.CensorRule
	Requester store.RequesterDetails
}

// showCensorRules shows the censor rules: text replaced in everything
// public (public pages, public bundles, timeline exports, public search).
func (s *Server) showCensorRules(c echo.Context) error {
	ctx := c.Request().Context()
	p := censorPage{}
	var err error
	if p.Rules, err = s.st.CensorRules(ctx, "", 0); err != nil {
		return err
	}
	if p.Requester, err = s.st.GetRequesterDetails(ctx); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "censor", &view{Title: "Censor rules", Section: "requests", Data: p})
}

// censorPanel is what a request page shows of the censor rules: those that
// apply to it, and, once it is public, the requester's details no rule
// covers yet, offered (ticked) as global rules.
type censorPanel struct {
	RequestID int64
	Rules     []tracker.CensorRule
	Offers    []string
}

func (s *Server) loadCensorPanel(ctx context.Context, r tracker.Request) (*censorPanel, error) {
	all, err := s.st.CensorRules(ctx, "", 0)
	if err != nil {
		return nil, err
	}
	p := &censorPanel{RequestID: r.ID}
	var applying []tracker.CensorRule
	for _, x := range all {
		if x.Scope == tracker.CensorGlobal || (x.Scope == tracker.CensorRequest && x.ScopeID == r.ID) || (x.Scope == tracker.CensorAuthority && x.ScopeID == r.AuthorityID) {
			applying = append(applying, x)
		}
	}
	p.Rules = applying
	if r.Visibility != tracker.VisibilityPublic {
		return p, nil
	}
	d, err := s.st.GetRequesterDetails(ctx)
	if err != nil {
		return nil, err
	}
	censor := tracker.NewCensor(applying)
	for _, v := range d.Values() {
		if !censor.Changes(v) && !strings.Contains(censor.Apply(v), tracker.DefaultCensorReplacement) {
			p.Offers = append(p.Offers, v)
		}
	}
	return p, nil
}
