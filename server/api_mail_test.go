package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The mailbox over the JSON API: the holding pen, a message with its
// classification and provenance, and filing, moving and putting back (an
// editor only), as the web app does it.
func TestMailAPI(t *testing.T) {
	app, d := mailApp(t)
	ctx := context.Background()
	viewer, _ := app.st.UserByEmail(ctx, "viewer@example.org")
	editor, _ := app.st.UserByEmail(ctx, "editor@example.org")
	vtok, _, err := app.st.CreateAPIToken(ctx, viewer.ID, "v")
	if err != nil {
		t.Fatal(err)
	}
	etok, _, err := app.st.CreateAPIToken(ctx, editor.ID, "e")
	if err != nil {
		t.Fatal(err)
	}
	fete := mailBySubject(t, app.st, "Village fete")

	res, body := app.api(http.MethodGet, "/api/v1/mail?holding_pen=true", vtok, "")
	wantStatus(t, res, http.StatusOK)
	var list struct {
		Messages []mailsync.MessageSummary `json:"messages"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Messages) != 1 || list.Messages[0].ID != fete.ID || !list.Messages[0].InHoldingPen {
		t.Fatalf("holding pen over the API: %v %s", err, body)
	}
	council := d.Requests["council"]
	res, body = app.api(http.MethodGet, fmt.Sprintf("/api/v1/mail?request_id=%d", council.ID), vtok, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `"request_our_ref":"`+council.OurRef+`"`, `"kind":"refusal"`)
	res, _ = app.api(http.MethodGet, "/api/v1/mail?request_id=x", vtok, "")
	wantStatus(t, res, http.StatusUnprocessableEntity)

	refusal := mailBySubject(t, app.st, "FOI/2026/0412")
	res, body = app.api(http.MethodGet, fmt.Sprintf("/api/v1/mail/%d", refusal.ID), vtok, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `"code":"s31(1)(a)"`, `"mailbox":"INBOX"`, `"raw_sha256":"`+refusal.RawSHA256+`"`, `"dkim":[`, `"documents":[]`, `"state":"proposed"`)
	if strings.Contains(body, "null") {
		t.Errorf("null in the API's message: %s", body)
	}

	// A viewer cannot file; an editor files, moves, and puts back.
	police := d.Requests["police"]
	path := fmt.Sprintf("/api/v1/mail/%d/file", fete.ID)
	res, _ = app.api(http.MethodPost, path, vtok, fmt.Sprintf(`{"request_id": %d}`, police.ID))
	wantStatus(t, res, http.StatusForbidden)
	res, _ = app.api(http.MethodPost, path, etok, `{}`)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	res, body = app.api(http.MethodPost, path, etok, fmt.Sprintf(`{"request_id": %d}`, police.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, fmt.Sprintf(`"request_id":%d`, police.ID), `"match_rule":"manual"`)
	res, body = app.api(http.MethodPost, path, etok, fmt.Sprintf(`{"request_id": %d}`, council.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, fmt.Sprintf(`"request_id":%d`, council.ID))
	res, body = app.api(http.MethodPost, path, etok, `{"holding_pen": true}`)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `"in_holding_pen":true`, `"request_id":0`)
	res, _ = app.api(http.MethodPost, path, etok, `{"holding_pen": true}`)
	wantStatus(t, res, http.StatusConflict)
}

// In the web app, an editor moves a filed message from its message page:
// to another request (its proposal goes with it), then back to the holding
// pen; a viewer is not offered the form and is refused.
func TestMailMoveFromTheMessagePage(t *testing.T) {
	app, d := mailApp(t)
	ctx := context.Background()
	viewer := app.login("viewer@example.org")
	editor := app.login("editor@example.org")
	refusal := mailBySubject(t, app.st, "FOI/2026/0412")
	council, police := d.Requests["council"], d.Requests["police"]

	_, body := viewer.get(fmt.Sprintf("/mail/%d", refusal.ID))
	if strings.Contains(body, `action="/mail/`+fmt.Sprint(refusal.ID)+`/move"`) {
		t.Error("a viewer is offered the move form")
	}
	res, _ := viewer.postForm(fmt.Sprintf("/mail/%d/move", refusal.ID), url.Values{"request_id": {fmt.Sprint(police.ID)}})
	wantStatus(t, res, http.StatusForbidden)

	res, body = editor.get(fmt.Sprintf("/mail/%d", refusal.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `action="/mail/`+fmt.Sprint(refusal.ID)+`/move"`, `<option value="pen">`, fmt.Sprintf(`<option value="%d">`, police.ID))
	if strings.Contains(body, fmt.Sprintf(`<option value="%d">`, council.ID)) {
		t.Error("the request it is on is offered as where to move it")
	}
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/move", refusal.ID), url.Values{"request_id": {fmt.Sprint(police.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/requests/%d#mail", police.ID) {
		t.Fatalf("redirect to %s", loc)
	}
	m, _ := app.st.MailMessageByID(ctx, refusal.ID)
	if m.RequestID != police.ID || m.ProposalState != store.ProposalProposed {
		t.Fatalf("after the move: %+v", m)
	}
	_, body = editor.get(fmt.Sprintf("/requests/%d", police.ID))
	wantContains(t, body, fmt.Sprintf(`action="/mail/%d/confirm"`, refusal.ID))
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/move", refusal.ID), url.Values{"request_id": {"pen"}})
	wantStatus(t, res, http.StatusSeeOther)
	if m, _ = app.st.MailMessageByID(ctx, refusal.ID); m.RequestID != 0 || m.State != store.MailUnmatched {
		t.Fatalf("after going back: %+v", m)
	}
	// Filed again, then nothing chosen: a message, nothing moved.
	if _, err := (&mailsync.Ingester{Store: app.st}).File(store.WithActor(ctx, "test"), refusal.ID, council.ID); err != nil {
		t.Fatal(err)
	}
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/move", refusal.ID), url.Values{"request_id": {""}})
	wantStatus(t, res, http.StatusSeeOther)
	if m, _ = app.st.MailMessageByID(ctx, refusal.ID); m.RequestID != council.ID {
		t.Fatalf("moved with nothing chosen: %+v", m)
	}
	if _, err := app.st.RequestByID(ctx, police.ID); tracker.ErrorCode(err) != "" {
		t.Fatal(err)
	}
}
