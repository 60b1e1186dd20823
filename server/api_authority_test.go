package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// The API's authority record is the one its page shows, worked out once
// and kept until the next write: the API worked it out again on every
// call (34 ms for the largest authority at a million requests, where the
// page took 5).
func TestAPIAuthorityRecordIsThePagesKeptRecord(t *testing.T) {
	app, kent, _ := insightApp(t)
	ctx := context.Background()
	admin := app.user("admin@example.org", store.RoleAdmin)
	token, _, err := app.st.CreateAPIToken(ctx, admin.ID, "record")
	if err != nil {
		t.Fatal(err)
	}
	record := func() store.AuthorityRecord {
		t.Helper()
		res, body := app.api(http.MethodGet, fmt.Sprintf("/api/v1/authorities/%d", kent.ID), token, "")
		wantStatus(t, res, http.StatusOK)
		var got struct {
			Record store.AuthorityRecord `json:"record"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		return got.Record
	}
	first := record()
	if first.Requests != 1 || first.Answered != 1 {
		t.Fatalf("Kent Police's record: %+v, want its one request, answered", first)
	}
	app.srv.memoMu.Lock()
	kept, ok := app.srv.memos[fmt.Sprintf("authority-record:%d", kent.ID)]
	app.srv.memoMu.Unlock()
	if !ok {
		t.Fatal("the API's record is not kept for the page")
	}
	if k, _ := json.Marshal(kept.val); string(k) != mustJSON(t, first) {
		t.Fatalf("kept %s, the API said %s", k, mustJSON(t, first))
	}
	// A write is shown at once.
	app.request("Drones again", kent.ID, "2026-03-02", false)
	if got := record(); got.Requests != 2 || got.Sent != first.Sent+1 {
		t.Fatalf("after a second request: %+v", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
