package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// NIST SP 800-63B: at least 10 characters, and not a common or breached
// password, nor an easy variation of one (digits added, capitals), nor the
// account's own email.
func TestCommonPasswordsAreRefused(t *testing.T) {
	cheapPasswords(t)
	st := MustOpenDB(t)
	ctx := context.Background()
	for _, pw := range []string{"password12", "Password123", "qwertyuiop", "1234567890", "iloveyou12", "zaq12wsxcde", "baseball2024", "ed@example.org1"} {
		u := store.User{Email: "ed@example.org", Role: store.RoleViewer}
		err := st.CreateUser(ctx, &u, pw)
		if tracker.ErrorCode(err) != tracker.EINVALID || !strings.Contains(err.Error(), "common") {
			t.Errorf("%q accepted as a new password (%v)", pw, err)
		}
	}
	u := store.User{Email: "ed@example.org", Role: store.RoleViewer}
	if err := st.CreateUser(ctx, &u, "correct horse battery"); err != nil {
		t.Fatalf("a passphrase refused: %v", err)
	}
	if err := st.SetPassword(ctx, u.ID, "password12", ""); tracker.ErrorCode(err) != tracker.EINVALID {
		t.Errorf("SetPassword accepted a common password: %v", err)
	}
}
