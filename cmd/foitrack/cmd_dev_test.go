package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack/store"
)

func TestDevSeed(t *testing.T) {
	old := store.PasswordCost
	store.PasswordCost = bcrypt.MinCost
	t.Cleanup(func() { store.PasswordCost = old })
	dir := t.TempDir()
	for _, bad := range [][]string{
		{"dev", "seed"},                                   // --requests missing
		{"dev", "seed", "--requests", "-3"},               // negative
		{"dev", "seed", "--requests", "5", "--end", "no"}, // not a date
		{"dev", "seed", "--requests", "5", "extra"},       // stray argument
	} {
		if code, _, errs := cli(t, dir, bad...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d (%q), want a usage error (2)", bad, code, errs)
		}
	}
	heap := filepath.Join(t.TempDir(), "heap.prof")
	out := mustCLI(t, dir, "dev", "seed", "--requests", "15", "--messages", "30", "--json", "--memprofile", heap)
	var sum struct {
		Requests int            `json:"requests"`
		Messages int            `json:"messages"`
		ByStatus map[string]int `json:"by_status"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if sum.Requests != 15 || sum.Messages == 0 || len(sum.ByStatus) != 11 {
		t.Errorf("summary %+v", sum)
	}
	// --memprofile: the Go heap's profile once seeded (pprof's format, a
	// gzipped protocol buffer).
	if f, err := os.Open(heap); err != nil {
		t.Errorf("--memprofile: %v", err)
	} else {
		defer f.Close()
		if z, err := gzip.NewReader(f); err != nil {
			t.Errorf("--memprofile: not a profile: %v", err)
		} else if b, err := io.ReadAll(z); err != nil || len(b) == 0 {
			t.Errorf("--memprofile: %d bytes, %v", len(b), err)
		}
	}
	// The seeded database passes its own audit, and is never seeded twice.
	mustCLI(t, dir, "audit", "verify")
	if code, _, errs := cli(t, dir, "dev", "seed", "--requests", "5"); code != 1 || !strings.Contains(errs, "seed only an empty one") {
		t.Errorf("second seed: exit %d, %q", code, errs)
	}
}
