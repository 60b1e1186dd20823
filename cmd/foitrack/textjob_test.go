package main

import (
	"context"
	"testing"
)

// The document text job runs every 15 seconds unless FOITRACK_TEXT_SCHEDULE
// says otherwise ("off" stops it: bench/pagebench times pages without it).
func TestTextJobScheduleSetting(t *testing.T) {
	for _, c := range []struct{ env, want string }{{"", "@every 15s"}, {"off", ""}, {"*/5 * * * *", "*/5 * * * *"}} {
		t.Setenv("FOITRACK_TEXT_SCHEDULE", c.env)
		if got, err := textSpec(context.Background(), nil); err != nil || got != c.want {
			t.Errorf("FOITRACK_TEXT_SCHEDULE=%q: schedule %q (%v), want %q", c.env, got, err, c.want)
		}
	}
}
