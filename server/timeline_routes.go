package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// timelinePanel is what a request or document page shows of the timeline:
// the events it is linked to and, for editors, a form to link it to one.
type timelinePanel struct {
	Target   string // document, message or request
	TargetID int64
	Links    []store.EventLinkDetail
	Events   []eventOption // for the link form
	Roles    []string
	Back     string       // where the link form returns to
	Bundle   *bundleOffer // a request's evidence bundle
}

// eventOption is an event in a select list.
type eventOption struct {
	ID    int64
	Label string
}

// loadTimelinePanel gathers the panel for a request or a document.
func (s *Server) loadTimelinePanel(ctx context.Context, target string, id int64) (*timelinePanel, error) {
	p := &timelinePanel{Target: target, TargetID: id, Roles: store.LinkRoles}
	f := store.LinkFilter{}
	switch target {
	case "document":
		f.DocumentID, p.Back = id, fmt.Sprintf("/documents/%d", id)
	case "request":
		f.RequestID, p.Back = id, fmt.Sprintf("/requests/%d", id)
		r, err := s.st.RequestByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if p.Bundle, err = s.offerBundle(ctx, "request", id, r.Visibility != tracker.VisibilityPublic); err != nil {
			return nil, err
		}
	default:
		f.MessageID, p.Back = id, fmt.Sprintf("/mail/%d", id)
	}
	var err error
	if p.Links, err = s.st.EventLinkDetails(ctx, f); err != nil {
		return nil, err
	}
	events, err := s.st.TimelineEventTitles(ctx, 5000) // newest first: the likely choice
	if err != nil {
		return nil, err
	}
	for _, te := range events {
		p.Events = append(p.Events, eventOption{ID: te.ID, Label: te.Date + " · " + truncateLabel(te.Title, 90)})
	}
	return p, nil
}

func truncateLabel(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// auditHeadShort is the audit log's head for the page footer: entry and the
// start of its hash ("" when the log is empty or cannot be read).
func (s *Server) auditHeadShort() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	h, id, err := s.st.AuditHead(ctx)
	if err != nil || id == 0 {
		return ""
	}
	return "#" + strconv.FormatInt(id, 10) + " " + h[:16]
}

// localPath accepts a redirect target only when it is a path on this site.
func localPath(p, fallback string) string {
	if strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.Contains(p, `\`) && !strings.ContainsAny(p, "\r\n") {
		return p
	}
	return fallback
}

// formInt reads an integer form field (0 when absent or bad).
func formInt(c echo.Context, field string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue(field)), 10, 64)
	return n
}
