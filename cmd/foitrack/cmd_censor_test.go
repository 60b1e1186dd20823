package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCensorCommands(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Somewhere Council")
	mustCLI(t, dir, "request", "add", "--authority", "1", "--title", "Gritting routes")
	if out := mustCLI(t, dir, "censor", "add", "--global", "Jane Privet"); !strings.Contains(out, `censor rule 1: text "Jane Privet" → "[REDACTED]" (global)`) {
		t.Errorf("add: %s", out)
	}
	mustCLI(t, dir, "censor", "add", "--request", "1", "--regexp", "--replacement", "[phone]", `07\d{3} ?\d{6}`)
	var rules []map[string]any
	if err := json.Unmarshal([]byte(mustCLI(t, dir, "censor", "list", "--json")), &rules); err != nil || len(rules) != 2 || rules[1]["scope"] != "request" || rules[1]["regexp"] != true {
		t.Fatalf("list: %v %v", rules, err)
	}
	for _, bad := range [][]string{{"censor", "add", "x"}, {"censor", "add", "--global", "--request", "1", "x"}, {"censor", "add", "--global"}} {
		if code, _, _ := cli(t, dir, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	if code, _, errs := cli(t, dir, "censor", "add", "--global", "--regexp", "("); code != 1 || !strings.Contains(errs, "not a regular expression") {
		t.Errorf("bad pattern: %d %s", code, errs)
	}
	if code, _, _ := cli(t, dir, "censor", "add", "--request", "99", "x"); code != 1 {
		t.Errorf("rule for a missing request: exit %d", code)
	}
	mustCLI(t, dir, "censor", "delete", "1")
	if out := mustCLI(t, dir, "censor", "list"); strings.Contains(out, "Jane Privet") {
		t.Errorf("deleted rule listed: %s", out)
	}
	out := mustCLI(t, dir, "censor", "requester", "--name", "Jane Privet", "--address", "12 Acacia Avenue, Borchester", "--email", "jane@privet.example")
	if !strings.Contains(out, "address: 12 Acacia Avenue, Borchester") {
		t.Errorf("requester: %s", out)
	}
	if out := mustCLI(t, dir, "censor", "requester"); !strings.Contains(out, "name: Jane Privet") {
		t.Errorf("requester kept: %s", out)
	}
	if out := mustCLI(t, dir, "audit", "verify", "--quiet"); !strings.Contains(out, "all match") {
		t.Errorf("audit verify: %s", out)
	}
}

// TestCensorAddSeveralIsAllOrNothing: censor add takes several patterns,
// added in one transaction (the store method the web form uses).
func TestCensorAddSeveralIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Somewhere Council")
	if code, _, errs := cli(t, dir, "censor", "add", "--global", "Jane Smith", strings.Repeat("x", 600)); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out := mustCLI(t, dir, "censor", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("a refused pattern left rules: %s", out)
	}
	out := mustCLI(t, dir, "censor", "add", "--global", "Jane Smith", "07700 900123")
	if strings.Count(out, "censor rule ") != 2 {
		t.Fatalf("%s", out)
	}
}
