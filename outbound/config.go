// Package outbound sends foitrack's mail by SMTP: requests, chasers and
// review requests to authorities (each kept as an outgoing message in the
// request's history and recorded as a lifecycle event once the server has
// accepted it), and reminder emails to users.
package outbound

import (
	"context"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/internal/secrets"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TLSMode is how the connection to the SMTP server is secured.
type TLSMode string

const (
	TLSStartTLS TLSMode = "starttls" // plain connect, then STARTTLS (required): port 587
	TLSImplicit TLSMode = "tls"      // TLS from the first byte: port 465
	TLSNone     TLSMode = "none"     // no encryption: only to a server on the loopback interface
)

// SettingKey is the setting that holds the SMTP configuration (Settings).
const SettingKey = "smtp"

// Settings is the SMTP configuration an admin edits, stored as JSON. The
// password is never stored: only the environment variable or the file that
// holds it.
type Settings struct {
	Host         string  `json:"host"`
	Port         int     `json:"port"`
	TLS          TLSMode `json:"tls"`
	Username     string  `json:"username"`
	PasswordEnv  string  `json:"password_env"`  // name of an environment variable
	PasswordFile string  `json:"password_file"` // name of a file in the secrets directory whose first line is the password
	From         string  `json:"from"`          // the From address of everything foitrack sends
	FromName     string  `json:"from_name"`
	HeloName     string  `json:"helo_name"` // the name given in EHLO (default: the From domain)
}

// Config is a complete, checked configuration with the password resolved.
type Config struct {
	Settings
	Password string
	// ReplyBase is the address whose plus-form, local+TOKEN@domain, is each
	// request's reply address: the mail sync's reply address (Settings → Mail,
	// FOITRACK_REPLY_ADDRESS), else the From address.
	ReplyBase string
	// Timeout bounds one whole SMTP conversation (default 60s).
	Timeout time.Duration
}

// Environment variables that override the stored settings (useful when the
// configuration is deployed rather than clicked).
const (
	EnvHost         = "FOITRACK_SMTP_HOST"
	EnvPort         = "FOITRACK_SMTP_PORT"
	EnvTLS          = "FOITRACK_SMTP_TLS"
	EnvUsername     = "FOITRACK_SMTP_USERNAME"
	EnvPassword     = "FOITRACK_SMTP_PASSWORD"
	EnvPasswordFile = "FOITRACK_SMTP_PASSWORD_FILE"
	EnvFrom         = "FOITRACK_SMTP_FROM"
	EnvFromName     = "FOITRACK_SMTP_FROM_NAME"
)

// ErrNotConfigured is returned (as an EINVALID domain error) when no SMTP
// server is set up: mail cannot be sent, in-app notifications still work.
var ErrNotConfigured = tracker.Errorf(tracker.EINVALID, "no SMTP server is configured: an admin sets one under Reminders and mail (/admin/reminders), or set FOITRACK_SMTP_HOST")

// LoadSettings reads the stored settings, then applies the environment
// overrides (getenv is config.Getenv outside tests).
func LoadSettings(ctx context.Context, st *store.Store, getenv func(string) string) (Settings, error) {
	var s Settings
	if _, err := st.GetSetting(ctx, SettingKey, &s); err != nil {
		return s, err
	}
	if getenv == nil {
		getenv = config.Getenv
	}
	set := func(dst *string, key string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			*dst = v
		}
	}
	set(&s.Host, EnvHost)
	set(&s.Username, EnvUsername)
	set(&s.From, EnvFrom)
	set(&s.FromName, EnvFromName)
	if v := getenv(EnvTLS); v != "" {
		s.TLS = TLSMode(strings.ToLower(strings.TrimSpace(v)))
	}
	if v := getenv(EnvPort); v != "" {
		p, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return s, tracker.Errorf(tracker.EINVALID, "%s=%q is not a port number", EnvPort, v)
		}
		s.Port = p
	}
	if getenv(EnvPassword) != "" {
		s.PasswordEnv = EnvPassword
	}
	if v := getenv(EnvPasswordFile); v != "" {
		s.PasswordFile, s.PasswordEnv = v, ""
	}
	return s, nil
}

// LoadConfig is LoadSettings, checked, with the password read and the reply
// address base taken from the mail sync's configuration. It returns
// ErrNotConfigured when no host is set.
func LoadConfig(ctx context.Context, st *store.Store, getenv func(string) string) (Config, error) {
	s, err := LoadSettings(ctx, st, getenv)
	if err != nil {
		return Config{}, err
	}
	if s.Host == "" {
		return Config{}, ErrNotConfigured
	}
	c, err := s.Resolve(getenv)
	if err != nil {
		return c, err
	}
	if c.ReplyBase, err = replyBase(ctx, st); err != nil {
		return c, err
	}
	return c, nil
}

// replyBase reads the mail sync's reply address (its setting "mail", field
// reply_address, or FOITRACK_REPLY_ADDRESS): the address whose plus-form the
// sync matches replies by. Read here rather than through package mailsync so
// that sending mail does not depend on the IMAP code.
func replyBase(ctx context.Context, st *store.Store) (string, error) {
	if v := strings.TrimSpace(config.Getenv("FOITRACK_REPLY_ADDRESS")); v != "" {
		return v, nil
	}
	var mc struct {
		ReplyAddress string `json:"reply_address"`
	}
	if _, err := st.GetSetting(ctx, "mail", &mc); err != nil {
		return "", err
	}
	return strings.TrimSpace(mc.ReplyAddress), nil
}

// Validate checks the settings (not the password) and fills the defaults.
func (s *Settings) Validate() error {
	var v tracker.ValidationError
	s.Host = strings.TrimSpace(s.Host)
	if s.TLS == "" {
		s.TLS = TLSStartTLS
	}
	switch s.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		v.Add("tls", "choose starttls, tls or none")
	}
	if s.Port == 0 {
		s.Port = 587
		if s.TLS == TLSImplicit {
			s.Port = 465
		}
	}
	if s.Port < 1 || s.Port > 65535 {
		v.Add("port", "not a port number")
	}
	if s.Host == "" {
		v.Add("host", "the SMTP server's host name is required")
	} else if s.TLS == TLSNone && !isLoopback(s.Host) {
		// Credentials and FOI correspondence must not cross a network in clear.
		v.Add("tls", "an unencrypted connection is only allowed to a server on this machine (127.0.0.1, ::1, localhost)")
	}
	if a, err := mail.ParseAddress(s.From); err != nil || a.Address != strings.TrimSpace(s.From) {
		v.Add("from", "a From address such as foi@example.org is required")
	} else {
		s.From = a.Address
	}
	if s.HeloName == "" {
		s.HeloName = domainOf(s.From)
	}
	if s.PasswordEnv != "" && s.PasswordFile != "" {
		v.Add("password_file", "give the password in an environment variable or a file, not both")
	} else if msg := secrets.CheckName(s.PasswordFile); msg != "" {
		v.Add("password_file", msg)
	}
	return v.Err()
}

// Resolve validates the settings and reads the password from its source.
func (s Settings) Resolve(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = config.Getenv
	}
	if err := s.Validate(); err != nil {
		return Config{}, err
	}
	c := Config{Settings: s, Timeout: 60 * time.Second}
	switch {
	case s.PasswordEnv != "":
		c.Password = getenv(s.PasswordEnv)
		if c.Password == "" {
			return c, tracker.Errorf(tracker.EINVALID, "the SMTP password variable %s is empty or not set", s.PasswordEnv)
		}
	case s.PasswordFile != "":
		pw, err := secrets.ReadFirstLine(s.PasswordFile, "SMTP password")
		if err != nil {
			return c, err
		}
		c.Password = pw
	}
	if c.Password != "" && c.Username == "" {
		return c, tracker.Errorf(tracker.EINVALID, "an SMTP password is set but no username")
	}
	return c, nil
}

// Addr is host:port.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// ReplyAddress is the address replies about a request should go to, which
// the mail sync matches back to the request (its first rule): the reply
// base's plus-form, foi+TOKEN@example.org.
func (c Config) ReplyAddress(replyToken string) string {
	base := c.ReplyBase
	if base == "" {
		base = c.From
	}
	return PlusAddress(base, replyToken)
}

// PlusAddress turns local@domain into local+tag@domain (the tag replaces
// any tag the base already has).
func PlusAddress(base, tag string) string {
	at := strings.LastIndexByte(base, '@')
	if at <= 0 || tag == "" {
		return base
	}
	local := base[:at]
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "+" + strings.ToLower(tag) + base[at:]
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// String describes the configuration without the password.
func (c Config) String() string {
	return fmt.Sprintf("%s (%s) as %q from %s", c.Addr(), c.TLS, c.Username, c.From)
}
