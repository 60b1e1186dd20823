package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// mailSettingsPage is the mailbox configuration form.
type mailSettingsPage struct {
	Config     mailsync.Config
	Overridden map[string]string // field → the environment variable that sets it
	EnvVars    []mailsync.EnvVar
	PasswordOK bool   // the configured password source gives a password
	PasswordIs string // where it comes from, for people
	Runs       []store.MailSyncRun
	TLSModes   []struct{ Code, Label string }
}

var mailTLSModes = []struct{ Code, Label string }{
	{mailsync.TLSModeImplicit, "TLS from the start (port 993)"},
	{mailsync.TLSModeSTARTTLS, "STARTTLS (port 143, upgraded before login)"},
	{mailsync.TLSModePlain, "None (only to a server on this machine)"},
}

// showMailSettings shows the mailbox settings (admins).
func (s *Server) showMailSettings(c echo.Context) error {
	cfg, err := mailsync.LoadConfig(c.Request().Context(), s.st)
	if err != nil && tracker.ErrorCode(err) != tracker.EINVALID {
		return err
	}
	return s.renderMailSettings(c, http.StatusOK, cfg, &view{})
}

func (s *Server) renderMailSettings(c echo.Context, status int, cfg mailsync.Config, v *view) error {
	ctx := c.Request().Context()
	p := mailSettingsPage{Config: cfg, Overridden: map[string]string{}, EnvVars: mailsync.EnvVars(), TLSModes: mailTLSModes}
	for _, e := range p.EnvVars {
		for _, f := range cfg.Overridden {
			if f == e.Field {
				p.Overridden[f] = e.Name
			}
		}
	}
	if _, err := cfg.Password(); err == nil {
		p.PasswordOK = true
	}
	if cfg.PasswordFile != "" {
		p.PasswordIs = "the file " + cfg.PasswordFile
	} else {
		p.PasswordIs = "the environment variable " + cfg.PasswordEnv
	}
	var err error
	if p.Runs, err = s.st.MailSyncRuns(ctx, 10); err != nil {
		return err
	}
	v.Title, v.Section, v.Data = "Mail settings", "admin", p
	return s.render(c, status, "mail_settings", v)
}
