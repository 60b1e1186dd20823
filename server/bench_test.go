package server

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// BenchmarkPages measures the pages a campaigner opens most, over HTTP with
// a session, on a database of 500 requests to 20 authorities.
func BenchmarkPages(b *testing.B) {
	app := newTestApp(b)
	app.user("editor@example.org", store.RoleEditor)
	var last tracker.Request
	for i := range 20 {
		a := app.authority(fmt.Sprintf("Bench Council %d", i), tracker.JurisdictionEngland)
		for j := range 25 {
			last = app.request(fmt.Sprintf("Request %d to council %d", j, i), a.ID, tracker.MustParseDate("2026-01-05").AddDays(j*3).String(), false)
		}
	}
	c := app.login("editor@example.org")
	for _, path := range []string{"/", "/requests", fmt.Sprintf("/requests/%d", last.ID), "/authorities"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				res, _ := c.get(path)
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", path, res.StatusCode)
				}
			}
		})
	}
}
