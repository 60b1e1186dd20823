package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// apiRequest is a request with where it stands today, and (for one
// request) its deadlines.
type apiRequest struct {
	tracker.Request
	Due      tracker.Date     `json:"due"` // what the authority owes now (response or review decision)
	Standing tracker.Standing `json:"standing"`
	// Deadlines, worked out from the history with their explanations,
	// only for one request (a list gives the stored standing: the windows
	// of its next action have the dates that matter).
	Deadlines tracker.Deadlines `json:"deadlines,omitzero"`
	// NextAction: who must act next (requester, authority, regulator or
	// none), the action code, by (YYYY-MM-DD or null), overdue, the
	// explanation citing the rule, and every window.
	NextAction tracker.NextAction `json:"next_action"`
	PublicURL  string             `json:"public_url,omitempty"`
}

func (s *Server) apiRequestOf(r requestRow) apiRequest {
	return apiRequest{Request: r.Request, Due: r.DueDate, Standing: r.StandingNow, Deadlines: r.Deadlines, NextAction: r.Next}
}

// apiListRequests: GET /api/v1/requests with the list's filters
// (status, authority, law, tag, q, overdue, open), ?limit= and a cursor
// (?after=, ?before=; "next" gives the page after).
func (s *Server) apiListRequests(c echo.Context) error {
	ctx := c.Request().Context()
	f, _ := s.requestFilter(c)
	limit, _, err := apiPage(c, f.OrderBy == "due")
	if err != nil {
		return err
	}
	cur, err := requestCursorParam(c, f.OrderBy)
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = limit+1, cur
	reqs, states, today, err := s.listRequests(ctx, f)
	if err != nil {
		return err
	}
	page := pageOf(reqs, cur, limit, f.OrderBy == "due", func(r tracker.Request) store.Cursor { return store.RequestCursor(r, f.OrderBy) })
	rows := requestRowsOf(page.Rows, states, today)
	if err := s.addWindows(ctx, rows); err != nil {
		return err
	}
	list := keysetPage[requestRow]{Rows: rows, Before: page.Before, After: page.After}
	return writeAPIList(s, c, "requests", list, appendRequestRow, func() error {
		out := keysetPage[apiRequest]{Rows: make([]apiRequest, len(rows)), Before: page.Before, After: page.After}
		for i, r := range rows {
			out.Rows[i] = s.apiRequestOf(r)
		}
		return c.JSON(http.StatusOK, apiList(s, c, "requests", out))
	})
}

// apiGetRequest: GET /api/v1/requests/:id with deadlines, history and documents.
func (s *Server) apiGetRequest(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := s.st.RequestByID(ctx, id)
	if err != nil {
		return err
	}
	row, err := s.requestRowWithDeadlines(ctx, r)
	if err != nil {
		return err
	}
	out := s.apiRequestOf(row)
	if r.Visibility == tracker.VisibilityPublic {
		if slug, err := s.st.PublicSlug(ctx, id); err == nil && slug != "" {
			out.PublicURL = s.absURL("/p/" + slug)
		}
	}
	events, err := s.st.Events(ctx, id)
	if err != nil {
		return err
	}
	docs, err := s.st.Documents(ctx, store.DocumentFilter{RequestID: id})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"request": out, "events": nonNil(events), "documents": nonNil(docs)})
}

// apiNewRequest is the body of POST /api/v1/requests.
type apiNewRequest struct {
	Title       string          `json:"title"`
	Body        string          `json:"body"`
	AuthorityID int64           `json:"authority_id"`
	Law         tracker.LawCode `json:"law"`
	Tags        []string        `json:"tags"`
	OurRef      string          `json:"our_ref"`
	TheirRef    string          `json:"their_ref"`
	Visibility  string          `json:"visibility"`
	Notes       string          `json:"notes"`
	SentOn      tracker.Date    `json:"sent_on"` // omit for a draft
}

// apiCreateRequest: POST /api/v1/requests (editors).
func (s *Server) apiCreateRequest(c echo.Context) error {
	ctx := c.Request().Context()
	var in apiNewRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r := tracker.Request{Title: in.Title, Body: in.Body, AuthorityID: in.AuthorityID, Law: in.Law, Tags: in.Tags,
		OurRef: in.OurRef, TheirRef: in.TheirRef, Visibility: in.Visibility, Notes: in.Notes}
	// Whoever logs a request owns it: its reminders go to them.
	if err := s.st.CreateRequestWith(ctx, &r, store.NewRequest{SentOn: in.SentOn, OwnerID: currentUser(c).ID}); err != nil {
		return err
	}
	r, err := s.st.RequestByID(ctx, r.ID)
	if err != nil {
		return err
	}
	row, err := s.requestRowWithDeadlines(ctx, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"request": s.apiRequestOf(row)})
}

// nonNil makes a nil slice encode as [] rather than null.
func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
