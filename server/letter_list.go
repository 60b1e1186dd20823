package server

import (
	"net/http"
	"slices"

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
