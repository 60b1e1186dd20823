package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	// Requests an editor can file a message on (open ones first).
	Requests []tracker.Request
	LastRun  store.MailSyncRun
	HasRun   bool
}

// mailRow is a message in a list, with its classification.
type mailRow struct {
	store.MailMessage
	Proposal mailsync.Proposal
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
	total, err := s.st.CountMail(ctx, f)
	if err != nil {
		return err
	}
	page := pageParam(c)
	f.Limit, f.Offset = pageSize, (page-1)*pageSize
	msgs, err := s.st.MailMessages(ctx, f)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		row := mailRow{MailMessage: m}
		row.Proposal, _ = mailsync.ReadProposal(m)
		p.Messages = append(p.Messages, row)
	}
	p.Pager = newPager(c, page, total, len(msgs), false)
	if p.Requests, err = s.requestChoices(ctx); err != nil {
		return err
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
func (s *Server) requestChoices(ctx context.Context) ([]tracker.Request, error) {
	return s.st.Requests(ctx, store.RequestFilter{OpenOnly: true, Limit: 100})
}

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

// downloadRawMail sends the message exactly as it was fetched (.eml), as an
// attachment: never rendered by the browser.
func (s *Server) downloadRawMail(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	m, err := s.st.MailMessageByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if m.RawSHA256 == "" {
		return tracker.Errorf(tracker.ENOTFOUND, "Only the header of this message was fetched (it was over the size limit).")
	}
	f, err := s.st.OpenBlob(m.RawSHA256)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "message/rfc822")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="message-%d.eml"`, m.ID))
	h.Set(echo.HeaderContentLength, strconv.FormatInt(m.RawSize, 10))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("ETag", `"`+m.RawSHA256+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	_, err = io.Copy(c.Response(), f)
	return err
}

// assignMail files a message from the holding pen on the request chosen.
func (s *Server) assignMail(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	choice := strings.TrimSpace(c.FormValue("request_id"))
	requestID, err := strconv.ParseInt(choice, 10, 64)
	if err != nil && choice != "" {
		// A reference (FT-2026-0042) typed instead of a number.
		switch r, err := s.st.RequestByOurRef(ctx, choice); {
		case err == nil:
			requestID = r.ID
		case tracker.ErrorCode(err) == tracker.ENOTFOUND:
			return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "No request has the number or reference %q.", choice)
		default:
			return err
		}
	}
	if requestID <= 0 {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "Choose the request this message is about.")
	}
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil {
		return err
	}
	in := cfg.Ingester(s.st, s.log)
	res, err := in.Assign(ctx, id, requestID)
	if tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "Not filed: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	msg := "Filed on this request."
	if res.Documents > 0 {
		msg += fmt.Sprintf(" %d %s added.", res.Documents, pluralWord(res.Documents, "document", "documents"))
	}
	if res.Applied != "" {
		msg += " Recorded: " + res.Applied.Label() + "."
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#mail", requestID), "ok", "%s", msg)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// moveMail moves a filed message to another request, or back to the
// holding pen (request_id "pen"), with its documents and proposal.
func (s *Server) moveMail(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	to := strings.TrimSpace(c.FormValue("request_id"))
	var requestID int64
	if to != "pen" {
		if requestID, _ = strconv.ParseInt(to, 10, 64); requestID <= 0 {
			return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "Choose the request to move it to, or the holding pen.")
		}
	}
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil {
		return err
	}
	in := cfg.Ingester(s.st, s.log)
	res, err := in.Move(ctx, id, requestID)
	if code := tracker.ErrorCode(err); err != nil && (code == tracker.ECONFLICT || code == tracker.ENOTFOUND) {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "Not moved: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	if requestID == 0 {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "ok", "Back in the holding pen; what was recorded from it was taken off its request.")
	}
	msg := "Moved to this request."
	if res.Documents > 0 {
		msg += fmt.Sprintf(" %d %s came with it.", res.Documents, pluralWord(res.Documents, "document", "documents"))
	}
	if res.Applied != "" {
		msg += " Recorded: " + res.Applied.Label() + "."
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#mail", requestID), "ok", "%s", msg)
}

// markMailNotFOI takes a message out of the holding pen.
func (s *Server) markMailNotFOI(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.st.MarkMailNotFOI(c.Request().Context(), id); tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "%s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/mail", "ok", "Marked as not about any FOI request.")
}

// confirmMailProposal records the lifecycle event a reply proposes, as the
// editor confirmed (or corrected) it, linked to the message.
func (s *Server) confirmMailProposal(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	m, err := s.st.MailMessageByID(ctx, id)
	if err != nil {
		return err
	}
	var v tracker.ValidationError
	e := eventFromForm(c, m.RequestID, &v)
	back := fmt.Sprintf("/requests/%d#mail-%d", m.RequestID, m.ID)
	if m.RequestID == 0 {
		back = fmt.Sprintf("/mail/%d", m.ID)
	}
	if err := v.Err(); err != nil {
		return s.redirectWithFlash(c, back, "error", "Not recorded: %s", tracker.ErrorMessage(err))
	}
	if !e.Date.IsZero() && e.Date.After(s.today()) {
		return s.redirectWithFlash(c, back, "error", "Not recorded: the date is in the future.")
	}
	e, err = mailsync.ConfirmProposal(ctx, s.st, id, mailsync.Confirmation{Kind: e.Kind, Date: e.Date, Outcome: e.Outcome,
		NewDueDate: e.NewDueDate, Exemptions: e.Exemptions, Reason: e.Reason, Note: e.Note})
	if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
		return s.redirectWithFlash(c, back, "error", "Not recorded: %s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#history", m.RequestID), "ok", "Recorded from the reply: %s on %s.", e.Kind.Label(), e.Date.Long())
}

// dismissMailProposal closes a proposal without recording anything.
func (s *Server) dismissMailProposal(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	m, err := s.st.MailMessageByID(ctx, id)
	if err != nil {
		return err
	}
	if err := mailsync.DismissProposal(ctx, s.st, id); tracker.ErrorCode(err) == tracker.ECONFLICT {
		return s.redirectWithFlash(c, fmt.Sprintf("/mail/%d", id), "error", "%s", tracker.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d#mail", m.RequestID), "ok", "Proposal dismissed: nothing was recorded.")
}

// requestMailPanel is the request page's mail: the reply address, the
// proposals waiting for an editor, and every message of the request.
type requestMailPanel struct {
	ReplyAddress string
	Proposals    []mailProposal
	Messages     []mailRow
}

// mailProposal is a reply's proposal with its confirm form's choices.
type mailProposal struct {
	Message    store.MailMessage
	Proposal   mailsync.Proposal
	Outcomes   []struct{ Code, Label string }
	Exemptions string // the detected codes, comma-separated, for the form
}

// loadRequestMail gathers the request page's mail panel.
func (s *Server) loadRequestMail(ctx context.Context, r tracker.Request) (*requestMailPanel, error) {
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil && tracker.ErrorCode(err) != tracker.EINVALID {
		return nil, err
	}
	p := &requestMailPanel{ReplyAddress: cfg.ReplyAddressFor(r.ReplyToken)}
	msgs, err := s.st.MailMessages(ctx, store.MailFilter{RequestID: r.ID})
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		row := mailRow{MailMessage: m}
		row.Proposal, _ = mailsync.ReadProposal(m)
		p.Messages = append(p.Messages, row)
		if m.ProposalState != store.ProposalProposed {
			continue
		}
		mp := mailProposal{Message: m, Proposal: row.Proposal}
		switch row.Proposal.ProposedEvent {
		case tracker.EventResponseReceived:
			mp.Outcomes = tracker.ResponseOutcomes
		case tracker.EventReviewOutcome:
			mp.Outcomes = tracker.ReviewOutcomes
		}
		var codes []string
		for _, e := range row.Proposal.Exemptions {
			codes = append(codes, e.Code)
		}
		mp.Exemptions = strings.Join(tracker.NormalizeTags(codes), ", ")
		p.Proposals = append(p.Proposals, mp)
	}
	return p, nil
}

// loadMailPanel is the dashboard's mail panel: what waits in the holding
// pen and how the last sync went.
func (s *Server) loadMailPanel(ctx context.Context) (*mailPanel, error) {
	n, err := s.st.UnmatchedMailCount(ctx)
	if err != nil {
		return nil, err
	}
	p := &mailPanel{Unmatched: n, LastSyncText: "never", LastSyncOK: true}
	run, found, err := s.st.LastMailSyncRun(ctx)
	if err != nil {
		return nil, err
	}
	if !found {
		cfg, err := mailsync.LoadConfig(ctx, s.st)
		if err == nil && !cfg.Enabled() {
			p.LastSyncText = "never (no mailbox is configured)"
		}
		return p, nil
	}
	loc := s.cfg.Location
	switch {
	case run.FinishedAt.IsZero():
		p.LastSyncText = "running since " + run.StartedAt.In(loc).Format("2 Jan 2006 15:04") + " (or stopped before it finished)"
	case run.Error != "":
		p.LastSyncOK = false
		p.LastSyncText = fmt.Sprintf("%s — failed: %s (%d fetched before)", run.FinishedAt.In(loc).Format("2 Jan 2006 15:04"), run.Error, run.Fetched)
	default:
		resumed := ""
		if run.Resumed > 0 {
			resumed = fmt.Sprintf(" (and %d from an interrupted pass)", run.Resumed)
		}
		p.LastSyncText = fmt.Sprintf("%s — %d fetched%s, %d matched, %d unmatched, %d failed, %d duplicates skipped",
			run.FinishedAt.In(loc).Format("2 Jan 2006 15:04"), run.Fetched, resumed, run.Matched, run.Unmatched, run.Failed, run.Duplicates)
	}
	return p, nil
}

// mailSettingsPage is the mailbox configuration form.
type mailSettingsPage struct {
	Config     mailsync.Config
	Overridden map[string]string // field → the environment variable that sets it
	EnvVars    []mailsync.EnvVar
	PasswordOK bool   // the configured password source gives a password
	PasswordIs string // where it comes from, for people
	Runs       []store.MailSyncRun
	TLSModes   []struct{ Code, Label string }
}

var mailTLSModes = []struct{ Code, Label string }{
	{mailsync.TLSModeImplicit, "TLS from the start (port 993)"},
	{mailsync.TLSModeSTARTTLS, "STARTTLS (port 143, upgraded before login)"},
	{mailsync.TLSModePlain, "None (only to a server on this machine)"},
}

// showMailSettings shows the mailbox settings (admins).
func (s *Server) showMailSettings(c echo.Context) error {
	cfg, err := mailsync.LoadConfig(c.Request().Context(), s.st)
	if err != nil && tracker.ErrorCode(err) != tracker.EINVALID {
		return err
	}
	return s.renderMailSettings(c, http.StatusOK, cfg, &view{})
}

func (s *Server) renderMailSettings(c echo.Context, status int, cfg mailsync.Config, v *view) error {
	ctx := c.Request().Context()
	p := mailSettingsPage{Config: cfg, Overridden: map[string]string{}, EnvVars: mailsync.EnvVars(), TLSModes: mailTLSModes}
	for _, e := range p.EnvVars {
		for _, f := range cfg.Overridden {
			if f == e.Field {
				p.Overridden[f] = e.Name
			}
		}
	}
	if _, err := cfg.Password(); err == nil {
		p.PasswordOK = true
	}
	if cfg.PasswordFile != "" {
		p.PasswordIs = "the file " + cfg.PasswordFile
	} else {
		p.PasswordIs = "the environment variable " + cfg.PasswordEnv
	}
	var err error
	if p.Runs, err = s.st.MailSyncRuns(ctx, 10); err != nil {
		return err
	}
	v.Title, v.Section, v.Data = "Mail settings", "admin", p
	return s.render(c, status, "mail_settings", v)
}

// saveMailSettings validates and stores the mailbox settings. The password
// is never a field: only where to read it from.
func (s *Server) saveMailSettings(c echo.Context) error {
	ctx := c.Request().Context()
	current, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil && tracker.ErrorCode(err) != tracker.EINVALID {
		return err
	}
	size := func(name string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue(name)), 10, 64)
		return n
	}
	port, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("port")))
	cfg := mailsync.Config{
		Host: strings.TrimSpace(c.FormValue("host")), Port: port, TLS: c.FormValue("tls_mode"),
		Username: strings.TrimSpace(c.FormValue("username")), PasswordEnv: strings.TrimSpace(c.FormValue("password_env")),
		PasswordFile: strings.TrimSpace(c.FormValue("password_file")), Mailbox: strings.TrimSpace(c.FormValue("mailbox")),
		ProcessedFolder: strings.TrimSpace(c.FormValue("processed_folder")), Schedule: strings.TrimSpace(c.FormValue("schedule")),
		MaxMessageBytes: size("max_message_bytes"), MaxAttachmentBytes: size("max_attachment_bytes"),
		ReplyAddress: strings.TrimSpace(c.FormValue("reply_address")), DKIM: c.FormValue("dkim"),
		// Fields set by the environment keep their stored values.
		Overridden: current.Overridden,
	}
	if err := mailsync.SaveConfig(ctx, s.st, cfg); tracker.ErrorCode(err) == tracker.EINVALID {
		return s.renderMailSettings(c, http.StatusUnprocessableEntity, cfg, &view{Error: "Not saved: " + tracker.ErrorMessage(err), Fields: fieldErrors(err)})
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, "/admin/mail", "ok", "Mail settings saved. A new schedule applies within a minute.")
}

// runMailSyncNow starts a sync pass in the background (never two at once:
// mailsync refuses a second).
func (s *Server) runMailSyncNow(c echo.Context) error {
	ctx := c.Request().Context()
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil {
		return err
	}
	if !cfg.Enabled() {
		return s.redirectWithFlash(c, "/admin/mail", "error", "No mailbox is configured.")
	}
	if err := cfg.Validate(); err != nil {
		return s.redirectWithFlash(c, "/admin/mail", "error", "The settings cannot be used: %s", tracker.ErrorMessage(err))
	}
	s.background(store.Actor(ctx), func(ctx context.Context) {
		syncer := &mailsync.Syncer{Store: s.st, Config: cfg, Log: s.log}
		if _, err := syncer.Run(ctx); err != nil {
			s.log.Warn("mail sync started by hand failed", "err", err)
		}
	})
	return s.redirectWithFlash(c, "/admin/mail", "ok", "Mail sync started. Reload this page to see how it went.")
}

// mailFrameDocument wraps a mail's sanitised HTML as the document of its
// frame: links open outside the frame (the sandbox allows that, and nothing
// else the sandbox forbids).
func mailFrameDocument(sanitised string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><base target="_blank">` +
		`</head><body>` + sanitised + `</body></html>`
}
