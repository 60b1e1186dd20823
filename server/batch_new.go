package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

type batchFormPage struct {
	Batch       store.Batch
	Authorities []tracker.Authority
	Selected    map[int64]bool
	Tags        string
	// Find is what the chooser looked for (in names and types); Cut says
	// some authorities were left out of it (see chooseAuthorities).
	Find string
	Cut  bool
}

// showNewBatchPage: a batch's title, text and authorities; ?find= looks
// for authorities by name or type.
func (s *Server) showNewBatchPage(c echo.Context) error {
	p := &batchFormPage{Batch: store.Batch{ThrottleSeconds: 30,
		Title: "Police drones ({{.ShortName}})",
		Body:  "Please tell me how many drone flights {{.Authority}} made in 2025, by month."}, Selected: map[int64]bool{},
		Find: strings.TrimSpace(c.QueryParam("find"))}
	return s.renderBatchForm(c, http.StatusOK, p, nil)
}

func (s *Server) renderBatchForm(c echo.Context, status int, p *batchFormPage, err error) error {
	all, err2 := s.everyAuthority(c.Request().Context())
	if err2 != nil {
		return err2
	}
	p.Authorities, p.Cut = chooseAuthorities(all, func(a tracker.Authority) int64 { return a.ID }, authorityFound, p.Selected, nil, p.Find)
	v := &view{Title: "New batch", Section: "batches", Data: p}
	if err != nil {
		v.Error, v.Fields = "The batch was not created: "+tracker.ErrorMessage(err), fieldErrors(err)
	}
	return s.render(c, status, "batch_form", v)
}

// authorityFound says whether the authority's name, short name or one of
// its types (its tags: police, local_council…) holds q, lower-cased.
func authorityFound(a tracker.Authority, q string) bool {
	if strings.Contains(strings.ToLower(a.Name), q) || strings.Contains(strings.ToLower(a.ShortName), q) {
		return true
	}
	for _, t := range a.Tags {
		if strings.Contains(strings.ToLower(t), q) {
			return true
		}
	}
	return false
}

// everyAuthority is every authority by name, kept until the next write
// (5,000 at a million requests: reading them was a third of the batch
// form's time).
func (s *Server) everyAuthority(ctx context.Context) ([]tracker.Authority, error) {
	v, err := s.currentUntilWritten(ctx, "every-authority", func(ctx context.Context) (any, error) {
		return s.st.Authorities(ctx, store.AuthorityFilter{})
	})
	if err != nil {
		return nil, err
	}
	return v.([]tracker.Authority), nil
}
