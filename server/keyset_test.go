package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// keysetApp is a seeded database with more than two pages of documents,
// mail and authorities (some authorities with the same name, in other
// cases, so that the name alone does not order them).
func keysetApp(t *testing.T) (*testApp, *client, string) {
	t.Helper()
	app := newTestApp(t)
	ctx := context.Background()
	if _, err := seed.Run(ctx, app.st, seed.Options{Requests: 150, Messages: 300, Seed: 3, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*pageSize+5; i++ {
		name := []string{"Same Name Council", "same name council", "SAME NAME COUNCIL"}[i%3]
		if i%5 == 0 {
			name = fmt.Sprintf("Zeta Board %03d", i)
		}
		app.authority(name, tracker.JurisdictionEngland)
	}
	admin, err := app.st.UserByEmail(ctx, "admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := app.st.CreateAPIToken(ctx, admin.ID, "keyset")
	if err != nil {
		t.Fatal(err)
	}
	return app, app.login("admin@example.org"), token
}

// column reads the ids of a query's rows, in its order.
func column(t *testing.T, app *testApp, q string, args ...any) []string {
	t.Helper()
	rows, err := app.st.Reader().QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

var (
	nextLink = regexp.MustCompile(`href="([^"]+)">Next →`)
	prevLink = regexp.MustCompile(`href="([^"]+)">← Previous`)
)

// walkPages follows a list's Next links from start to the end, then its
// Previous links back to the start, and returns the rows (ids read with
// row) of each walk in the order shown.
func walkPages(t *testing.T, c *client, start string, row *regexp.Regexp) (forward, back []string) {
	t.Helper()
	var pages [][]string
	path, last := start, ""
	for path != "" {
		if len(pages) > 100 {
			t.Fatalf("%s: more than 100 pages", start)
		}
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		var ids []string
		for _, m := range row.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		if len(ids) > pageSize {
			t.Errorf("%s: %d rows on a page", path, len(ids))
		}
		pages = append(pages, ids)
		forward = append(forward, ids...)
		last, path = body, ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	// And back from the last page: each Previous page is the page before.
	body := last
	back = pages[len(pages)-1]
	for i := len(pages) - 2; i >= 0; i-- {
		m := prevLink.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: page %d has no Previous link", start, i+2)
		}
		var res *response
		res, body = c.get(html.UnescapeString(m[1]))
		wantStatus(t, res, http.StatusOK)
		var ids []string
		for _, m := range row.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		if !slices.Equal(ids, pages[i]) {
			t.Errorf("%s: back on page %d: %v, forward it was %v", start, i+1, ids, pages[i])
		}
		back = append(ids, back...)
	}
	if prevLink.MatchString(body) {
		t.Errorf("%s: the first page, reached going back, has a Previous link", start)
	}
	return forward, back
}

// walkPagesForward is walkPages' forward rows.
func walkPagesForward(t *testing.T, c *client, start string, row *regexp.Regexp) []string {
	t.Helper()
	forward, _ := walkPages(t, c, start, row)
	return forward
}

func wantSameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(want) <= pageSize {
		t.Fatalf("%s: only %d rows: the test needs more than a page", what, len(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: the pages list %d rows, want the %d rows in order\n got: %v\nwant: %v", what, len(got), len(want), got, want)
	}
}

// Following Next through /documents, /mail and /authorities lists every row
// exactly once, in the list's order, with the filters kept; Previous walks
// back through the same pages.
func TestListPagesByCursorListEveryRowOnceInOrder(t *testing.T) {
	app, c, _ := keysetApp(t)
	docRow := regexp.MustCompile(`<td><a href="/documents/(\d+)">`)
	mailRow := regexp.MustCompile(`<li id="mail-(\d+)">`)
	authorityRow := regexp.MustCompile(`<a class="rowtitle" href="/authorities/(\d+)">`)

	disp := column(t, app, `SELECT disposition FROM documents GROUP BY disposition ORDER BY count(*) DESC LIMIT 1`)[0]
	cases := []struct {
		what, start string
		row         *regexp.Regexp
		want        []string
	}{
		{"documents", "/documents", docRow, column(t, app, `SELECT id FROM documents ORDER BY id DESC`)},
		{"documents of one disposition", "/documents?disposition=" + disp, docRow,
			column(t, app, `SELECT id FROM documents WHERE disposition = ? ORDER BY id DESC`, disp)},
		{"all mail", "/mail?view=all", mailRow, column(t, app, `SELECT id FROM mail_messages WHERE direction = 'in' ORDER BY id`)},
		{"authorities", "/authorities", authorityRow, column(t, app, `SELECT id FROM authorities ORDER BY name COLLATE NOCASE, id`)},
		{"authorities found by a search", "/authorities?q=name", authorityRow,
			column(t, app, `SELECT id FROM authorities WHERE name LIKE '%name%' ORDER BY name COLLATE NOCASE, id`)},
	}
	for _, tc := range cases {
		forward, back := walkPages(t, c, tc.start, tc.row)
		wantSameList(t, tc.what, forward, tc.want)
		wantSameList(t, tc.what+" (back)", back, tc.want)
	}
	// The request lists in their two orders (newest first; due soonest
	// first, undated last: a page spans the dated and the undated), and
	// the dashboard's "Needs you".
	requestRow := regexp.MustCompile(`<a class="rowtitle" href="/requests/(\d+)">`)
	tag := column(t, app, `SELECT tag FROM request_tags GROUP BY tag ORDER BY count(*) DESC LIMIT 1`)[0]
	byDue := `ORDER BY due_date IS NULL, due_date, id`
	open := `status IN ('awaiting_response', 'awaiting_clarification', 'awaiting_fee', 'answered', 'internal_review',
		'review_decided', 'regulator_complaint', 'regulator_decided')`
	today := tracker.DateOf(testNow).String()
	// More than a page that needs you: refusals to challenge, on a few
	// dates (so that the list's date and id both order it).
	ctx := context.Background()
	authority := app.authority("Needs You Council", tracker.JurisdictionEngland)
	for i := range pageSize {
		r := tracker.Request{Title: fmt.Sprintf("Refused %02d", i), AuthorityID: authority.ID, Law: tracker.UKFOIA}
		if err := app.st.CreateRequest(ctx, &r, tracker.DateOf(testNow).AddDays(-30)); err != nil {
			t.Fatal(err)
		}
		if err := app.st.AddEvent(ctx, &tracker.Event{RequestID: r.ID, Kind: tracker.EventResponseReceived,
			Date: tracker.DateOf(testNow).AddDays(-i % 4), Outcome: tracker.OutcomeRefused}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		what, start string
		row         *regexp.Regexp
		want        []string
	}{
		{"requests", "/requests", requestRow, column(t, app, `SELECT id FROM requests ORDER BY id DESC`)},
		{"open requests", "/requests?open=1", requestRow, column(t, app, `SELECT id FROM requests WHERE `+open+` `+byDue)},
		{"answered requests", "/requests?status=answered", requestRow, column(t, app, `SELECT id FROM requests WHERE status = 'answered' `+byDue)},
		{"open requests of one law", "/requests?open=1&law=uk-foia", requestRow,
			column(t, app, `SELECT id FROM requests WHERE law = 'uk-foia' AND `+open+` `+byDue)},
		{"needs you", "/", regexp.MustCompile(`<a class="rowtitle" href="/requests/(\d+)#where">`),
			column(t, app, `SELECT id FROM requests WHERE needs_from IS NOT NULL AND needs_from <= ? AND (needs_until IS NULL OR needs_until >= ?)
				ORDER BY needs_rank, needs_sort, id`, today, today)},
	} {
		forward, back := walkPages(t, c, tc.start, tc.row)
		wantSameList(t, tc.what, forward, tc.want)
		wantSameList(t, tc.what+" (back)", back, tc.want)
	}
	// A tag's requests (fewer than a page here: the plan test reads a
	// page of them after a row).
	if got, want := walkPagesForward(t, c, "/requests?tag="+url.QueryEscape(tag), requestRow),
		column(t, app, `SELECT request_id FROM request_tags WHERE tag = ? ORDER BY request_id DESC`, tag); !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("requests with a tag: %v, want %v", got, want)
	}
	var dated, undated int
	for _, id := range column(t, app, `SELECT coalesce(due_date, '') FROM requests WHERE `+open) {
		if id == "" {
			undated++
		} else {
			dated++
		}
	}
	if dated == 0 || undated == 0 {
		t.Errorf("open requests: %d dated, %d undated; the test needs both", dated, undated)
	}

	// The holding pen's pages, and a page of it read back from a cursor.
	pen := column(t, app, `SELECT id FROM mail_messages WHERE direction = 'in' AND state = 'unmatched' ORDER BY id`)
	forward, _ := walkPages(t, c, "/mail", mailRow)
	if !slices.Equal(forward, pen) || len(pen) == 0 {
		t.Errorf("holding pen: %v, want %v", forward, pen)
	}
}

// The JSON API's lists are read by following "next": every row once, in
// order; offset= is refused rather than ignored.
func TestAPIListsByCursorListEveryRowOnceInOrder(t *testing.T) {
	app, _, token := keysetApp(t)
	walk := func(start, key string) []string {
		t.Helper()
		var out []string
		path := start
		for pages := 0; path != ""; pages++ {
			if pages > 100 {
				t.Fatalf("%s: more than 100 pages", start)
			}
			res, body := app.api(http.MethodGet, path, token, "")
			wantStatus(t, res, http.StatusOK)
			var page map[string]json.RawMessage
			if err := json.Unmarshal([]byte(body), &page); err != nil {
				t.Fatal(err)
			}
			var rows []struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(page[key], &rows); err != nil {
				t.Fatalf("%s: %v in %s", path, err, body)
			}
			if rows == nil {
				t.Fatalf("%s: no %q list in %s", path, key, body)
			}
			for _, r := range rows {
				out = append(out, fmt.Sprint(r.ID))
			}
			path = ""
			if next, ok := page["next"]; ok {
				var u string
				if err := json.Unmarshal(next, &u); err != nil {
					t.Fatal(err)
				}
				parsed, err := url.Parse(u)
				if err != nil || !strings.HasPrefix(u, "http://foitrack.test/api/v1/") {
					t.Fatalf("next is %q", u)
				}
				path = parsed.RequestURI()
			}
		}
		return out
	}
	wantSameList(t, "api documents", walk("/api/v1/documents?limit=17", "documents"),
		column(t, app, `SELECT id FROM documents ORDER BY id DESC`))
	wantSameList(t, "api mail", walk("/api/v1/mail?limit=33", "messages"),
		column(t, app, `SELECT id FROM mail_messages ORDER BY id`))
	wantSameList(t, "api authorities", walk("/api/v1/authorities?limit=9", "authorities"),
		column(t, app, `SELECT id FROM authorities ORDER BY name COLLATE NOCASE, id`))
	req := column(t, app, `SELECT request_id FROM documents GROUP BY request_id ORDER BY count(*) DESC LIMIT 1`)[0]
	if got, want := walk("/api/v1/documents?limit=1&request_id="+req, "documents"),
		column(t, app, `SELECT id FROM documents WHERE request_id = ? ORDER BY id DESC`, req); !slices.Equal(got, want) || len(want) < 2 {
		t.Errorf("one request's documents one at a time: %v, want %v", got, want)
	}

	res, body := app.api(http.MethodGet, "/api/v1/documents?offset=50", token, "")
	wantStatus(t, res, http.StatusBadRequest)
	wantContains(t, body, "after=")
}

// A cursor no list gave — typed, cut short, of another list's kind, both
// ways at once — is a 400 that says to start again, never a 500 nor a page
// of other rows.
func TestABadCursorIsAClearBadRequest(t *testing.T) {
	app, c, token := keysetApp(t)
	key := base64.RawURLEncoding.EncodeToString([]byte("Same Name Council"))
	bad := map[string][]string{
		"/documents":   {"after=abc", "after=-5", "after=0", "after=%2B5", "after=5.x", "before=1e3", "after=99999999999999999999", "after=5&before=7", "after=5." + key},
		"/mail":        {"after=x", "before=-1", "after=1.2", "after=%00"},
		"/authorities": {"after=5", "after=x." + key, "after=5.!!!", "after=5." + base64.RawURLEncoding.EncodeToString([]byte{0xff, 0xfe}), "before=" + key},
		"/requests":    {"after=x", "after=5.", "before=-3", "after=5&before=9"},
		"/requests?open=1": {"after=5", "after=5." + key, "before=5." + base64.RawURLEncoding.EncodeToString([]byte("2026-02-31")),
			"after=5.!!!"},
	}
	for path, queries := range bad {
		for _, q := range queries {
			if strings.Contains(path, "?") {
				q = "&" + q
			} else {
				q = "?" + q
			}
			res, body := c.get(path + q)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s%s: status %d, want 400", path, q, res.StatusCode)
				continue
			}
			if !strings.Contains(body, "first page") && !strings.Contains(body, "not both") {
				t.Errorf("GET %s%s: the page does not say what to do:\n%s", path, q, body)
			}
			res, body = app.api(http.MethodGet, "/api/v1"+path+q, token, "")
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"error"`) {
				t.Errorf("GET /api/v1%s%s: status %d, body %s; want 400 with an error", path, q, res.StatusCode, body)
			}
		}
	}
	// The dashboard's "Needs you": a rank and a date.
	for _, q := range []string{"after=5", "after=5." + base64.RawURLEncoding.EncodeToString([]byte("2 2026-03-01")),
		"before=5." + base64.RawURLEncoding.EncodeToString([]byte("1 March")), "after=5." + key} {
		res, body := c.get("/?" + q)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "first page") {
			t.Errorf("GET /?%s: status %d, want 400 that says to start again", q, res.StatusCode)
		}
	}
	// A well-formed cursor of a row that is not there (deleted since) is a
	// position like any other: the rows after it.
	res, body := c.get("/authorities?after=999999." + key)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Zeta Board")
	res, _ = c.get("/documents?after=999999999")
	wantStatus(t, res, http.StatusOK)
}

// The store reads a page back from a cursor in the list's order, and a
// list of messages in several states (each state's page read by its index,
// then merged) page by page, forward and back.
func TestStoreCursorPagesInListOrder(t *testing.T) {
	app, _, _ := keysetApp(t)
	ctx := context.Background()
	all := column(t, app, `SELECT id FROM documents ORDER BY id DESC`)
	mid := all[len(all)/2]
	back, err := app.st.Documents(ctx, store.DocumentFilter{Limit: 3, Cursor: store.Cursor{ID: atoi64(mid), Back: true}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range back {
		got = append(got, fmt.Sprint(d.ID))
	}
	if want := all[len(all)/2-3 : len(all)/2]; !slices.Equal(got, want) {
		t.Errorf("the 3 documents before %s: %v, want %v", mid, got, want)
	}

	want := column(t, app, `SELECT id FROM mail_messages WHERE direction = 'in' AND state IN ('unmatched', 'not_foi', 'matched') ORDER BY id`)
	if len(want) < 10 {
		t.Fatalf("only %d messages in the states", len(want))
	}
	f := store.MailFilter{Direction: "in", States: []string{"unmatched", "not_foi", "matched"}, Limit: 7}
	var forward []string
	var pages [][]string
	for cur := (store.Cursor{}); ; {
		f.Cursor = cur
		msgs, err := app.st.MailMessages(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			break
		}
		var ids []string
		for _, m := range msgs {
			ids = append(ids, fmt.Sprint(m.ID))
		}
		pages, forward = append(pages, ids), append(forward, ids...)
		cur = store.Cursor{ID: msgs[len(msgs)-1].ID}
	}
	if !slices.Equal(forward, want) {
		t.Errorf("messages in three states, 7 at a time: %v, want %v", forward, want)
	}
	for i := len(pages) - 1; i > 0; i-- {
		f.Cursor = store.Cursor{ID: atoi64(pages[i][0]), Back: true}
		msgs, err := app.st.MailMessages(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range msgs {
			ids = append(ids, fmt.Sprint(m.ID))
		}
		if !slices.Equal(ids, pages[i-1]) {
			t.Errorf("back from %s: %v, want %v", pages[i][0], ids, pages[i-1])
		}
	}
}

// A list's rows (Summary: no bodies, headers or addresses read) summarise
// each message as its full row does.
func TestMailSummaryRowsSummariseAsFullRows(t *testing.T) {
	app, _, _ := keysetApp(t)
	ctx := context.Background()
	full, err := app.st.MailMessages(ctx, store.MailFilter{})
	if err != nil {
		t.Fatal(err)
	}
	short, err := app.st.MailMessages(ctx, store.MailFilter{Summary: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(full) != len(short) || len(full) < 100 {
		t.Fatalf("%d full rows, %d summary rows", len(full), len(short))
	}
	for i := range full {
		a, b := mailsync.SummaryOf(full[i]), mailsync.SummaryOf(short[i])
		if a != b {
			t.Errorf("message %d: summary row %+v, full row %+v", full[i].ID, b, a)
		}
		if string(full[i].Classification) != string(short[i].Classification) {
			t.Errorf("message %d: classification %s, full row %s", full[i].ID, short[i].Classification, full[i].Classification)
		}
		if short[i].TextBody != "" || short[i].RawHeaders != "" || len(short[i].Received) > 0 {
			t.Errorf("message %d: a summary row read the body or headers", short[i].ID)
		}
	}
}

// A user's notifications page by cursor too: every one once, newest first,
// all of them or the unread only; another user's never.
func TestNotificationsPageByCursor(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	u := app.user("vi@example.org", store.RoleViewer)
	other := app.user("other@example.org", store.RoleViewer)
	var read []int64
	for i := 0; i < 2*pageSize+7; i++ {
		for _, who := range []int64{u.ID, other.ID} {
			n := store.Notification{UserID: who, Kind: "due_soon", Title: fmt.Sprintf("Notice %d for %d", i, who)}
			if err := app.st.AddNotification(ctx, &n); err != nil {
				t.Fatal(err)
			}
			if who == u.ID && i%3 == 0 {
				read = append(read, n.ID)
			}
		}
	}
	if _, err := app.st.MarkNotificationsRead(ctx, u.ID, read...); err != nil {
		t.Fatal(err)
	}
	c := app.login("vi@example.org")
	row := regexp.MustCompile(`action="/notifications/(\d+)/open"`)
	forward, back := walkPages(t, c, "/notifications", row)
	want := column(t, app, `SELECT id FROM notifications WHERE user_id = ? ORDER BY id DESC`, u.ID)
	wantSameList(t, "notifications", forward, want)
	wantSameList(t, "notifications (back)", back, want)
	forward, _ = walkPages(t, c, "/notifications?unread=1", row)
	wantSameList(t, "unread notifications", forward,
		column(t, app, `SELECT id FROM notifications WHERE user_id = ? AND read_at IS NULL ORDER BY id DESC`, u.ID))
	res, _ := c.get("/notifications?after=x")
	wantStatus(t, res, http.StatusBadRequest)
}
