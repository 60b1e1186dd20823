package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/tracker"
)

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
