package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRemindDryRunThenRun: --dry-run says what would be given and why and
// changes nothing; a run gives it; a rerun gives nothing.
func TestRemindDryRunThenRun(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, dir, "authority", "add", "--name", "Kent Police", "--email", "foi@kent.police.uk")
	mustCLI(t, dir, "request", "add", "--authority", "1", "--title", "Drone flights", "--sent", "2026-03-02")
	mustCLI(t, dir, "user", "add", "--email", "ada@example.org", "--admin", "--password-file", pw)

	for range 2 {
		out := mustCLI(t, dir, "remind", "--dry-run", "--now", "2026-04-01T09:00:00Z")
		for _, want := range []string{"#1 Drone flights — Kent Police", "Response overdue, due Tue 31 Mar 2026 → ada@example.org (admin)",
			"why: The response was due Tue 31 Mar 2026 and is 1 working day late.", "1 would be given now; 0 due but given before"} {
			if !strings.Contains(out, want) {
				t.Fatalf("dry run lacks %q:\n%s", want, out)
			}
		}
	}
	out := mustCLI(t, dir, "remind", "--now", "2026-04-01T09:00:00Z")
	if !strings.Contains(out, "Reminders given now: 1 (given before: 0)") {
		t.Fatalf("run: %s", out)
	}
	out = mustCLI(t, dir, "remind", "--now", "2026-04-01T10:00:00Z")
	if !strings.Contains(out, "Reminders given now: 0 (given before: 1)") {
		t.Fatalf("rerun: %s", out)
	}
	out = mustCLI(t, dir, "remind", "--dry-run", "--now", "2026-04-01T10:00:00Z")
	if !strings.Contains(out, "Nothing to give now.") || !strings.Contains(out, "0 would be given now; 1 due but given before") {
		t.Fatalf("dry run after: %s", out)
	}
	if code, _, errs := cli(t, dir, "remind", "--now", "tomorrow"); code != 2 || !strings.Contains(errs, "neither RFC 3339") {
		t.Fatalf("bad --now: exit %d %s", code, errs)
	}
}

// The dry run says which zone "today" is counted in by a name a person
// understands: the configured IANA zone, or the server's zone by its
// abbreviation, never Go's "Local".
func TestZoneName(t *testing.T) {
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skipf("no zone database: %v", err)
	}
	if got := zoneName(london, at); got != "Europe/London" {
		t.Errorf("zoneName(Europe/London) = %q", got)
	}
	abbr, _ := at.In(time.Local).Zone()
	if got := zoneName(time.Local, at); got != "the server's time zone, "+abbr || strings.Contains(got, "Local") {
		t.Errorf("zoneName(time.Local) = %q", got)
	}
}
