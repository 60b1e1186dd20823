package store

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/timeline"
)

// ExportVersion counts every commit, whoever makes it (Unchanged with
// everyCommit): this Store's writer, and another Store on the same file
// (other connections, as another process's are); it stays put while only
// reads happen.
func TestExportVersionSeesEveryCommit(t *testing.T) {
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
	version := func() ExportVersion { t.Helper(); return exportVersion(t, st) }
	same := func(a, b ExportVersion) bool { return b.Unchanged(a, true) }
	v0 := version()
	if _, err := st.TimelineEvents(ctx, TimelineFilter{}); err != nil {
		t.Fatal(err)
	}
	if v := version(); !same(v0, v) {
		t.Fatalf("a read changed the data version: %v, then %v", v0, v)
	}
	if err := st.SaveTimelineEvent(ctx, &TimelineEvent{Event: timeline.New("2026-03-01--one", "2026-03-01", "One")}); err != nil {
		t.Fatal(err)
	}
	v1 := version()
	if same(v0, v1) {
		t.Fatalf("a commit by this store's writer left the data version at %v", v1)
	}
	if v := version(); !same(v1, v) {
		t.Fatalf("the data version moved without a commit: %v, then %v", v1, v)
	}
	if err := other.SaveTimelineEvent(ctx, &TimelineEvent{Event: timeline.New("2026-03-02--two", "2026-03-02", "Two")}); err != nil {
		t.Fatal(err)
	}
	if v := version(); same(v1, v) {
		t.Fatalf("a commit by another connection to the file left the data version at %v", v)
	}
}
