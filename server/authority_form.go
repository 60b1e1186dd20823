package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// authorityFormPage is the create and edit form of an authority.
type authorityFormPage struct {
	Authority     tracker.Authority
	IsNew         bool
	Jurisdictions []struct{ Code, Label string }
	Laws          []tracker.Law
}

func newAuthorityForm(a tracker.Authority, isNew bool) authorityFormPage {
	return authorityFormPage{Authority: a, IsNew: isNew, Jurisdictions: tracker.Jurisdictions, Laws: tracker.Laws}
}

// authorityFromForm copies the posted fields into a.
func authorityFromForm(c echo.Context, a *tracker.Authority) {
	a.Name = c.FormValue("name")
	a.ShortName = strings.TrimSpace(c.FormValue("short_name"))
	a.Jurisdiction = c.FormValue("jurisdiction")
	a.DefaultLaw = tracker.LawCode(c.FormValue("default_law"))
	a.Email = c.FormValue("email")
	a.Website = strings.TrimSpace(c.FormValue("website"))
	a.Tags = tracker.NormalizeTags([]string{c.FormValue("tags")})
	a.Domains = strings.Fields(strings.ToLower(strings.ReplaceAll(c.FormValue("domains"), ",", " ")))
	a.Notes = strings.ReplaceAll(c.FormValue("notes"), "\r\n", "\n")
}
