package config_test

import (
	"testing"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
)

// TestPackagesReadOnlyListedSettings: the variables the packages read are
// all in the one list (a new one must be added there, and so to the README).
func TestPackagesReadOnlyListedSettings(t *testing.T) {
	names := []string{mailsync.DefaultPasswordEnv, remind.EnvSchedule, remind.EnvBaseURL,
		outbound.EnvHost, outbound.EnvPort, outbound.EnvTLS, outbound.EnvUsername, outbound.EnvPassword,
		outbound.EnvPasswordFile, outbound.EnvFrom, outbound.EnvFromName}
	for _, e := range mailsync.EnvVars() {
		names = append(names, e.Name)
	}
	for _, n := range names {
		if _, ok := config.Lookup(n); !ok {
			t.Errorf("%s is read but not in config.Settings", n)
		}
	}
}
