package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack/store"
)

// Hashing passwords at full cost under -race takes seconds a user (dev
// seed makes five): the commands' tests hash at the lowest cost.
func init() { store.PasswordCost = bcrypt.MinCost }

// cli runs foitrack in-process on dataDir and returns its exit code and output.
func cli(t *testing.T, dataDir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"--data", dataDir}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func mustCLI(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, dataDir, args...)
	if code != 0 {
		t.Fatalf("foitrack %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func TestDeadlineCalculatorJSON(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		due  string
	}{
		// Mon 2 Mar 2026; Tue 17 Mar (St Patrick's Day, NI) is not a working day under FOIA.
		{[]string{"--law", "uk-foia", "--received", "2026-03-02"}, "2026-03-31"},
		// FOISA counts only Scotland's holidays: 17 Mar is a working day there.
		{[]string{"--law", "scot-foisa", "--received", "2026-03-02"}, "2026-03-30"},
		// EISR: Scotland's holidays too, so Good Friday (3 Apr) stops the clock and Easter Monday does not.
		{[]string{"--law", "scot-eisr", "--received", "2026-03-20"}, "2026-04-20"},
		// Fri 20 Nov 2026, across Thanksgiving (Thu 26 Nov).
		{[]string{"--law", "us-foia", "--received", "2026-11-20"}, "2026-12-21"},
		// +10 working days in unusual circumstances, across Christmas and New Year's Day (Fridays).
		{[]string{"--law", "us-foia", "--received", "2026-11-20", "--extension", "unusual"}, "2027-01-06"},
	}
	for _, c := range cases {
		out := mustCLI(t, dir, append([]string{"deadline", "--json"}, c.args...)...)
		var res struct {
			Due         string `json:"due"`
			Explanation string `json:"explanation"`
			LongOverdue string `json:"long_overdue"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", c.args, err, out)
		}
		if res.Due != c.due {
			t.Errorf("%v: due %s, want %s (%s)", c.args, res.Due, c.due, res.Explanation)
		}
		if res.Explanation == "" || res.LongOverdue <= res.Due {
			t.Errorf("%v: explanation %q, long overdue %q", c.args, res.Explanation, res.LongOverdue)
		}
	}
	out := mustCLI(t, dir, "deadline", "--law", "uk-foia", "--received", "2026-03-02")
	if !strings.Contains(out, "Tue 31 Mar 2026") || !strings.Contains(out, "St Patrick") {
		t.Errorf("text output lacks the date or the holiday:\n%s", out)
	}
}

func TestBadInputIsAClearErrorNotAPanic(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Somewhere Council")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"deadline", "--law", "xx-foia", "--received", "2026-03-02"}, 2, "unknown --law"}, // a usage mistake, like request list --law
		{[]string{"deadline", "--law", "uk-foia", "--received", "2026-13-01"}, 2, "YYYY-MM-DD"},
		{[]string{"deadline", "--law", "uk-foia"}, 2, "required"},
		{[]string{"request", "show", "999"}, 1, "not found"},
		{[]string{"request", "show", "abc"}, 2, "not a request ID"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"authority", "import", "/nonexistent.csv"}, 1, "no such file"},
	} {
		code, out, errs := cli(t, dir, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Contains(errs, "goroutine") {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d mentioning %q", c.args, code, errs, out, c.code, c.want)
		}
	}
}

func TestRequestWorkflowOnTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	out := mustCLI(t, dir, "authority", "import", filepath.Join("testdata", "authorities.csv"))
	if !strings.Contains(out, "3 new") {
		t.Fatalf("import: %s", out)
	}
	// A CSV with a broken row is refused whole, naming the row.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	src, _ := os.ReadFile(filepath.Join("testdata", "authorities.csv"))
	os.WriteFile(bad, append(src, []byte("\"Unclosed,,x,,,,,,,,1\nNew Body,,new_body,,,,,,,,1\n")...), 0o600)
	code, _, errs := cli(t, dir, "authority", "import", bad)
	if code != 1 || !strings.Contains(errs, "row 5") {
		t.Fatalf("bad import: exit %d, %s", code, errs)
	}
	if out := mustCLI(t, dir, "authority", "list"); strings.Contains(out, "New Body") || strings.Count(out, "\n") != 4 {
		t.Fatalf("a refused import left rows behind:\n%s", out)
	}

	out = mustCLI(t, dir, "request", "add", "--authority", "Barsetshire", "--title", "ANPR camera locations", "--text", "Please send…", "--sent", "2026-03-02")
	if !strings.Contains(out, "request 1") || !strings.Contains(out, "uk-foia") || !strings.Contains(out, "Tue 31 Mar 2026") {
		t.Fatalf("request add: %s", out)
	}
	out = mustCLI(t, dir, "request", "add", "--authority", "glasgow_city_council", "--title", "Bus lane fines")
	if !strings.Contains(out, "scot-foisa") || !strings.Contains(out, "Draft") {
		t.Fatalf("request add (draft, Scotland): %s", out)
	}
	// Illegal transition: a response to a draft.
	code, _, errs = cli(t, dir, "request", "event", "2", "--kind", "response_received", "--date", "2026-03-05", "--outcome", "refused")
	if code != 1 || !strings.Contains(errs, "cannot record") {
		t.Fatalf("illegal event: exit %d, %s", code, errs)
	}
	mustCLI(t, dir, "request", "event", "1", "--kind", "response_received", "--date", "2026-03-27", "--outcome", "refused", "--exemptions", "section 31(1)(a)")
	out = mustCLI(t, dir, "request", "event", "1", "--kind", "internal_review_requested", "--date", "2026-03-30")
	if !strings.Contains(out, "Internal review") {
		t.Fatalf("review: %s", out)
	}
	pdf := filepath.Join(t.TempDir(), "released.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.4\n%%EOF\n"), 0o600)
	out = mustCLI(t, dir, "document", "add", "--request", "1", "--file", pdf, "--disposition", "released_redacted", "--exemptions", "s40(2)")
	if !strings.Contains(out, "released.pdf") || !strings.Contains(out, "sha256 ") {
		t.Fatalf("document add: %s", out)
	}
	mustCLI(t, dir, "document", "add", "--request", "1", "--withheld", "--description", "Camera contract", "--exemptions", "s43(2)")
	if code, _, errs := cli(t, dir, "document", "add", "--request", "1", "--withheld", "--exemptions", "s99"); code != 1 || !strings.Contains(errs, "s99") {
		t.Fatalf("unknown exemption on a document: exit %d %s", code, errs)
	}
	out = mustCLI(t, dir, "request", "show", "1")
	for _, want := range []string{"ANPR camera locations", "Barsetshire County Council", "s31(1)(a)", "Refused", "Internal review", "Tue 31 Mar 2026", "released.pdf", "released_redacted", "s40(2)", "withheld", "s43(2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("request show lacks %q:\n%s", want, out)
		}
	}
	// due: the review decision is owed; on 2026-05-20 it is overdue.
	out = mustCLI(t, dir, "due", "--today", "2026-05-20")
	if !strings.Contains(out, "ANPR camera") || !strings.Contains(strings.ToLower(out), "overdue") {
		t.Fatalf("due:\n%s", out)
	}
	out = mustCLI(t, dir, "exemptions", "--law", "uk-foia")
	if !strings.Contains(out, "s31(1)(a)") || !strings.Contains(out, "s40") {
		t.Fatalf("exemptions:\n%s", out)
	}
	// Export re-imports without changes.
	csv := mustCLI(t, dir, "authority", "export")
	p := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(p, []byte(csv), 0o600)
	if out := mustCLI(t, dir, "authority", "import", p); !strings.Contains(out, "0 new, 0 updated, 3 unchanged") {
		t.Fatalf("re-import of export: %s", out)
	}
}

// TestDataFlagAfterTheCommand: "foitrack request add … --data DIR" uses DIR,
// like "foitrack --data DIR request add …".
func TestDataFlagAfterTheCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run([]string{"authority", "import", "--data", dir, filepath.Join("testdata", "authorities.csv")}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "foitrack.db")); err != nil {
		t.Fatalf("the database is not in --data %s: %v", dir, err)
	}
	if list := mustCLI(t, dir, "authority", "list"); !strings.Contains(list, "Barsetshire") {
		t.Errorf("authorities imported with --data after the command are not in %s:\n%s", dir, list)
	}
}
