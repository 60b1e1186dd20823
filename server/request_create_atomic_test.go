package server

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// failOwnerWrites makes every write of a request's owner fail (a trigger
// in the database): the last step of creating a request.
func failOwnerWrites(t *testing.T, st *store.Store) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER test_fail_owner BEFORE UPDATE OF owner_id ON requests
		WHEN NEW.owner_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
}

// TestCreatingARequestIsAllOrNothing: the web form and the API create the
// request, its public page, its "sent" event and its owner in one
// transaction: when the last step fails, nothing is left (no request, no
// event, no audit entry).
func TestCreatingARequestIsAllOrNothing(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	u := app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Barsetshire County Council", "uk-england")
	c := app.login("editor@example.org")
	secret, _, err := app.st.CreateAPIToken(ctx, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	failOwnerWrites(t, app.st)
	_, head, err := app.st.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nothingWritten := func(via string) {
		t.Helper()
		reqs, err := app.st.Requests(ctx, store.RequestFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(reqs) != 0 {
			t.Errorf("%s: creating the owner failed, yet request %d (%q, %s) was kept", via, reqs[0].ID, reqs[0].Title, reqs[0].Status)
		}
		if _, id, _ := app.st.AuditHead(ctx); id != head {
			t.Errorf("%s: the audit log grew from entry %d to %d", via, head, id)
		}
	}

	res, _ := c.postForm("/requests", url.Values{"title": {"Potholes"}, "authority_id": {fmt.Sprint(a.ID)},
		"sent_on": {"2026-03-02"}, "visibility": {tracker.VisibilityPublic}})
	wantStatus(t, res, http.StatusInternalServerError)
	nothingWritten("web form")

	res, _ = app.api(http.MethodPost, "/api/v1/requests", secret,
		fmt.Sprintf(`{"title":"Potholes","authority_id":%d,"sent_on":"2026-03-02","visibility":"public"}`, a.ID))
	wantStatus(t, res, http.StatusInternalServerError)
	nothingWritten("API")
}
