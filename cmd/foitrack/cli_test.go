package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// commandNames is every registered command, sorted: the conventions test
// covers commands added later without being told about them.
func commandNames() []string {
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestCommandConventions: every command's --help (and "help CMD") prints its
// usage on standard output and exits 0; an unknown option and stray
// arguments are usage mistakes (exit 2, said on standard error, nothing on
// standard output, no data directory made).
func TestCommandConventions(t *testing.T) {
	for _, name := range commandNames() {
		words := strings.Fields(name)
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			for _, args := range [][]string{append(append([]string{}, words...), "--help"), append([]string{"help"}, words...), append(append([]string{}, words...), "-h")} {
				code, out, errs := cli(t, dir, args...)
				if code != 0 || !strings.Contains(out, "Usage: foitrack "+name) || errs != "" {
					t.Errorf("%v: exit %d, stdout %q, stderr %q; want the usage on stdout, exit 0", args, code, out, errs)
				}
			}
			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"--no-such-option"}, "unknown option --no-such-option"},
				{[]string{"stray1", "stray2", "stray3", "stray4", "stray5"}, "see: foitrack " + name + " --help"},
			} {
				args := append(append([]string{}, words...), c.args...)
				code, out, errs := cli(t, dir, args...)
				if code != 2 || !strings.Contains(errs, c.want) || out != "" {
					t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 mentioning %q", args, code, out, errs, c.want)
				}
			}
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("a usage mistake made the data directory")
			}
		})
	}
}

// TestGroupHelpAndVersion: "foitrack request --help" lists the group's
// commands; "foitrack request" alone and "foitrack request frob" are
// mistakes; --version names the source revision.
func TestGroupHelpAndVersion(t *testing.T) {
	dir := t.TempDir()
	groups := map[string]bool{}
	for _, n := range commandNames() {
		if g, _, ok := strings.Cut(n, " "); ok {
			groups[g] = true
		}
	}
	if !groups["request"] || !groups["audit"] {
		t.Fatalf("groups: %v", groups)
	}
	for g := range groups {
		for _, args := range [][]string{{g, "--help"}, {"help", g}, {g, "-h"}} {
			code, out, errs := cli(t, dir, args...)
			if code != 0 || !strings.Contains(out, "Usage: foitrack "+g+" COMMAND") || errs != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
			}
			for _, sub := range groupCommands(g) {
				if !strings.Contains(out, sub) {
					t.Errorf("%v: does not list %s", args, sub)
				}
			}
		}
		if code, out, errs := cli(t, dir, g); code != 2 || out != "" || !strings.Contains(errs, "give a command") {
			t.Errorf("%s alone: exit %d, stdout %q, stderr %q", g, code, out, errs)
		}
		if code, out, errs := cli(t, dir, g, "frob"); code != 2 || out != "" || !strings.Contains(errs, `unknown command "`+g+` frob"`) {
			t.Errorf("%s frob: exit %d, stdout %q, stderr %q", g, code, out, errs)
		}
	}
	for _, args := range [][]string{{"--help"}, {"help"}, {}} {
		if code, out, _ := cli(t, dir, args...); code != 0 || !strings.Contains(out, "request show") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errs := cli(t, dir, args...)
		if code != 0 || !strings.HasPrefix(out, "foitrack ") || !strings.Contains(out, "revision ") || errs != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	if code, _, errs := cli(t, dir, "--bogus"); code != 2 || !strings.Contains(errs, "unknown option --bogus") {
		t.Errorf("--bogus: exit %d, %q", code, errs)
	}
}

// TestUsageMistakesExitTwo: bad filters and bad values are mistakes in the
// command line, not empty results.
func TestUsageMistakesExitTwo(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Somewhere Council")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"request", "list", "--status", "awaiting"}, "unknown --status"},
		{[]string{"request", "list", "--law", "uk-fioa"}, "unknown --law"},
		{[]string{"request", "show", "1", "2"}, `unexpected argument "2"`},
		{[]string{"request", "event", "1"}, "give --kind"},
		{[]string{"due", "--days", "x"}, "invalid value"},
		{[]string{"due", "--days"}, "option --days needs a value"},
		{[]string{"due", "soon"}, `unexpected argument "soon"`},
		{[]string{"timeline", "list", "--from", "March"}, "--from"},
		{[]string{"timeline", "list", "--importance", "11"}, "--importance"},
		{[]string{"authority", "list", "police"}, `unexpected argument "police"`},
		{[]string{"exemptions", "--law", "xx"}, "unknown law"},
		{[]string{"deadline", "--law", "xx", "--received", "2026-03-02"}, "unknown --law"},
		{[]string{"request", "add", "--authority", "1", "--title", "T", "--law", "xx"}, "unknown --law"},
		{[]string{"authority", "add"}, "--name is required"},
		{[]string{"authority", "add", "--name", "Elsewhere", "--law", "xx"}, "unknown --law"},
		{[]string{"batch", "create", "--authorities", "1"}, "--title is required"},
		{[]string{"batch", "create", "--title", "T", "--authorities", "1"}, "give --text or --text-file"},
		{[]string{"batch", "create", "--title", "T", "--text", "x"}, "--authorities is required"},
	} {
		code, out, errs := cli(t, dir, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 mentioning %q", c.args, code, out, errs, c.want)
		}
	}
}

// TestReadOnlyCommandsRefuseAMissingDataDir: a mistyped --data is an error
// (exit 1) that names the directory, and nothing is created there.
func TestReadOnlyCommandsRefuseAMissingDataDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo")
	out := filepath.Join(t.TempDir(), "out")
	for _, args := range [][]string{
		{"due"}, {"request", "list"}, {"request", "show", "1"}, {"audit", "verify"}, {"audit", "head"},
		{"authority", "list"}, {"authority", "export"}, {"timeline", "list"}, {"timeline", "export", out},
		{"batch", "list"}, {"batch", "show", "1"}, {"batch", "export", "1"}, {"user", "list"},
		{"export", "bundle", "--request", "1", "-o", out + ".zip"}, {"remind", "--dry-run"}, {"mail", "list"}, {"mail", "show", "1"},
		{"search", "gritting"}, {"backup", out + ".tar.gz"},
	} {
		code, stdout, errs := cli(t, missing, args...)
		if code != 1 || !strings.Contains(errs, "no foitrack data in "+missing+"; give --data or set FOITRACK_DATA") || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, errs)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Fatalf("%v made the data directory", args)
		}
	}
	// Commands that need no data work anywhere; commands that write create it.
	mustCLI(t, missing, "exemptions", "--law", "uk-foia")
	mustCLI(t, missing, "deadline", "--law", "uk-foia", "--received", "2026-03-02")
	if _, err := os.Stat(missing); err == nil {
		t.Fatalf("exemptions or deadline made the data directory")
	}
	mustCLI(t, missing, "authority", "add", "--name", "Somewhere Council")
	if out := mustCLI(t, missing, "authority", "list"); !strings.Contains(out, "Somewhere Council") {
		t.Fatalf("after a write: %s", out)
	}
}

var nullableKey = regexp.MustCompile(`\.(\w+_on|\w+_date|\w+_at|date|due|first_response|by)$`)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkJSONShape fails on a null anywhere (an empty list is [], an absent
// value is left out) and on a key that is not snake_case.
func checkJSONShape(t *testing.T, where string, v any) {
	t.Helper()
	switch v := v.(type) {
	case nil:
		// A date or an instant not set yet (a draft's sent_on) may be
		// null; a list never is.
		if !nullableKey.MatchString(where) {
			t.Errorf("%s: null", where)
		}
	case map[string]any:
		for k, e := range v {
			if !snakeCase.MatchString(k) {
				t.Errorf("%s: key %q is not snake_case", where, k)
			}
			checkJSONShape(t, where+"."+k, e)
		}
	case []any:
		for i, e := range v {
			if i < 3 {
				checkJSONShape(t, where+"[]", e)
			}
		}
	}
}

// TestJSONOutputShape: every list and show command's --json, on an empty
// database and on one with data, has snake_case keys and no nulls.
func TestJSONOutputShape(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Somewhere Council")
	listCmds := [][]string{
		{"due"}, {"request", "list"}, {"authority", "list"}, {"batch", "list"}, {"user", "list"},
		{"timeline", "list"}, {"exemptions"}, {"remind", "--dry-run"}, {"mail", "list"}, {"censor", "list"},
	}
	for _, args := range listCmds {
		if args[0] == "exemptions" || args[0] == "authority" {
			continue // never empty here
		}
		out := mustCLI(t, dir, append(args, "--json")...)
		if strings.TrimSpace(out) != "[]" {
			t.Errorf("%v on an empty database: %.200q, want []", args, out)
		}
	}
	mustCLI(t, dir, "request", "add", "--authority", "1", "--title", "Gritting routes", "--sent", "2026-03-02")
	mustCLI(t, dir, "request", "add", "--authority", "1", "--title", "Potholes")
	mustCLI(t, dir, "batch", "create", "--title", "Budgets", "--text", "Please send", "--authorities", "1")
	ev := t.TempDir()
	os.WriteFile(filepath.Join(ev, "2026-03-30--budget.md"), []byte("---\nid: 2026-03-30--budget\ndate: 2026-03-30\ntitle: Budget\n---\nBody\n"), 0o600)
	mustCLI(t, dir, "timeline", "import", ev)
	all := append(listCmds, []string{"request", "show", "1"}, []string{"request", "show", "2"}, []string{"batch", "show", "1"},
		[]string{"deadline", "--law", "uk-foia", "--received", "2026-03-02"}, []string{"search", "Gritting"}, []string{"audit", "head"}, []string{"search", "nothing-matches-this"})
	for _, args := range all {
		out := mustCLI(t, dir, append(args, "--json")...)
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("%v: not JSON: %v\n%s", args, err, out)
			continue
		}
		checkJSONShape(t, strings.Join(args, " "), v)
	}
}

// TestEveryListAndShowHasJSON: every list and show command (and the other
// commands that print records) offers --json; TestJSONOutputShape checks
// what it prints.
func TestEveryListAndShowHasJSON(t *testing.T) {
	printers := map[string]bool{"due": true, "exemptions": true, "search": true, "deadline": true, "audit head": true, "remind": true, "sync": true}
	for _, name := range commandNames() {
		if !strings.HasSuffix(name, " list") && !strings.HasSuffix(name, " show") && !printers[name] {
			continue
		}
		_, out, _ := cli(t, t.TempDir(), append(strings.Fields(name), "--help")...)
		if !strings.Contains(out, "-json") {
			t.Errorf("%s has no --json", name)
		}
	}
}
