package server

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/store"
)

// verifyAudit runs what `foitrack audit verify` runs and shows the result.
func (s *Server) verifyAudit(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.loadAuditPage(c)
	if err != nil {
		return err
	}
	p.Checked = true
	if p.Chain, p.ChainBad, err = s.st.VerifyAuditChain(ctx); err != nil {
		return err
	}
	if p.ChainBad != nil {
		p.Problems = append(p.Problems, store.Problem{Where: fmt.Sprintf("audit entry %d", p.ChainBad.EntryID), Detail: p.ChainBad.Reason})
	}
	fc, err := s.st.VerifyStoredFiles(ctx, nil)
	if err != nil {
		return err
	}
	p.Files, p.Problems = fc.Blobs, append(p.Problems, fc.Problems...)
	rows, rp, err := s.st.VerifyRows(ctx)
	if err != nil {
		return err
	}
	p.Rows, p.Problems = rows, append(p.Problems, rp...)
	msgs, mp, err := evidence.CheckStoredMail(ctx, s.st)
	if err != nil {
		return err
	}
	p.Messages, p.Problems = msgs, append(p.Problems, mp...)
	leaves, tp, err := s.st.VerifyAuditTree(ctx)
	if err != nil {
		return err
	}
	p.Leaves, p.Problems = leaves, append(p.Problems, tp...)
	return s.render(c, http.StatusOK, "audit", &view{Title: "Audit log", Section: "audit", Data: p})
}
