package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// publicRequestPage is what anyone may see of a public request: no notes,
// tags, references, reply address, names of who recorded what, documents'
// contents, or anything about other requests.
type publicRequestPage struct {
	Title         string
	Body          string
	AuthorityName string
	Law           tracker.Law
	Status        tracker.Status
	Outcome       string
	SentOn        tracker.Date
	Next          tracker.Deadline
	Standing      tracker.Standing
	Events        []publicEvent
	Documents     []publicDocument
	VerifierKey   string // checks the audit log's checkpoints (served at /audit/checkpoint)
}

// publicEvent is a history entry without its note, reason or author.
type publicEvent struct {
	Kind       tracker.EventKind
	Date       tracker.Date
	Outcome    string
	NewDueDate tracker.Date
	Exemptions []string
}

// publicDocument says what was released or withheld; the file is offered
// only when an editor has published it.
type publicDocument struct {
	Filename    string
	Disposition string
	Exemptions  []string
	URL         string // of a published file only
	Size        int64
	SHA256      string
}

// showPublicRequestPage shows the read-only page of a public request. A
// private request and an unknown address are the same 404.
func (s *Server) showPublicRequestPage(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.st.RequestByPublicSlug(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	events, err := s.st.Events(ctx, r.ID)
	if err != nil {
		return err
	}
	docs, err := s.st.Documents(ctx, store.DocumentFilter{RequestID: r.ID})
	if err != nil {
		return err
	}
	// Censor rules (global, the authority's, the request's) apply to every
	// text shown here.
	censor, err := s.st.CensorForRequest(ctx, r)
	if err != nil {
		return err
	}
	slug := strings.ToLower(c.Param("slug"))
	law, _ := tracker.LawByCode(r.Law)
	ds := tracker.ComputeDeadlines(law, events)
	p := publicRequestPage{Title: censor.Apply(r.Title), Body: censor.Apply(r.Body), AuthorityName: censor.Apply(r.AuthorityName), Law: law, Status: r.Status,
		Outcome: r.Outcome, SentOn: r.SentOn, Next: ds.NextDue(), Standing: ds.Standing(s.today())}
	for _, e := range events {
		if e.Kind == tracker.EventNote || e.Kind == tracker.EventDraft {
			continue // our own comments
		}
		p.Events = append(p.Events, publicEvent{Kind: e.Kind, Date: e.Date, Outcome: e.Outcome, NewDueDate: e.NewDueDate, Exemptions: e.Exemptions})
	}
	for _, d := range docs {
		pd := publicDocument{Filename: censor.Apply(d.Filename), Disposition: d.Disposition, Exemptions: d.Exemptions}
		if !d.PublishedAt.IsZero() && d.Disposition != tracker.DispositionWithheld && d.SHA256 != "" {
			pd.URL, pd.Size, pd.SHA256 = store.PublicDocumentURL("", slug, d.SHA256), d.Size, d.SHA256
		}
		p.Documents = append(p.Documents, pd)
	}
	if p.VerifierKey, err = s.st.CheckpointVerifierKey(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return s.renderPublic(c, http.StatusOK, "public_request", &view{Title: p.Title, Data: p})
}
