package server

import (
	"context"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// requestFormPage is the create and edit form of a request.
type requestFormPage struct {
	Request tracker.Request
	IsNew   bool
	SentOn  string // create only: the date the authority received it
	// Authorities to choose from: all of them when there are few, else the
	// matches of AuthorityQuery (a search, so that a 40,000-row import does
	// not make a 40,000-option list).
	Authorities     []tracker.Authority
	AuthoritySearch bool
	AuthorityQuery  string
	Laws            []tracker.Law
}

// maxAuthorityOptions is the most authorities offered as a plain list.
const maxAuthorityOptions = 1000

// requestFormData fills the choices of the form.
func (s *Server) requestFormData(ctx context.Context, c echo.Context, p *requestFormPage) error {
	p.Laws = tracker.Laws
	n, err := s.st.CountAuthorities(ctx)
	if err != nil {
		return err
	}
	if n <= maxAuthorityOptions {
		p.Authorities, err = s.st.Authorities(ctx, store.AuthorityFilter{Limit: maxAuthorityOptions})
		return err
	}
	p.AuthoritySearch = true
	p.AuthorityQuery = strings.TrimSpace(c.QueryParam("authority_q"))
	if p.AuthorityQuery != "" {
		if p.Authorities, err = s.st.Authorities(ctx, store.AuthorityFilter{Query: p.AuthorityQuery, Limit: 50}); err != nil {
			return err
		}
	}
	if p.Request.AuthorityID > 0 {
		found := false
		for _, a := range p.Authorities {
			found = found || a.ID == p.Request.AuthorityID
		}
		if !found {
			if a, err := s.st.AuthorityByID(ctx, p.Request.AuthorityID); err == nil {
				p.Authorities = append([]tracker.Authority{a}, p.Authorities...)
			}
		}
	}
	return nil
}

// requestFromForm copies the posted fields into r; v collects the messages
// of fields that cannot even be read.
func requestFromForm(c echo.Context, r *tracker.Request, v *tracker.ValidationError) {
	r.Title = c.FormValue("title")
	r.Body = strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
	r.AuthorityID = 0
	if s := c.FormValue("authority_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			v.Add("authority_id", "choose an authority")
		}
		r.AuthorityID = id
	}
	r.Law = tracker.LawCode(c.FormValue("law"))
	r.Tags = tracker.NormalizeTags([]string{c.FormValue("tags")})
	r.OurRef = strings.TrimSpace(c.FormValue("our_ref"))
	r.TheirRef = strings.TrimSpace(c.FormValue("their_ref"))
	r.Visibility = c.FormValue("visibility")
	r.Notes = strings.ReplaceAll(c.FormValue("notes"), "\r\n", "\n")
}

// mergeFields adds the messages of err (a tracker validation error) to v's
// and returns them all.
func mergeFields(v *tracker.ValidationError, err error) map[string]string {
	out := map[string]string{}
	if e := v.Err(); e != nil {
		for k, m := range fieldErrors(e) {
			out[k] = m
		}
	}
	for k, m := range fieldErrors(err) {
		if _, ok := out[k]; !ok {
			out[k] = m
		}
	}
	return out
}
