package store

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// The reminder job reads every open request, however many pages of them
// there are: none is left out (a request left out is never reminded of).
func TestOpenRequestHistoriesVisitsEveryPage(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	old := openHistoryPage
	openHistoryPage = 2
	defer func() { openHistoryPage = old }()
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
	got, err := st.OpenRequestHistories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sent) {
		t.Fatalf("%d open requests read, want %d", len(got), len(sent))
	}
	for i, h := range got {
		if !want[h.Request.ID] {
			t.Errorf("request %d (%s) is not one of the open ones", h.Request.ID, h.Request.Title)
		}
		delete(want, h.Request.ID)
		if len(h.Events) != 1 || h.Events[0].Kind != tracker.EventSent {
			t.Errorf("request %d: history %+v", h.Request.ID, h.Events)
		}
		if i > 0 && got[i-1].Request.DueDate.After(h.Request.DueDate) {
			t.Errorf("not by due date: %s before %s", got[i-1].Request.DueDate, h.Request.DueDate)
		}
	}
}
