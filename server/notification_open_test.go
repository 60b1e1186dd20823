package server

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// Opening a notification marks it read: that is a change, so it is a POST
// with the CSRF token; a GET (a prefetch, a crawler, a link in another
// site) only leads to where it points.
func TestOpeningANotificationIsAPost(t *testing.T) {
	app := newTestApp(t)
	u := app.user("ed@example.org", store.RoleEditor)
	ctx := context.Background()
	if err := app.st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, title, body, link, created_at) VALUES (?, 'note', 'Response overdue', '', '/requests', ?)`,
			u.ID, testNow.Format("2006-01-02T15:04:05.000000Z"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ns, err := app.st.Notifications(ctx, u.ID, false, 10, store.Cursor{})
	if err != nil || len(ns) != 1 {
		t.Fatalf("notifications: %v %v", ns, err)
	}
	id := ns[0].ID
	c := app.login(u.Email)
	res, _ := c.get(fmt.Sprintf("/notifications/%d", id))
	wantStatus(t, res, http.StatusSeeOther)
	if n, _ := app.st.UnreadNotifications(ctx, u.ID); n != 1 {
		t.Fatalf("a GET marked the notification read (%d unread)", n)
	}
	_, body := c.get("/notifications")
	wantContains(t, body, fmt.Sprintf(`action="/notifications/%d/open"`, id))
	res, _ = c.postRaw(fmt.Sprintf("/notifications/%d/open", id), "application/x-www-form-urlencoded", nil)
	wantStatus(t, res, http.StatusForbidden) // no CSRF token
	res, _ = c.postForm(fmt.Sprintf("/notifications/%d/open", id), nil)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/requests" {
		t.Errorf("opens %q", loc)
	}
	if n, _ := app.st.UnreadNotifications(ctx, u.ID); n != 0 {
		t.Fatalf("%d unread after opening it", n)
	}
}
