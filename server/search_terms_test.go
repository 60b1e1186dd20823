package server

import (
	"context"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The server fills the table of indexed words, then moves into it the
// words of what is written after (store.KeepSearchTerms): a prefix is
// searched as its words from then on.
func TestServerKeepsTheIndexedWords(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	words := func() (filled bool, surveil, pending int) {
		db := a.st.Reader()
		if err := db.QueryRowContext(ctx, `SELECT after IS NULL FROM search_terms_fill`).Scan(&filled); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM search_terms WHERE term = 'surveil'`).Scan(&surveil); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM search_terms_new_words`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		return
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not within 2 minutes: %s", what)
			}
		}
	}
	waitFor("the indexed words filled", func() bool { filled, _, _ := words(); return filled })
	auth := a.authority("Surveillance Camera Commissioner", tracker.JurisdictionEngland)
	r := a.request("Drone surveillance", auth.ID, "", false)
	// Found at once (the new words are read where they wait), and moved.
	res, err := a.st.Search(ctx, store.ParseSearchQuery("survei*"), store.SearchOptions{})
	if err != nil || res.Total != 2 {
		t.Fatalf("survei* found %d (%v), want the request and the authority", res.Total, err)
	}
	waitFor("surveil moved into the indexed words", func() bool {
		_, surveil, pending := words()
		return surveil == 1 && pending == 0
	})
	res, err = a.st.Search(ctx, store.ParseSearchQuery("survei*"), store.SearchOptions{})
	if err != nil || res.Total != 2 || res.Hits[0].ID != r.ID && res.Hits[1].ID != r.ID {
		t.Fatalf("survei* found %+v (%v), want the request and the authority", res.Hits, err)
	}
}
