package server

import (
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func TestMain(m *testing.M) {
	// Hashing at full cost under -race makes every login take seconds.
	store.PasswordCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// testNow is the fixed "now" of the handler tests: Wed 25 Mar 2026.
var testNow = time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC)

// testLogWriter sends the server's warnings and errors to the test log.
type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// testApp is a server on a fresh database, behind a real HTTP listener.
type testApp struct {
	t   testing.TB
	st  *store.Store
	srv *Server
	ts  *httptest.Server
}

type appOption func(*Config)

func newTestApp(t testing.TB, opts ...appOption) *testApp {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: st, BaseURL: "http://foitrack.test", DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now:    func() time.Time { return testNow }, Location: time.UTC,
		// Kept figures always worked out again after a write while the page
		// waits (a loaded test machine can take the small database's pass
		// past the default): TestSlowFiguresAreShownKeptWhileWorkedOutAgain
		// sets its own.
		SlowAggregate: -1}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitStartupPass(t, srv)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
		st.Close()
	})
	return &testApp{t: t, st: st, srv: srv, ts: ts}
}

// waitStartupPass waits until the server's start-up pass (the dashboard's
// insight, on a goroutine of its own) has ended. On a loaded machine it can
// be held up until the test has written its data and begun checking: it
// would then keep figures of the database as it was at start-up over the
// test's own (the dashboard's, after the test worked them out), or read the
// store while the test traces the reads a page makes.
func waitStartupPass(t testing.TB, srv *Server) {
	t.Helper()
	select {
	case <-srv.startupPassDone:
	case <-time.After(5 * time.Minute):
		t.Fatal("the server's start-up pass did not end within 5 minutes")
	}
}

const testPassword = "correct horse battery"

// user creates an account with testPassword.
func (a *testApp) user(email string, role store.Role) store.User {
	a.t.Helper()
	u := store.User{Email: email, Name: "Name of " + email, Role: role}
	if err := a.st.CreateUser(context.Background(), &u, testPassword); err != nil {
		a.t.Fatal(err)
	}
	return u
}

// authority creates an authority.
func (a *testApp) authority(name, jurisdiction string) tracker.Authority {
	a.t.Helper()
	au := tracker.Authority{Name: name, Jurisdiction: jurisdiction, Email: "foi@example.gov.uk"}
	if err := a.st.CreateAuthority(context.Background(), &au); err != nil {
		a.t.Fatal(err)
	}
	return au
}

// request creates a request, sent on the given date ("" for a draft).
func (a *testApp) request(title string, authorityID int64, sent string, public bool) tracker.Request {
	a.t.Helper()
	r := tracker.Request{Title: title, AuthorityID: authorityID, Body: "Please send " + title, Notes: "private note about " + title}
	if public {
		r.Visibility = tracker.VisibilityPublic
	}
	var sentOn tracker.Date
	if sent != "" {
		sentOn = tracker.MustParseDate(sent)
	}
	if err := a.st.CreateRequest(context.Background(), &r, sentOn); err != nil {
		a.t.Fatal(err)
	}
	return r
}

// client is a browser-like HTTP client: a cookie jar, and redirects not
// followed (so tests see them).
type client struct {
	t   testing.TB
	app *testApp
	hc  *http.Client
}

func (a *testApp) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login signs in as email and fails the test if that does not work.
func (a *testApp) login(email string) *client {
	a.t.Helper()
	c := a.anonymous()
	c.get("/login") // the CSRF cookie
	res, _ := c.postForm("/login", url.Values{"email": {email}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("login as %s: status %d", email, res.StatusCode)
	}
	return c
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	Body string
}

func (c *client) do(req *http.Request) (*response, string) {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{Response: res, Body: string(b)}, string(b)
}

func (c *client) get(path string) (*response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.app.ts.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// csrf is the CSRF cookie the client holds ("" if none).
func (c *client) csrf() string {
	u, _ := url.Parse(c.app.ts.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == csrfCookie {
			return ck.Value
		}
	}
	return ""
}

// postForm posts a form with the CSRF token a page would carry.
func (c *client) postForm(path string, form url.Values) (*response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if c.csrf() == "" {
		c.get("/login")
	}
	if _, ok := form[csrfField]; !ok {
		form.Set(csrfField, c.csrf())
	}
	return c.postRaw(path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

func (c *client) postRaw(path, contentType string, body io.Reader) (*response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return c.do(req)
}

// postMultipart posts fields and one file (field "file") with the CSRF token.
func (c *client) postMultipart(path string, fields url.Values, filename, fileType string, content []byte) (*response, string) {
	c.t.Helper()
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	if fields == nil {
		fields = url.Values{}
	}
	if c.csrf() == "" {
		c.get("/login")
	}
	fields.Set(csrfField, c.csrf())
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if filename != "" {
		h := make(map[string][]string)
		// Quoted as browsers and mime/multipart do.
		quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(filename)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + quoted + `"`}
		h["Content-Type"] = []string{fileType}
		w, err := mw.CreatePart(h)
		if err != nil {
			c.t.Fatal(err)
		}
		w.Write(content)
	}
	mw.Close()
	return c.postRaw(path, mw.FormDataContentType(), strings.NewReader(buf.String()))
}

// api calls the JSON API with a bearer token ("" for none).
func (a *testApp) api(method, path, token, body string) (*response, string) {
	a.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.ts.URL+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return a.anonymous().do(req)
}

// wantStatus fails the test unless res has the status.
func wantStatus(t *testing.T, res *response, status int) {
	t.Helper()
	if res.StatusCode != status {
		body := res.Body
		if len(body) > 2000 {
			body = body[:2000]
		}
		t.Fatalf("%s %s: status %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, body)
	}
}

// wantContains fails the test unless body contains every string.
func wantContains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page does not contain %q", w)
		}
	}
}
