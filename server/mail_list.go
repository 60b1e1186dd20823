package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// mailListPage is the holding pen (or another view of the mailbox).
type mailListPage struct {
	View     string // pen, failed, not_foi, all
	Views    []struct{ Code, Label string }
	Query    string // the search box
	Messages []mailRow
	Pager    pager
	// Requests an editor can file a message on (open ones first), read
	// only when the page shows a message to file (Filing): a search's page
	// of filed mail drew the hundred choices for nothing (28 kB of 62).
	Requests []tracker.Request
	Filing   bool
	LastRun  store.MailSyncRun
	HasRun   bool
}

// mailRow is a message in a list, with its classification.
type mailRow struct {
	store.MailMessage
	Proposal mailsync.Proposal
}

// fileable says whether the list offers an editor to file the message (or
// mark it not FOI): processed, and on no request yet.
func (m mailRow) fileable(editor bool) bool {
	return editor && m.RequestID == 0 && m.State != store.MailNew
}

var mailViews = []struct{ Code, Label string }{
	{"pen", "Holding pen"},
	{"failed", "Unreadable or over the limit"},
	{"not_foi", "Not FOI"},
	{"all", "All incoming mail"},
}

func mailFilterFor(view string) store.MailFilter {
	f := store.MailFilter{Direction: "in"}
	switch view {
	case "failed":
		f.States = []string{store.MailFailed, store.MailOverLimit}
	case "not_foi":
		f.State = store.MailNotFOI
	case "all":
	default:
		f.State = store.MailUnmatched
	}
	return f
}

// showMailList lists the holding pen: mail that matched no request, to be
// filed by an editor (or marked not FOI).
func (s *Server) showMailList(c echo.Context) error {
	ctx := c.Request().Context()
	p := mailListPage{View: c.QueryParam("view"), Views: mailViews, Query: strings.TrimSpace(c.QueryParam("q"))}
	if p.View == "" {
		p.View = "pen"
		if p.Query != "" {
			p.View = "all" // a search looks through all the mail
		}
	}
	f := mailFilterFor(p.View)
	f.Query = p.Query
	// The search box's messages worked out once, for the count and the page.
	selected, err := s.st.SelectMail(ctx, f)
	if err != nil {
		return err
	}
	f.Selected = selected
	total, err := s.st.CountMail(ctx, f)
	if err != nil {
		return err
	}
	if f.Cursor, err = cursorParam(c, false); err != nil {
		return err
	}
	f.Limit, f.Summary = pageSize+1, true
	msgs, err := s.st.MailMessages(ctx, f)
	if err != nil {
		return err
	}
	page := pageOf(msgs, f.Cursor, pageSize, false, func(m store.MailMessage) store.Cursor { return store.Cursor{ID: m.ID} })
	for _, m := range page.Rows {
		row := mailRow{MailMessage: m}
		row.Proposal, _ = mailsync.ReadProposal(m)
		p.Messages = append(p.Messages, row)
	}
	p.Pager = keysetPager(c, page, total)
	editor := currentUser(c).Role.AtLeast(store.RoleEditor)
	for _, m := range p.Messages {
		p.Filing = p.Filing || m.fileable(editor)
	}
	if p.Filing {
		if p.Requests, err = s.requestChoices(ctx); err != nil {
			return err
		}
	}
	if p.LastRun, p.HasRun, err = s.st.LastMailSyncRun(ctx); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "mail_list", &view{Title: "Mail", Section: "mail", Data: p})
}

// requestChoices are the requests offered when filing a message: the 100
// newest open ones, in one list per page (a datalist), beside a field that
// also takes any request's number or reference. (A list of every request
// under every message made the holding pen's page megabytes long.)
//
// Kept until the next write (see untilWritten): reading the hundred
// requests was a sixth of the holding pen's CPU at 100,000 requests.
func (s *Server) requestChoices(ctx context.Context) ([]tracker.Request, error) {
	v, err := s.untilWritten(ctx, "request choices", func(ctx context.Context) (any, error) {
		return s.st.Requests(ctx, store.RequestFilter{OpenOnly: true, Limit: 100})
	})
	if err != nil {
		return nil, err
	}
	return v.Val.([]tracker.Request), nil
}
