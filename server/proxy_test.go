package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// loginFrom posts the sign-in form with an X-Forwarded-For header ("" for
// none), as a reverse proxy in front of foitrack would.
func (c *client) loginFrom(xff, email, password string) *response {
	c.t.Helper()
	if c.csrf() == "" {
		c.get("/login")
	}
	form := url.Values{"email": {email}, "password": {password}, csrfField: {c.csrf()}}
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	res, _ := c.do(req)
	return res
}

// failedLoginAddresses are the addresses the failed sign-ins were recorded
// under, in order.
func failedLoginAddresses(t *testing.T, st *store.Store) []string {
	t.Helper()
	rows, err := st.Reader().QueryContext(context.Background(), `SELECT ip FROM login_attempts WHERE NOT success ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ips []string
	for rows.Next() {
		var ip string
		if err := rows.Scan(&ip); err != nil {
			t.Fatal(err)
		}
		ips = append(ips, ip)
	}
	return ips
}

func trustLoopbackProxy(cfg *Config) {
	var err error
	if cfg.TrustedProxies, err = ParseTrustedProxies("127.0.0.0/8"); err != nil {
		panic(err)
	}
}

// Behind a trusted proxy (the test's client connects from 127.0.0.1), the
// login rate limit counts the client address the proxy forwards: one client
// locked out does not lock out another behind the same proxy, and a client
// cannot escape its limit by putting addresses of its own in front.
func TestTrustedProxyLoginRateLimitPerForwardedClient(t *testing.T) {
	app := newTestApp(t, trustLoopbackProxy)
	app.user("ed@example.org", store.RoleEditor)
	c := app.anonymous()
	for range loginMaxPerAccount {
		wantStatus(t, c.loginFrom("203.0.113.5", "ed@example.org", "wrong password!"), http.StatusUnauthorized)
	}
	wantStatus(t, c.loginFrom("203.0.113.5", "ed@example.org", testPassword), http.StatusTooManyRequests)
	// A forged address in front of the one the proxy adds changes nothing.
	wantStatus(t, c.loginFrom("198.51.100.99, 203.0.113.5", "ed@example.org", testPassword), http.StatusTooManyRequests)
	// Another client behind the same proxy signs in.
	wantStatus(t, app.anonymous().loginFrom("198.51.100.7", "ed@example.org", testPassword), http.StatusSeeOther)

	got := failedLoginAddresses(t, app.st)
	if len(got) != loginMaxPerAccount {
		t.Fatalf("failed attempts recorded under %v, want %d", got, loginMaxPerAccount)
	}
	for _, ip := range got {
		if ip != "203.0.113.5" {
			t.Fatalf("failed attempts recorded under %v, want the forwarded client 203.0.113.5", got)
		}
	}
}

// By default X-Forwarded-For is anyone's to send, so it is ignored: the
// connection's address is what the limit counts, whatever the header says.
func TestUntrustedProxyHeaderIgnoredByLoginRateLimit(t *testing.T) {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	c := app.anonymous()
	for range loginMaxPerAccount {
		wantStatus(t, c.loginFrom("203.0.113.5", "ed@example.org", "wrong password!"), http.StatusUnauthorized)
	}
	// A new address in the header does not get a new allowance.
	wantStatus(t, app.anonymous().loginFrom("198.51.100.7", "ed@example.org", testPassword), http.StatusTooManyRequests)
	wantStatus(t, app.anonymous().loginFrom("", "ed@example.org", testPassword), http.StatusTooManyRequests)
	for _, ip := range failedLoginAddresses(t, app.st) {
		if ip != "127.0.0.1" {
			t.Fatalf("a failed attempt recorded under %q, want the connection's 127.0.0.1", ip)
		}
	}
}

// A proxy trusted by range is believed; a connection from outside the range
// is not, even when it is on a private network (echo's default would trust
// every private, loopback and link-local address).
func TestTrustedProxyRangesOnly(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.1.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	extract := clientIPExtractor(trusted)
	for _, c := range []struct{ remote, xff, want string }{
		{"10.1.2.3:4000", "203.0.113.5", "203.0.113.5"},
		{"10.1.2.3:4000", "203.0.113.9, 10.1.9.9", "203.0.113.9"}, // two trusted proxies in a row
		{"10.1.2.3:4000", "", "10.1.2.3"},
		{"10.2.0.1:4000", "203.0.113.5", "10.2.0.1"},   // private, but not a trusted proxy
		{"127.0.0.1:4000", "203.0.113.5", "127.0.0.1"}, // loopback is not trusted unless named
		{"192.0.2.1:4000", "203.0.113.5", "192.0.2.1"},
	} {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = c.remote
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := extract(req); got != c.want {
			t.Errorf("from %s with X-Forwarded-For %q: client %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr, req.Header["X-Forwarded-For"] = "10.1.2.3:4000", []string{"203.0.113.5"}
	if got := clientIPExtractor(nil)(req); got != "10.1.2.3" {
		t.Errorf("with no trusted proxy: client %s, want the connection's 10.1.2.3", got)
	}
}

func TestParseTrustedProxyValues(t *testing.T) {
	for _, c := range []struct {
		value string
		want  []string
	}{
		{"", nil},
		{"off", nil},
		{"loopback", []string{"127.0.0.0/8", "::1/128"}},
		{"10.0.0.0/8, 192.168.1.5 ,fd00::/8", []string{"10.0.0.0/8", "192.168.1.5/32", "fd00::/8"}},
		{"2001:db8::1", []string{"2001:db8::1/128"}},
	} {
		got, err := ParseTrustedProxies(c.value)
		if err != nil {
			t.Errorf("%q: %v", c.value, err)
			continue
		}
		var s []string
		for _, r := range got {
			s = append(s, r.String())
		}
		if strings.Join(s, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q: %v, want %v", c.value, s, c.want)
		}
	}
	for _, bad := range []string{"yes", "10.0.0.0/33", "loopback,proxy.example", "off,10.0.0.0/8"} {
		if _, err := ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), "neither an address") {
			t.Errorf("%q: error %v, want a clear one", bad, err)
		}
	}
}
