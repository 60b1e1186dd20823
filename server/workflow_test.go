package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func TestRequestFormValidatesEachField(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	c := app.login("editor@example.org")

	res, body := c.postForm("/requests", url.Values{"title": {""}, "authority_id": {""}, "law": {"xx-law"},
		"sent_on": {"2026-13-45"}, "visibility": {"secret"}, "body": {"kept text"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "a title is required", "choose an authority", "not a date", "kept text", "has-error")
	// A date in the future (today is 25 Mar 2026) is refused by its field.
	res, body = c.postForm("/requests", url.Values{"title": {"Later"}, "authority_id": {fmt.Sprint(a.ID)}, "sent_on": {"2026-04-01"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "this date is in the future", `value="Later"`)
	if n, _ := app.st.CountRequests(context.Background(), store.RequestFilter{}); n != 0 {
		t.Fatalf("%d requests saved from invalid forms", n)
	}

	res, _ = c.postForm("/requests", url.Values{"title": {"Grit bins"}, "authority_id": {fmt.Sprint(a.ID)}, "sent_on": {"2026-03-02"}, "tags": {"Roads, winter"}})
	wantStatus(t, res, http.StatusSeeOther)
	reqPath := res.Header.Get("Location")
	res, body = c.get(reqPath)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Request FT-2026-0001 saved.", "Tue 31 Mar 2026", "roads", "winter")

	// Editing: an empty title is refused, the rest kept.
	res, body = c.postForm(reqPath, url.Values{"title": {"  "}, "authority_id": {fmt.Sprint(a.ID)}, "their_ref": {"FOI-123"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "a title is required", `value="FOI-123"`)
	res, _ = c.postForm(reqPath, url.Values{"title": {"Grit bins and salt"}, "authority_id": {fmt.Sprint(a.ID)}, "their_ref": {"FOI-123"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, body = c.get(reqPath)
	wantContains(t, body, "Grit bins and salt", "FOI-123")
}

func TestRecordingEvents(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Grit bins", a.ID, "2026-03-02", false)
	c := app.login("editor@example.org")
	path := fmt.Sprintf("/requests/%d", r.ID)

	// Only the events allowed now are offered.
	_, body := c.get(path)
	wantContains(t, body, `id="event-response_received"`, `id="event-clarification_requested"`)
	for _, notNow := range []string{`id="event-sent"`, `id="event-review_outcome"`, `id="event-fee_paid"`} {
		if strings.Contains(body, notNow) {
			t.Errorf("the page offers %s for a request awaiting a response", notNow)
		}
	}
	// A response without an outcome: refused, the form open again with what was entered.
	res, body := c.postForm(path+"/events", url.Values{"kind": {"response_received"}, "date": {"2026-03-20"}, "note": {"kept note"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "Response received was not recorded", "needs an outcome", "kept note", `<details open id="event-response_received">`)
	// An exemption that is not in the law's catalogue.
	res, body = c.postForm(path+"/events", url.Values{"kind": {"response_received"}, "date": {"2026-03-20"}, "outcome": {"refused"}, "exemptions_other": {"s99(9)"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "s99(9)")
	// An illegal transition (a review outcome with no review) is refused with the reason.
	res, body = c.postForm(path+"/events", url.Values{"kind": {"review_outcome"}, "date": {"2026-03-20"}, "outcome": {"upheld"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "allowed next")

	res, _ = c.postForm(path+"/events", url.Values{"kind": {"response_received"}, "date": {"2026-03-20"}, "outcome": {"released_in_part"},
		"exemptions": {"s31(1)(a)", "s40(2)"}, "exemptions_other": {"section 43(2)"}})
	wantStatus(t, res, http.StatusSeeOther)
	events, _ := app.st.Events(context.Background(), r.ID)
	last := events[len(events)-1]
	if last.Kind != tracker.EventResponseReceived || strings.Join(last.Exemptions, ",") != "s31(1)(a),s40(2),s43(2)" {
		t.Fatalf("recorded %+v", last)
	}
	_, body = c.get(path)
	wantContains(t, body, "Released in part", "s43(2)", "Ask for an internal review by")

	// Deleting asks first: the history links to a confirmation page, and a
	// POST without the confirmation only leads there.
	delPath := fmt.Sprintf("%s/events/%d/delete", path, last.ID)
	if !strings.Contains(body, `href="`+delPath+`"`) {
		t.Fatal("the history does not link to the confirmation page")
	}
	res, body = c.get(delPath)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Delete this event?", "Response received", "Keep it", `name="confirm" value="yes"`)
	res, _ = c.postForm(delPath, nil)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != delPath {
		t.Fatalf("an unconfirmed delete went to %q", loc)
	}
	if evs, _ := app.st.Events(context.Background(), r.ID); len(evs) != len(events) {
		t.Fatal("an unconfirmed delete deleted")
	}
	// An event a later one depends on cannot go, and the message says why in words.
	if err := app.st.DeleteEvent(context.Background(), r.ID, events[0].ID); err == nil ||
		!strings.Contains(tracker.ErrorMessage(err), "the later response received of") {
		t.Fatalf("deleting the sending under a response: %v", err)
	}
	// Deleting the last event puts the request back where it was.
	res, _ = c.postForm(delPath, url.Values{"confirm": {"yes"}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := app.st.RequestByID(context.Background(), r.ID)
	if got.Status != tracker.StatusAwaitingResponse {
		t.Fatalf("after deleting the response the status is %s", got.Status)
	}
	// An event of another request cannot be deleted through this one.
	other := app.request("Other", a.ID, "2026-03-03", false)
	oev, _ := app.st.Events(context.Background(), other.ID)
	res, _ = c.postForm(fmt.Sprintf("%s/events/%d/delete", path, oev[0].ID), url.Values{"confirm": {"yes"}})
	wantStatus(t, res, http.StatusNotFound)
}

func TestPublicPageShowsNothingPrivate(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	pub := app.request("Public one", a.ID, "2026-03-02", true)
	priv := app.request("Private one", a.ID, "2026-03-02", false)
	ctx := context.Background()
	pub.Tags, pub.TheirRef = []string{"secret-campaign"}, "THEIR-REF-9"
	if err := app.st.UpdateRequest(ctx, &pub); err != nil {
		t.Fatal(err)
	}
	note := tracker.Event{RequestID: pub.ID, Kind: tracker.EventNote, Date: tracker.MustParseDate("2026-03-05"), Note: "internal gossip"}
	if err := app.st.AddEvent(store.WithActor(ctx, "user:admin@example.org"), &note); err != nil {
		t.Fatal(err)
	}
	slug, err := app.st.EnsurePublicSlug(ctx, pub.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, body := app.anonymous().get("/p/" + slug)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Public one", "Borsetshire County Council", "Tue 31 Mar 2026", "Please send Public one")
	for _, private := range []string{pub.Notes, "internal gossip", "secret-campaign", "THEIR-REF-9", pub.ReplyToken, "admin@example.org",
		"Private one", "/requests/", "Sign out", pub.OurRef} {
		if strings.Contains(body, private) {
			t.Errorf("the public page shows %q", private)
		}
	}
	// The slug is neither the ID nor the reply token, and a private request has none that works.
	if slug == fmt.Sprint(pub.ID) || strings.Contains(pub.ReplyToken, slug) {
		t.Errorf("public slug %q is guessable", slug)
	}
	privSlug, _ := app.st.EnsurePublicSlug(ctx, priv.ID)
	res, _ = app.anonymous().get("/p/" + privSlug)
	wantStatus(t, res, http.StatusNotFound)
	// Made private again, the page goes; made public again, it is back at the same address.
	pub.Visibility = tracker.VisibilityPrivate
	app.st.UpdateRequest(ctx, &pub)
	res, _ = app.anonymous().get("/p/" + slug)
	wantStatus(t, res, http.StatusNotFound)
	pub.Visibility = tracker.VisibilityPublic
	app.st.UpdateRequest(ctx, &pub)
	if again, _ := app.st.EnsurePublicSlug(ctx, pub.ID); again != slug {
		t.Errorf("the public address changed from %s to %s", slug, again)
	}
	res, _ = app.anonymous().get("/p/" + slug)
	wantStatus(t, res, http.StatusOK)
}

func TestDocumentsUploadAndDownload(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Grit bins", a.ID, "2026-03-02", false)
	c := app.login("editor@example.org")
	path := fmt.Sprintf("/requests/%d/documents", r.ID)

	// An HTML file with a path in its name: stored by hash, named by its last element.
	html := []byte("<html><script>alert(document.cookie)</script></html>")
	res, _ := c.postMultipart(path, url.Values{"disposition": {"released_redacted"}, "exemptions": {"s40(2), s43(2)"}, "description": {"Annex A"}},
		"../../etc/annex.html", "text/html", html)
	wantStatus(t, res, http.StatusSeeOther)
	docs, _ := app.st.Documents(context.Background(), store.DocumentFilter{RequestID: r.ID})
	if len(docs) != 1 || docs[0].Filename != "annex.html" || strings.Join(docs[0].Exemptions, ",") != "s40(2),s43(2)" {
		t.Fatalf("documents = %+v", docs)
	}
	d := docs[0]
	res, body := c.get(fmt.Sprintf("/documents/%d/download", d.ID))
	wantStatus(t, res, http.StatusOK)
	if body != string(html) {
		t.Fatalf("downloaded %q", body)
	}
	h := res.Header
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want the document's own type", ct)
	}
	if cd := h.Get("Content-Disposition"); cd != `attachment; filename=annex.html` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download headers %v", h)
	}
	// The page shows the hash and the disposition; an editor can change it.
	_, body = c.get(fmt.Sprintf("/documents/%d", d.ID))
	wantContains(t, body, d.SHA256, "Released with redactions", "Annex A")
	res, _ = c.postForm(fmt.Sprintf("/documents/%d", d.ID), url.Values{"disposition": {"withheld"}, "exemptions": {"s31(1)(a)"}})
	wantStatus(t, res, http.StatusSeeOther)
	res, body = c.postForm(fmt.Sprintf("/documents/%d", d.ID), url.Values{"disposition": {"shredded"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "disposition must be")
	// A withheld document with no file.
	res, _ = c.postMultipart(path, url.Values{"disposition": {"withheld"}, "description": {"Board minutes"}, "exemptions": {"s36(2)(b)(i)"}}, "", "", nil)
	wantStatus(t, res, http.StatusSeeOther)
	docs, _ = app.st.Documents(context.Background(), store.DocumentFilter{RequestID: r.ID})
	res, _ = c.get(fmt.Sprintf("/documents/%d/download", docs[0].ID))
	wantStatus(t, res, http.StatusNotFound)
	// A released document needs its file: refused with a message, nothing stored.
	res, body = c.postMultipart(path, url.Values{"disposition": {"released"}}, "", "", nil)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "needs its file")
}

func TestAuthorityImportFromThePage(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	c := app.login("editor@example.org")
	good, err := os.ReadFile("testdata/authorities-wdtk.csv")
	if err != nil {
		t.Fatal(err)
	}
	// A broken file: each bad row named, nothing imported.
	bad := string(good) + ",,no_name,,,,,,,,\nToo,few,fields\n"
	res, body := c.postMultipart("/authorities/import", nil, "bad.csv", "text/csv", []byte(bad))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "nothing imported", "row 6", "row 7")
	if n, _ := app.st.CountAuthorities(context.Background()); n != 0 {
		t.Fatalf("%d authorities imported from a bad file", n)
	}
	res, _ = c.postMultipart("/authorities/import", nil, "wdtk.csv", "text/csv", good)
	wantStatus(t, res, http.StatusSeeOther)
	_, body = c.get("/authorities")
	wantContains(t, body, "Imported 4 authorities: 4 new, 0 updated", "Borsetshire County Council", "Scotland")
	// Again, by pasting: the same rows are matched, and change nothing.
	res, _ = c.postForm("/authorities/import", url.Values{"csv": {string(good)}})
	wantStatus(t, res, http.StatusSeeOther)
	_, body = c.get("/authorities")
	wantContains(t, body, "0 new, 0 updated, 4 unchanged")
	// Nothing chosen.
	res, body = c.postForm("/authorities/import", url.Values{})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "Choose a CSV file")
}

func TestRequestListFiltersAndCSVExport(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", store.RoleViewer)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	b := app.authority("Felpersham City Council", tracker.JurisdictionScotland)
	app.request("Overdue one", a.ID, "2026-01-05", false) // due Mon 2 Feb 2026
	app.request("=HYPERLINK(\"http://evil\")", a.ID, "2026-03-02", false)
	app.request("Scottish one", b.ID, "2026-03-02", false)
	app.request("A draft", b.ID, "", false)
	c := app.login("viewer@example.org")

	cases := []struct {
		query   string
		want    []string
		notWant []string
	}{
		{"", []string{"Overdue one", "Scottish one", "A draft"}, nil},
		{"?overdue=1", []string{"Overdue one", "long overdue"}, []string{"Scottish one", "A draft"}},
		{"?status=draft", []string{"A draft"}, []string{"Overdue one"}},
		{fmt.Sprintf("?authority=%d", b.ID), []string{"Scottish one", "A draft"}, []string{"Overdue one"}},
		{"?law=scot-foisa", []string{"Scottish one"}, []string{"Overdue one"}},
		{"?q=scottish", []string{"Scottish one"}, []string{"Overdue one"}},
	}
	for _, tc := range cases {
		res, body := c.get("/requests" + tc.query)
		wantStatus(t, res, http.StatusOK)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("/requests%s does not show %q", tc.query, w)
			}
		}
		table := body[strings.Index(body, "<table"):]
		for _, w := range tc.notWant {
			if strings.Contains(table, w) {
				t.Errorf("/requests%s shows %q", tc.query, w)
			}
		}
	}

	// The authority filter: every authority with requests offered (they
	// are few), the one filtered by shown, names escaped; one with its
	// first request since the last view is there too.
	_, body := c.get(fmt.Sprintf("/requests?authority=%d", b.ID))
	wantContains(t, body, `<option value="Borsetshire County Council">`, `<option value="Felpersham City Council">`,
		`name="authority_name" value="Felpersham City Council"`)
	odd := app.authority(`Ambridge & <Loxley> "Parish" Council`, tracker.JurisdictionEngland)
	app.request("Parish one", odd.ID, "2026-03-02", false)
	_, body = c.get("/requests")
	wantContains(t, body, `<option value="Ambridge &amp; &lt;Loxley&gt; &#34;Parish&#34; Council">`, `name="authority_name" value=""`)

	res, body := c.get("/requests/export.csv")
	wantStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV headers %v", res.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][9] != "Due" || rows[0][10] != "Standing" {
		t.Fatalf("CSV = %v", rows)
	}
	found := map[string][]string{}
	for _, r := range rows[1:] {
		found[r[3]] = r
	}
	if r := found["Overdue one"]; r == nil || r[9] != "2026-02-02" || r[10] != "long_overdue" || r[6] != "awaiting_response" {
		t.Errorf("overdue row = %v", r)
	}
	if r := found["Scottish one"]; r == nil || r[5] != "scot-foisa" || r[9] == "" {
		t.Errorf("Scottish row = %v", r)
	}
	if _, ok := found[`'=HYPERLINK("http://evil")`]; !ok {
		t.Errorf("a formula in a title is not defused: %v", found)
	}
}

func TestAPI(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", store.RoleViewer)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Grit bins", a.ID, "2026-03-02", false)

	// Tokens are made on the settings page and shown once.
	token := func(email string) string {
		c := app.login(email)
		res, body := c.postForm("/settings/tokens", url.Values{"name": {"script"}})
		wantStatus(t, res, http.StatusOK)
		m := regexp.MustCompile(`<code class="secret">(foit_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no token on the page")
		}
		_, again := c.get("/settings")
		if strings.Contains(again, m[1]) {
			t.Fatal("the token is shown again")
		}
		return m[1]
	}
	viewer, editor := token("viewer@example.org"), token("editor@example.org")
	var stored int
	app.st.Reader().QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = ? OR prefix = ?`, viewer, viewer).Scan(&stored)
	if stored != 0 {
		t.Fatal("an API token is stored in clear")
	}

	// No token, a bad token, a session cookie instead of a token: 401 JSON.
	for _, tok := range []string{"", "foit_nonsense", "Basic abc"} {
		res, body := app.api(http.MethodGet, "/api/v1/requests", tok, "")
		wantStatus(t, res, http.StatusUnauthorized)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"error"`) {
			t.Errorf("401 with token %q: %s %s", tok, res.Header.Get("Content-Type"), body)
		}
	}
	c := app.login("viewer@example.org")
	res, _ := c.get("/api/v1/requests")
	wantStatus(t, res, http.StatusUnauthorized)

	res, body := app.api(http.MethodGet, "/api/v1/requests", viewer, "")
	wantStatus(t, res, http.StatusOK)
	var list struct {
		Requests []struct {
			ID       int64            `json:"id"`
			Title    string           `json:"title"`
			Due      string           `json:"due"`
			Standing tracker.Standing `json:"standing"`
		} `json:"requests"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Requests) != 1 || list.Requests[0].Due != "2026-03-31" || list.Requests[0].Standing.Code != tracker.StandingOnTime {
		t.Fatalf("requests = %s", body)
	}
	res, body = app.api(http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", r.ID), viewer, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `"explanation"`, "St Patrick", `"events"`)
	res, body = app.api(http.MethodGet, "/api/v1/authorities?q=borset", viewer, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Borsetshire County Council")

	// Recording an event: a viewer may not (403), an editor may (201), bad input is 422 with a message.
	event := `{"kind":"response_received","date":"2026-03-20","outcome":"refused","exemptions":["s31(1)(a)"]}`
	res, body = app.api(http.MethodPost, fmt.Sprintf("/api/v1/requests/%d/events", r.ID), viewer, event)
	wantStatus(t, res, http.StatusForbidden)
	wantContains(t, body, `"error"`)
	res, body = app.api(http.MethodPost, fmt.Sprintf("/api/v1/requests/%d/events", r.ID), editor, `{"kind":"response_received","date":"2026-03-20"}`)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "needs an outcome")
	res, body = app.api(http.MethodPost, fmt.Sprintf("/api/v1/requests/%d/events", r.ID), editor, `{"kind":`)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	res, body = app.api(http.MethodPost, fmt.Sprintf("/api/v1/requests/%d/events", r.ID), editor, event)
	wantStatus(t, res, http.StatusCreated)
	wantContains(t, body, `"status":"answered"`, `"review_ask_by"`)
	res, body = app.api(http.MethodGet, fmt.Sprintf("/api/v1/requests/%d/events", r.ID), viewer, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `"s31(1)(a)"`)
	// Creating a request.
	res, body = app.api(http.MethodPost, "/api/v1/requests", editor, fmt.Sprintf(`{"title":"From the API","authority_id":%d,"sent_on":"2026-03-02"}`, a.ID))
	wantStatus(t, res, http.StatusCreated)
	wantContains(t, body, `"due":"2026-03-31"`)
	res, body = app.api(http.MethodPost, "/api/v1/requests", editor, `{"title":""}`)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, `"fields"`, "title")

	// Documents.
	d := tracker.Document{RequestID: r.ID, Filename: "reply.pdf", Disposition: tracker.DispositionReleased}
	if err := app.st.AddDocument(context.Background(), &d, strings.NewReader("%PDF-1.4"), 0); err != nil {
		t.Fatal(err)
	}
	res, body = app.api(http.MethodGet, fmt.Sprintf("/api/v1/documents?request_id=%d", r.ID), viewer, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "reply.pdf", d.SHA256)
	res, body = app.api(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d/content", d.ID), viewer, "")
	wantStatus(t, res, http.StatusOK)
	if body != "%PDF-1.4" || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("content = %q (%s)", body, res.Header.Get("Content-Type"))
	}

	// A revoked token stops working.
	tokens, _ := app.st.APITokens(context.Background(), 1)
	if err := app.st.DeleteAPIToken(context.Background(), 1, tokens[0].ID); err != nil {
		t.Fatal(err)
	}
	res, _ = app.api(http.MethodGet, "/api/v1/requests", viewer, "")
	wantStatus(t, res, http.StatusUnauthorized)
}

func TestAccountsPages(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	c := app.login("admin@example.org")

	// An admin adds an editor, who can sign in.
	res, _ := c.postForm("/admin/users", url.Values{"email": {"New@Example.org"}, "name": {"Nina"}, "role": {"editor"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	nina := app.login("new@example.org")
	_, body := nina.get("/")
	wantContains(t, body, "Nina", "editor")
	res, body = c.postForm("/admin/users", url.Values{"email": {"new@example.org"}, "role": {"editor"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusConflict)
	wantContains(t, body, "has an account already")

	// Disabling her ends her session at once.
	u, _ := app.st.UserByEmail(context.Background(), "new@example.org")
	res, _ = c.postForm(fmt.Sprintf("/admin/users/%d", u.ID), url.Values{"name": {"Nina"}, "role": {"editor"}, "disabled": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	res, _ = nina.get("/")
	wantStatus(t, res, http.StatusSeeOther)
	// The last admin cannot demote themself.
	res, body = c.postForm("/admin/users/1", url.Values{"name": {"Admin"}, "role": {"viewer"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "at least one active admin")

	// Changing one's password: the current one is checked, other sessions end.
	other := app.login("admin@example.org")
	res, body = c.postForm("/settings/password", url.Values{"current_password": {"wrong"}, "new_password": {"another long password"}, "new_password_confirm": {"another long password"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "not your current password")
	res, _ = c.postForm("/settings/password", url.Values{"current_password": {testPassword}, "new_password": {"another long password"}, "new_password_confirm": {"another long password"}})
	wantStatus(t, res, http.StatusSeeOther)
	res, _ = c.get("/settings")
	wantStatus(t, res, http.StatusOK)
	res, _ = other.get("/settings")
	wantStatus(t, res, http.StatusSeeOther)
}

// TestAuthorityPickerScales: with more authorities than a list can hold
// (WhatDoTheyKnow has ~47,000), the request form searches instead.
func TestAuthorityPickerScales(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	var list []tracker.Authority
	for i := 0; i <= maxAuthorityOptions; i++ {
		list = append(list, tracker.Authority{Name: fmt.Sprintf("Parish Council %04d", i), URLName: fmt.Sprintf("parish_%04d", i)})
	}
	list = append(list, tracker.Authority{Name: "Borsetshire County Council", URLName: "borsetshire"})
	if _, err := app.st.ImportAuthorities(context.Background(), list); err != nil {
		t.Fatal(err)
	}
	c := app.login("editor@example.org")
	res, body := c.get("/requests/new")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `name="authority_q"`, "Search above to find the authority")
	if strings.Contains(body, "Parish Council 0001") {
		t.Fatal("the form lists every authority")
	}
	_, body = c.get("/requests/new?authority_q=borsetshire")
	wantContains(t, body, `type="radio" name="authority_id"`, "Borsetshire County Council")
	if strings.Contains(body, "Parish Council") {
		t.Error("the search shows authorities that do not match")
	}
}
