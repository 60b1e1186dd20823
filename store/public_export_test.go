package store_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// A request made public (from the command line, the API or the web form)
// has its public page from that moment, so a timeline export quotes its
// public URL whether or not anyone has opened the request's page yet.
func TestPublicRequestURLIsExportedBeforeItsPageIsOpened(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "cli:test")
	a := mustAuthority(t, st, "Gwent Police", tracker.JurisdictionWales)
	public := tracker.Request{Title: "LFR deployments", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	if err := st.CreateRequest(ctx, &public, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	private := tracker.Request{Title: "Drone flights", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate}
	if err := st.CreateRequest(ctx, &private, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	if slug, err := st.PublicSlug(ctx, private.ID); err != nil || slug != "" {
		t.Fatalf("a private request has a public page %q (%v)", slug, err)
	}
	private.Visibility = tracker.VisibilityPublic
	if err := st.UpdateRequest(ctx, &private); err != nil {
		t.Fatal(err)
	}

	ev := timeline.New("2026-03-30--gwent-releases", "2026-03-30", "Gwent Police release LFR and drone records")
	te := &store.TimelineEvent{Event: ev}
	if err := st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, r := range []tracker.Request{public, private} {
		doc := tracker.Document{RequestID: r.ID, Filename: r.Title + ".pdf", Disposition: tracker.DispositionReleased}
		if err := st.AddDocument(ctx, &doc, bytes.NewReader([]byte("%PDF-1.4 "+r.Title)), 0); err != nil {
			t.Fatal(err)
		}
		if err := st.LinkToEvent(ctx, &store.EventLink{EventID: te.ID, DocumentID: doc.ID, Role: store.LinkReleased, Tier: 1}); err != nil {
			t.Fatal(err)
		}
		slug, err := st.PublicSlug(ctx, r.ID)
		if err != nil || slug == "" {
			t.Fatalf("public request %d has no public page (%v)", r.ID, err)
		}
		want["https://foi.example.org/p/"+slug] = true
	}
	evs, err := st.TimelineEventsForExport(ctx, store.TimelineFilter{IDs: []int64{te.ID}}, "https://foi.example.org/")
	if err != nil || len(evs) != 1 {
		t.Fatalf("export: %d events, %v", len(evs), err)
	}
	for _, s := range evs[0].Sources() {
		if s.LinkID != 0 {
			if !want[s.URL] {
				t.Errorf("source %q has URL %q, want one of %v", s.Title, s.URL, want)
			}
			delete(want, s.URL)
		}
	}
	if len(want) > 0 {
		t.Errorf("public URLs not exported: %v", want)
	}
}
