package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

// A list's search box considers the newest ListSearchBound matches of its
// kind, whatever the size of the database (the lists say so): here the
// timeline's, of ListSearchBound + 20 events that hold the word.
func TestListSearchBoxConsidersTheNewestMatches(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	n := store.ListSearchBound + 20
	var ids []int64
	for i := 0; i < n; i++ {
		ev := timeline.New(fmt.Sprintf("2026-04-01--lantern-%04d", i), "2026-04-01", fmt.Sprintf("Event %d", i))
		ev.SetBody("The lantern report, part " + fmt.Sprint(i))
		te := &store.TimelineEvent{Event: ev}
		if err := st.SaveTimelineEvent(ctx, te); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, te.ID)
	}
	got, err := st.TimelineEvents(ctx, store.TimelineFilter{Query: "lantern"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != store.ListSearchBound {
		t.Fatalf("%d events listed for a word in %d, want the newest %d", len(got), n, store.ListSearchBound)
	}
	newest := map[int64]bool{}
	for _, id := range ids[n-store.ListSearchBound:] {
		newest[id] = true
	}
	for _, te := range got {
		if !newest[te.ID] {
			t.Fatalf("event %d is not among the newest %d matches", te.ID, store.ListSearchBound)
		}
	}
}

// A list's search box looks through the newest ListSearchSpan items of its
// kind: an older item that holds the word is not listed (the search page
// finds it).
func TestListSearchBoxLooksThroughTheNewestItems(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	defer store.SetListSearchSpan(10)()
	var ids []int64
	for i := 0; i < 30; i++ {
		ev := timeline.New(fmt.Sprintf("2026-04-01--lamp-%02d", i), "2026-04-01", fmt.Sprintf("Event %d", i))
		if i%2 == 0 {
			ev.SetBody("The lamp report")
		}
		te := &store.TimelineEvent{Event: ev}
		if err := st.SaveTimelineEvent(ctx, te); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, te.ID)
	}
	got, err := st.TimelineEvents(ctx, store.TimelineFilter{Query: "lamp"})
	if err != nil {
		t.Fatal(err)
	}
	newest := ids[len(ids)-1]
	if len(got) != 5 {
		t.Errorf("%d events listed, want the 5 with the word among the newest 10", len(got))
	}
	for _, te := range got {
		if te.ID <= newest-10 {
			t.Errorf("event %d listed: older than the newest 10 (%d)", te.ID, newest)
		}
	}
	hits, err := st.Search(ctx, store.ParseSearchQuery("lamp kind:event"), store.SearchOptions{Scope: store.SearchSignedIn, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits.Hits) != 15 {
		t.Errorf("the search page found %d, want all 15", len(hits.Hits))
	}
}
