package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// letterChoice is a letter offered on the request's letters page.
type letterChoice struct {
	Kind      remind.LetterKind
	Label     string
	Help      string
	Suggested bool
}

type requestLettersPage struct {
	Request      tracker.Request
	Standing     tracker.Standing
	Letters      []letterChoice
	Outgoing     []store.OutgoingMessage
	ReplyAddress string
	Owner        *store.User
	Watchers     []store.User
	Watching     bool
	Users        []store.User // for choosing the owner (editors)
	CanEdit      bool
	Reminders    []store.Reminder
	UserNames    map[int64]string
}

// showRequestLetters: the letters that fit now, what was sent by email (with
// failed sends and their retry), who is told about the request, and the
// reminders given.
func (s *Server) showRequestLetters(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := s.st.RequestByID(ctx, id)
	if err != nil {
		return err
	}
	events, err := s.st.Events(ctx, id)
	if err != nil {
		return err
	}
	law, _ := tracker.LawByCode(r.Law)
	ds := tracker.ComputeDeadlines(law, events)
	u := currentUser(c)
	p := requestLettersPage{Request: r, Standing: ds.Standing(s.today()), CanEdit: u.Role.AtLeast(store.RoleEditor), UserNames: map[int64]string{}}
	suggested := remind.SuggestedLetters(r, ds, s.today())
	for _, k := range remind.LetterKinds {
		p.Letters = append(p.Letters, letterChoice{Kind: k.Kind, Label: k.Label, Help: k.Help, Suggested: slices.Contains(suggested, k.Kind)})
	}
	if p.Outgoing, err = s.st.OutgoingMessages(ctx, store.OutgoingFilter{RequestID: id}); err != nil {
		return err
	}
	slices.Reverse(p.Outgoing) // newest first
	if cfg, err := outbound.LoadConfig(ctx, s.st, nil); err == nil {
		p.ReplyAddress = cfg.ReplyAddress(r.ReplyToken)
	}
	users, err := s.st.Users(ctx)
	if err != nil {
		return err
	}
	owner, err := s.st.RequestOwner(ctx, id)
	if err != nil {
		return err
	}
	watchers, err := s.st.Watchers(ctx, id)
	if err != nil {
		return err
	}
	for _, x := range users {
		p.UserNames[x.ID] = x.DisplayName()
		if x.ID == owner {
			p.Owner = &x
		}
		if slices.Contains(watchers, x.ID) {
			p.Watchers = append(p.Watchers, x)
			p.Watching = p.Watching || x.ID == u.ID
		}
		if !x.Disabled {
			p.Users = append(p.Users, x)
		}
	}
	if p.Reminders, err = s.st.Reminders(ctx, store.ReminderFilter{RequestID: id, Limit: 50}); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "request_letters", &view{Title: "Letters and reminders: " + r.Title, Section: "requests", Data: p})
}

// watchRequest adds or removes the signed-in user as a watcher.
func (s *Server) watchRequest(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	watch := c.FormValue("watch") == "1"
	if err := s.st.SetWatching(c.Request().Context(), id, currentUser(c).ID, watch); err != nil {
		return err
	}
	msg := "You will be told about this request's deadlines."
	if !watch {
		msg = "You no longer watch this request."
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d/letters#people", id), "ok", "%s", msg)
}

// setRequestOwner gives the request an owner (who gets its reminders).
func (s *Server) setRequestOwner(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	owner, _ := strconv.ParseInt(c.FormValue("owner_id"), 10, 64)
	if err := s.st.SetRequestOwner(c.Request().Context(), id, owner); err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d/letters#people", id), "ok", "Owner saved.")
}

type letterDraftPage struct {
	Request tracker.Request
	Kind    remind.LetterKind
	Label   string
	Draft   remind.Draft
	// PublicInterest is the user's points, as typed (one per line).
	PublicInterest string
	// CannotSend says why the letter cannot be sent by email now ("" if it can).
	CannotSend string
	// Failed is the message kept after a refused send (retry from the letters page).
	Failed *store.OutgoingMessage
	// SentOn is the day typed in "I sent it myself" (today when empty).
	SentOn string
	Today  tracker.Date
}

// letterKindParam reads :kind.
func letterKindParam(c echo.Context) (remind.LetterKind, error) {
	k := remind.LetterKind(c.Param("kind"))
	if !remind.ValidLetterKind(k) {
		return "", tracker.Errorf(tracker.ENOTFOUND, "There is nothing at this address.")
	}
	return k, nil
}

// showLetterDraft drafts a letter from its template, ready to edit.
func (s *Server) showLetterDraft(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	kind, err := letterKindParam(c)
	if err != nil {
		return err
	}
	p, err := s.draftPage(ctx, c, id, kind, "")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "letter_draft", &view{Title: p.Label + ": " + p.Request.Title, Section: "requests", Data: p})
}

// draftPage drafts the letter afresh with the given public interest points.
func (s *Server) draftPage(ctx context.Context, c echo.Context, id int64, kind remind.LetterKind, points string) (*letterDraftPage, error) {
	r, err := s.st.RequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &letterDraftPage{Request: r, Kind: kind, Label: kind.Label(), PublicInterest: points, Today: s.today()}
	in := remind.DraftInput{Kind: kind, RequestID: id, Today: s.today(), PublicInterest: remind.SplitPoints(points),
		SenderName: currentUser(c).DisplayName()}
	sender, err := s.outboundSender(ctx)
	switch {
	case errors.Is(err, outbound.ErrNotConfigured):
		p.CannotSend = "No SMTP server is configured (an admin sets one under Reminders and mail): copy the letter instead."
	case err != nil:
		p.CannotSend = "The mail settings are not usable: " + tracker.ErrorMessage(err)
	default:
		in.ReplyAddress = sender.Config.ReplyAddress(r.ReplyToken)
		if err := sender.CheckAllowed(ctx, id, kind.Purpose()); err != nil {
			p.CannotSend = tracker.ErrorMessage(err)
		}
	}
	if p.Draft, err = remind.DraftLetter(ctx, s.st, in); err != nil {
		return nil, err
	}
	return p, nil
}

// submitLetter: "redraft" fills the template again (with the public interest
// points typed), "download" returns the edited letter as a text file, "send"
// sends it by email.
func (s *Server) submitLetter(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	kind, err := letterKindParam(c)
	if err != nil {
		return err
	}
	points := c.FormValue("public_interest")
	edited := remind.Draft{Kind: kind, RequestID: id, To: c.FormValue("to"), Subject: c.FormValue("subject"), Body: c.FormValue("body")}
	switch c.FormValue("action") {
	case "redraft":
		p, err := s.draftPage(ctx, c, id, kind, points)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "letter_draft", &view{Title: p.Label + ": " + p.Request.Title, Section: "requests", Data: p})
	case "download":
		c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d.txt"`, kind, id))
		text := "To: " + edited.To + "\nSubject: " + edited.Subject + "\n\n" + edited.Body
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(text))
	case "send":
		return s.sendLetter(c, id, kind, points, edited)
	case "sent_myself":
		return s.recordSentMyself(c, id, kind, points, edited)
	}
	return tracker.Errorf(tracker.EINVALID, "Choose redraft, download, send, or say you sent it yourself.")
}

// sentMyselfEvent is the lifecycle event a letter sent outside foitrack
// records: the same one a send by email records.
func sentMyselfEvent(kind remind.LetterKind) tracker.EventKind {
	switch kind {
	case remind.LetterChaser:
		return tracker.EventChaserSent
	case remind.LetterReview:
		return tracker.EventReviewRequested
	case remind.LetterComplaint:
		return tracker.EventRegulatorComplaint
	case remind.LetterRequest:
		return tracker.EventSent
	}
	return ""
}

// recordSentMyself records a letter the user sent themselves (by their own
// mail, a web form, the post) as the lifecycle event it stands for, on the
// date they give; a refusal shows the draft again with the reason.
func (s *Server) recordSentMyself(c echo.Context, id int64, kind remind.LetterKind, points string, edited remind.Draft) error {
	ctx := c.Request().Context()
	again := func(msg string, fields map[string]string) error {
		p, err := s.draftPage(ctx, c, id, kind, points)
		if err != nil {
			return err
		}
		p.Draft.To, p.Draft.Subject, p.Draft.Body = edited.To, edited.Subject, edited.Body
		p.SentOn = c.FormValue("sent_on")
		return s.render(c, http.StatusUnprocessableEntity, "letter_draft", &view{Title: p.Label + ": " + p.Request.Title, Section: "requests",
			Error: msg, Fields: fields, Data: p})
	}
	day, err := tracker.ParseDate(c.FormValue("sent_on"))
	if err != nil {
		return again("Not recorded: give the day you sent it.", map[string]string{"sent_on": "a date is required (YYYY-MM-DD)"})
	}
	if day.After(s.today()) {
		return again("Not recorded: the day you sent it cannot be in the future.", map[string]string{"sent_on": "not after today"})
	}
	e := tracker.Event{RequestID: id, Kind: sentMyselfEvent(kind), Date: day,
		Note: strings.TrimSpace("Sent outside foitrack: " + edited.Subject)}
	if err := s.st.AddEvent(ctx, &e); err != nil {
		if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
			return again("Not recorded: "+tracker.ErrorMessage(err), nil)
		}
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d", id), "ok", "Recorded: %s on %s.", e.Kind.Label(), day.Long())
}

// sendLetter sends an edited letter. Any failure shows the draft again, as
// edited, with the reason: the server's own reply when it refused.
func (s *Server) sendLetter(c echo.Context, id int64, kind remind.LetterKind, points string, edited remind.Draft) error {
	ctx := c.Request().Context()
	again := func(status int, failed *store.OutgoingMessage, msg string, fields map[string]string) error {
		p, err := s.draftPage(ctx, c, id, kind, points)
		if err != nil {
			return err
		}
		p.Draft.To, p.Draft.Subject, p.Draft.Body, p.Failed = edited.To, edited.Subject, edited.Body, failed
		return s.render(c, status, "letter_draft", &view{Title: p.Label + ": " + p.Request.Title, Section: "requests",
			Error: msg, Fields: fields, Data: p})
	}
	sender, err := s.outboundSender(ctx)
	if err != nil {
		return again(http.StatusUnprocessableEntity, nil, "Not sent: "+tracker.ErrorMessage(err), nil)
	}
	to, err := outbound.ParseAddressList(edited.To)
	if err != nil {
		return again(http.StatusUnprocessableEntity, nil, "Not sent: "+err.Error(), map[string]string{"to": err.Error()})
	}
	if len(to) == 0 && kind == remind.LetterComplaint {
		return again(http.StatusUnprocessableEntity, nil, "Not sent: give the regulator's address (or copy the letter into its web form).",
			map[string]string{"to": "required"})
	}
	m, err := sender.Send(ctx, outbound.Letter{RequestID: id, Purpose: kind.Purpose(), To: to, Subject: edited.Subject, Body: edited.Body})
	var se *outbound.SendError
	var ee *outbound.EventError
	switch {
	case errors.As(err, &ee):
		return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d/letters", id), "error", "%s sent, but %s", kind.Label(), ee.Error())
	case errors.As(err, &se):
		return again(http.StatusBadGateway, &m, "Not sent: "+se.Error()+". It is kept as a failed message: retry it from the letters page, or change it and send again.", nil)
	case err != nil && (tracker.ErrorCode(err) == tracker.EINVALID || tracker.ErrorCode(err) == tracker.ECONFLICT):
		return again(http.StatusUnprocessableEntity, nil, "Not sent: "+tracker.ErrorMessage(err), fieldErrors(err))
	case err != nil:
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/requests/%d/letters", id), "ok", "%s sent to %s; recorded in the history as of %s.",
		kind.Label(), joinAddrs(m.To), sender.Today().Long())
}

// retryOutgoing hands a failed message to the server again.
func (s *Server) retryOutgoing(c echo.Context) error {
	m, back, err := s.outgoingFromPath(c)
	if err != nil {
		return err
	}
	sender, err := s.outboundSender(c.Request().Context())
	if err != nil {
		return s.redirectWithFlash(c, back, "error", "Not sent: %s", tracker.ErrorMessage(err))
	}
	m, err = sender.Retry(c.Request().Context(), m.ID)
	return s.redirectAfterSend(c, back, err, sendOutcome{eventFailed: "Sent, but", refused: "Not sent again", notDone: "Not sent",
		ok: "Sent to " + joinAddrs(m.To) + "."})
}

// outgoingFromPath loads the outgoing message named by the path's id, with
// the letters page to go back to.
func (s *Server) outgoingFromPath(c echo.Context) (store.OutgoingMessage, string, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return store.OutgoingMessage{}, "", err
	}
	m, err := s.st.Outgoing(c.Request().Context(), id)
	if err != nil {
		return m, "", err
	}
	return m, fmt.Sprintf("/requests/%d/letters#outgoing", m.RequestID), nil
}

// sendOutcome words the flash messages after a send (or a resolution).
type sendOutcome struct {
	eventFailed string // sent, but its lifecycle event could not be recorded
	refused     string // the server refused it, or could not be reached
	refusedNext string // what the user can do then (may be "")
	notDone     string // refused by foitrack itself (invalid, conflict)
	ok          string
}

// redirectAfterSend shows a send's outcome on the letters page: a domain
// error as a message; only an internal error goes to the error page.
func (s *Server) redirectAfterSend(c echo.Context, back string, err error, o sendOutcome) error {
	var se *outbound.SendError
	var ee *outbound.EventError
	switch {
	case errors.As(err, &ee):
		return s.redirectWithFlash(c, back, "error", "%s %s", o.eventFailed, ee.Error())
	case errors.As(err, &se):
		return s.redirectWithFlash(c, back, "error", "%s: %s.%s", o.refused, se.Error(), o.refusedNext)
	case err != nil && tracker.ErrorCode(err) != tracker.EINTERNAL:
		return s.redirectWithFlash(c, back, "error", "%s: %s", o.notDone, tracker.ErrorMessage(err))
	case err != nil:
		return err
	}
	return s.redirectWithFlash(c, back, "ok", "%s", o.ok)
}

func joinAddrs(l []string) string {
	out := ""
	for i, a := range l {
		if i > 0 {
			out += ", "
		}
		out += a
	}
	return out
}
