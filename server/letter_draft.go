package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

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
