package server

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// searchFixture: a public and a private request, a reply filed on the
// private one, documents with text, a timeline event with a word only in
// its body.
func searchFixture(t *testing.T) (*testApp, tracker.Request, tracker.Request) {
	app := newTestApp(t)
	ctx := context.Background()
	app.user("ed@example.org", store.RoleEditor)
	app.user("vi@example.org", store.RoleViewer)
	a := app.authority("Kent Police", tracker.JurisdictionEngland)
	pub := app.request("Public cameras", a.ID, "2026-03-02", true)
	priv := app.request("Private zanzibar inquiry", a.ID, "2026-03-02", false)
	raw := "Message-ID: <r1@kent>\r\n\r\nx\r\n"
	sum, size, _ := app.st.WriteBlob(strings.NewReader(raw), 0)
	m := store.MailMessage{RawSHA256: sum, RawSize: size, MessageID: "r1@kent", Mailbox: "INBOX", UIDValidity: 1, UID: 1}
	err := app.st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertIncomingMail(&m); err != nil {
			return err
		}
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailMatched, RequestID: priv.ID, Subject: "Your request",
			TextBody: "We hold the <b>xylophone</b> register."})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		req     int64
		name    string
		text    string
		publish bool
	}{{pub.ID, "released.txt", "the quetzal report", true}, {pub.ID, "unpublished.txt", "the marmoset memo", false}} {
		doc := tracker.Document{RequestID: d.req, Filename: d.name, Disposition: tracker.DispositionReleased}
		if err := app.st.AddDocument(ctx, &doc, strings.NewReader(d.text), 0); err != nil {
			t.Fatal(err)
		}
		if d.publish {
			if err := app.st.SetDocumentPublished(ctx, doc.ID, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := app.st.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil {
		t.Fatal(err)
	}
	ev, err := timeline.ParseMarkdown("e.md", []byte("---\nid: 2026-03-30--e\ndate: '2026-03-30'\ntitle: Contract signed\n---\nThe ImmigrationOS platform.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := app.st.SaveTimelineEvent(ctx, &store.TimelineEvent{Event: ev}); err != nil {
		t.Fatal(err)
	}
	return app, pub, priv
}

func TestSearchPageAndListSearchBoxes(t *testing.T) {
	app, pub, priv := searchFixture(t)
	viewer := app.login("vi@example.org")
	_, body := viewer.get("/search?q=" + url.QueryEscape("xylophone"))
	wantContains(t, body, `href="/mail/1"`, "<mark>xylophone</mark>", "1 found")
	if strings.Contains(body, "<b>xylophone") {
		t.Fatal("a snippet's markup was not escaped")
	}
	// A viewer reads everything, the private request too.
	_, body = viewer.get("/search?q=zanzibar")
	wantContains(t, body, `href="/requests/`+itoaID(priv.ID)+`"`)
	// The request list finds a request by a word in its reply; documents
	// by their text; mail and timeline events by their bodies.
	_, body = viewer.get("/requests?q=xylophone")
	wantContains(t, body, "Private zanzibar inquiry")
	if strings.Contains(body, "Public cameras") {
		t.Fatal("request list search listed a request without the word")
	}
	_, body = viewer.get("/documents?q=marmoset")
	wantContains(t, body, "unpublished.txt")
	if strings.Contains(body, "released.txt") {
		t.Fatal("document search listed a document without the word")
	}
	_, body = viewer.get("/mail?q=xylophone")
	wantContains(t, body, "Your request")
	_, body = viewer.get("/mail?q=nothingsuch")
	if strings.Contains(body, "Your request") {
		t.Fatal("mail search listed a message without the word")
	}
	_, body = viewer.get("/timeline?q=immigrationos")
	wantContains(t, body, "Contract signed")
	_, body = viewer.get("/timeline?q=nothingsuch")
	if strings.Contains(body, "Contract signed") {
		t.Fatal("timeline search listed an event without the word")
	}
	// Hostile queries are pages, not errors.
	for _, q := range []string{`"`, `NEAR(`, `a:b:c`, `-`, `{title}:x`, "\x00", `*`, `authority:"`, strings.Repeat("x ", 3000)} {
		for _, path := range []string{"/search", "/requests", "/documents", "/mail", "/timeline", "/p/search"} {
			res, _ := viewer.get(path + "?q=" + url.QueryEscape(q))
			wantStatus(t, res, http.StatusOK)
		}
	}
	_ = pub
}

// The request list searched by words counts the requests found up to a
// bound ("of more than"), and pages through all of them by cursor.
func TestRequestListSearchCountsUpToABound(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	if _, err := seed.Run(ctx, app.st, seed.Options{Requests: 160, Messages: 320, Seed: 2, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	want, err := app.st.CountRequests(ctx, store.RequestFilter{Query: "information"})
	if err != nil {
		t.Fatal(err)
	}
	if want <= pageSize {
		t.Fatalf("information finds %d requests: not more than a page", want)
	}
	c := app.login("admin@example.org")
	_, body := c.get("/requests?q=information")
	wantContains(t, body, fmt.Sprintf("Showing 1–%d of %d", pageSize, want))
	old := requestCountBound
	requestCountBound = 10
	t.Cleanup(func() { requestCountBound = old })
	_, body = c.get("/requests?q=information")
	wantContains(t, body, fmt.Sprintf("Showing 1–%d of more than 10", pageSize))
	// Every request found, page after page.
	seen := 0
	path := "/requests?q=information"
	for path != "" {
		_, body = c.get(path)
		seen += strings.Count(body, `class="rowtitle"`)
		path = ""
		if m := regexp.MustCompile(`href="(/requests\?[^"]*after=[^"]*)"`).FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	if seen != want {
		t.Fatalf("the pages listed %d requests, the count is %d", seen, want)
	}
}

func itoaID(id int64) string { b, _ := json.Marshal(id); return string(b) }

func TestPublicSearchShowsOnlyPublicThings(t *testing.T) {
	app, pub, _ := searchFixture(t)
	anon := app.anonymous()
	// The signed-in search is not for visitors.
	res, _ := anon.get("/search?q=zanzibar")
	if res.StatusCode == http.StatusOK {
		t.Fatal("a visitor used the signed-in search")
	}
	res, _ = anon.get("/api/v1/search?q=zanzibar")
	if res.StatusCode == http.StatusOK {
		t.Fatal("a visitor used the search API")
	}
	for _, secret := range []string{"zanzibar", "xylophone", "marmoset", "immigrationos", "private note", pub.OurRef} {
		res, body := anon.get("/p/search?q=" + url.QueryEscape(secret))
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(body, "Nothing found") || strings.Contains(body, `class="card search-hit"`) {
			t.Errorf("public search for %q found something", secret)
		}
	}
	slug, _ := app.st.PublicSlug(context.Background(), pub.ID)
	_, body := anon.get("/p/search?q=quetzal")
	wantContains(t, body, `href="/p/`+slug+`/documents/`, "<mark>quetzal</mark>")
	_, body = anon.get("/p/search?q=cameras")
	wantContains(t, body, `href="/p/`+slug+`"`)
	if strings.Contains(body, "Sign out") || strings.Contains(body, "/requests/") {
		t.Fatal("the public search page shows the app's navigation or private links")
	}
}

func TestSearchAPI(t *testing.T) {
	app, _, priv := searchFixture(t)
	tok, _, err := app.st.CreateAPIToken(context.Background(), 2, "t")
	if err != nil {
		t.Fatal(err)
	}
	res, body := app.api("GET", "/api/v1/search?q=zanzibar", tok, "")
	wantStatus(t, res, http.StatusOK)
	var got struct {
		Hits []struct {
			Kind    string `json:"kind"`
			ID      int64  `json:"id"`
			Title   string `json:"title"`
			Snippet string `json:"snippet"`
			Link    string `json:"link"`
		} `json:"hits"`
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Total != 1 || got.Hits[0].Kind != "request" || got.Hits[0].ID != priv.ID || got.Hits[0].Link != "http://foitrack.test/requests/"+itoaID(priv.ID) {
		t.Fatalf("API search = %s", body)
	}
	_, body = app.api("GET", "/api/v1/search?q=nothingsuch", tok, "")
	if !strings.Contains(body, `"hits":[]`) {
		t.Fatalf("empty API result %s", body)
	}
}

func TestDocumentPageShowsTextStateAndReextracts(t *testing.T) {
	app, _, _ := searchFixture(t)
	ed := app.login("ed@example.org")
	_, body := ed.get("/documents/1")
	wantContains(t, body, "text extracted and searchable", "the quetzal report", "Read the text again")
	res, _ := ed.postForm("/documents/1/reextract", url.Values{})
	wantStatus(t, res, http.StatusSeeOther)
	txt, _ := app.st.DocumentTextByID(context.Background(), 1)
	if txt.State != extract.StatePending {
		t.Fatalf("after re-extract the state is %q", txt.State)
	}
	viewer := app.login("vi@example.org")
	res, _ = viewer.postForm("/documents/1/reextract", url.Values{})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a viewer re-extracted: %d", res.StatusCode)
	}
}

// A search that finds more than its bound says so, newest first, the same
// way signed in and in public: "More than 200 found", pages of them up to
// the 200th, none after. (The bound was 2,000: counting that far walked
// 2,001 matches newest first, most of a common word's search at a million
// requests, only to print the number.)
func TestSearchCountsUpTo200(t *testing.T) {
	app := newTestApp(t)
	app.user("vi@example.org", store.RoleViewer)
	a := app.authority("Kent Police", tracker.JurisdictionEngland)
	const made = 205
	for i := 1; i <= made; i++ {
		app.request(fmt.Sprintf("Wombat crossing %d", i), a.ID, "2026-03-02", true)
	}
	title := func(n int) string { return fmt.Sprintf(">Wombat crossing %d</a>", n) }
	last := 200 / pageSize
	for _, c := range []struct {
		who  *client
		path string
	}{{app.login("vi@example.org"), "/search"}, {app.anonymous(), "/p/search"}} {
		_, body := c.who.get(c.path + "?q=wombat")
		wantContains(t, body, "More than 200 found: the newest 200", fmt.Sprintf("Showing 1–%d of more than 200", pageSize),
			title(made), title(made-pageSize+1))
		if strings.Contains(body, title(made-pageSize)) {
			t.Errorf("%s: the first page shows more than its %d", c.path, pageSize)
		}
		_, body = c.who.get(c.path + fmt.Sprintf("?q=wombat&page=%d", last))
		wantContains(t, body, fmt.Sprintf("Showing %d–200 of more than 200", 200-pageSize+1), title(made-199))
		if strings.Contains(body, title(made-200)) || strings.Contains(body, fmt.Sprintf("page=%d", last+1)) {
			t.Errorf("%s: a hit after the 200th is shown or offered", c.path)
		}
	}
}
