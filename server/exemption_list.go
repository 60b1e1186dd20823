package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// exemptionListPage is one law's exemptions catalogue with how often each
// was claimed and by whom.
type exemptionListPage struct {
	Law     tracker.Law
	Laws    []lawTab
	Entries []exemptionEntry
	Claimed int // exemptions of this law claimed at least once
	Figures aggregate
}

// lawTab is a law in the tabs, with its claim count.
type lawTab struct {
	tracker.Law
	Claims int
}

// exemptionEntry is a catalogue entry with its use.
type exemptionEntry struct {
	tracker.Exemption
	Claims    int
	Requests  int
	Claimants []store.ExemptionClaimant
	// OtherClaimants: authorities that claimed it beyond those listed.
	OtherClaimants int
}

// maxClaimantsShown: the authorities listed under each exemption, those
// that claimed it most (all of them made the page 499 kB at 100,000
// requests, and its rendering most of its 43-56 ms of CPU).
const maxClaimantsShown = 10

// showExemptionList shows the catalogue of one law (?law=, default UK FOIA).
func (s *Server) showExemptionList(c echo.Context) error {
	ctx := c.Request().Context()
	law, ok := tracker.LawByCode(tracker.LawCode(c.QueryParam("law")))
	if !ok {
		law, _ = tracker.LawByCode(tracker.UKFOIA)
	}
	v, err := s.untilWritten(ctx, "exemptions "+string(law.Code), func(ctx context.Context) (any, error) { return s.exemptionList(ctx, law) })
	if err != nil {
		return err
	}
	p := v.Val.(exemptionListPage)
	p.Figures = v
	return s.render(c, http.StatusOK, "exemption_list", &view{Title: "Exemptions", Section: "exemptions", Data: p})
}

// exemptionList counts the claims of every exemption of law and who made
// them: every claim of the law is read (kept until the next write).
func (s *Server) exemptionList(ctx context.Context, law tracker.Law) (exemptionListPage, error) {
	counts, err := s.st.ExemptionCounts(ctx, 0)
	if err != nil {
		return exemptionListPage{}, err
	}
	byCode := map[string]store.ExemptionCount{}
	perLaw := map[tracker.LawCode]int{}
	for _, ec := range counts {
		perLaw[ec.Law] += ec.Claims
		if ec.Law == law.Code {
			byCode[ec.Code] = ec
		}
	}
	p := exemptionListPage{Law: law}
	for _, l := range tracker.Laws {
		p.Laws = append(p.Laws, lawTab{Law: l, Claims: perLaw[l.Code]})
	}
	for _, ex := range tracker.Exemptions(law.Code) {
		e := exemptionEntry{Exemption: ex}
		if ec, ok := byCode[ex.Code]; ok {
			e.Claims, e.Requests = ec.Claims, ec.Requests
			var all int
			if e.Claimants, all, err = s.st.ExemptionClaimants(ctx, law.Code, ex.Code, maxClaimantsShown); err != nil {
				return p, err
			}
			e.OtherClaimants = all - len(e.Claimants)
			p.Claimed++
		}
		p.Entries = append(p.Entries, e)
	}
	return p, nil
}
