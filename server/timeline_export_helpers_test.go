package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// saveEvents stores timeline events.
func (a *testApp) saveEvents(evs ...*timeline.Event) {
	a.t.Helper()
	ctx := store.WithActor(context.Background(), "test")
	for _, ev := range evs {
		if err := a.st.SaveTimelineEvent(ctx, &store.TimelineEvent{Event: ev}); err != nil {
			a.t.Fatal(err)
		}
	}
}

// numberedEvents are n events a day apart from 1 March 2026 ("Event 0"…),
// for the downloads' tests that need a few.
func numberedEvents(n int) []*timeline.Event {
	var out []*timeline.Event
	for i := 0; i < n; i++ {
		out = append(out, timeline.New(fmt.Sprintf("2026-03-0%d--event", i+1), fmt.Sprintf("2026-03-0%d", i+1), fmt.Sprintf("Event %d", i)))
	}
	return out
}

// releasedRecords is what the kept downloads' tests change: a public
// request of Borsetshire Police with a released document, and an event
// not yet linked to it.
func (a *testApp) releasedRecords() (tracker.Authority, tracker.Request, tracker.Document, *store.TimelineEvent) {
	a.t.Helper()
	ctx := store.WithActor(context.Background(), "test")
	au := a.authority("Borsetshire Police", tracker.JurisdictionEngland)
	req := a.request("Stop and search records", au.ID, "2026-01-05", true)
	doc := tracker.Document{RequestID: req.ID, Filename: "stops-2025.csv", Disposition: tracker.DispositionReleased}
	if err := a.st.AddDocument(ctx, &doc, strings.NewReader("a,b\n"), 0); err != nil {
		a.t.Fatal(err)
	}
	te := &store.TimelineEvent{Event: timeline.New("2026-03-01--records", "2026-03-01", "Police release records")}
	if err := a.st.SaveTimelineEvent(ctx, te); err != nil {
		a.t.Fatal(err)
	}
	return au, req, doc, te
}
