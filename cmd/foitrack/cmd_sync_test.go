package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/mailsync"
)

// foitrack sync against the in-process IMAP server, configured by
// environment variables only: a pass with a summary, then a rerun with
// nothing new.
func TestSyncCommand(t *testing.T) {
	ms, err := mailsync.StartMemServer("alice", "pw-for-the-test")
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	for i, subject := range []string{"One", "Two", "Three"} {
		raw := "From: clerk@council.example\r\nTo: foi@example.org\r\nSubject: " + subject +
			"\r\nMessage-ID: <cli-" + string(rune('a'+i)) + "@council.example>\r\n\r\nHello\r\n"
		if _, err := ms.Append("INBOX", []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	host, port, _ := net.SplitHostPort(ms.Addr)
	t.Setenv("FOITRACK_IMAP_HOST", host)
	t.Setenv("FOITRACK_IMAP_PORT", port)
	t.Setenv("FOITRACK_IMAP_TLS", "plain")
	t.Setenv("FOITRACK_IMAP_USERNAME", "alice")
	t.Setenv("FOITRACK_IMAP_PASSWORD", "pw-for-the-test")
	dir := t.TempDir()

	code, out, errs := cli(t, dir, "sync")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "fetched 3: 0 matched, 3 unmatched (holding pen), 0 failed; 0 skipped as duplicates") {
		t.Fatalf("summary: %q", out)
	}
	// Standard error is not a terminal here: no progress bar, no \r.
	if strings.Contains(errs, "\r") || strings.Contains(errs, "mail sync:") {
		t.Fatalf("progress written to a pipe: %q", errs)
	}

	out = mustCLI(t, dir, "sync", "--json", "--quiet")
	var sum struct {
		Fetched    int   `json:"fetched"`
		Duplicates int   `json:"duplicates"`
		RunID      int64 `json:"run_id"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	// snake_case keys, [] for no failures (never Go's field names or null).
	var shape any
	json.Unmarshal([]byte(out), &shape)
	checkJSONShape(t, "sync --json", shape)
	if !strings.Contains(out, `"failures": []`) || strings.Contains(out, "RunID") {
		t.Fatalf("sync --json: %s", out)
	}
	if sum.Fetched != 0 || sum.Duplicates != 0 || sum.RunID != 2 {
		t.Fatalf("rerun: %+v", sum)
	}

	// A wrong password: an error, exit 1, no Go trace.
	t.Setenv("FOITRACK_IMAP_PASSWORD", "wrong")
	code, _, errs = cli(t, dir, "sync", "--quiet")
	if code != 1 || !strings.Contains(errs, "log in") || strings.Contains(errs, "goroutine") {
		t.Fatalf("wrong password: exit %d, %q", code, errs)
	}
	// Plain IMAP to a remote host is refused before connecting.
	t.Setenv("FOITRACK_IMAP_HOST", "imap.example.org")
	code, _, errs = cli(t, dir, "sync", "--quiet")
	if code != 1 || !strings.Contains(errs, "loopback") {
		t.Fatalf("plain to a remote host: exit %d, %q", code, errs)
	}
}
