package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/foitrack/foitrack/internal/smtptest"
)

// TestBatchFromTheCommandLine: a batch made, sent through the SMTP server
// the environment names, stopped by a refusal with what was and was not
// sent, resumed, and exported.
func TestBatchFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	mail := smtptest.Start(t)
	t.Setenv("FOITRACK_SMTP_HOST", mail.Host)
	t.Setenv("FOITRACK_SMTP_PORT", fmt.Sprint(mail.Port))
	t.Setenv("FOITRACK_SMTP_TLS", "none")
	t.Setenv("FOITRACK_SMTP_FROM", "foi@campaign.example")
	t.Setenv("FOITRACK_REPLY_ADDRESS", "")
	mustCLI(t, dir, "authority", "add", "--name", "Kent Police", "--short", "Kent", "--email", "foi@kent.police.uk")
	mustCLI(t, dir, "authority", "add", "--name", "Police Scotland", "--jurisdiction", "uk-scotland", "--email", "foi@scotland.police.uk")
	out := mustCLI(t, dir, "batch", "create", "--title", "Drones ({{.ShortName}})", "--text", "How many drone flights did {{.Authority}} make?",
		"--authorities", "1,2", "--throttle", "0")
	if !strings.Contains(out, "batch 1: 2 draft requests") {
		t.Fatalf("create: %s", out)
	}
	mail.Reject(&smtp.SMTPError{Code: 451, Message: "Try again later"})
	code, out, errs := cli(t, dir, "batch", "send", "1")
	if code != 1 || !strings.Contains(out, "FAILED: 1") || !strings.Contains(out, "not sent: 1, 2") || !strings.Contains(errs, "451") {
		t.Fatalf("send against a refusing server: exit %d\n%s\n%s", code, out, errs)
	}
	mail.Reject(nil)
	out = mustCLI(t, dir, "batch", "send", "1")
	if !strings.Contains(out, "sent now: 1, 2") || len(mail.Messages()) != 2 {
		t.Fatalf("resume: %s (%d messages)", out, len(mail.Messages()))
	}
	out = mustCLI(t, dir, "batch", "export", "1")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.Contains(lines[2], "Police Scotland,FT-") ||
		!strings.Contains(lines[2], ",scot-foisa,sent,,awaiting_response,") {
		t.Fatalf("export:\n%s", out)
	}
}
