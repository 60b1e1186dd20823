package store

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/timeline"
)

// DataVersion changes with every commit, whoever makes it: this Store's
// writer, and another Store on the same file (other connections, as
// another process's are); it stays put while only reads happen.
func TestDataVersionSeesEveryCommit(t *testing.T) {
	ctx := WithActor(context.Background(), "test")
	dir := t.TempDir()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	other, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	version := func() DataVersion {
		t.Helper()
		v, err := st.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	if _, err := st.TimelineEvents(ctx, TimelineFilter{}); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v0 {
		t.Fatalf("a read changed the data version: %v, then %v", v0, v)
	}
	if err := st.SaveTimelineEvent(ctx, &TimelineEvent{Event: timeline.New("2026-03-01--one", "2026-03-01", "One")}); err != nil {
		t.Fatal(err)
	}
	v1 := version()
	if v1 == v0 {
		t.Fatalf("a commit by this store's writer left the data version at %v", v1)
	}
	if v := version(); v != v1 {
		t.Fatalf("the data version moved without a commit: %v, then %v", v1, v)
	}
	if err := other.SaveTimelineEvent(ctx, &TimelineEvent{Event: timeline.New("2026-03-02--two", "2026-03-02", "Two")}); err != nil {
		t.Fatal(err)
	}
	if v := version(); v == v1 {
		t.Fatalf("a commit by another connection to the file left the data version at %v", v)
	}
}
