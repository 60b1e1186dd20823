package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
)

// Reading with a session, an API token or a calendar feed notes its last
// use; that write is best effort: while another process holds the write
// lock (a long import), the read still answers at once.
func TestLastUseWritesNeverFailReads(t *testing.T) {
	cheapPasswords(t)
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.OpenWith(ctx, dir, store.Options{BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u := mustUser(t, st, "ed@example.org", store.RoleEditor)
	session, _, _ := st.CreateSession(ctx, u.ID, "", "")
	secret, _, _ := st.CreateAPIToken(ctx, u.ID, "script")
	feed, _, _ := st.CreateCalendarFeed(ctx, u.ID)
	st.Now = func() time.Time { return time.Now().Add(time.Hour) } // every last use is due a write

	other, err := store.Open(ctx, dir) // another process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	locked, release := make(chan struct{}), make(chan struct{})
	go other.Update(ctx, func(tx *store.Tx) error {
		close(locked)
		<-release
		return nil
	})
	<-locked
	defer close(release)
	if _, _, err := st.SessionUser(ctx, session); err != nil {
		t.Errorf("session read while the lock is held: %v", err)
	}
	if _, _, err := st.UserByAPIToken(ctx, secret); err != nil {
		t.Errorf("API token read while the lock is held: %v", err)
	}
	if _, _, err := st.CalendarFeedUser(ctx, feed); err != nil {
		t.Errorf("calendar feed read while the lock is held: %v", err)
	}
}
