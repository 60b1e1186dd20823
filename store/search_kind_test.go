package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// expectKindColumnInStep checks that every row of the search index holds
// its kind's word (k1 to k6, the rowid's kind) in its kind column.
func expectKindColumnInStep(t *testing.T, st *store.Store, step string) {
	t.Helper()
	var rows, wrong int
	if err := st.Reader().QueryRowContext(context.Background(), `SELECT count(*), COALESCE(sum(kind IS NOT 'k' || (rowid % 8)), 0)
		FROM search_index`).Scan(&rows, &wrong); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || wrong != 0 {
		t.Fatalf("after %s: %d of %d index rows hold another kind than their rowid's", step, wrong, rows)
	}
}

// kind: is a part of the full-text query (schema section 37): each kind's
// rows carry its word, whichever trigger wrote them, and a search by kind
// finds exactly what the filter on the rowid found, ranked or not, while
// a typed word that is a kind's word finds only the rows that hold it.
func TestSearchByKindInTheIndex(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Gorse fires", Body: "gorse records", AuthorityID: a.ID, Notes: "gorse note"}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventAcknowledged, Date: day("2026-03-03"), Note: "gorse acknowledged"})
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <g1@x>\r\n\r\nx\r\n", "g1@x")
	if err := st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailMatched, RequestID: r.ID, Subject: "gorse reply", TextBody: "gorse"})
	}); err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r.ID, Filename: "gorse.txt", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &d, strings.NewReader("gorse map, form k3"), 0); err != nil {
		t.Fatal(err)
	}
	te := &store.TimelineEvent{Event: timeline.New("2026-03-30--gorse", "2026-03-30", "Gorse fires on the downs")}
	if err := st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	expectKindColumnInStep(t, st, "adding one of each kind")
	// Edited, each through its update trigger.
	r.Title = "Gorse fires again"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if n, err := st.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n != 1 {
		t.Fatalf("extract: %d %v", n, err)
	}
	d.Description = "gorse, described"
	if err := st.UpdateDocument(ctx, &d); err != nil {
		t.Fatal(err)
	}
	te.Event.SetTitle("Gorse fires on the hills")
	if err := st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	a.Name, a.Notes = "Gorse Police", "gorse"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	expectKindColumnInStep(t, st, "editing each")

	req, ev := "request:"+idStr(r.ID), "event:"+idStr(te.ID)
	for _, c := range []struct{ q, want string }{
		{"gorse kind:document", "document:" + idStr(d.ID)},
		{"gorse kind:mail", "mail:" + idStr(m.ID)},
		{"gorse kind:event", ev},
		{"gorse kind:authority", "authority:" + idStr(a.ID)},
		{"gorse kind:request", req + " " + req}, // the request and its note
		{"gorse kind:document|event", "document:" + idStr(d.ID) + " " + ev},
		{"k3", "document:" + idStr(d.ID)}, // a kind's word typed: only where it is written
		{"k1", ""},
		{"k3 kind:request", ""},
	} {
		got := found(t, st, c.q, store.SearchSignedIn)
		sortStrings(got)
		want := strings.Fields(c.want)
		sortStrings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("search %q found %v, want %v", c.q, got, want)
		}
	}
	// Ranked or newest first, the same hits.
	store.SetSearchRankableRows(t, 0)
	if got := found(t, st, "gorse kind:document|event", store.SearchSignedIn); len(got) != 2 {
		t.Errorf("newest first, kind:document|event found %v", got)
	}
	// The lists' search boxes by kind.
	ids, err := st.SearchItemIDs(ctx, store.ParseSearchQuery("gorse"), store.KindDocument, 10)
	if err != nil || len(ids) != 1 || ids[0] != d.ID {
		t.Errorf("document ids for gorse: %v %v", ids, err)
	}
}

// A database from before the kind column keeps every row of its index,
// each with its kind, and a sound index.
func TestSearchKindColumnBuiltForExistingData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := store.OpenAtVersion(ctx, t, dir, 36)
	if err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland}
	if err := old.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "Gritting routes", Body: "winter salt", AuthorityID: a.ID, Notes: "salt note"}
	if err := old.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r.ID, Filename: "routes.txt", Disposition: tracker.DispositionReleased}
	if err := old.AddDocument(ctx, &d, strings.NewReader("the salt rota"), 0); err != nil {
		t.Fatal(err)
	}
	if n, err := old.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n != 1 {
		t.Fatalf("extract: %d %v", n, err)
	}
	var before string
	if err := old.Reader().QueryRowContext(ctx, `SELECT group_concat(rid || ':' || title || ':' || body || ':' || private || ':' || request_id || ':' || date, '|')
		FROM (SELECT rowid AS rid, title, body, private, request_id, date FROM search_index ORDER BY rowid)`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	old.Close()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var after string
	if err := st.Reader().QueryRowContext(ctx, `SELECT group_concat(rid || ':' || title || ':' || body || ':' || private || ':' || request_id || ':' || date, '|')
		FROM (SELECT rowid AS rid, title, body, private, request_id, date FROM search_index ORDER BY rowid)`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Fatalf("the index held\n%s\nand holds\n%s", before, after)
	}
	expectKindColumnInStep(t, st, "the upgrade")
	if _, err := st.Writer().ExecContext(ctx, `INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("index after the upgrade: %v", err)
	}
	expectHits(t, st, "salt kind:document", "document:"+idStr(d.ID))
	expectHits(t, st, "salt kind:request", "request:"+idStr(r.ID))
}

// A search by kind walks its matches in windows of rowids, each read
// upwards (candidatesByWindows), and finds exactly what the one walk
// newest first found: the same matches in the same order, up to the same
// bound, with filters, several kinds, a phrase, a word left out, and
// windows narrow enough that the walk reads many.
func TestSearchByKindInWindowsFindsWhatTheWalkFound(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 150, Messages: 450, Seed: 3, Password: "correct horse battery"})
	queries := []string{"kind:document foi", "kind:document information", "kind:mail police", "kind:request police",
		"kind:event information", "kind:mail|document data", "kind:document foi authority:council", "kind:mail police from:2025-06-01",
		`kind:document "freedom of information"`, "kind:mail police -information", "kind:request request exemption:s40",
		"kind:document zzqqxx", "kind:authority police"}
	manyWindows, full := false, false
	for _, bound := range []int{200, 7} {
		store.SetSearchCandidates(t, bound)
		for _, q := range queries {
			for _, width := range []int64{8, 2048} {
				windowed, windows, plain, err := st.SearchCandidatesBothWays(ctx, q, width)
				if err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				if !slices.Equal(windowed, plain) {
					t.Errorf("%q (bound %d, width %d): windows found %d %v, the walk %d %v", q, bound, width, len(windowed), windowed, len(plain), plain)
				}
				manyWindows = manyWindows || (windows > 3 && len(plain) > 10)
				full = full || len(plain) == bound+1
			}
		}
	}
	if !manyWindows || !full {
		t.Fatalf("many windows read %v, a bound reached %v: the comparison proves nothing", manyWindows, full)
	}
}

// The search box of a list of one kind (mail, documents, timeline events)
// walks in windows read upwards and finds what one walk newest first over
// the same rows finds: the newest matches of its kind, in order, among the
// newest items of the kind (a span narrow enough to leave some out).
func TestListSearchBoxInWindowsFindsWhatTheWalkFound(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 150, Messages: 450, Seed: 3, Password: "correct horse battery"})
	some := false
	for _, span := range []int{store.ListSearchSpan, 60} {
		restore := store.SetListSearchSpan(span)
		for _, kind := range []string{store.KindDocument, store.KindMail, store.KindEvent} {
			for _, q := range []string{"police", "foi", "information", `"freedom of information"`, "police -information", "data*", "zzqqxx"} {
				for _, width := range []int64{8, 2048} {
					windowed, plain, err := st.ItemSearchBothWays(ctx, kind, q, width)
					if err != nil {
						t.Fatalf("%s %q: %v", kind, q, err)
					}
					if !slices.Equal(windowed, plain) {
						t.Errorf("%s %q (span %d, width %d): windows found %d %v, the walk %d %v", kind, q, span, width, len(windowed), windowed, len(plain), plain)
					}
					some = some || len(plain) > 10
				}
			}
		}
		restore()
	}
	if !some {
		t.Fatal("no query found more than 10: the comparison proves nothing")
	}
}
