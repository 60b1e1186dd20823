package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/internal/plantest"
	"github.com/foitrack/foitrack/tracker"
)

// TestAPIRequestListIsTheStoredStanding: each request of the JSON list has
// the due date, standing and next action (with every window) that a fresh
// working out of its history gives, the same as the request's own API page
// and the web list show, read from what is stored with it: listing reads
// no history.
func TestAPIRequestListIsTheStoredStanding(t *testing.T) {
	app, c, token := keysetApp(t)
	ctx := context.Background()
	today := tracker.DateOf(testNow)

	var mu sync.Mutex
	var histories []string
	app.st.TraceReads(func(q string, _ []any) {
		// A read of particular requests' histories (not a background
		// pass's walk of them all, which this request does not wait for).
		if strings.Contains(q, "request_events") && strings.Contains(q, "request_id IN") || strings.Contains(q, "request_id = ?") && strings.Contains(q, "FROM request_events") {
			mu.Lock()
			histories = append(histories, strings.Join(strings.Fields(q), " "))
			mu.Unlock()
		}
	})
	res, body := app.api(http.MethodGet, "/api/v1/requests?limit=1000", token, "")
	app.st.TraceReads(nil)
	wantStatus(t, res, http.StatusOK)
	if len(histories) > 0 {
		t.Errorf("the list read histories: %v", histories)
	}
	type item struct {
		ID         int64              `json:"id"`
		Law        tracker.LawCode    `json:"law"`
		Due        tracker.Date       `json:"due"`
		Standing   tracker.Standing   `json:"standing"`
		NextAction tracker.NextAction `json:"next_action"`
	}
	var list struct {
		Requests []item `json:"requests"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Requests) < 100 {
		t.Fatalf("%d requests listed", len(list.Requests))
	}
	_, page := c.get("/requests")
	seen := 0
	for _, got := range list.Requests {
		events, err := app.st.Events(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		law, _ := tracker.LawByCode(got.Law)
		ds := tracker.ComputeDeadlines(law, events)
		want := item{ID: got.ID, Law: got.Law, Due: ds.NextDue().Date, Standing: ds.Standing(today),
			NextAction: plantest.FreshPlan(t, app.st, got.ID).At(today)}
		if want.NextAction.Windows == nil {
			want.NextAction.Windows = []tracker.Window{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("request %d in the list:\n %+v\nworked out afresh:\n %+v", got.ID, got, want)
		}
		// The request's own API page says the same.
		_, one := app.api(http.MethodGet, fmt.Sprintf("/api/v1/requests/%d", got.ID), token, "")
		var single struct {
			Request item `json:"request"`
		}
		if err := json.Unmarshal([]byte(one), &single); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(single.Request, got) {
			t.Errorf("request %d: its API page\n %+v\nthe list\n %+v", got.ID, single.Request, got)
		}
		// And the web list's Next column, for those on its first page.
		for _, row := range strings.Split(page, "<tr>") {
			if !strings.Contains(row, fmt.Sprintf(`href="/requests/%d"`, got.ID)) {
				continue
			}
			_, cell, _ := strings.Cut(row, `class="next-cell"`)
			want := "—"
			if got.NextAction.Action != tracker.ActionNothing {
				want = got.NextAction.Action.Label()
			}
			if !strings.Contains(cell, want) {
				t.Errorf("request %d: the web list's Next column %q, want %q", got.ID, cell, want)
			}
			seen++
		}
	}
	if seen != pageSize {
		t.Errorf("%d of the API's requests on the web list's first page, want %d", seen, pageSize)
	}
}
