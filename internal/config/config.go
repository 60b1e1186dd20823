// Package config is the one list of foitrack's settings (Settings): for
// each, its command-line flag, environment variable, stored setting (what
// an admin changes in the web app) and default, and the one precedence
// every package applies:
//
//	flag > environment > stored setting > default
//
// "Environment" is the process environment and, below it, the optional
// settings file (--config FILE or FOITRACK_CONFIG: KEY=VALUE lines, the
// format of systemd's EnvironmentFile and docker's --env-file), which serve
// reads again every minute: a schedule (FOITRACK_MAIL_SCHEDULE,
// FOITRACK_REMIND_SCHEDULE) changed there, like one changed in the web app,
// applies without a restart. Nothing is passed between packages through
// os.Setenv: serve records its flags here (SetFlag).
package config

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"sync"
)

// Setting is one setting.
type Setting struct {
	Key     string // how the code names it
	Flag    string // "serve --addr"; "" when there is none
	Env     string // FOITRACK_…
	Stored  string // "mail.schedule": setting row "mail", field "schedule" (admin pages); "" when not stored
	Default string // "" when there is none
	Help    string
	// StartOnly: read once at start-up (a change needs a restart); not
	// taken from the settings file either (the secrets directory must be
	// named by whoever starts foitrack).
	StartOnly bool
}

// Settings is every setting foitrack reads, in the order the README lists
// them (TestREADMETablesMatchSettings keeps the two in step).
var Settings = []Setting{
	{Key: "data", Flag: "--data", Env: "FOITRACK_DATA", Default: "./foitrack-data", Help: "data directory (database, stored files)", StartOnly: true},
	{Key: "config", Flag: "serve --config", Env: "FOITRACK_CONFIG", Help: "settings file (KEY=VALUE lines), read again every minute", StartOnly: true},
	{Key: "addr", Flag: "serve --addr", Env: "FOITRACK_ADDR", Default: "127.0.0.1:8080", Help: "listen address", StartOnly: true},
	{Key: "base_url", Flag: "serve --base-url", Env: "FOITRACK_BASE_URL", Stored: "reminders.base_url", Help: "public URL (links in mail and feeds; https makes cookies secure)"},
	{Key: "trust_proxy", Flag: "serve --trust-proxy", Env: "FOITRACK_TRUST_PROXY", Help: "reverse proxies to believe (CIDRs, or loopback)", StartOnly: true},
	{Key: "secrets_dir", Flag: "serve --secrets-dir", Env: "FOITRACK_SECRETS_DIR", Help: "directory of the password files the settings name", StartOnly: true},

	{Key: "imap.host", Env: "FOITRACK_IMAP_HOST", Stored: "mail.host", Help: "IMAP host"},
	{Key: "imap.port", Env: "FOITRACK_IMAP_PORT", Stored: "mail.port", Default: "993", Help: "IMAP port (143 with starttls or plain)"},
	{Key: "imap.tls", Env: "FOITRACK_IMAP_TLS", Stored: "mail.tls_mode", Default: "tls", Help: "tls, starttls or plain (loopback only)"},
	{Key: "imap.username", Env: "FOITRACK_IMAP_USERNAME", Stored: "mail.username", Help: "IMAP login"},
	{Key: "imap.password", Env: "FOITRACK_IMAP_PASSWORD", Stored: "mail.password_env", Help: "IMAP password (the setting names the variable; never stored)"},
	{Key: "imap.password_file", Env: "FOITRACK_IMAP_PASSWORD_FILE", Stored: "mail.password_file", Help: "file in the secrets directory holding the IMAP password"},
	{Key: "imap.mailbox", Env: "FOITRACK_IMAP_MAILBOX", Stored: "mail.mailbox", Default: "INBOX", Help: "mailbox to read"},
	{Key: "imap.processed_folder", Env: "FOITRACK_IMAP_PROCESSED_FOLDER", Stored: "mail.processed_folder", Help: "folder stored mail is moved to (none: it stays)"},
	{Key: "mail.schedule", Env: "FOITRACK_MAIL_SCHEDULE", Stored: "mail.schedule", Default: "*/5 * * * *", Help: "mail sync schedule (cron; off to stop)"},
	{Key: "mail.max_message_bytes", Env: "FOITRACK_MAIL_MAX_MESSAGE_BYTES", Stored: "mail.max_message_bytes", Default: "52428800", Help: "largest message fetched whole"},
	{Key: "mail.max_attachment_bytes", Env: "FOITRACK_MAIL_MAX_ATTACHMENT_BYTES", Stored: "mail.max_attachment_bytes", Default: "26214400", Help: "largest attachment made a document"},
	{Key: "mail.dkim", Env: "FOITRACK_DKIM", Stored: "mail.dkim", Default: "on", Help: "off: verify no DKIM signature (no DNS lookups)"},
	{Key: "mail.reply_address", Env: "FOITRACK_REPLY_ADDRESS", Stored: "mail.reply_address", Help: "address requests are sent from; replies come to its +token form"},

	{Key: "smtp.host", Env: "FOITRACK_SMTP_HOST", Stored: "smtp.host", Help: "SMTP host"},
	{Key: "smtp.port", Env: "FOITRACK_SMTP_PORT", Stored: "smtp.port", Default: "587", Help: "SMTP port (465 with tls)"},
	{Key: "smtp.tls", Env: "FOITRACK_SMTP_TLS", Stored: "smtp.tls", Default: "starttls", Help: "starttls, tls or none (loopback only)"},
	{Key: "smtp.username", Env: "FOITRACK_SMTP_USERNAME", Stored: "smtp.username", Help: "SMTP login"},
	{Key: "smtp.password", Env: "FOITRACK_SMTP_PASSWORD", Stored: "smtp.password_env", Help: "SMTP password (never stored)"},
	{Key: "smtp.password_file", Env: "FOITRACK_SMTP_PASSWORD_FILE", Stored: "smtp.password_file", Help: "file in the secrets directory holding the SMTP password"},
	{Key: "smtp.from", Env: "FOITRACK_SMTP_FROM", Stored: "smtp.from", Help: "From address"},
	{Key: "smtp.from_name", Env: "FOITRACK_SMTP_FROM_NAME", Stored: "smtp.from_name", Help: "From name"},
	{Key: "checkpoint.schedule", Env: "FOITRACK_CHECKPOINT_SCHEDULE", Stored: "audit_checkpoint_schedule", Default: "0 * * * *", Help: "audit checkpoint schedule (cron; off to stop)"},
	{Key: "remind.schedule", Env: "FOITRACK_REMIND_SCHEDULE", Stored: "reminders.schedule", Default: "0 * * * *", Help: "reminder schedule (cron; off to stop)"},
	{Key: "text.schedule", Env: "FOITRACK_TEXT_SCHEDULE", Default: "@every 15s", Help: "schedule of reading documents' text (cron; off to stop)"},
	{Key: "memory_limit", Env: "FOITRACK_MEMORY_LIMIT", Default: "64MiB", Help: "soft limit on serve's Go memory (KiB, MiB, GiB or bytes; off: none): the collector works harder near it and, unless GOGC is set, otherwise runs at GOGC=400; SQLite's caches come on top", StartOnly: true},
	{Key: "downloads", Env: "FOITRACK_DOWNLOADS", Default: "2", Help: "timeline downloads serve writes at once; more wait their turn", StartOnly: true},
	{Key: "pprof_addr", Env: "FOITRACK_PPROF_ADDR", Help: "loopback HOST:PORT serving Go's profiler (benchmarks); off unless set", StartOnly: true},
}

// Lookup finds a setting by key or environment variable name.
func Lookup(name string) (Setting, bool) {
	for _, s := range Settings {
		if s.Key == name || s.Env == name {
			return s, true
		}
	}
	return Setting{}, false
}

var (
	mu    sync.RWMutex
	flags = map[string]string{} // key → value given on the command line
	file  = map[string]string{} // env name → value from the settings file
	path  string
)

// SetFlag records a setting given on the command line (serve --base-url):
// it wins over the environment and the stored setting.
func SetFlag(key, value string) {
	mu.Lock()
	defer mu.Unlock()
	if value == "" {
		delete(flags, key)
	} else {
		flags[key] = value
	}
}

// Getenv is os.Getenv, then the settings file: what every package reads
// instead of os.Getenv. A variable set to "" counts as not set.
func Getenv(name string) string {
	if v := os.Getenv(name); strings.TrimSpace(v) != "" {
		return v
	}
	mu.RLock()
	defer mu.RUnlock()
	return file[name]
}

// Resolve is the value of the setting key given its stored value (""
// when none): flag > environment > stored > default, and where it came from.
func Resolve(key, stored string) (value, source string) {
	s, ok := Lookup(key)
	if !ok {
		panic("config: unknown setting " + key)
	}
	mu.RLock()
	f, isFlag := flags[key]
	mu.RUnlock()
	switch {
	case isFlag:
		return f, "flag"
	case strings.TrimSpace(Getenv(s.Env)) != "":
		return strings.TrimSpace(Getenv(s.Env)), "environment"
	case strings.TrimSpace(stored) != "":
		return strings.TrimSpace(stored), "setting"
	}
	return s.Default, "default"
}

// StartValue is a start-up setting's value from its environment variable,
// else its default (the flag, parsed by the command, wins over both).
func StartValue(key string) string {
	s, ok := Lookup(key)
	if !ok {
		panic("config: unknown setting " + key)
	}
	if v := strings.TrimSpace(os.Getenv(s.Env)); v != "" {
		return v
	}
	return s.Default
}

// LoadFile reads the settings file (KEY=VALUE lines; # comments; values
// may be quoted) and makes it the one Getenv reads below the environment.
// An unknown key or a start-up-only setting is an error that names the
// line, and the file in force stays as it was.
func LoadFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("settings file: %w", err)
	}
	defer f.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return fmt.Errorf("settings file %s:%d: not KEY=VALUE", p, n)
		}
		s, known := Lookup(k)
		if !known || s.Env != k {
			return fmt.Errorf("settings file %s:%d: unknown setting %s", p, n, k)
		}
		if s.StartOnly {
			return fmt.Errorf("settings file %s:%d: %s is read only at start-up: give it in the environment or as %s", p, n, k, s.Flag)
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vals[k] = v
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("settings file %s: %w", p, err)
	}
	mu.Lock()
	file, path = vals, p
	mu.Unlock()
	return nil
}

// Reload reads the settings file named by the last LoadFile again (no
// file: nothing to do).
func Reload() error {
	mu.RLock()
	p := path
	mu.RUnlock()
	if p == "" {
		return nil
	}
	return LoadFile(p)
}

// Reset forgets the flags and the settings file (tests).
func Reset() {
	mu.Lock()
	flags, file, path = map[string]string{}, map[string]string{}, ""
	mu.Unlock()
}

// SetDefault replaces a setting's default for this process (serve: the
// public URL defaults to the address it listens on).
func SetDefault(key, value string) {
	mu.Lock()
	defer mu.Unlock()
	for i := range Settings {
		if Settings[i].Key == key {
			Settings[i].Default = value
			return
		}
	}
	panic("config: unknown setting " + key)
}
