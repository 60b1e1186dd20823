package remind

import (
	"context"
	"strings"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Draft is a letter ready to edit, send or copy.
type Draft struct {
	Kind      LetterKind `json:"kind"`
	RequestID int64      `json:"request_id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	// Custom: drafted from an admin's template (else the built-in one).
	Custom bool `json:"custom"`
}

// DraftInput is what a draft is made from beyond the request itself.
type DraftInput struct {
	Kind           LetterKind
	RequestID      int64
	Today          tracker.Date
	PublicInterest []string // the user's points, one per entry
	SenderName     string
	ReplyAddress   string
}

// DraftLetter fills the template in force for the letter with what the
// request's history says on today.
func DraftLetter(ctx context.Context, st *store.Store, in DraftInput) (Draft, error) {
	if !ValidLetterKind(in.Kind) {
		return Draft{}, tracker.Errorf(tracker.EINVALID, "unknown letter %q", in.Kind)
	}
	r, err := st.RequestByID(ctx, in.RequestID)
	if err != nil {
		return Draft{}, err
	}
	a, err := st.AuthorityByID(ctx, r.AuthorityID)
	if err != nil {
		return Draft{}, err
	}
	events, err := st.Events(ctx, r.ID)
	if err != nil {
		return Draft{}, err
	}
	tpl, err := LoadTemplate(ctx, st, in.Kind, r.Law)
	if err != nil {
		return Draft{}, err
	}
	data := BuildLetterData(LetterInput{Request: r, Authority: a, Events: events, Today: in.Today,
		PublicInterest: in.PublicInterest, SenderName: in.SenderName, ReplyAddress: in.ReplyAddress})
	subject, body, err := tpl.Render(data)
	if err != nil {
		return Draft{}, err
	}
	d := Draft{Kind: in.Kind, RequestID: r.ID, To: a.Email, Subject: subject, Body: body, Custom: tpl.Custom}
	if in.Kind == LetterComplaint {
		d.To = "" // the regulator's address (or web form) is for the user to give
	}
	return d, nil
}

// SplitPoints turns a textarea of public interest points (one a line) into a list.
func SplitPoints(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
