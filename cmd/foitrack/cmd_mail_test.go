package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
)

// foitrack mail list/show/file on mail fetched by foitrack sync: the lists
// show what the database holds, show --json has every part of a message,
// and filing, moving and putting back in the holding pen are the web app's
// audited action.
func TestMailCommands(t *testing.T) {
	ms, err := mailsync.StartMemServer("alice", "pw-for-the-test")
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	raws := []string{
		"From: Clerk <foi@council.example>\r\nTo: foi@example.org\r\nSubject: FOI response\r\nMessage-ID: <mail-cli-1@council.example>\r\n" +
			"Date: Tue, 31 Mar 2026 10:00:00 +0100\r\n\r\nOur ref: FOI/2026/0147\r\n\r\nThe information is withheld under section 31(1)(a) of the Freedom of Information Act.\r\n",
		"From: news@parish.example\r\nTo: foi@example.org\r\nSubject: Parish news\r\nMessage-ID: <mail-cli-2@parish.example>\r\n\r\nFete on Saturday.\r\n",
	}
	for _, raw := range raws {
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

	// Before any mail: [] (not null).
	mustCLI(t, dir, "authority", "add", "--name", "Somewhere Council")
	if out := mustCLI(t, dir, "mail", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("mail list --json on no mail: %q", out)
	}
	mustCLI(t, dir, "request", "add", "--authority", "1", "--title", "Gritting routes", "--sent", "2026-03-02")
	mustCLI(t, dir, "request", "add", "--authority", "1", "--title", "Potholes", "--sent", "2026-03-02")
	mustCLI(t, dir, "sync", "--quiet")

	var list []mailsync.MessageSummary
	decode(t, mustCLI(t, dir, "mail", "list", "--json"), &list)
	if len(list) != 2 || !list[0].InHoldingPen || list[0].Subject != "FOI response" || list[0].Kind != "refusal" {
		t.Fatalf("mail list: %+v", list)
	}
	decode(t, mustCLI(t, dir, "mail", "list", "--holding-pen", "--json"), &list)
	if len(list) != 2 {
		t.Fatalf("holding pen: %+v", list)
	}
	if out := mustCLI(t, dir, "mail", "list"); !strings.Contains(out, "holding pen") || !strings.Contains(out, "Parish news") {
		t.Fatalf("mail list: %q", out)
	}

	// The same as the database holds.
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.MailMessages(context.Background(), store.MailFilter{})
	st.Close()
	if err != nil || len(stored) != 2 || stored[0].ID != list[0].ID || stored[1].MessageID != "mail-cli-2@parish.example" {
		t.Fatalf("stored %+v, %v", stored, err)
	}

	// File the response on request 1: documents none, the reference learned.
	if out := mustCLI(t, dir, "mail", "file", "1", "--request", "1"); !strings.Contains(out, "message 1: filed on request 1") {
		t.Fatalf("mail file: %q", out)
	}
	out := mustCLI(t, dir, "mail", "show", "1", "--json")
	var shape any
	decode(t, out, &shape)
	checkJSONShape(t, "mail show --json", shape)
	var v mailsync.MessageView
	decode(t, out, &v)
	if v.RequestID != 1 || v.MatchRule != store.MatchManual || v.Classification == nil || v.Classification.Kind != "refusal" ||
		len(v.Classification.Exemptions) != 1 || v.Classification.Exemptions[0].Code != "s31(1)(a)" ||
		v.Classification.Proposal.State != store.ProposalProposed || v.Provenance.Mailbox != "INBOX" || v.Provenance.RawSHA256 == "" ||
		v.Headers.MessageID != "mail-cli-1@council.example" || !strings.Contains(v.Text, "section 31(1)(a)") {
		t.Fatalf("mail show --json: %s", out)
	}
	for _, key := range []string{`"documents": []`, `"dkim": [`, `"provenance"`, `"headers"`, `"proposal"`} {
		if !strings.Contains(out, key) {
			t.Errorf("mail show --json has no %s", key)
		}
	}
	if out := mustCLI(t, dir, "mail", "show", "1"); !strings.Contains(out, "Filed on:   request 1") || !strings.Contains(out, "Exemption:  s31(1)(a)") {
		t.Fatalf("mail show: %q", out)
	}
	decode(t, mustCLI(t, dir, "mail", "list", "--request", "1", "--json"), &list)
	if len(list) != 1 || list[0].ID != 1 {
		t.Fatalf("mail of request 1: %+v", list)
	}
	// Moved to request 2, then back to the holding pen.
	mustCLI(t, dir, "mail", "file", "1", "--request", "2")
	decode(t, mustCLI(t, dir, "mail", "list", "--request", "2", "--json"), &list)
	if len(list) != 1 || list[0].RequestID != 2 {
		t.Fatalf("after the move: %+v", list)
	}
	mustCLI(t, dir, "mail", "file", "1", "--holding-pen")
	decode(t, mustCLI(t, dir, "mail", "list", "--holding-pen", "--json"), &list)
	if len(list) != 2 {
		t.Fatalf("after going back: %+v", list)
	}
	mustCLI(t, dir, "audit", "verify") // exit 1 on any disagreement between the log and the rows

	// Mistakes: exit 2 for the command line, 1 for the rest.
	for _, args := range [][]string{
		{"mail", "file", "1"}, {"mail", "file", "1", "--request", "2", "--holding-pen"}, {"mail", "show"},
		{"mail", "list", "--holding-pen", "--request", "1"}, {"mail", "show", "x"},
	} {
		if code, _, errs := cli(t, dir, args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	if code, _, errs := cli(t, dir, "mail", "file", "2", "--holding-pen"); code != 1 || !strings.Contains(errs, "not on any request") {
		t.Errorf("to the holding pen from it: exit %d, %q", code, errs)
	}
	if code, _, errs := cli(t, dir, "mail", "show", "99"); code != 1 || errs == "" {
		t.Errorf("show a missing message: exit %d, %q", code, errs)
	}
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
}

// audit verify reports the partial blob files a killed run left, which
// opening the store removed.
func TestAuditVerifyReportsPartialFiles(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Somewhere Council")
	// An older version's name (no pid), untouched for hours: a leftover.
	p := filepath.Join(dir, "blobs", ".incoming-7731")
	if err := os.WriteFile(p, []byte("half a message"), 0o640); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-3 * time.Hour)
	os.Chtimes(p, old, old)
	out := mustCLI(t, dir, "audit", "verify")
	if !strings.Contains(out, "partial files: 1 left by a killed run were removed (14 bytes)") {
		t.Fatalf("audit verify: %s", out)
	}
	if _, err := os.Stat(p); err == nil {
		t.Fatal("the partial file is still there")
	}
	if out := mustCLI(t, dir, "audit", "verify"); !strings.Contains(out, "partial files: none left by a killed run") {
		t.Fatalf("audit verify again: %s", out)
	}
}
