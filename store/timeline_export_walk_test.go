package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

// An export read a few events at a time (each chunk after the last one's
// final event) gives exactly what one query in the timeline's order gives,
// with filters, a limit and an offset, when many events share a date and
// the chunks end between them.
func TestTimelineExportWalkEqualsOneQuery(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	defer store.SetExportChunk(4)()
	for i := 0; i < 23; i++ {
		ev := timeline.New(fmt.Sprintf("2026-03-%02d--e-%02d", i%3+1, 22-i), fmt.Sprintf("2026-03-%02d", i%3+1), fmt.Sprintf("Event %d", i))
		if i%2 == 0 {
			ev.SetTags([]string{"foi"})
		}
		if err := st.SaveTimelineEvent(ctx, &store.TimelineEvent{Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []store.TimelineFilter{{}, {Tag: "foi"}, {Limit: 7, Offset: 3}, {Limit: 9}, {Limit: 4}, {Offset: 21}, {From: "2026-03-02"}, {Query: "event"}, {Query: "event", Tag: "foi", Limit: 6}} {
		all, err := st.TimelineEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, te := range all {
			want = append(want, te.Event.ID())
		}
		var got []string
		if err := st.EachTimelineEventForExport(ctx, f, "", func(e *timeline.Event) error {
			got = append(got, e.ID())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("filter %+v: walked\n%v\nwant\n%v", f, got, want)
		}
		if len(want) == 0 {
			t.Errorf("filter %+v selects nothing: the case tests nothing", f)
		}
	}
}
