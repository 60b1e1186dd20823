package server

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// mailMessagePage is one message with its provenance.
type mailMessagePage struct {
	Message  store.MailMessage
	Proposal mailsync.Proposal
	HasProp  bool
	Reply    string // the text without quoted history
	Quoted   string // the quoted history, folded away
	// HTML is the mail's formatted version as a whole document, for the
	// srcdoc of a sandboxed frame (no scripts, an origin of its own, the
	// page's CSP inherited): sanitised again at display, and escaped by the
	// template as an attribute value, so nothing in it can open or close
	// anything on the page around it.
	HTML     string
	DKIM     []mailsync.DKIMResult
	Docs     []tracker.Document
	Requests []tracker.Request
	InPen    bool // waiting for an editor: show the filing form
	CanMove  bool // filed: an editor can move it to another request or back
	Timeline *timelinePanel
}

// showMailMessage shows a message: who sent it, where it came from (the
// mailbox, UIDVALIDITY, UID, the Received chain, DKIM with the key it was
// checked against), what it says, what it was filed as, and its error.
func (s *Server) showMailMessage(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	m, err := s.st.MailMessageByID(ctx, id)
	if err != nil {
		return err
	}
	p := mailMessagePage{Message: m}
	p.Proposal, p.HasProp = mailsync.ReadProposal(m)
	p.Reply, p.Quoted = mailsync.QuotedFolded(m.TextBody)
	// Sanitised when the message was read, and again now: a stricter
	// policy since then applies to old mail too.
	if h := mailsync.SanitizeHTML(m.HTMLBody); h != "" {
		p.HTML = mailFrameDocument(h)
	}
	_ = json.Unmarshal(m.DKIM, &p.DKIM)
	if p.Docs, err = s.st.Documents(ctx, store.DocumentFilter{MessageID: m.ID}); err != nil {
		return err
	}
	if p.Timeline, err = s.loadTimelinePanel(ctx, "message", m.ID); err != nil {
		return err
	}
	p.InPen = m.Direction == "in" && m.RequestID == 0 && m.State != store.MailNew
	p.CanMove = m.Direction == "in" && m.RequestID != 0 && m.State != store.MailNew
	if p.InPen || p.CanMove {
		if p.Requests, err = s.requestChoices(ctx); err != nil {
			return err
		}
	}
	title := m.Subject
	if title == "" {
		title = fmt.Sprintf("Message %d", m.ID)
	}
	return s.render(c, http.StatusOK, "mail_show", &view{Title: title, Section: "mail", Data: p})
}

// mailFrameDocument wraps a mail's sanitised HTML as the document of its
// frame: links open outside the frame (the sandbox allows that, and nothing
// else the sandbox forbids).
func mailFrameDocument(sanitised string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><base target="_blank">` +
		`</head><body>` + sanitised + `</body></html>`
}
