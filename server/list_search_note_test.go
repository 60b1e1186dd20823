package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// The search boxes of the mail, documents and timeline lists consider the
// newest matches only (store.ListSearchBound): each list says so when
// searched, and nothing when not.
func TestListSearchBoxesSayTheyAreBounded(t *testing.T) {
	app := newTestApp(t)
	app.user("v@example.org", store.RoleViewer)
	c := app.login("v@example.org")
	for _, path := range []string{"/documents", "/mail", "/timeline"} {
		_, body := c.get(path + "?q=police")
		if !strings.Contains(body, `id="list-search-note"`) || !strings.Contains(body, "newest 500 matches") ||
			!strings.Contains(body, "newest "+strings.ReplaceAll(strconv.Itoa(store.ListSearchSpan), "00000", "00,000")) {
			t.Errorf("%s?q=police: no word of the bound", path)
		}
		_, body = c.get(path)
		if strings.Contains(body, `id="list-search-note"`) {
			t.Errorf("%s: the bound's note without a search", path)
		}
	}
}
