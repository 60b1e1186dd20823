package store

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// The reminder job reads every open request's stored plan, however many
// pages of them there are: none is left out (a request left out is never
// reminded of), each with its windows.
func TestEachOpenPlanVisitsEveryPage(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	old := openPlanPage
	openPlanPage = 2
	defer func() { openPlanPage = old }()
	a := tracker.Authority{Name: "Borsetshire County Council", Jurisdiction: tracker.JurisdictionEngland}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	sent := []string{"2026-03-02", "2026-01-05", "2026-02-02", "2026-03-09", "2026-02-16"}
	want := map[int64]bool{}
	for i, d := range sent {
		r := tracker.Request{Title: "Open " + d, AuthorityID: a.ID}
		if err := st.CreateRequest(ctx, &r, tracker.MustParseDate(d)); err != nil {
			t.Fatal(err)
		}
		want[r.ID] = true
		if i == 2 {
			draft := tracker.Request{Title: "A draft", AuthorityID: a.ID}
			if err := st.CreateRequest(ctx, &draft, tracker.Date{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []RequestPlan
	if err := st.EachOpenPlan(ctx, func(rp RequestPlan) error { got = append(got, rp); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sent) {
		t.Fatalf("%d open requests read, want %d", len(got), len(sent))
	}
	for _, rp := range got {
		if !want[rp.Request.ID] {
			t.Errorf("request %d (%s) is not one of the open ones", rp.Request.ID, rp.Request.Title)
		}
		delete(want, rp.Request.ID)
		stored, err := st.StoredPlan(ctx, rp.Request.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rp.Plan.Now != stored.Now || rp.Plan.Since != stored.Since || len(rp.Plan.Windows) != len(stored.Windows) || len(stored.Windows) == 0 {
			t.Errorf("request %d: plan %+v, stored %+v", rp.Request.ID, rp.Plan, stored)
		}
		if rp.Plan.Now.Action != tracker.ActionAwaitResponse || rp.Plan.Since.IsZero() {
			t.Errorf("request %d: step %s since %s", rp.Request.ID, rp.Plan.Now.Action, rp.Plan.Since)
		}
	}
}
