package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// TestUserUpdateIsAllOrNothing: an admin's change of an account (role,
// name) and its new password are saved together: when the password is
// refused, the page says the account was not changed, and it was not.
func TestUserUpdateIsAllOrNothing(t *testing.T) {
	app := newTestApp(t)
	app.user("admin@example.org", store.RoleAdmin)
	v := app.user("viewer@example.org", store.RoleViewer)
	c := app.login("admin@example.org")
	res, body := c.postForm(fmt.Sprintf("/admin/users/%d", v.ID), url.Values{"name": {"Promoted"}, "role": {"admin"}, "password": {"short"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "was not changed")
	u, err := app.st.UserByID(context.Background(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != store.RoleViewer || u.Name != v.Name {
		t.Fatalf("the page said the account was not changed, yet it is now %s %q", u.Role, u.Name)
	}
	res, _ = c.postForm(fmt.Sprintf("/admin/users/%d", v.ID), url.Values{"name": {"Promoted"}, "role": {"editor"}, "password": {"a much longer new password"}})
	wantStatus(t, res, http.StatusSeeOther)
	if u, _ = app.st.UserByID(context.Background(), v.ID); u.Role != store.RoleEditor {
		t.Fatalf("role %s after a good change", u.Role)
	}
	if ok, _ := app.st.CheckPassword(context.Background(), v.ID, "a much longer new password"); !ok {
		t.Fatal("the new password was not set")
	}
}
