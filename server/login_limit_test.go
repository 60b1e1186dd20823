package server

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// parallelPosts sends n form posts at once, each with the client's cookies
// and CSRF token, and counts the answers by status.
func (c *client) parallelPosts(n int, path string, form func(i int) url.Values) map[int]int {
	c.t.Helper()
	if c.csrf() == "" {
		c.get("/login")
	}
	u, _ := url.Parse(c.app.ts.URL)
	cookies := c.hc.Jar.Cookies(u)
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		f := form(i)
		f.Set(csrfField, c.csrf())
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, c.app.ts.URL+path, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
			<-start
			res, err := http.DefaultTransport.RoundTrip(req)
			status := 0
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				status = res.StatusCode
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

// 100 wrong passwords at once for one account: only the limit's worth are
// checked at all (each attempt is counted before the password is), the
// rest are refused with 429.
func TestParallelWrongPasswordsAreLimited(t *testing.T) {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	c := app.anonymous()
	counts := c.parallelPosts(100, "/login", func(int) url.Values {
		return url.Values{"email": {"ed@example.org"}, "password": {"wrong password!"}}
	})
	if counts[http.StatusUnauthorized] > loginMaxPerAccount || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 100 {
		t.Fatalf("answers by status: %v; want at most %d checked (401), the rest 429", counts, loginMaxPerAccount)
	}
	var failures int
	app.st.Reader().QueryRow(`SELECT count(*) FROM login_attempts WHERE NOT success`).Scan(&failures)
	if failures > loginMaxPerAccount {
		t.Errorf("%d failed attempts recorded, want at most %d", failures, loginMaxPerAccount)
	}
	// Many accounts at once from one address: the address's limit holds too.
	counts = c.parallelPosts(80, "/login", func(i int) url.Values {
		return url.Values{"email": {"user" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.org"}, "password": {"wrong password!"}}
	})
	if counts[http.StatusUnauthorized] > loginMaxPerAddress-loginMaxPerAccount {
		t.Fatalf("many accounts: answers by status %v; want at most %d checked", counts, loginMaxPerAddress-loginMaxPerAccount)
	}
}

// Signing in to one's own account must not clear the address's count of
// failures against other accounts.
func TestOwnLoginDoesNotResetAddressLimit(t *testing.T) {
	app := newTestApp(t)
	app.user("me@example.org", store.RoleViewer)
	c := app.anonymous()
	c.get("/login")
	fail := func(i int) *response {
		res, _ := c.postForm("/login", url.Values{"email": {"victim" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.org"}, "password": {"guess"}})
		return res
	}
	for i := 0; i < loginMaxPerAddress-1; i++ {
		wantStatus(t, fail(i), http.StatusUnauthorized)
	}
	res, _ := c.postForm("/login", url.Values{"email": {"me@example.org"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	wantStatus(t, fail(100), http.StatusUnauthorized) // the limit's last one
	wantStatus(t, fail(101), http.StatusTooManyRequests)
}

// The current password on /settings/password is a password guess like any
// other: limited the same way, in parallel too.
func TestPasswordChangeGuessesAreLimited(t *testing.T) {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	c := app.login("ed@example.org")
	counts := c.parallelPosts(40, "/settings/password", func(int) url.Values {
		return url.Values{"current_password": {"wrong guess!!"}, "new_password": {"a new long passphrase"}, "new_password_confirm": {"a new long passphrase"}}
	})
	if counts[http.StatusUnprocessableEntity] > loginMaxPerAccount || counts[http.StatusTooManyRequests] < 40-loginMaxPerAccount {
		t.Fatalf("answers by status: %v; want at most %d checked (422), the rest 429", counts, loginMaxPerAccount)
	}
	// The right one is refused too while the limit lasts.
	res, _ := c.postForm("/settings/password", url.Values{"current_password": {testPassword}, "new_password": {"a new long passphrase"}, "new_password_confirm": {"a new long passphrase"}})
	wantStatus(t, res, http.StatusTooManyRequests)
}
