package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The holding pen offers the requests once per page (a datalist beside
// each message's field), not a list of every request under every message;
// the field takes a request's number or our reference.
func TestMailFiledByReferenceWithOneListOfChoices(t *testing.T) {
	app, d := mailApp(t)
	editor := app.login("editor@example.org")
	fete := mailBySubject(t, app.st, "Village fete")
	police := d.Requests["police"]

	res, body := editor.get("/mail")
	wantStatus(t, res, http.StatusOK)
	if n := strings.Count(body, "<datalist"); n != 1 {
		t.Errorf("%d request lists on the page, want 1", n)
	}
	if n := strings.Count(body, `<option value="`+fmt.Sprint(police.ID)+`"`); n != 1 {
		t.Errorf("the police request is offered %d times, want once", n)
	}
	wantContains(t, body, fmt.Sprintf(`id="assign-%d"`, fete.ID), `list="request-choices"`)

	// A reference nobody has is refused, and nothing is filed.
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/assign", fete.ID), url.Values{"request_id": {"FT-1999-9999"}})
	wantStatus(t, res, http.StatusSeeOther)
	if m := mailBySubject(t, app.st, "Village fete"); m.RequestID != 0 {
		t.Fatalf("filed on %d by an unknown reference", m.RequestID)
	}
	// Our reference, typed in lower case, files it.
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/assign", fete.ID), url.Values{"request_id": {strings.ToLower(police.OurRef)}})
	wantStatus(t, res, http.StatusSeeOther)
	if m := mailBySubject(t, app.st, "Village fete"); m.RequestID != police.ID {
		t.Errorf("filed on %d, want the police request %d (%s)", m.RequestID, police.ID, police.OurRef)
	}
}

// The requests offered are kept between views, and one sent after a view is
// offered on the next.
func TestMailPickerOffersARequestSentSinceTheLastView(t *testing.T) {
	app, d := mailApp(t)
	editor := app.login("editor@example.org")
	res, _ := editor.get("/mail")
	wantStatus(t, res, http.StatusOK)
	r := app.request("Gritting routes", d.Requests["police"].AuthorityID, "2026-03-02", false)
	res, body := editor.get("/mail")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, fmt.Sprintf(`<option value="%d">`, r.ID))
}

// A page with no message to file (every message on it filed, as a search
// of the mail mostly finds) does not draw the hundred requests to file on.
func TestMailListOffersRequestsOnlyWithAMessageToFile(t *testing.T) {
	app, d := mailApp(t)
	editor := app.login("editor@example.org")
	_, body := editor.get("/mail")
	if !strings.Contains(body, `<datalist id="request-choices">`) {
		t.Fatal("the holding pen (messages to file) offers no requests")
	}
	fete := mailBySubject(t, app.st, "Village fete")
	res, _ := editor.postForm(fmt.Sprintf("/mail/%d/assign", fete.ID), url.Values{"request_id": {fmt.Sprint(d.Requests["police"].ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	_, body = editor.get("/mail?view=all")
	if !strings.Contains(body, `id="mail-list"`) || strings.Contains(body, `action="/mail/`) && strings.Contains(body, `/assign"`) {
		t.Fatalf("want a page of filed mail only:\n%s", body)
	}
	if strings.Contains(body, `<datalist`) {
		t.Error("a page without a message to file offers the requests")
	}
}
