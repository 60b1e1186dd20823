package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// settingsPage is the user's own account: password and API tokens.
type settingsPage struct {
	Tokens []store.APIToken
	// NewToken is the secret of a token just made: shown once, never again.
	NewToken     string
	NewTokenName string
	BaseURL      string
}

func (s *Server) loadSettingsPage(ctx context.Context, u *store.User) (settingsPage, error) {
	tokens, err := s.st.APITokens(ctx, u.ID)
	return settingsPage{Tokens: tokens, BaseURL: s.cfg.BaseURL}, err
}

// showSettingsPage shows the user's account settings.
func (s *Server) showSettingsPage(c echo.Context) error {
	p, err := s.loadSettingsPage(c.Request().Context(), currentUser(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "settings", &view{Title: "Your account", Section: "settings", Data: p})
}
