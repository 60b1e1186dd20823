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

// keepSearchTerms runs the background work on the indexed words until
// their fill is done (each step does a bounded chunk).
func keepSearchTerms(t *testing.T, st *store.Store) {
	t.Helper()
	for i := 0; ; i++ {
		done, err := st.KeepSearchTerms(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if done {
			return
		}
		if i > 1000 {
			t.Fatal("the indexed words' fill never ends")
		}
	}
}

// prefixesToCompare: stems the porter tokenizer changes again (respons →
// respon, refus → refu, deploy → deploi), accents folded, several words,
// none, a prefix of two tokens, upper case.
var prefixesToCompare = []string{"survei*", "surv*", "SURVEI*", "inform*", "informat*", "refus*", "refu*", "respon*", "respons*",
	"releas*", "deploy*", "café*", "cafe*", "environ*", "über*", "uber*", "zzzq*", "e-mai*", "agree*", "polic*", "casem*",
	"survei* -drone", "inform* polic*"}

// samePrefixMatches fails unless every prefix of prefixesToCompare finds
// the same rows of search_index as FTS5's own prefix query.
func samePrefixMatches(t *testing.T, st *store.Store, stage string) {
	t.Helper()
	for _, p := range prefixesToCompare {
		got, want, err := st.PrefixMatches(context.Background(), p)
		if err != nil {
			t.Fatalf("%s: %s: %v", stage, p, err)
		}
		if !slices.Equal(got, want) {
			expr, _ := st.SearchExpression(context.Background(), p)
			t.Fatalf("%s: %s (%s) matches %v, FTS5's prefix %v", stage, p, expr, got, want)
		}
	}
}

func TestPrefixSearchedAsItsIndexedWords(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Surveillance Camera Commissioner", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Surveillance cameras", Body: "Information about surveillance and surveys", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	keepSearchTerms(t, st)
	expr, err := st.SearchExpression(ctx, "survei*")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(expr, `"surveil"`) || strings.Contains(expr, "*") {
		t.Fatalf("survei* searched as %s, want its word \"surveil\"", expr)
	}
	expectHits(t, st, "survei*", "request:"+idStr(r.ID), "authority:"+idStr(a.ID))
	// The request list's search box too.
	if expr, err := st.RequestWordsExpression(ctx, "survei*"); err != nil || !strings.Contains(expr, `"surveil"`) || strings.Contains(expr, "*") {
		t.Fatalf("the request list searches survei* as %s (%v), want its word \"surveil\"", expr, err)
	}
	if list, err := st.Requests(ctx, store.RequestFilter{Query: "survei*"}); err != nil || len(list) != 1 || list[0].ID != r.ID {
		t.Fatalf("the request list with survei*: %v (%v)", list, err)
	}
	// A word the stemmer changes again ("respons" → "respon") is searched
	// as a prefix of it: still the prefix's words only.
	r.Notes = "responses awaited"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	keepSearchTerms(t, st)
	if expr, _ := st.SearchExpression(ctx, "respons*"); !strings.Contains(expr, `"respons" *`) {
		t.Fatalf("respons* searched as %s", expr)
	}
}

func TestPrefixSearchFindsWhatFTS5PrefixFinds(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	// Before the fill, and as the rows of each kind come.
	samePrefixMatches(t, st, "empty")
	a := mustAuthority(t, st, "Ministry of Façades and Surveys", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Surveillance drones", Body: "Informal information on refusals, responses and releases",
		AuthorityID: a.ID, Notes: "deployed Überwachung cafés"}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	samePrefixMatches(t, st, "before the fill")
	keepSearchTerms(t, st)
	samePrefixMatches(t, st, "filled")

	// Rows of every kind, their words in search_terms_new only, then moved.
	r2 := tracker.Request{Title: "Surveyors' informants", Body: "The caféine environmental agreement", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r2, day("2026-03-03")); err != nil {
		t.Fatal(err)
	}
	note := tracker.Event{RequestID: r2.ID, Kind: tracker.EventNote, Date: day("2026-03-04"), Note: "surveilled responsibly by the deployment team"}
	if err := st.AddEvent(ctx, &note); err != nil {
		t.Fatal(err)
	}
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <p1@council>\r\n\r\nx\r\n", "p1@council")
	if err := st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailUnmatched, Subject: "Survey of cafeterias",
			FromAddr: "foi@example.gov.uk", FromName: "Informatics Unit", TextBody: "Refusing: the environment is surveilled."})
	}); err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r.ID, Filename: "minutes.html", MediaType: "text/html", Disposition: tracker.DispositionReleased, Description: "releasable minutes"}
	if err := st.AddDocument(ctx, &d, strings.NewReader("<p>The surveillance-camera <b>informatique</b> deployments were refused.</p>"), 0); err != nil {
		t.Fatal(err)
	}
	samePrefixMatches(t, st, "new rows, words not moved")
	if n, err := st.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n != 1 {
		t.Fatalf("text extraction did %d (%v), want 1", n, err)
	}
	ev, err := timeline.ParseMarkdown("2026-03-30--surv.md", []byte("---\nid: 2026-03-30--surv\ndate: '2026-03-30'\ntitle: Surveyed uberisation\n---\nThe agreed environmentalism.\n"))
	if err != nil {
		t.Fatal(err)
	}
	te := &store.TimelineEvent{Event: ev}
	if err := st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	samePrefixMatches(t, st, "new rows and a text, words not moved")
	keepSearchTerms(t, st)
	samePrefixMatches(t, st, "new rows, words moved")

	// Edits of each kind, and deletions: before the words move and after.
	r.Title, r.Notes = "Surveyance and informality", "policing casements"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	a.Name, a.Notes = "Ministry of Cafeterias", "casements, surveys"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	d.Description = "refusenik records"
	if err := st.UpdateDocument(ctx, &d); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE mail_messages SET subject = 'Survivals, releases', text_body = 'Deployable responsibilities' WHERE id = ` + idStr(m.ID),
		`UPDATE request_events SET note = 'surveillances informed' WHERE id = ` + idStr(note.ID),
		`UPDATE timeline_events SET title = 'Über surveillance', body = 'caf' WHERE id = ` + idStr(te.ID),
	} {
		if _, err := st.Writer().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	samePrefixMatches(t, st, "edited, words not moved")
	keepSearchTerms(t, st)
	samePrefixMatches(t, st, "edited, words moved")
	if _, err := st.DeleteDocument(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteTimelineEvent(ctx, te.ID); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM mail_messages WHERE id = ` + idStr(m.ID), `DELETE FROM request_events WHERE id = ` + idStr(note.ID)} {
		if _, err := st.Writer().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	samePrefixMatches(t, st, "deleted")
	keepSearchTerms(t, st)
	samePrefixMatches(t, st, "deleted, words moved")
}

// The search boxes of the lists of one kind (documents, mail, timeline)
// search a prefix as the search page does, as the indexed words it stands
// for, and find what FTS5's own prefix query finds.
func TestListSearchBoxesSearchPrefixesAsTheirWords(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 60, Messages: 180, Seed: 4, Password: "correct horse battery"})
	keepSearchTerms(t, st)
	some := false
	for _, kind := range []string{store.KindDocument, store.KindMail, store.KindEvent} {
		for _, p := range []string{"inform*", "polic*", "foi*", "survei*", "respon*", "data* -inform*", "zzzq*", "e-mai*"} {
			box, fts5, err := st.ItemSearchBothWays(ctx, kind, p, 2048)
			if err != nil {
				t.Fatalf("%s %q: %v", kind, p, err)
			}
			if !slices.Equal(box, fts5) {
				t.Errorf("%s %q: the list box found %d %v, FTS5's prefix %d %v", kind, p, len(box), box, len(fts5), fts5)
			}
			some = some || len(fts5) > 5
		}
	}
	if !some {
		t.Fatal("no prefix found more than 5: the comparison proves nothing")
	}
	// The words a prefix stands for are those of the table of indexed
	// words: made to say a prefix stands for a word no row holds, the
	// boxes find nothing for it.
	for kind, p := range map[string]string{store.KindDocument: "foi", store.KindMail: "inform", store.KindEvent: "data"} {
		if _, err := st.Writer().ExecContext(ctx, `DELETE FROM search_terms WHERE term LIKE ? || '%'`, p); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Writer().ExecContext(ctx, `INSERT INTO search_terms (term, query) VALUES (? || 'zzq', ? || 'zzq')`, p, p); err != nil {
			t.Fatal(err)
		}
		box, fts5, err := st.ItemSearchBothWays(ctx, kind, p+"*", 2048)
		if err != nil {
			t.Fatal(err)
		}
		if len(box) != 0 || len(fts5) == 0 {
			t.Errorf("%s: %s* standing for %szzq only: the box found %v (FTS5's prefix %d)", kind, p, p, box, len(fts5))
		}
	}
}

// The request list's search box in the "due" order (its members, found
// once for the count and the page) searches a prefix as its indexed words
// too, and finds what FTS5's own prefix query finds.
func TestRequestSearchMembersSearchPrefixesAsTheirWords(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 60, Messages: 180, Seed: 4, Password: "correct horse battery"})
	keepSearchTerms(t, st)
	some := false
	for _, p := range []string{"inform*", "polic*", "foi*", "survei*", "respon*", "data* -inform*", "zzzq*", "e-mai*"} {
		got, err := st.RequestSearchMembers(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := st.RequestSearchMembersByFTS5Prefix(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: the members %d %v, FTS5's prefix %d %v", p, len(got), got, len(want), want)
		}
		some = some || len(want) > 5
	}
	if !some {
		t.Fatal("no prefix found more than 5: the comparison proves nothing")
	}
	// Made to say inform* stands for a word no row holds: no members.
	if _, err := st.Writer().ExecContext(ctx, `DELETE FROM search_terms WHERE term LIKE 'inform%'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Writer().ExecContext(ctx, `INSERT INTO search_terms (term, query) VALUES ('informzzq', 'informzzq')`); err != nil {
		t.Fatal(err)
	}
	got, err := st.RequestSearchMembers(ctx, "inform*")
	if want, _ := st.RequestSearchMembersByFTS5Prefix(ctx, "inform*"); err != nil || len(got) != 0 || len(want) == 0 {
		t.Fatalf("inform* standing for informzzq only: the members %v (%v), FTS5's prefix %d", got, err, len(want))
	}
}
