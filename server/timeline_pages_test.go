package server

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// timelineApp is a test app with the provenance trail of provtest: a public
// request to the Met, our mail, a DKIM-signed reply with a PDF, an event the
// PDF is linked to as released and a withheld document as withheld.
func timelineApp(t *testing.T) (*testApp, provtest.Trail, *client) {
	t.Helper()
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	tr := provtest.Build(t, app.st)
	return app, tr, app.login("editor@example.org")
}

func TestTimelinePageAndFilters(t *testing.T) {
	_, tr, c := timelineApp(t)
	res, body := c.get("/timeline")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Met discloses LFR deployment records but withholds watchlist criteria",
		"Live facial recognition watchlists", "LFR deployment record.pdf",
		"Metropolitan Police Service withheld this under s31(1)(a)", fmt.Sprintf(`href="/timeline/events/%d"`, tr.EventID),
		"Mon 30 Mar 2026") // a whole day, written like the app's other dates
	for q, shown := range map[string]bool{
		"tag=foi": true, "tag=palantir": false, "actor=Metropolitan+Police+Service": true, "actor=Someone": false,
		"importance=7": true, "importance=8": false, "from=2026-03": true, "from=2026-04": false, "to=2026-03-29": false,
		"to=2026": true, "q=watchlist": true, "q=nothing+like+it": false,
	} {
		_, body := c.get("/timeline?" + q)
		if got := strings.Contains(body, `id="event-`); got != shown {
			t.Errorf("/timeline?%s: event shown = %v, want %v", q, got, shown)
		}
	}
}

func TestTimelineEventPageShowsLinks(t *testing.T) {
	_, tr, c := timelineApp(t)
	res, body := c.get(fmt.Sprintf("/timeline/events/%d", tr.EventID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body,
		"What it rests on", "LFR deployment record.pdf", "LFR watchlist criteria",
		"Live facial recognition watchlists", "Metropolitan Police Service", "uk-foia"[:0]+"FOIA",
		"sent Mon 2 Mar 2026", "received Mon 30 Mar 2026", `<span class="exemption">s31(1)(a)</span>`,
		"<strong>Withheld:</strong> LFR watchlist criteria — Metropolitan Police Service withheld this under s31(1)(a).",
		"<p>The Met released its deployment record and refused the watchlist criteria.</p>",
		"withheld:\n- title: LFR watchlist criteria", // the file as exported
		fmt.Sprintf(`href="/timeline/events/%d/bundle.zip"`, tr.EventID), "Download public evidence bundle", "What is inside the public bundle",
		"1 published document file"[:0]+"documents by name, disposition, exemptions and sha256 only")
}

func TestRequestAndDocumentPagesShowTheirEvents(t *testing.T) {
	_, tr, c := timelineApp(t)
	for _, path := range []string{fmt.Sprintf("/requests/%d", tr.Request.ID), fmt.Sprintf("/documents/%d", tr.DocumentID)} {
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		wantContains(t, body, `id="timeline"`, "Met discloses LFR deployment records", `action="/timeline/links"`)
	}
	_, body := c.get(fmt.Sprintf("/requests/%d", tr.Request.ID))
	wantContains(t, body, fmt.Sprintf(`href="/requests/%d/bundle.zip"`, tr.Request.ID), "withheld", "Download public evidence bundle",
		"the text of 1 message from the authority")
	_, body = c.get(fmt.Sprintf("/documents/%d", tr.DocumentID))
	wantContains(t, body, fmt.Sprintf(`href="/documents/%d/provenance"`, tr.DocumentID))
}

func TestProvenancePage(t *testing.T) {
	app, tr, c := timelineApp(t)
	res, body := c.get(fmt.Sprintf("/documents/%d/provenance", tr.DocumentID))
	wantStatus(t, res, http.StatusOK)
	d, _ := app.st.DocumentByID(context.Background(), tr.DocumentID)
	m, _ := app.st.MailMessageByID(context.Background(), tr.MessageID)
	wantContains(t, body,
		"1. The request it answered", "Live facial recognition watchlists", "Metropolitan Police Service", tr.Request.OurRef,
		"2. Our message it replied to", "&lt;req-lfr@foitrack.example&gt;",
		"3. The message it came in", "&lt;foi@met.example.gov.uk&gt;", "Mon, 30 Mar 2026 14:02:00 &#43;0100",
		"&lt;reply-012345@met.example.gov.uk&gt;", "from mx1.met.example.gov.uk", "from exch01.met.example.gov.uk",
		"d=met.example.gov.uk s=foi2026", ">pass<", "mailbox INBOX · UIDVALIDITY 1711 · UID 42", "30 Mar 2026 13:05", m.RawSHA256,
		"4. The document", "LFR deployment record.pdf", "application/pdf", d.SHA256, fmt.Sprintf("(%d bytes)", len(provtest.PDF)),
		"5. The events it supports", "Met discloses LFR deployment records",
		"Audit trail", "create document", "fetch mail_message", "link event_link")
}

func TestTimelineEventFormCreatesEditsAndRefuses(t *testing.T) {
	app, tr, c := timelineApp(t)
	res, _ := c.postForm("/timeline", url.Values{"date": {"2026-04-02"}, "title": {"ICO complaint lodged"}, "importance": {"5"},
		"tags": {"ico, complaint"}, "actors": {"Information Commissioner's Office\r\nCampaigners"}, "body": {"We complained.\r\n\r\nSecond paragraph."},
		"sources": {"- url: https://example.org/complaint\n  title: Our complaint\n  tier: 1\n"}, "extra": {"location: London\n"}})
	wantStatus(t, res, http.StatusSeeOther)
	te, err := app.st.TimelineEventBySlug(context.Background(), "2026-04-02--ico-complaint-lodged")
	if err != nil {
		t.Fatal(err)
	}
	_, md := te.Event.File("")
	want := "---\nid: 2026-04-02--ico-complaint-lodged\ndate: '2026-04-02'\ntitle: ICO complaint lodged\nimportance: 5\ntags:\n- ico\n- complaint\n" +
		"actors:\n- Information Commissioner's Office\n- Campaigners\nsources:\n- url: https://example.org/complaint\n  title: Our complaint\n  tier: 1\n" +
		"location: London\n---\n\nWe complained.\n\nSecond paragraph.\n"
	if string(md) != want {
		t.Errorf("created event file:\n%s\nwant\n%s", md, want)
	}
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/timeline/events/%d", te.ID) {
		t.Errorf("redirect to %s", loc)
	}

	// The edit form shows the fields; saving only the title rewrites only its line.
	res, body := c.get(fmt.Sprintf("/timeline/events/%d/edit", te.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `value="ICO complaint lodged"`, "- url: https://example.org/complaint", "location: London")
	form := url.Values{"slug": {te.Event.ID()}, "date": {"2026-04-02"}, "title": {"ICO complaint lodged by campaigners"}, "importance": {"5"},
		"tags": {"ico, complaint"}, "actors": {"Information Commissioner's Office\nCampaigners"}, "body": {"We complained.\n\nSecond paragraph."},
		"sources": {te.Event.SourcesYAML()}, "extra": {te.Event.ExtraYAML()}}
	res, _ = c.postForm(fmt.Sprintf("/timeline/events/%d", te.ID), form)
	wantStatus(t, res, http.StatusSeeOther)
	te2, _ := app.st.TimelineEventByID(context.Background(), te.ID)
	if _, md2 := te2.Event.File(""); string(md2) != strings.Replace(want, "title: ICO complaint lodged\n", "title: ICO complaint lodged by campaigners\n", 1) {
		t.Errorf("edited file:\n%s", md2)
	}

	// Bad input: every field's message, nothing saved.
	bad := url.Values{"date": {"2026-02-30"}, "title": {""}, "importance": {"11"}, "sources": {"- just a string\n"}, "extra": {"title: no"}}
	res, body = c.postForm(fmt.Sprintf("/timeline/events/%d", te.ID), bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "a title is required", "use YYYY-MM-DD", "a number from 1 to 10", "each source is a mapping", "has its own field")
	if te3, _ := app.st.TimelineEventByID(context.Background(), te.ID); te3.Event.Title() != "ICO complaint lodged by campaigners" {
		t.Errorf("a refused form changed the event: %q", te3.Event.Title())
	}
	// A clashing id.
	form.Set("slug", "2026-03-30--met-partly-discloses-lfr-records")
	res, body = c.postForm(fmt.Sprintf("/timeline/events/%d", te.ID), form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "another event has this id")

	// Link the request's withheld document to it from the document page's form.
	res, _ = c.postForm("/timeline/links", url.Values{"target": {"document"}, "target_id": {fmt.Sprint(tr.WithheldID)},
		"event_id": {fmt.Sprint(te.ID)}, "role": {"withheld"}, "back": {fmt.Sprintf("/documents/%d", tr.WithheldID)}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/documents/%d", tr.WithheldID) {
		t.Errorf("back to %s", loc)
	}
	_, body = c.get(fmt.Sprintf("/timeline/events/%d", te.ID))
	wantContains(t, body, "Linked as withheld under s31(1)(a).", "LFR watchlist criteria")
	// An off-site "back" is not followed.
	res, _ = c.postForm("/timeline/links", url.Values{"target": {"request"}, "target_id": {fmt.Sprint(tr.Request.ID)},
		"event_id": {fmt.Sprint(te.ID)}, "role": {"context"}, "back": {"//evil.example/"}})
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/timeline/events/%d", te.ID) {
		t.Errorf("off-site back followed: %s", loc)
	}
	if _, p, _ := app.st.VerifyRows(context.Background()); len(p) > 0 {
		t.Errorf("the web app changed rows without audit entries: %v", p)
	}
}

func TestBundleDownloadsVerify(t *testing.T) {
	_, tr, c := timelineApp(t)
	for _, path := range []string{fmt.Sprintf("/timeline/events/%d/bundle.zip", tr.EventID), fmt.Sprintf("/requests/%d/bundle.zip", tr.Request.ID)} {
		for _, kind := range []string{"", evidence.Public, evidence.Confidential} {
			url := path
			if kind != "" {
				url += "?kind=" + kind
			}
			res, body := c.get(url)
			wantStatus(t, res, http.StatusOK)
			named := "-public-evidence.zip"
			if kind == evidence.Confidential {
				named = "-CONFIDENTIAL-evidence.zip"
			}
			if res.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
				!strings.Contains(res.Header.Get("Content-Disposition"), named) {
				t.Errorf("%s: headers %v", url, res.Header)
			}
			if _, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body))); err != nil {
				t.Fatalf("%s: not a zip: %v", url, err)
			}
			p := filepath.Join(t.TempDir(), "b.zip")
			os.WriteFile(p, []byte(body), 0o644)
			r, err := evidence.Verify(p)
			if err != nil || !r.OK() {
				t.Fatalf("%s does not verify: %v %+v", url, err, r)
			}
			// Only the confidential bundle has the raw, signed mail to re-verify.
			if kind == evidence.Confidential && (len(r.DKIM) != 1 || r.DKIM[0].Now != "pass") || kind != evidence.Confidential && len(r.DKIM) != 0 {
				t.Errorf("%s: DKIM re-verified: %+v", url, r.DKIM)
			}
			if want := map[bool]string{true: evidence.Confidential, false: evidence.Public}[kind == evidence.Confidential]; r.Manifest.Kind != want {
				t.Errorf("%s: kind %q", url, r.Manifest.Kind)
			}
			if !strings.Contains(r.Manifest.Events[0].Path, "2026-03-30--met-partly-discloses-lfr-records") {
				t.Errorf("events: %+v", r.Manifest.Events)
			}
		}
		res, _ := c.get(path + "?kind=everything")
		wantStatus(t, res, http.StatusUnprocessableEntity)
	}
}

func TestTimelineExportsAndAuditPage(t *testing.T) {
	app, tr, c := timelineApp(t)
	_, body := c.get("/timeline.json?tag=foi")
	var events []map[string]any
	if err := json.Unmarshal([]byte(body), &events); err != nil || len(events) != 1 {
		t.Fatalf("timeline.json: %v %s", err, body)
	}
	src, _ := events[0]["sources"].([]any)
	if len(src) != 1 || src[0].(map[string]any)["url"] != "http://foitrack.test/p/"+tr.PublicSlug || events[0]["withheld"] == nil {
		t.Errorf("exported event: %v", events[0])
	}
	_, body = c.get("/timeline/timelinejs.json")
	var tjs struct {
		Events []struct {
			StartDate struct{ Year, Month, Day string } `json:"start_date"`
			Text      struct{ Headline, Text string }
		}
	}
	if err := json.Unmarshal([]byte(body), &tjs); err != nil || len(tjs.Events) != 1 || tjs.Events[0].StartDate.Day != "30" ||
		!strings.Contains(tjs.Events[0].Text.Text, "withheld this under s31(1)(a)") {
		t.Errorf("TimelineJS: %v %s", err, body)
	}

	head, id, _ := app.st.AuditHead(context.Background())
	res, body := c.get("/audit")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, head, fmt.Sprintf("audit head #%d %s", id, head[:16]))
	_, body = c.get("/timeline")
	wantContains(t, body, fmt.Sprintf("audit head #%d %s", id, head[:16])) // in every page's footer

	res, body = c.postForm("/audit/verify", nil)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Intact:")
	db, err := sql.Open("sqlite", "file:"+app.st.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE documents SET disposition = 'withheld' WHERE id = ?`, tr.DocumentID); err != nil {
		t.Fatal(err)
	}
	_, body = c.postForm("/audit/verify", nil)
	wantContains(t, body, fmt.Sprintf(`First broken link: documents row %d: disposition is &#34;withheld&#34;, but audit entry`, tr.DocumentID))
}

// A message page lists the events the message is linked to, and links it
// to another from there, coming back to the message.
func TestMessagePageShowsAndLinksEvents(t *testing.T) {
	app, tr, c := timelineApp(t)
	msgPath := fmt.Sprintf("/mail/%d", tr.MessageID)
	res, body := c.get(msgPath)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `id="timeline"`, "Not linked to any timeline event yet.", `name="target" value="message"`,
		fmt.Sprintf(`name="back" value="%s"`, msgPath))
	res, _ = c.postForm("/timeline/links", url.Values{"target": {"message"}, "target_id": {fmt.Sprint(tr.MessageID)},
		"back": {msgPath}, "event_id": {fmt.Sprint(tr.EventID)}, "role": {"context"}, "tier": {"2"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != msgPath {
		t.Errorf("after linking, back to %q, want %q", loc, msgPath)
	}
	links, err := app.st.EventLinkDetails(context.Background(), store.LinkFilter{MessageID: tr.MessageID})
	if err != nil || len(links) != 1 || links[0].EventID != tr.EventID || links[0].Role != "context" {
		t.Fatalf("message links = %+v, %v", links, err)
	}
	_, body = c.get(msgPath)
	wantContains(t, body, fmt.Sprintf(`href="/timeline/events/%d"`, tr.EventID), "Met discloses LFR deployment records", ">context<")
	if strings.Contains(body, "Not linked to any timeline event yet.") {
		t.Error("the message page still says it is not linked")
	}
}

// The event page offers documents and requests by name, each choice naming
// its kind, so a request's number is never taken for a document's.
func TestEventPageLinksByName(t *testing.T) {
	app, tr, c := timelineApp(t)
	te, err := app.st.TimelineEventByID(context.Background(), tr.EventID)
	if err != nil {
		t.Fatal(err)
	}
	// A second event to link things to.
	res, _ := c.postForm("/timeline", url.Values{"date": {"2026-04-20"}, "title": {"ICO opens an investigation"}})
	wantStatus(t, res, http.StatusSeeOther)
	page := res.Header.Get("Location")
	_, body := c.get(page)
	doc := fmt.Sprintf(`value="document:%d"`, tr.DocumentID)
	req := fmt.Sprintf(`value="request:%d"`, tr.Request.ID)
	wantContains(t, body, `name="target_ref"`, doc, "LFR deployment record.pdf", req, "Live facial recognition watchlists")
	res, _ = c.postForm("/timeline/links", url.Values{"event_id": {strings.TrimPrefix(page, "/timeline/events/")},
		"target_ref": {fmt.Sprintf("request:%d", tr.Request.ID)}, "role": {"context"}, "tier": {"2"}})
	wantStatus(t, res, http.StatusSeeOther)
	links, err := app.st.EventLinkDetails(context.Background(), store.LinkFilter{RequestID: tr.Request.ID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range links {
		if l.EventID != te.ID && l.RequestID == tr.Request.ID && l.DocumentID == 0 && l.Role == "context" {
			found = true
		}
	}
	if !found {
		t.Errorf("the request was not linked as a whole: %+v", links)
	}
	// A viewer sees no form.
	app.user("viewer@example.org", store.RoleViewer)
	_, body = app.login("viewer@example.org").get(page)
	if strings.Contains(body, `name="target_ref"`) {
		t.Error("a viewer is offered the link form")
	}
}

// The latest checkpoint is served to anyone and opens with the verifier
// key the /audit page shows; before the first there is none.
func TestAuditCheckpointIsPublic(t *testing.T) {
	app, tr, c := timelineApp(t)
	anon := app.anonymous()
	res, _ := anon.get("/audit/checkpoint")
	wantStatus(t, res, http.StatusNotFound)
	cp, err := app.st.SignCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res, body := anon.get("/audit/checkpoint")
	wantStatus(t, res, http.StatusOK)
	if body != cp.Note || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("checkpoint served: %q %v", body, res.Header)
	}
	_, page := c.get("/audit")
	m := regexp.MustCompile(`id="verifier-key">([^<]+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("/audit shows no verifier key:\n%s", page)
	}
	if got, err := store.OpenCheckpoint([]byte(body), html.UnescapeString(m[1])); err != nil || got.Size != cp.Size {
		t.Fatalf("served checkpoint does not open with the key on /audit: %v", err)
	}
	wantContains(t, page, fmt.Sprintf("Latest checkpoint: %d entries", cp.Size))
	// The public page of a request gives the key too, for readers outside.
	_, pub := anon.get("/p/" + tr.PublicSlug)
	wantContains(t, pub, m[1], `href="/audit/checkpoint"`)
}

// A page's link form offers the newest maxPanelEvents events (all of them
// made a message's page megabytes long at scale), and takes an older one by
// its number.
func TestTimelinePanelOffersTheNewestEventsAndTakesAnyByNumber(t *testing.T) {
	app, tr, c := timelineApp(t)
	ctx := context.Background()
	for i := 0; i < maxPanelEvents+1; i++ {
		ev, err := timeline.ParseMarkdown("e.md", []byte(fmt.Sprintf("---\nid: 2025-01-01--filler-%03d\ndate: '2025-01-01'\ntitle: Filler %03d\n---\n", i, i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := app.st.SaveTimelineEvent(ctx, &store.TimelineEvent{Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	docPath := fmt.Sprintf("/documents/%d", tr.DocumentID)
	res, body := c.get(docPath)
	wantStatus(t, res, http.StatusOK)
	offered := regexp.MustCompile(`(?s)<datalist id="tl_events">(.*?)</datalist>`).FindStringSubmatch(body)
	if offered == nil || strings.Count(offered[1], "<option") != maxPanelEvents {
		t.Fatalf("the link form does not offer %d events: %v", maxPanelEvents, offered)
	}
	wantContains(t, body, "an older one by its number")
	// The oldest event, not offered, by its number.
	var oldest int64
	if err := app.st.Reader().QueryRowContext(ctx, `SELECT id FROM timeline_events ORDER BY date, slug LIMIT 1`).Scan(&oldest); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(offered[1], fmt.Sprintf(`value="%d"`, oldest)) {
		t.Fatalf("the oldest event %d is offered", oldest)
	}
	res, _ = c.postForm("/timeline/links", url.Values{"target": {"document"}, "target_id": {fmt.Sprint(tr.DocumentID)},
		"back": {docPath}, "event_id": {fmt.Sprint(oldest)}, "role": {"context"}, "tier": {"2"}})
	wantStatus(t, res, http.StatusSeeOther)
	links, err := app.st.EventLinkDetails(ctx, store.LinkFilter{DocumentID: tr.DocumentID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range links {
		found = found || l.EventID == oldest
	}
	if !found {
		t.Errorf("the document is not linked to event %d by its number: %+v", oldest, links)
	}
}

// The event page's link form offers the newest documents and requests by
// name: read once and kept until something is written, then offered anew.
func TestEventPageKeepsLinkChoicesUntilWritten(t *testing.T) {
	app, tr, c := timelineApp(t)
	ctx := store.WithActor(context.Background(), "test")
	page := fmt.Sprintf("/timeline/events/%d", tr.EventID)
	c.get(page)
	var mu sync.Mutex
	var choices []string // queries asking for linkChoices rows
	app.st.TraceReads(func(q string, args []any) {
		for _, a := range args {
			if n, ok := a.(int); ok && n == linkChoices {
				mu.Lock()
				choices = append(choices, q)
				mu.Unlock()
			}
		}
	})
	defer app.st.TraceReads(nil)
	res, body := c.get(page)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, fmt.Sprintf(`value="document:%d"`, tr.DocumentID), fmt.Sprintf(`value="request:%d"`, tr.Request.ID))
	mu.Lock()
	if len(choices) > 0 {
		t.Errorf("nothing was written, yet the page read the link choices again: %q", choices)
	}
	mu.Unlock()
	r := tracker.Request{Title: "Drone flights over protests", Body: "Please send the flight logs.", AuthorityID: tr.Authority.ID}
	if err := app.st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-04-01")); err != nil {
		t.Fatal(err)
	}
	_, body = c.get(page)
	wantContains(t, body, fmt.Sprintf(`value="request:%d"`, r.ID), "Drone flights over protests")
}

// The timeline lists events from the columns derived from their front
// matter on each write, without reading (and parsing) the front matter, and
// their links without what only an event page shows (mail dates, public
// pages); what it shows of a link is what EventLinkDetails says of it.
func TestTimelineListReadsOnlyWhatItShows(t *testing.T) {
	app, tr, c := timelineApp(t)
	var mu sync.Mutex
	var read []string
	app.st.TraceReads(func(q string, _ []any) {
		if strings.Contains(q, "front_matter") || strings.Contains(q, "request_events") || strings.Contains(q, "public_pages") {
			mu.Lock()
			read = append(read, q)
			mu.Unlock()
		}
	})
	defer app.st.TraceReads(nil)
	res, body := c.get("/timeline")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Met discloses LFR deployment records but withholds watchlist criteria", "Mon 30 Mar 2026", "importance 7",
		"LFR deployment record.pdf", "Metropolitan Police Service withheld this under s31(1)(a)",
		fmt.Sprintf(`Request <a href="/requests/%d">Live facial recognition watchlists</a> to Metropolitan Police Service`, tr.Request.ID))
	mu.Lock()
	if len(read) > 0 {
		t.Errorf("the list read what it does not show: %q", read)
	}
	mu.Unlock()
	ctx := context.Background()
	full, err := app.st.EventLinkDetails(ctx, store.LinkFilter{EventIDs: []int64{tr.EventID}})
	if err != nil {
		t.Fatal(err)
	}
	brief, err := app.st.EventLinkBriefs(ctx, []int64{tr.EventID})
	if err != nil {
		t.Fatal(err)
	}
	if len(full) < 2 || len(brief) != len(full) {
		t.Fatalf("%d brief links, %d in full", len(brief), len(full))
	}
	for i, f := range full {
		b := brief[i]
		if b.EventLink.ID != f.EventLink.ID || b.Label() != f.Label() || !slices.Equal(b.CitedExemptions(), f.CitedExemptions()) ||
			b.ReqID != f.ReqID || b.RequestTitle != f.RequestTitle || b.AuthorityName != f.AuthorityName {
			t.Errorf("link %d: brief %+v, in full %+v", f.EventLink.ID, b, f)
		}
	}
}

// The link form names a document with its request's reference, whether or
// not that request is among the newest the form offers: it was named only
// when it was.
func TestEventPageNamesADocumentsRequestAlways(t *testing.T) {
	app, tr, c := timelineApp(t)
	defer func(n int) { linkChoices = n }(linkChoices)
	linkChoices = 5
	for i := range linkChoices {
		r := tracker.Request{Title: fmt.Sprintf("Drone flights %d", i), Body: "Please send the flight logs.", AuthorityID: tr.Authority.ID}
		if err := app.st.CreateRequest(store.WithActor(context.Background(), "test"), &r, tracker.MustParseDate("2026-04-01")); err != nil {
			t.Fatal(err)
		}
	}
	if tr.Request.OurRef == "" {
		t.Fatal("the trail's request has no reference")
	}
	_, body := c.get(fmt.Sprintf("/timeline/events/%d", tr.EventID))
	opt := fmt.Sprintf(`value="document:%d">`, tr.DocumentID)
	i := strings.Index(body, opt)
	if i < 0 {
		t.Fatalf("the link form does not offer document %d", tr.DocumentID)
	}
	label := body[i+len(opt) : i+strings.Index(body[i:], "</option>")]
	if !strings.Contains(label, tr.Request.OurRef) {
		t.Errorf("document %d is offered as %q, want its request's reference %s", tr.DocumentID, label, tr.Request.OurRef)
	}
	if strings.Contains(body, fmt.Sprintf(`value="request:%d"`, tr.Request.ID)) {
		t.Errorf("request %d offered, want only the newest", tr.Request.ID)
	}
}
