package store_test

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// A bulk load does not keep the timeline downloads' version row by row
// (one update a row written, ~30 million at a million requests): its
// triggers are gone during the load and made again by Finish, which moves
// the version once; a write after the load moves it again.
func TestBulkLoadDropsTheDownloadsVersionTriggersAndMovesItOnce(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	triggers := func() int {
		t.Helper()
		var n int
		if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'export_version_*'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	n := triggers()
	if n < 33 {
		t.Fatalf("%d export_version triggers in a fresh database", n)
	}
	v0, err := st.ExportVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.BeginBulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := triggers(); got != 0 {
		t.Errorf("%d export_version triggers kept during the load", got)
	}
	mustAuthority(t, st, "Ministry of Justice", tracker.JurisdictionUK)
	if err := b.Finish(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := triggers(); got != n {
		t.Errorf("%d export_version triggers after the load, %d before", got, n)
	}
	v1, err := st.ExportVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Unchanged(v0, false) {
		t.Error("the downloads' version is unchanged by a load")
	}
	mustAuthority(t, st, "Home Office", tracker.JurisdictionUK)
	v2, err := st.ExportVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Unchanged(v1, false) {
		t.Error("an authority added after the load left the downloads' version unchanged")
	}
}
