package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// provenancePage is a document's provenance chain.
type provenancePage struct {
	store.DocumentProvenance
	Authority tracker.Authority
	PublicURL string
	Bundle    *bundleOffer // of the request
}

// showDocumentProvenance shows where a document came from: the request, our
// message it answered, the reply it came in (sender, Date, Message-ID,
// Received chain, DKIM, IMAP mailbox/UIDVALIDITY/UID, when fetched, raw
// sha256), the attachment itself, the events it supports, and every audit
// entry about it.
func (s *Server) showDocumentProvenance(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p := provenancePage{}
	if p.DocumentProvenance, err = s.st.DocumentProvenance(ctx, id); err != nil {
		return err
	}
	if p.Authority, err = s.st.AuthorityByID(ctx, p.Request.AuthorityID); err != nil {
		return err
	}
	if p.PublicSlug != "" {
		p.PublicURL = "/p/" + p.PublicSlug
	}
	if p.Bundle, err = s.offerBundle(ctx, "request", p.Request.ID, p.Request.Visibility != tracker.VisibilityPublic); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "provenance", &view{Title: "Provenance of " + p.Document.Filename, Section: "documents", Data: p})
}

// bundleOffer is a download button for an evidence bundle: which kind it
// is and what is inside, said before anything is downloaded.
type bundleOffer struct {
	URL      string
	Kind     string // evidence.Public or evidence.Confidential
	Contents []string
}

// offerBundle describes the bundle a request or event page offers: the
// public one for a public request and for a timeline event, the
// confidential one only for a private request (which has no public one).
func (s *Server) offerBundle(ctx context.Context, scope string, id int64, private bool) (*bundleOffer, error) {
	o := &bundleOffer{Kind: evidence.Public, URL: fmt.Sprintf("/requests/%d/bundle.zip", id)}
	if scope == "event" {
		o.URL = fmt.Sprintf("/timeline/events/%d/bundle.zip", id)
	}
	if private {
		o.Kind, o.URL = evidence.Confidential, o.URL+"?kind="+evidence.Confidential
	}
	var err error
	o.Contents, err = evidence.Describe(ctx, s.st, scope, id, o.Kind)
	return o, err
}

// bundleKind reads the ?kind= of a bundle download: public unless asked.
func bundleKind(c echo.Context) (string, error) {
	switch k := c.QueryParam("kind"); k {
	case "", evidence.Public:
		return evidence.Public, nil
	case evidence.Confidential:
		return k, nil
	default:
		return "", tracker.Errorf(tracker.EINVALID, "a bundle is %s or %s, not %q", evidence.Public, evidence.Confidential, k)
	}
}

// bundleFileName names the kind in the file name, so that a confidential
// bundle is never mistaken for one to publish.
func bundleFileName(stem, kind string) string {
	if kind == evidence.Confidential {
		return stem + "-CONFIDENTIAL-evidence.zip"
	}
	return stem + "-public-evidence.zip"
}

// downloadRequestBundle sends the evidence bundle of a request.
func (s *Server) downloadRequestBundle(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	kind, err := bundleKind(c)
	if err != nil {
		return err
	}
	return s.sendBundle(c, "request", id, kind, bundleFileName(fmt.Sprintf("foitrack-request-%d", id), kind))
}

// downloadEventBundle sends the evidence bundle of a timeline event.
func (s *Server) downloadEventBundle(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	kind, err := bundleKind(c)
	if err != nil {
		return err
	}
	te, err := s.st.TimelineEventByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.sendBundle(c, "event", id, kind, bundleFileName(te.Event.ID(), kind))
}

// sendBundle writes the bundle whole to a temporary file before sending it,
// so that an error is a clean error page, never half a zip, and a large
// bundle is not held in memory.
func (s *Server) sendBundle(c echo.Context, scope string, id int64, kind, name string) error {
	f, err := os.CreateTemp("", "foitrack-bundle-*.zip")
	if err != nil {
		return fmt.Errorf("server: unable to create bundle file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := evidence.Write(c.Request().Context(), s.st, f, scope, id, evidence.Options{BaseURL: s.cfg.BaseURL, Now: s.cfg.Now, Kind: kind}); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("server: unable to read bundle file: %w", err)
	}
	name = strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, name)
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Stream(http.StatusOK, "application/zip", f)
}

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
