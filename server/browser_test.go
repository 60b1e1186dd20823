package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// browser drives a real headless Chromium against the real server.
type browser struct {
	t      *testing.T
	ctx    context.Context
	base   string
	shots  string
	server *Server
	st     *store.Store
}

// newBrowser starts foitrack on a random loopback port with a fresh
// database, and Chromium with a fresh profile.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	chromium := testenv.LookPath(t, "apt-get install -y chromium", "chromium", "/usr/bin/chromium")
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv, err := New(Config{Store: st, BaseURL: base, DataDir: dir, Location: time.UTC,
		Logger: slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now:    func() time.Time { return testNow },
		// Kept figures are worked out again after a write while the page
		// waits, as in newTestApp: on a loaded machine the start-up pass
		// over the empty database can take longer than the default, and
		// the page would then show those empty figures (CI saw "/insight
		// draws no bars" so).
		SlowAggregate: -1})
	if err != nil {
		t.Fatal(err)
	}
	waitStartupPass(t, srv)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
		st.Close()
	})

	shots := os.Getenv("FOITRACK_SCREENSHOTS")
	if shots == "" {
		if shots, err = os.MkdirTemp("", "foitrack-screenshots-"); err != nil {
			t.Fatal(err)
		}
		// Kept to look at when the test failed; otherwise every run would
		// leave a folder of images in the temporary directory.
		dir := shots
		t.Cleanup(func() {
			if !t.Failed() {
				os.RemoveAll(dir)
			}
		})
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots are saved in %s (removed when the test passes, unless FOITRACK_SCREENSHOTS names the folder)", shots)

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1280, 900),
		// Chromium's start (it prints its address) waits as long as the
		// rest: 20 s by default, which a loaded machine can take.
		chromedp.WSURLReadTimeout(2*time.Minute),
	)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A hung browser must not hang the suite. Not less: under -race on a
	// loaded 2-core machine TestBrowserFormsWithErrors took 127 s of the
	// 3 minutes this once was.
	ctx, cancelTimeout := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, base: base, shots: shots, server: srv, st: st}
	b.do("start the browser", chromedp.EmulateViewport(1280, 900))
	return b
}

// do runs steps and fails the test, naming what it was doing, on an error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a page and checks its status.
func (b *browser) open(path string, wantStatus int) {
	b.t.Helper()
	res, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	if int(res.Status) != wantStatus {
		b.t.Fatalf("open %s: status %d, want %d (at %s)", path, res.Status, wantStatus, res.URL)
	}
}

// submit clicks a submit button, waits for the page that comes back and
// checks its status.
func (b *browser) submit(what, button string, wantStatus int) {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	if int(res.Status) != wantStatus {
		body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("main")))
		b.t.Fatalf("%s: status %d, want %d (at %s)\n%s", what, res.Status, wantStatus, res.URL, body)
	}
}

// text is the visible text of the first element matching css.
func (b *browser) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("read %s: %v", css, err)
	}
	return s
}

// location is the current URL's path.
func (b *browser) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// wantText fails unless the element's text contains every string.
func (b *browser) wantText(css string, want ...string) {
	b.t.Helper()
	got := b.text(css)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.t.Errorf("%s does not show %q; it shows:\n%s", css, w, got)
		}
	}
}

// screenshot saves the whole page as NAME.png in the screenshot folder.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// TestBrowserFlow is the campaigner's first day, in Chromium: set up
// foitrack, sign in, import authorities, log a request to a council under
// FOIA, see its due date on the dashboard, record a refusal citing
// s31(1)(a) and a request for internal review, see the new deadline, make
// the request public and read its public page signed out.
func TestBrowserFlow(t *testing.T) {
	b := newBrowser(t)

	// First run: /login sends to the one-time setup page.
	b.open("/login", http.StatusOK)
	if loc := b.location(); loc != "/setup" {
		t.Fatalf("a fresh foitrack shows %s, want /setup", loc)
	}
	b.do("fill in the setup form",
		chromedp.SendKeys(chromedp.ID("email"), "campaigner@example.org"),
		chromedp.SendKeys(chromedp.ID("name"), "Casey Campaigner"),
		chromedp.SendKeys(chromedp.ID("password"), "a long enough password"),
		chromedp.SendKeys(chromedp.ID("password_confirm"), "a long enough password"))
	b.submit("create the admin", `form[action="/setup"] button[type=submit]`, http.StatusOK)
	b.wantText("main", "Dashboard", "Welcome")

	// Sign out and in again, as a returning user would.
	b.submit("sign out", `form[action="/logout"] button`, http.StatusOK)
	b.wantText("main", "You are signed out", "Sign in")
	b.open("/requests", http.StatusOK)
	if loc := b.location(); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("signed out, /requests shows %s, want the login page", loc)
	}
	b.do("fill in the login form",
		chromedp.SendKeys(chromedp.ID("email"), "campaigner@example.org"),
		chromedp.SendKeys(chromedp.ID("password"), "a long enough password"))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)
	if loc := b.location(); loc != "/requests" {
		t.Fatalf("after signing in the browser is at %s, want back at /requests", loc)
	}

	// Import authorities from WhatDoTheyKnow's CSV layout.
	csvPath, err := filepath.Abs("testdata/authorities-wdtk.csv")
	if err != nil {
		t.Fatal(err)
	}
	b.open("/authorities/import", http.StatusOK)
	b.do("choose the CSV", chromedp.SetUploadFiles(chromedp.ID("file"), []string{csvPath}))
	b.submit("import", `form[action="/authorities/import"] button[type=submit]`, http.StatusOK)
	b.wantText("main", "Imported 4 authorities: 4 new", "Borsetshire County Council", "Felpersham City Council")
	list, err := b.st.Authorities(context.Background(), store.AuthorityFilter{Query: "Borsetshire County"})
	if err != nil || len(list) != 1 {
		t.Fatalf("the council is not in the database after the import: %v %v", list, err)
	}
	council := list[0]

	// A request to the council under FOIA, received Mon 2 Mar 2026.
	b.open("/requests/new", http.StatusOK)
	b.do("fill in the request",
		chromedp.SendKeys(chromedp.ID("title"), "Speed camera contracts"),
		chromedp.SetValue(chromedp.ID("authority_id"), fmt.Sprint(council.ID)),
		chromedp.SetValue(chromedp.ID("law"), string(tracker.UKFOIA)),
		chromedp.SetValue(chromedp.ID("sent_on"), "2026-03-02"),
		chromedp.SendKeys(chromedp.ID("body"), "Please send the contracts for speed cameras signed since 2020."),
		chromedp.SendKeys(chromedp.ID("notes"), "Secret campaign plan: do not publish"),
		chromedp.SendKeys(chromedp.ID("tags"), "roads, cameras"))
	b.submit("save the request", `form[action="/requests"] button[type=submit]`, http.StatusOK)
	requestPath := b.location()
	// The 20th working day after Mon 2 Mar 2026, skipping St Patrick's Day
	// (a Northern Ireland bank holiday, which FOIA counts for every authority).
	b.wantText("#due", "Response due", "Tue 31 Mar 2026")
	b.wantText("#due-explanation", "20th working day", "St Patrick")

	// On the dashboard (today is Wed 25 Mar 2026): due within 7 days.
	b.open("/", http.StatusOK)
	b.wantText("#due-soon", "Speed camera contracts", "Tue 31 Mar 2026")
	b.screenshot("dashboard")

	// A refusal citing s31(1)(a) (law enforcement: prevention or detection of crime).
	b.open(requestPath, http.StatusOK)
	b.do("open the response form", chromedp.Click(chromedp.CSS("#event-response_received summary")))
	b.do("fill in the refusal",
		chromedp.SetValue(chromedp.ID("date-response_received"), "2026-03-20"),
		chromedp.SetValue(chromedp.ID("outcome-response_received"), tracker.OutcomeRefused),
		chromedp.Click(chromedp.CSS(`#event-response_received input[value="s31(1)(a)"]`)))
	b.submit("record the refusal", "#event-response_received button[type=submit]", http.StatusOK)
	b.wantText(".flash", "Recorded: Response received")
	b.wantText("#history", "Response received: Refused", "s31(1)(a)")
	b.wantText("#exemptions", "s31(1)(a)")

	// An internal review requested on Tue 24 Mar: decision due 20 working
	// days later, skipping Good Friday and Easter Monday: Thu 23 Apr 2026.
	b.do("open the review form", chromedp.Click(chromedp.CSS("#event-internal_review_requested summary")))
	b.do("fill in the review request", chromedp.SetValue(chromedp.ID("date-internal_review_requested"), "2026-03-24"))
	b.submit("record the review request", "#event-internal_review_requested button[type=submit]", http.StatusOK)
	b.wantText("#due-date", "Thu 23 Apr 2026")
	b.wantText("#due .standing", "Review decision due Thu 23 Apr 2026")
	b.wantText("#due-explanation", "Good Friday", "Easter Monday")
	b.wantText("#history", "Internal review requested")
	// The response date is history now: met, as is the time to ask for the review.
	b.wantText("#deadlines", "met: answered Fri 20 Mar 2026", "met: asked Tue 24 Mar 2026")
	b.screenshot("request")

	// The other pages, as the campaigner finds their way around.
	b.open(fmt.Sprintf("/authorities/%d", council.ID), http.StatusOK)
	b.wantText("#record", "1", "request")
	b.wantText("main", "Speed camera contracts", "s31(1)(a)")
	b.screenshot("authority")
	b.open("/exemptions", http.StatusOK)
	b.wantText("#ex-s31\\(1\\)\\(a\\)", "Borsetshire County Council")
	b.screenshot("exemptions")
	b.open("/requests", http.StatusOK)
	b.wantText("table", "Speed camera contracts", "Internal review")
	b.screenshot("requests")
	b.open("/authorities", http.StatusOK)
	b.wantText("table", "Ambridge Parish Council", "Scotland")
	b.screenshot("authorities")

	// The council's partial release: a spreadsheet, added by hand and
	// published so that the public page offers it.
	sheet := filepath.Join(t.TempDir(), "speed-camera-contracts.csv")
	if err := os.WriteFile(sheet, []byte("contract,signed,value\nSC-2021-04,2021-04-12,148000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open(requestPath, http.StatusOK)
	b.do("add the spreadsheet",
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/documents"]) > summary`)),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{sheet}),
		chromedp.SetValue(chromedp.ID("disposition"), tracker.DispositionReleasedRedacted),
		chromedp.SendKeys(chromedp.ID("doc-exemptions"), "s40(2)"))
	b.submit("upload it", `form[action$="/documents"] button[type=submit]`, http.StatusOK)
	b.wantText("main", "speed-camera-contracts.csv")
	docs, err := b.st.Documents(context.Background(), store.DocumentFilter{})
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents after the upload: %v %v", docs, err)
	}
	b.open(fmt.Sprintf("/documents/%d", docs[0].ID), http.StatusOK)
	b.wantText("#publication", "Not published")
	b.submit("publish it", `#publication button[type=submit]`, http.StatusOK)
	b.wantText(".flash", "Document published")
	b.wantText("#publication", "Published")

	// Make it public and read the public page signed out.
	b.open(requestPath+"/edit", http.StatusOK)
	b.do("make it public", chromedp.Click(chromedp.CSS(`input[name=visibility][value=public]`)))
	b.submit("save", `form[action="`+requestPath+`"] button[type=submit]`, http.StatusOK)
	publicPath, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.ID("public-link"), "href"))
	if err != nil || !publicPath.Exists || !strings.HasPrefix(publicPath.Value, "/p/") {
		t.Fatalf("no public page link on the request page: %+v %v", publicPath, err)
	}
	b.submit("sign out", `form[action="/logout"] button`, http.StatusOK)
	b.open(publicPath.Value, http.StatusOK)
	b.wantText("main", "Speed camera contracts", "Borsetshire County Council", "Internal review", "s31(1)(a)",
		"Please send the contracts", "speed-camera-contracts.csv", "Released with redactions", "s40(2)", docs[0].SHA256)
	download, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(`a[download]`), "href"))
	if err != nil || !download.Exists || download.Value != publicPath.Value+"/documents/"+docs[0].SHA256 {
		t.Errorf("the public page's download link: %+v %v", download, err)
	}
	page := b.text("body")
	for _, private := range []string{"Secret campaign plan", "Casey", "campaigner@example.org", "roads", "Sign out"} {
		if strings.Contains(page, private) {
			t.Errorf("the public page shows %q", private)
		}
	}
	b.screenshot("public")
	// Signed out, the request itself is behind the login.
	b.open(requestPath, http.StatusOK)
	if loc := b.location(); !strings.HasPrefix(loc, "/login") {
		t.Errorf("signed out, %s shows %s, want the login page", requestPath, loc)
	}
}
