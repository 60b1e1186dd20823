package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// auditPage shows the audit log's head (to publish or write down), the
// latest entries, and the result of a full check when one was asked for.
type auditPage struct {
	// VerifierKey checks the checkpoints' signatures; Checkpoint is the
	// latest (nil before the first).
	VerifierKey string
	Checkpoint  *store.Checkpoint
	HeadID      int64
	Head        string
	Entries     []store.AuditEntry
	Checked     bool
	Chain       int
	ChainBad    *store.AuditBreak
	Files       int
	Rows        int
	Messages    int   // messages whose provenance was re-read from their raw bytes
	Leaves      int64 // transparency log leaves recomputed from their rows
	Problems    []store.Problem
}

func (s *Server) loadAuditPage(c echo.Context) (*auditPage, error) {
	ctx := c.Request().Context()
	p := &auditPage{}
	var err error
	if p.Head, p.HeadID, err = s.st.AuditHead(ctx); err != nil {
		return nil, err
	}
	if p.VerifierKey, err = s.st.CheckpointVerifierKey(); err != nil {
		return nil, err
	}
	if cp, ok, err := s.st.LatestCheckpoint(ctx); err != nil {
		return nil, err
	} else if ok {
		p.Checkpoint = &cp
	}
	after := max(p.HeadID-30, 0)
	entries, err := s.st.AuditEntries(ctx, "", 0, after, 30)
	if err != nil {
		return nil, err
	}
	for i := len(entries) - 1; i >= 0; i-- { // newest first
		p.Entries = append(p.Entries, entries[i])
	}
	return p, nil
}

func (s *Server) showAuditPage(c echo.Context) error {
	p, err := s.loadAuditPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "audit", &view{Title: "Audit log", Section: "audit", Data: p})
}
