package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPrecedence: flag > environment > settings file > stored setting > default.
func TestPrecedence(t *testing.T) {
	t.Cleanup(Reset)
	Reset()
	get := func() string { v, _ := Resolve("remind.schedule", "30 6 * * *"); return v }
	if v, src := Resolve("remind.schedule", ""); v != "0 * * * *" || src != "default" {
		t.Fatalf("default: %q %s", v, src)
	}
	if v := get(); v != "30 6 * * *" {
		t.Fatalf("stored: %q", v)
	}
	file := filepath.Join(t.TempDir(), "foitrack.env")
	os.WriteFile(file, []byte("# schedules\nFOITRACK_REMIND_SCHEDULE=\"15 7 * * *\"\n\nexport FOITRACK_MAIL_SCHEDULE=off\n"), 0o600)
	if err := LoadFile(file); err != nil {
		t.Fatal(err)
	}
	if v := get(); v != "15 7 * * *" {
		t.Fatalf("settings file over stored: %q", v)
	}
	if v, _ := Resolve("mail.schedule", ""); v != "off" {
		t.Fatalf("export KEY=: %q", v)
	}
	t.Setenv("FOITRACK_REMIND_SCHEDULE", "45 8 * * *")
	if v, src := Resolve("remind.schedule", "30 6 * * *"); v != "45 8 * * *" || src != "environment" {
		t.Fatalf("environment over file: %q %s", v, src)
	}
	SetFlag("base_url", "https://flag.example.org")
	t.Setenv("FOITRACK_BASE_URL", "https://env.example.org")
	if v, src := Resolve("base_url", "https://stored.example.org"); v != "https://flag.example.org" || src != "flag" {
		t.Fatalf("flag over environment: %q %s", v, src)
	}

	// The file changes: Reload takes it up; a bad file keeps the last good one.
	os.WriteFile(file, []byte("FOITRACK_MAIL_SCHEDULE=*/15 * * * *\n"), 0o600)
	if err := Reload(); err != nil {
		t.Fatal(err)
	}
	if v, _ := Resolve("mail.schedule", ""); v != "*/15 * * * *" {
		t.Fatalf("after reload: %q", v)
	}
	for _, bad := range []string{"FOITRACK_MAIL_SCHEDUEL=off\n", "FOITRACK_SECRETS_DIR=/tmp\n", "just words\n"} {
		os.WriteFile(file, []byte(bad), 0o600)
		if err := Reload(); err == nil || !strings.Contains(err.Error(), ":1:") {
			t.Errorf("%q: %v", bad, err)
		}
		if v, _ := Resolve("mail.schedule", ""); v != "*/15 * * * *" {
			t.Errorf("a bad file changed the settings: %q", v)
		}
	}
}

// TestREADMETablesMatchSettings: every FOITRACK_ variable in the README's
// tables is a setting here and every setting is in a table, with its
// default written in the same row.
func TestREADMETablesMatchSettings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`FOITRACK_[A-Z_]*[A-Z]`)
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		for _, n := range name.FindAllString(line, -1) {
			if _, ok := Lookup(n); !ok {
				t.Errorf("the README's tables name %s, which is not a setting:\n%s", n, line)
			}
			rows[n] += line
		}
	}
	human := map[string]string{"52428800": "50 MiB", "26214400": "25 MiB"}
	for _, s := range Settings {
		row, ok := rows[s.Env]
		if !ok {
			t.Errorf("%s is in no table of the README", s.Env)
			continue
		}
		def := s.Default
		if h, ok := human[def]; ok {
			def = h
		}
		if def != "" && !strings.Contains(row, def) {
			t.Errorf("the README's row for %s does not give its default %q:\n%s", s.Env, def, row)
		}
		if f := strings.TrimPrefix(s.Flag, "serve "); f != "" && !strings.Contains(row, f) {
			t.Errorf("the README's row for %s does not give its flag %s", s.Env, s.Flag)
		}
	}
}
