package mailsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/robfig/cron/v3"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/internal/secrets"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// SettingKey is the settings row holding the mailbox configuration.
const SettingKey = "mail"

// DefaultSchedule runs the sync every five minutes.
const DefaultSchedule = "*/5 * * * *"

// DefaultPasswordEnv is the environment variable read for the IMAP password
// when the configuration names none.
const DefaultPasswordEnv = "FOITRACK_IMAP_PASSWORD"

// Config is the mailbox the sync reads. It is stored as a setting (an admin
// edits it in the web app) and every field can be overridden by an
// environment variable (see EnvVars). The password itself is never stored:
// only the name of the environment variable or the path of the file that
// holds it.
type Config struct {
	Host            string `json:"host"`
	Port            int    `json:"port"`     // 0: 993 for tls, 143 otherwise
	TLS             string `json:"tls_mode"` // TLSModeImplicit, TLSModeSTARTTLS or TLSModePlain (loopback only)
	Username        string `json:"username"`
	PasswordEnv     string `json:"password_env"`  // name of the variable holding the password (FOITRACK_…)
	PasswordFile    string `json:"password_file"` // or a file in the secrets directory whose first line is the password
	Mailbox         string `json:"mailbox"`       // default INBOX
	ProcessedFolder string `json:"processed_folder"`
	Schedule        string `json:"schedule"` // cron spec; "off" disables the scheduled sync
	// Size limits: a bigger message is recorded with its header only; a
	// bigger attachment is listed but its content is not made a document.
	MaxMessageBytes    int64 `json:"max_message_bytes"`
	MaxAttachmentBytes int64 `json:"max_attachment_bytes"`
	// ReplyAddress is the address requests are sent from, e.g.
	// foi@example.org: each request's reply address is foi+<token>@example.org.
	ReplyAddress string `json:"reply_address"`
	// DKIM is "off" to verify no DKIM signature (no DNS lookups at all: an
	// offline or air-gapped install); results are then "not checked",
	// never "fail". "" or "on" verifies them.
	DKIM string `json:"dkim"`

	// Overridden lists the fields set by environment variables (not saved).
	Overridden []string `json:"-"`
}

// EnvVar is one environment variable that overrides a Config field.
type EnvVar struct {
	Name, Field, Help string
	set               func(c *Config, v string) error
}

// EnvVars are the environment variables that override the stored mail
// configuration, in the order they are documented.
func EnvVars() []EnvVar {
	str := func(f func(*Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error { *f(c) = strings.TrimSpace(v); return nil }
	}
	size := func(f func(*Config) *int64) func(*Config, string) error {
		return func(c *Config, v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return fmt.Errorf("not a number of bytes: %q", v)
			}
			*f(c) = n
			return nil
		}
	}
	return []EnvVar{
		{"FOITRACK_IMAP_HOST", "host", "IMAP server host name", str(func(c *Config) *string { return &c.Host })},
		{"FOITRACK_IMAP_PORT", "port", "IMAP port (default 993 with tls, 143 otherwise)", func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("not a port number: %q", v)
			}
			c.Port = n
			return nil
		}},
		{"FOITRACK_IMAP_TLS", "tls_mode", "tls (implicit TLS), starttls, or plain (loopback only)", str(func(c *Config) *string { return &c.TLS })},
		{"FOITRACK_IMAP_USERNAME", "username", "IMAP user name", str(func(c *Config) *string { return &c.Username })},
		{"FOITRACK_IMAP_PASSWORD_FILE", "password_file", "name of a file in the secrets directory (--secrets-dir, FOITRACK_SECRETS_DIR) whose first line is the IMAP password", str(func(c *Config) *string { return &c.PasswordFile })},
		{"FOITRACK_IMAP_MAILBOX", "mailbox", "mailbox to read (default INBOX)", str(func(c *Config) *string { return &c.Mailbox })},
		{"FOITRACK_IMAP_PROCESSED_FOLDER", "processed_folder", "folder to move stored mail to (default: leave it)", str(func(c *Config) *string { return &c.ProcessedFolder })},
		{"FOITRACK_MAIL_SCHEDULE", "schedule", `cron schedule of the sync (default "*/5 * * * *"; "off" to disable)`, str(func(c *Config) *string { return &c.Schedule })},
		{"FOITRACK_MAIL_MAX_MESSAGE_BYTES", "max_message_bytes", "largest message fetched whole (default 50 MiB)", size(func(c *Config) *int64 { return &c.MaxMessageBytes })},
		{"FOITRACK_MAIL_MAX_ATTACHMENT_BYTES", "max_attachment_bytes", "largest attachment made a document (default 25 MiB)", size(func(c *Config) *int64 { return &c.MaxAttachmentBytes })},
		{"FOITRACK_REPLY_ADDRESS", "reply_address", "address requests are sent from; replies go to its +token form", str(func(c *Config) *string { return &c.ReplyAddress })},
		{"FOITRACK_DKIM", "dkim", `"off" to verify no DKIM signature (no DNS lookups; results "not checked"), "on" (the default)`, func(c *Config, v string) error {
			c.DKIM = strings.ToLower(strings.TrimSpace(v))
			return nil
		}},
	}
}

// LoadConfig reads the stored configuration, applies the environment
// overrides and the defaults. It does not validate: a sync validates before
// it connects, and the settings page shows what is wrong.
func LoadConfig(ctx context.Context, st *store.Store) (Config, error) {
	var c Config
	if _, err := st.GetSetting(ctx, SettingKey, &c); err != nil {
		return c, err
	}
	if err := c.applyEnv(config.Getenv); err != nil {
		return c, err
	}
	c.applyDefaults()
	return c, nil
}

// SaveConfig validates c and stores it (without the fields the environment
// overrides, which keep their stored values).
func SaveConfig(ctx context.Context, st *store.Store, c Config) error {
	c.applyDefaults()
	if err := c.Validate(); err != nil {
		return err
	}
	var stored Config
	if _, err := st.GetSetting(ctx, SettingKey, &stored); err != nil {
		return err
	}
	for _, f := range c.Overridden {
		for _, e := range EnvVars() {
			if e.Field == f {
				copyField(&c, &stored, f)
			}
		}
	}
	c.Overridden = nil
	return st.PutSetting(ctx, SettingKey, c)
}

// copyField sets dst's field f from src (used to keep stored values under an override).
func copyField(dst, src *Config, f string) {
	switch f {
	case "host":
		dst.Host = src.Host
	case "port":
		dst.Port = src.Port
	case "tls_mode":
		dst.TLS = src.TLS
	case "username":
		dst.Username = src.Username
	case "password_file":
		dst.PasswordFile = src.PasswordFile
	case "mailbox":
		dst.Mailbox = src.Mailbox
	case "processed_folder":
		dst.ProcessedFolder = src.ProcessedFolder
	case "schedule":
		dst.Schedule = src.Schedule
	case "max_message_bytes":
		dst.MaxMessageBytes = src.MaxMessageBytes
	case "max_attachment_bytes":
		dst.MaxAttachmentBytes = src.MaxAttachmentBytes
	case "reply_address":
		dst.ReplyAddress = src.ReplyAddress
	case "dkim":
		dst.DKIM = src.DKIM
	}
}

func (c *Config) applyEnv(getenv func(string) string) error {
	for _, e := range EnvVars() {
		v := getenv(e.Name)
		if v == "" {
			continue
		}
		if err := e.set(c, v); err != nil {
			return tracker.Errorf(tracker.EINVALID, "%s: %v", e.Name, err)
		}
		c.Overridden = append(c.Overridden, e.Field)
	}
	// The password variable itself: when it is set and the configuration
	// names no source, it is the source.
	if c.PasswordEnv == "" && c.PasswordFile == "" && getenv(DefaultPasswordEnv) != "" {
		c.PasswordEnv = DefaultPasswordEnv
	}
	return nil
}

func (c *Config) applyDefaults() {
	// The connection's own defaults (TLS mode, port, mailbox) are
	// imapclient.go's.
	mc := c.mailboxConfig("")
	mc.Validate()
	c.TLS, c.Port, c.Mailbox = mc.TLSMode, mc.Port, mc.Mailbox
	if c.Schedule == "" {
		c.Schedule = DefaultSchedule
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultLimits.MaxMessageBytes
	}
	if c.MaxAttachmentBytes <= 0 {
		c.MaxAttachmentBytes = DefaultLimits.MaxAttachmentBytes
	}
	if c.PasswordEnv == "" && c.PasswordFile == "" {
		c.PasswordEnv = DefaultPasswordEnv
	}
}

// DKIMChecked reports whether DKIM signatures are verified (see Config.DKIM).
func (c Config) DKIMChecked() bool { return c.DKIM != "off" }

// Ingester is how mail is processed under this configuration: its size
// limits, and DKIM verified or not.
func (c Config) Ingester(st *store.Store, log *slog.Logger) Ingester {
	return Ingester{Store: st, Limits: c.Limits(), Log: log, NoDKIM: !c.DKIMChecked()}
}

// Enabled reports whether a mailbox is configured at all.
func (c Config) Enabled() bool { return strings.TrimSpace(c.Host) != "" }

// Address is host:port.
func (c Config) Address() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// Limits are the parser limits the configuration sets.
func (c Config) Limits() Limits {
	return Limits{MaxMessageBytes: c.MaxMessageBytes, MaxAttachmentBytes: c.MaxAttachmentBytes}
}

// ScheduleSpec is the cron spec for serve ("" when the scheduled sync is off
// or no mailbox is configured).
func (c Config) ScheduleSpec() string {
	if !c.Enabled() || strings.EqualFold(c.Schedule, "off") {
		return ""
	}
	return c.Schedule
}

// maxConfigBytes is the largest size limit an admin may set (1 GiB): the
// whole message is held in memory while it is stored.
const maxConfigBytes = 1 << 30

// Validate checks a configuration with defaults applied; the error has one
// message per bad field.
func (c Config) Validate() error {
	var v tracker.ValidationError
	if c.Enabled() {
		// Host, port, TLS mode (plain to loopback only), user name and
		// folders are checked by the connection's own rules.
		mc := c.mailboxConfig("")
		var te *tracker.Error
		if err := mc.Validate(); errors.As(err, &te) {
			for field, msg := range te.Fields {
				v.Add(field, msg)
			}
		}
	}
	if c.PasswordEnv != "" && !strings.HasPrefix(c.PasswordEnv, "FOITRACK_") {
		// The server sends this variable's value to a host an admin chooses:
		// limiting it to foitrack's own variables keeps other secrets of the
		// process (cloud credentials…) out of reach.
		v.Add("password_env", "the name of an environment variable starting with FOITRACK_")
	}
	if c.PasswordEnv != "" && c.PasswordFile != "" {
		v.Add("password_file", "give a password variable or a password file, not both")
	} else if msg := secrets.CheckName(c.PasswordFile); msg != "" {
		v.Add("password_file", msg)
	}
	if strings.ContainsAny(c.Mailbox, "\r\n") || strings.ContainsAny(c.ProcessedFolder, "\r\n") {
		v.Add("mailbox", "mailbox names are one line")
	}
	if !strings.EqualFold(c.Schedule, "off") {
		if _, err := cron.ParseStandard(c.Schedule); err != nil {
			v.Add("schedule", fmt.Sprintf("not a cron schedule (%v); e.g. */5 * * * *", err))
		}
	}
	if c.MaxMessageBytes < 1024 || c.MaxMessageBytes > maxConfigBytes {
		v.Add("max_message_bytes", "between 1 KiB and 1 GiB")
	}
	if c.MaxAttachmentBytes < 1 || c.MaxAttachmentBytes > maxConfigBytes {
		v.Add("max_attachment_bytes", "between 1 byte and 1 GiB")
	}
	if c.DKIM != "" && c.DKIM != "on" && c.DKIM != "off" {
		v.Add("dkim", `"on" or "off"`)
	}
	if c.ReplyAddress != "" {
		at := strings.LastIndexByte(c.ReplyAddress, '@')
		if at <= 0 || at == len(c.ReplyAddress)-1 || strings.ContainsAny(c.ReplyAddress, " <>+") {
			v.Add("reply_address", "a plain address without +, e.g. foi@example.org")
		}
	}
	return v.Err()
}

// mailboxConfig is the connection's configuration, with the password.
func (c Config) mailboxConfig(password string) MailboxConfig {
	return MailboxConfig{Host: c.Host, Port: c.Port, TLSMode: c.TLS, Username: c.Username, Password: password,
		Mailbox: c.Mailbox, ProcessedFolder: c.ProcessedFolder}
}

// Password reads the IMAP password from the configured variable or file.
func (c Config) Password() (string, error) {
	if c.PasswordFile != "" {
		return secrets.ReadFirstLine(c.PasswordFile, "IMAP password")
	}
	name := c.PasswordEnv
	if name == "" {
		name = DefaultPasswordEnv
	}
	pw := config.Getenv(name)
	if pw == "" {
		return "", tracker.Errorf(tracker.EINVALID, "the IMAP password is not set: put it in the environment variable %s (or configure a password file)", name)
	}
	return pw, nil
}

// ReplyAddressFor is the reply address of a request with the given token
// (foi+TOKEN@example.org), or "" when no reply address is configured.
func (c Config) ReplyAddressFor(token string) string {
	at := strings.LastIndexByte(c.ReplyAddress, '@')
	if at <= 0 || token == "" {
		return ""
	}
	return c.ReplyAddress[:at] + "+" + token + c.ReplyAddress[at:]
}
