//go:build unix

package main

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
)

// TestServeOverHTTPWithAStoredHTTPSBaseURL: the reminder settings hold
// an https public URL (for links in mail), and serve runs on a loopback
// address over plain http with no --base-url or FOITRACK_BASE_URL (trying
// it out): a user can still sign in. The cookies are Secure (the base URL
// is https), which browsers, like Go's cookie jar, accept from localhost
// and loopback addresses over http; from an https proxy they are Secure
// and HSTS is sent.
func TestServeOverHTTPWithAStoredHTTPSBaseURL(t *testing.T) {
	dir := t.TempDir()
	ctx := store.WithActor(context.Background(), "test")
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	u := store.User{Email: "admin@example.org", Name: "Admin", Role: store.RoleAdmin}
	if err := st.CreateUser(ctx, &u, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, "reminders", map[string]any{"base_url": "https://foitrack.example.org"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd, _ := foitrackProcess(t, "--data", dir, "serve", "--no-jobs", "--addr", addr)
	// A child built with -race on a loaded machine can take many seconds
	// to open its store and listen: waited for by the clock, generously.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if cmd.ProcessState != nil || time.Now().After(deadline) {
			t.Fatalf("serve did not answer: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base, _ := url.Parse("http://" + addr)
	res, err := hc.Get(base.String() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var token string
	for _, ck := range jar.Cookies(base) {
		if ck.Name == "foitrack_csrf" {
			token = ck.Value
		}
	}
	if token == "" {
		t.Fatalf("no CSRF cookie came back over http (Set-Cookie: %q)", res.Header.Values("Set-Cookie"))
	}
	res, err = hc.PostForm(base.String()+"/login", url.Values{"email": {"admin@example.org"}, "password": {"correct horse battery"}, "csrf_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d", res.StatusCode)
	}
	res, err = hc.Get(base.String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("after signing in, the dashboard: status %d (to %s)", res.StatusCode, res.Header.Get("Location"))
	}

	// Through an https proxy the cookies are Secure, and HSTS is sent.
	req, _ := http.NewRequest(http.MethodGet, base.String()+"/login", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if sc := strings.Join(res.Header.Values("Set-Cookie"), "\n"); !strings.Contains(sc, "Secure") {
		t.Errorf("over https, the cookies are not Secure: %q", sc)
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("over https, no HSTS")
	}
}
