package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServeFailsWhenThePortIsTaken: serve exits 1 (not 0) when it cannot
// serve, so that a supervisor sees the failure.
func TestServeFailsWhenThePortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errs := cli(t, t.TempDir(), "serve", "--no-jobs", "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(errs, "cannot listen on "+ln.Addr().String()) {
		t.Fatalf("exit %d, %q", code, errs)
	}
}

// TestHealthcheck: exit 0 on 200 from /healthz, 1 on anything else or no answer.
func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if code, out, errs := cli(t, t.TempDir(), "healthcheck", "--addr", addr); code != 0 || !strings.Contains(out, "healthy") {
		t.Fatalf("healthy server: exit %d %q %q", code, out, errs)
	}
	_, port, _ := net.SplitHostPort(addr)
	if code, _, errs := cli(t, t.TempDir(), "healthcheck", "--addr", "0.0.0.0:"+port); code != 0 {
		t.Fatalf("0.0.0.0 is asked on the loopback: exit %d %q", code, errs)
	}
	status = http.StatusServiceUnavailable
	if code, _, errs := cli(t, t.TempDir(), "healthcheck", "--addr", addr); code != 1 || !strings.Contains(errs, "503") {
		t.Fatalf("unhealthy server: exit %d %q", code, errs)
	}
	srv.Close()
	if code, _, _ := cli(t, t.TempDir(), "healthcheck", "--addr", addr); code != 1 {
		t.Fatalf("no server: exit %d", code)
	}
}
