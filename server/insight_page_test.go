package server

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func insightEvent(t *testing.T, app *testApp, id int64, e tracker.Event) {
	t.Helper()
	e.RequestID = id
	if err := app.st.AddEvent(context.Background(), &e); err != nil {
		t.Fatal(err)
	}
}

// insightApp: a batch to three police forces (one answered on time with a
// refusal under s31, one late, one not yet), and a council asked apart.
func insightApp(t *testing.T) (*testApp, tracker.Authority, store.Batch) {
	app := newTestApp(t)
	ctx := context.Background()
	app.user("vi@example.org", store.RoleViewer)
	kent := app.authority("Kent Police", tracker.JurisdictionEngland)
	gwent := app.authority("Gwent Police", tracker.JurisdictionWales)
	dyfed := app.authority("Dyfed-Powys Police", tracker.JurisdictionWales)
	council := app.authority("=Borsetshire Council", tracker.JurisdictionEngland) // a name a spreadsheet would run
	b := store.Batch{Title: "Drones", Body: "Please send…"}
	err := app.st.CreateBatch(ctx, &b, []int64{kent.ID, gwent.ID, dyfed.ID}, 0, func(a tracker.Authority) (string, string, error) {
		return "Drones: " + a.Name, "Please send…", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	members, err := app.st.BatchMembers(ctx, b.ID)
	if err != nil || len(members) != 3 {
		t.Fatalf("members %v %v", members, err)
	}
	for _, m := range members {
		insightEvent(t, app, m.Request.ID, tracker.Event{Kind: tracker.EventSent, Date: tracker.MustParseDate("2026-03-02")})
	}
	insightEvent(t, app, members[0].Request.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-20"),
		Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}})
	insightEvent(t, app, members[1].Request.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-04-20"),
		Outcome: tracker.OutcomeReleasedInPart})
	app.request("Gritting", council.ID, "2026-03-02", false)
	return app, kent, b
}

func TestInsightPageComparesAuthorities(t *testing.T) {
	app, kent, b := insightApp(t)
	c := app.login("vi@example.org")
	res, body := c.get("/insight")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Side by side", "Kent Police", "Gwent Police", `<svg`, `role="img"`, "<title id=\"chart-outcomes-title\">",
		"<desc id=\"chart-on-time-desc\">Overall 1 of 2 responses with a due date came on time (50%).</desc>",
		`href="/insight/outcomes.csv"`, `href="/insight/days.svg"`)
	if strings.Contains(body, "<script") {
		t.Fatal("the insight page needs JavaScript")
	}
	// Kent alone: its figures only.
	_, body = c.get("/insight?authority=" + itoaID(kent.ID))
	wantContains(t, body, `value="`+itoaID(kent.ID)+`" checked`, "Overall 1 of 1 responses")
	// The batch: its sentence.
	_, body = c.get("/insight?batch=" + itoaID(b.ID))
	wantContains(t, body, "Of the 3 authorities asked, 1 answered on time, 1 late, 1 still awaited; 1 refused (1 under s31).")
	_, body = c.get("/batches/" + itoaID(b.ID))
	wantContains(t, body, "Of the 3 authorities asked, 1 answered on time", `href="/insight?batch=`+itoaID(b.ID)+`"`)
	// Downloads: the chart's numbers as CSV (formula-safe), the SVG itself.
	res, body = c.get("/insight/outcomes.csv")
	wantStatus(t, res, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{}
	for _, r := range recs {
		found[r[0]] = r
	}
	if k := found["Kent Police"]; k == nil || k[3] != "1" || recs[0][3] != "Refused" {
		t.Fatalf("outcomes CSV %q", body)
	}
	if found["'=Borsetshire Council"] == nil {
		t.Fatalf("a name starting with = was not defused: %q", body)
	}
	res, body = c.get("/insight/on-time.svg?batch=" + itoaID(b.ID))
	wantStatus(t, res, http.StatusOK)
	if res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<title") || !strings.Contains(body, "<desc") {
		t.Fatalf("svg download %s %q", res.Header.Get("Content-Type"), body[:min(200, len(body))])
	}
	res, _ = c.get("/insight/nothing.csv")
	wantStatus(t, res, http.StatusNotFound)
	// The authority page and the dashboard show the charts.
	_, body = c.get("/authorities/" + itoaID(kent.ID))
	wantContains(t, body, "How it answers", "chart-outcomes", `href="/insight/outcomes.csv?authority=`+itoaID(kent.ID)+`"`)
	_, body = c.get("/")
	wantContains(t, body, "How authorities answer") // its figures come from the background
	if err := app.srv.workOutDashboardInsight(); err != nil {
		t.Fatal(err)
	}
	_, body = c.get("/")
	wantContains(t, body, "chart-on-time", "Overall 1 of 2 responses with a due date came on time")
	// Visitors get none of it.
	res, _ = app.anonymous().get("/insight")
	if res.StatusCode == http.StatusOK {
		t.Fatal("a visitor saw the insight page")
	}
}

// The insight page without filters is kept between views while nothing is
// written, and never shows figures older than the last change: a response
// recorded after a view is counted on the next.
func TestInsightPageShowsTheLatestChange(t *testing.T) {
	app, _, b := insightApp(t)
	c := app.login("vi@example.org")
	_, body := c.get("/insight")
	wantContains(t, body, "Overall 1 of 2 responses with a due date came on time (50%).")
	_, again := c.get("/insight")
	wantContains(t, again, "Overall 1 of 2 responses with a due date came on time (50%).")
	members, err := app.st.BatchMembers(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	insightEvent(t, app, members[2].Request.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-25"),
		Outcome: tracker.OutcomeReleasedInFull})
	_, after := c.get("/insight")
	wantContains(t, after, "Overall 2 of 3 responses with a due date came on time (67%).")
	// The chooser's authorities (kept until a write) follow a new one's
	// first request.
	if strings.Contains(after, "Loxley Barrett School") {
		t.Fatal("an authority with no request offered")
	}
	lox := app.authority("Loxley Barrett School", tracker.JurisdictionEngland)
	app.request("School lunches", lox.ID, "2026-03-02", false)
	_, after = c.get("/insight")
	wantContains(t, after, "Loxley Barrett School")
}

// An authority's figures on its page follow a change too.
func TestAuthorityInsightShowsTheLatestChange(t *testing.T) {
	app, kent, _ := insightApp(t)
	c := app.login("vi@example.org")
	path := "/authorities/" + strconv.FormatInt(kent.ID, 10)
	_, body := c.get(path)
	wantContains(t, body, "1 of 1 responses with a due date came on time (100%)", "answered on time (1 of 1)")
	r := app.request("Stop and search", kent.ID, "2026-04-01", false)
	insightEvent(t, app, r.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-06-10"),
		Outcome: tracker.OutcomeReleasedInFull})
	_, after := c.get(path)
	wantContains(t, after, "1 of 2 responses with a due date came on time (50%)", "answered on time (1 of 2)")
}

// TestDashboardInsightIsTheEightMostAsked: the dashboard's charts come from
// the unfiltered figures the Insight page keeps (one pass for both); they
// must be what the figures of the eight most asked authorities alone give.
func TestDashboardInsightIsTheEightMostAsked(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	if _, err := seed.Run(ctx, app.st, seed.Options{Requests: 150, Messages: 200, Seed: 5, Password: testPassword, End: app.srv.today()}); err != nil {
		t.Fatal(err)
	}
	eight, err := app.st.Insight(ctx, store.InsightFilter{Limit: dashboardInsightRows}, app.srv.today())
	if err != nil {
		t.Fatal(err)
	}
	all, err := app.st.Insight(ctx, store.InsightFilter{}, app.srv.today())
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Rows) <= dashboardInsightRows || len(eight.MostOverdue) == 0 {
		t.Fatalf("%d authorities, %d overdue: too few to tell the eight from the rest", len(all.Rows), len(eight.MostOverdue))
	}
	var want []string
	for _, ch := range insightCharts(eight) {
		if ch.Name == "on-time" || ch.Name == "overdue" {
			want = append(want, ch.SVG())
		}
	}
	if err := app.srv.workOutDashboardInsight(); err != nil {
		t.Fatal(err)
	}
	set, _ := app.srv.dashboardInsight()
	var got []string
	for _, ch := range set.Charts {
		got = append(got, ch.SVG())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the dashboard's charts differ from the eight most asked authorities' figures:\ngot  %q\nwant %q", got, want)
	}
}

// The Insight page's tables and charts are rendered once for the figures
// kept (insightFigures.body) and shown again to whoever views them: they
// must be the figures of the filter asked for, and hold nothing of the
// viewer or of the request. Each viewer gets their own name, role and CSRF
// token, each filter its own figures and download links (also when another
// was viewed first), and a write new figures.
func TestInsightFiguresRenderedOnceHoldOnlyTheFigures(t *testing.T) {
	app, kent, b := insightApp(t)
	app.user("ed@example.org", store.RoleEditor)
	viewers := map[string]*client{"vi@example.org": app.login("vi@example.org"), "ed@example.org": app.login("ed@example.org")}
	role := map[string]string{"vi@example.org": "viewer", "ed@example.org": "editor"}
	token := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	tokens := map[string]string{}
	kentQ := "authority=" + itoaID(kent.ID)
	overall := "Overall 1 of 2 responses with a due date came on time (50%)."
	for round := range 3 {
		if round == 2 { // a write: new figures for everyone
			members, err := app.st.BatchMembers(context.Background(), b.ID)
			if err != nil {
				t.Fatal(err)
			}
			insightEvent(t, app, members[2].Request.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-25"),
				Outcome: tracker.OutcomeReleasedInFull})
			overall = "Overall 2 of 3 responses with a due date came on time (67%)."
		}
		for _, email := range []string{"vi@example.org", "ed@example.org", "vi@example.org"} {
			c := viewers[email]
			other := "ed@example.org"
			if email == other {
				other = "vi@example.org"
			}
			for _, path := range []string{"/insight", "/insight?" + kentQ, "/insight?law=us-foia"} {
				res, body := c.get(path)
				wantStatus(t, res, http.StatusOK)
				wantContains(t, body, "Name of "+email, `<span class="badge role">`+role[email]+`</span>`)
				if strings.Contains(body, "Name of "+other) {
					t.Fatalf("round %d, %s as %s: the page names %s", round, path, email, other)
				}
				m := token.FindAllStringSubmatch(body, -1)
				if len(m) == 0 {
					t.Fatalf("round %d, %s as %s: no CSRF token", round, path, email)
				}
				for _, tok := range m {
					if tokens[email] == "" {
						tokens[email] = tok[1]
					}
					if tok[1] != tokens[email] {
						t.Fatalf("round %d, %s as %s: CSRF token %q, not the session's %q", round, path, email, tok[1], tokens[email])
					}
				}
				switch path {
				case "/insight":
					wantContains(t, body, overall, "Gwent Police</a></th>", `href="/insight/outcomes.csv" download`)
				case "/insight?" + kentQ:
					wantContains(t, body, "Overall 1 of 1 responses with a due date came on time (100%).", "Kent Police</a></th>",
						`href="/insight/outcomes.csv?`+kentQ+`" download`, `value="`+itoaID(kent.ID)+`" checked`)
					if strings.Contains(body, "Gwent Police</a></th>") {
						t.Fatalf("round %d, %s as %s: Gwent's figures in Kent's", round, path, email)
					}
				default:
					wantContains(t, body, "No requests yet.", `href="/insight/outcomes.csv?law=us-foia" download`, `<option value="us-foia" selected>`)
					if strings.Contains(body, "Kent Police</a></th>") {
						t.Fatalf("round %d, %s as %s: figures of another law", round, path, email)
					}
				}
			}
		}
	}
	if tokens["vi@example.org"] == tokens["ed@example.org"] {
		t.Fatal("two sessions with one CSRF token")
	}
}
