package store_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// found searches as a signed-in user and returns "kind:id" of each hit.
func found(t *testing.T, st *store.Store, q string, scope store.SearchScope) []string {
	t.Helper()
	res, err := st.Search(context.Background(), store.ParseSearchQuery(q), store.SearchOptions{Scope: scope, Limit: 200})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Kind+":"+idStr(h.ID))
	}
	return out
}

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

func expectHits(t *testing.T, st *store.Store, q string, want ...string) {
	t.Helper()
	got := found(t, st, q, store.SearchSignedIn)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("search %q found %v, want %v", q, got, want)
	}
}

func TestSearchIndexFollowsRequestsAndHistory(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Gwent Police", tracker.JurisdictionWales)
	r := tracker.Request{Title: "Drone flights", Body: "All records of data sharing with the Home Office", AuthorityID: a.ID, Notes: "asked by Kestrel"}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	id := "request:" + idStr(r.ID)
	expectHits(t, st, "drone", id)
	expectHits(t, st, "police sharing", id) // any order; stemmed; the authority's name
	expectHits(t, st, "kestrel", id)        // notes
	expectHits(t, st, r.OurRef, id)         // our reference
	// Edited: the old words go, the new ones come.
	r.Title, r.Notes = "Helicopter flights", ""
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "drone")
	expectHits(t, st, "helicopter", id)
	expectHits(t, st, "kestrel")
	// A history event's note and the exemptions it cites.
	addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-27"), Outcome: tracker.OutcomeRefused,
		Exemptions: []string{"s31(1)(a)"}, Note: "phoned the ImmigrationOS team"})
	expectHits(t, st, "immigrationos", id)
	expectHits(t, st, "s31", id)
	evs, _ := st.Events(ctx, r.ID)
	last := evs[len(evs)-1]
	if err := st.DeleteEvent(ctx, r.ID, last.ID); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "immigrationos")
	// The authority renamed: its requests are found under the new name.
	a.Name = "Heddlu Gwent"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "heddlu", "authority:"+idStr(a.ID), id)
	expectHits(t, st, "police")
}

func TestSearchIndexFollowsMail(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Borsetshire Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Potholes", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <r1@council>\r\n\r\nx\r\n", "r1@council")
	expectHits(t, st, "tarmacadam")
	err := st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailUnmatched, Subject: "Road surfaces",
			FromAddr: "foi@borsetshire.gov.uk", FromName: "Ann Clerk", TextBody: "The tarmacadam budget is attached."})
	})
	if err != nil {
		t.Fatal(err)
	}
	mid := "mail:" + idStr(m.ID)
	expectHits(t, st, "tarmacadam", mid)
	expectHits(t, st, "road surface", mid)
	expectHits(t, st, "clerk", mid) // the sender
	// Filed on the request: the request's filters now reach it.
	if err := st.Update(ctx, func(tx *store.Tx) error { _, err := tx.SetMailRequest(m.ID, r.ID); return err }); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "tarmacadam authority:borsetshire", mid)
	ids, err := st.SearchRequestIDs(ctx, store.ParseSearchQuery("tarmacadam"), 10)
	if err != nil || len(ids) != 1 || ids[0] != r.ID {
		t.Fatalf("requests with a reply saying it: %v %v", ids, err)
	}
	if _, err := st.Writer().ExecContext(ctx, `DELETE FROM mail_messages WHERE id = ?`, m.ID); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "tarmacadam")
}

func TestSearchIndexFollowsDocumentsAndTheirText(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "ANPR", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r.ID, Filename: "minutes.html", MediaType: "text/html", Disposition: tracker.DispositionReleased, Description: "board minutes"}
	if err := st.AddDocument(ctx, &d, strings.NewReader("<p>The <b>zeppelin</b> procurement was approved.</p>"), 0); err != nil {
		t.Fatal(err)
	}
	did := "document:" + idStr(d.ID)
	expectHits(t, st, "minutes", did)
	expectHits(t, st, "zeppelin") // not read yet
	if txt, _ := st.DocumentTextByID(ctx, d.ID); txt.State != extract.StatePending {
		t.Fatalf("new document's text state %q, want pending", txt.State)
	}
	if n, err := st.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n != 1 {
		t.Fatalf("worker did %d (%v), want 1", n, err)
	}
	expectHits(t, st, "zeppelin procurement", did)
	expectHits(t, st, `"procurement was approved"`, did)
	expectHits(t, st, `"approved procurement"`) // a phrase keeps its order
	// Description edited: the text stays searchable beside it.
	d.Description = "committee papers"
	if err := st.UpdateDocument(ctx, &d); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "zeppelin committee", did)
	expectHits(t, st, "board")
	// A withheld document has no file, so no text; an image has none to read.
	w := tracker.Document{RequestID: r.ID, Filename: "withheld report", Disposition: tracker.DispositionWithheld}
	if err := st.AddDocument(ctx, &w, nil, 0); err != nil {
		t.Fatal(err)
	}
	if txt, _ := st.DocumentTextByID(ctx, w.ID); txt.State != extract.StateNoFile {
		t.Fatalf("withheld document's text state %q", txt.State)
	}
	png := tracker.Document{RequestID: r.ID, Filename: "photo.png", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &png, bytes.NewReader([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00")), 0); err != nil {
		t.Fatal(err)
	}
	st.ExtractPendingTexts(ctx, extract.Options{}, 10)
	if txt, _ := st.DocumentTextByID(ctx, png.ID); txt.State != extract.StateUnsupported {
		t.Fatalf("png text state %q", txt.State)
	}
	// A PDF with no pdftotext says so, and is read once it is there.
	pdf := tracker.Document{RequestID: r.ID, Filename: "reply.pdf", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &pdf, bytes.NewReader(extract.SamplePDF("Quokka sightings register")), 0); err != nil {
		t.Fatal(err)
	}
	st.ExtractPendingTexts(ctx, extract.Options{Pdftotext: "foitrack-no-such-tool"}, 10)
	txt, _ := st.DocumentTextByID(ctx, pdf.ID)
	if txt.State != extract.StateToolMissing || txt.StateLabel() != "text not extracted: pdftotext missing (install poppler-utils)" {
		t.Fatalf("pdf without pdftotext: %q %q", txt.State, txt.StateLabel())
	}
	if extract.Available(extract.Options{}) {
		if err := st.RequeueDocumentText(ctx, pdf.ID); err != nil {
			t.Fatal(err)
		}
		st.ExtractPendingTexts(ctx, extract.Options{}, 10)
		expectHits(t, st, "quokka", "document:"+idStr(pdf.ID))
	}
	// Deleted: gone from the index.
	if _, err := st.DeleteDocument(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "zeppelin")
}

func TestSearchIndexFollowsTimelineAndAuthorities(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	ev, err := timeline.ParseMarkdown("2026-03-30--lfr.md", []byte("---\nid: 2026-03-30--lfr\ndate: '2026-03-30'\ntitle: Met refuses LFR records\n---\nThe ImmigrationOS contract was cited.\n"))
	if err != nil {
		t.Fatal(err)
	}
	te := &store.TimelineEvent{Event: ev}
	if err := st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	eid := "event:" + idStr(te.ID)
	expectHits(t, st, "immigrationos", eid) // in the body, not the title
	expectHits(t, st, "refuses lfr", eid)
	expectHits(t, st, "immigrationos from:2026-03-01 to:2026-03-31", eid)
	expectHits(t, st, "immigrationos from:2026-04-01")
	if err := st.DeleteTimelineEvent(ctx, te.ID); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "immigrationos")

	a := mustAuthority(t, st, "Ministry of Façades", tracker.JurisdictionEngland)
	expectHits(t, st, "facades", "authority:"+idStr(a.ID)) // accents folded, plural stemmed
	a.Name = "Ministry of Windows"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "facades")
	expectHits(t, st, "window", "authority:"+idStr(a.ID))
	// A change of the website only leaves the entry as it was (the
	// trigger rewrites it only when its text changes); the short name
	// and the notes are indexed when they change.
	a.Website = "https://windows.example.gov.uk"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "window", "authority:"+idStr(a.ID))
	a.ShortName, a.Notes = "MoW", "Glazing and casements"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "mow", "authority:"+idStr(a.ID))
	expectHits(t, st, "casements", "authority:"+idStr(a.ID))
	a.Notes = ""
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "casements")
	if _, err := st.DeleteAuthority(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "window")
}

func TestSearchQuerySyntaxAndFilters(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	kent := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	dfe := mustAuthority(t, st, "Department for Education", tracker.JurisdictionEngland)
	r1 := tracker.Request{Title: "Facial recognition vans", Body: "retention policy", AuthorityID: kent.ID}
	r2 := tracker.Request{Title: "Facial recognition in schools", Body: "retention schedule", AuthorityID: dfe.ID}
	r3 := tracker.Request{Title: "Facial hair policy", Body: "uniform rules", AuthorityID: kent.ID, Law: tracker.UKEIR}
	for _, r := range []*tracker.Request{&r1, &r2, &r3} {
		if err := st.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	addEvents(t, st, r1.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-20"), Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}})
	req := func(r tracker.Request) string { return "request:" + idStr(r.ID) }
	// Ranked best first: the order of equally good hits is not pinned.
	sorted := func(q string) string {
		got := found(t, st, q, store.SearchSignedIn)
		sortStrings(got)
		return strings.Join(got, " ")
	}
	want := func(rs ...tracker.Request) string {
		var l []string
		for _, r := range rs {
			l = append(l, req(r))
		}
		sortStrings(l)
		return strings.Join(l, " ")
	}
	cases := []struct {
		q    string
		want string
	}{
		{"recognition facial", want(r1, r2)},
		{"facial -schools", want(r1, r3)},
		{`facial -"in schools"`, want(r1, r3)},
		{"recog*", want(r1, r2)},
		{`"recognition vans"`, want(r1)},
		{"facial authority:kent", want(r1, r3)},
		{`facial authority:"department for"`, want(r2)},
		{"facial law:uk-eir", want(r3)},
		{"facial exemption:s31", want(r1)},
		{"facial exemption:31", want(r1)},
		{"facial exemption:s31(1)", want(r1)},
		{"facial exemption:s40", ""},
		{"facial status:refused", want(r1)},
		{"facial kind:mail", ""},
		{"facial kind:request", want(r1, r2, r3)},
		{"exemption:s31", want(r1)},    // filters alone list requests
		{"facial from:2026-04-01", ""}, // sent on 2 March
		{"facial from:2026-03-01 to:2026-03-02", want(r1, r2, r3)},
		{"-facial", ""}, // nothing to look for
	}
	for _, c := range cases {
		if got := sorted(c.q); got != c.want {
			t.Errorf("search %q = %q, want %q", c.q, got, c.want)
		}
	}
}

func sortStrings(l []string) {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && l[j] < l[j-1]; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}

func TestSearchHostileInputNeverErrors(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "NEAR OR AND NOT column", Body: `quote " and star * and colon : here`, AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`"`, `""`, `"""`, `*`, `**`, `-`, `--`, `- -x`, `:`, `a:b:c`, `title:x`, `{title}: x`, `NEAR(a b)`, `a OR b`,
		`a AND`, `NOT x`, `(`, `)`, `^x`, `x^`, `col:"unterminated`, `authority:`, `kind:nothing`, `from:notadate`,
		"\x00\x01\x02", "\xff\xfe", `'; DROP TABLE requests; --`, strings.Repeat("a ", 5000), strings.Repeat(`"x" `, 300),
		`x*y`, `*x`, `"a" * "b"`, `+x`, `x + y`, `é`, `草`, `s31(1)(a)`, `exemption:"s31 (1)"`, `-"`,
	} {
		if _, err := st.Search(ctx, store.ParseSearchQuery(q), store.SearchOptions{}); err != nil {
			t.Errorf("query %q: %v", q, err)
		}
		if _, err := st.Search(ctx, store.ParseSearchQuery(q), store.SearchOptions{Scope: store.SearchPublic}); err != nil {
			t.Errorf("public query %q: %v", q, err)
		}
		if _, err := st.SearchRequestIDs(ctx, store.ParseSearchQuery(q), 10); err != nil {
			t.Errorf("request ids %q: %v", q, err)
		}
	}
	// Operator words are searched as words.
	expectHits(t, st, "near or and not", "request:"+idStr(r.ID))
	expectHits(t, st, `not:column`, "request:"+idStr(r.ID)) // not a field of ours: a phrase
}

func TestSearchSnippetMarksMatches(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Cameras", Body: "Please send the <script>alert(1)</script> ANPR camera list", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(ctx, store.ParseSearchQuery("anpr"), store.SearchOptions{})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("%v %v", res, err)
	}
	h := res.Hits[0]
	if !strings.Contains(h.Snippet, "<script>alert(1)</script> ANPR camera") || strings.ContainsAny(h.Snippet, "\x01\x02") {
		t.Fatalf("snippet %q", h.Snippet)
	}
	var marked []string
	for _, p := range store.SnippetParts(h.Marked) {
		if p.Match {
			marked = append(marked, p.Text)
		}
	}
	if strings.Join(marked, ",") != "ANPR" || h.Link != "/requests/"+idStr(r.ID) || h.Title != "Cameras" {
		t.Fatalf("hit %+v, marked %v", h, marked)
	}
	// Unbalanced markers never leave a match open past its text.
	parts := store.SnippetParts("a\x01b\x01c\x02d\x02e")
	if len(parts) != 5 || parts[4].Match || !parts[1].Match {
		t.Fatalf("parts %+v", parts)
	}
}

func TestPublicSearchFindsOnlyPublicText(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	pub := tracker.Request{Title: "Public wombat request", Body: "wombat text", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic, Notes: "secret platypus note"}
	priv := tracker.Request{Title: "Private wombat request", Body: "unique numbat word", AuthorityID: a.ID}
	for _, r := range []*tracker.Request{&pub, &priv} {
		if err := st.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	addEvents(t, st, pub.ID, tracker.Event{Kind: tracker.EventAcknowledged, Date: day("2026-03-03"), Note: "private echidna note"})
	unpub := tracker.Document{RequestID: pub.ID, Filename: "draft.txt", Disposition: tracker.DispositionReleased}
	published := tracker.Document{RequestID: pub.ID, Filename: "final.txt", Disposition: tracker.DispositionReleased}
	privDoc := tracker.Document{RequestID: priv.ID, Filename: "p.txt", Disposition: tracker.DispositionReleased}
	for d, text := range map[*tracker.Document]string{&unpub: "wombat draft bilby", &published: "wombat final quoll", &privDoc: "wombat private dingo"} {
		if err := st.AddDocument(ctx, d, strings.NewReader(text), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetDocumentPublished(ctx, published.ID, true); err != nil {
		t.Fatal(err)
	}
	st.ExtractPendingTexts(ctx, extract.Options{}, 10)
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <r1@x>\r\n\r\nx\r\n", "r1@x")
	st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailMatched, RequestID: pub.ID, Subject: "wombat reply", TextBody: "wombat mail"})
	})
	slug, _ := st.PublicSlug(ctx, pub.ID)
	res, err := st.Search(ctx, store.ParseSearchQuery("wombat"), store.SearchOptions{Scope: store.SearchPublic})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Kind+" "+h.Link)
	}
	sortStrings(got)
	want := []string{"document /p/" + slug + "/documents/" + published.SHA256, "request /p/" + slug}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("public search found %v, want %v", got, want)
	}
	for _, secret := range []string{"numbat", "platypus", "echidna", "bilby", "dingo", "mail", pub.OurRef} {
		if hits := found(t, st, secret, store.SearchPublic); len(hits) != 0 {
			t.Errorf("public search for %q found %v", secret, hits)
		}
	}
	// Signed in, all of it is found.
	for _, w := range []string{"numbat", "platypus", "echidna", "bilby", "dingo", "quoll"} {
		if hits := found(t, st, w, store.SearchSignedIn); len(hits) != 1 {
			t.Errorf("signed-in search for %q found %v", w, hits)
		}
	}
	// Made private again: the public search forgets it at once.
	pub.Visibility = tracker.VisibilityPrivate
	if err := st.UpdateRequest(ctx, &pub); err != nil {
		t.Fatal(err)
	}
	if hits := found(t, st, "wombat", store.SearchPublic); len(hits) != 0 {
		t.Fatalf("private again, public search found %v", hits)
	}
}

func TestSearchIndexBuiltForExistingData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := store.OpenAtVersion(ctx, t, dir, 8)
	if err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland}
	if err := old.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "Gritting routes", Body: "winter salt", AuthorityID: a.ID}
	if err := old.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r.ID, Filename: "routes.txt", Disposition: tracker.DispositionReleased}
	if err := old.AddDocument(ctx, &d, strings.NewReader("the snowplough rota"), 0); err != nil {
		t.Fatal(err)
	}
	old.Close()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	expectHits(t, st, "salt", "request:"+idStr(r.ID))
	expectHits(t, st, "barsetshire", "authority:"+idStr(a.ID), "request:"+idStr(r.ID))
	if n, err := st.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n != 1 {
		t.Fatalf("existing document queued for text: %d %v", n, err)
	}
	expectHits(t, st, "snowplough", "document:"+idStr(d.ID))
}

// A prefix of one or two letters (a*, st*) would have FTS5 merge the
// postings of every word that starts so, for every such term of the query:
// "s* -a* -b* … -o*" took seconds of CPU on a 3,000-request database, and
// grows with the database. A prefix needs three letters or digits; a
// shorter one is searched as a word, and the query says so.
func TestSearchPrefixNeedsThreeLetters(t *testing.T) {
	q := store.ParseSearchQuery("s* -a* st* sta* 12* 123* é*")
	want := []store.SearchTerm{{Text: "s"}, {Text: "a", Negate: true}, {Text: "st"}, {Text: "sta", Prefix: true},
		{Text: "12"}, {Text: "123", Prefix: true}, {Text: "é"}}
	if !slices.Equal(q.Terms, want) {
		t.Fatalf("terms %+v, want %+v", q.Terms, want)
	}
	if len(q.Ignored) != 1 || !strings.Contains(q.Ignored[0], "3 letters at least") {
		t.Fatalf("ignored %q: the query should say short prefixes were searched as words", q.Ignored)
	}
	if got := q.String(); strings.Contains(got, "s*") || !strings.Contains(got, "sta*") {
		t.Fatalf("query written back as %q", got)
	}
}

// The public search's "more than N found" never counts a hit a censor rule
// leaves out: the candidate past the bound is one the public cannot find,
// so there are no more.
func TestPublicSearchBoundNeverCountsCensoredHits(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	store.SetSearchCandidates(t, 3)
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	// The oldest is found only through a hidden address; the three newer
	// ones through shown text.
	for _, body := range []string{"write to wombat@burrow.example", "the wombat census", "wombat crossings", "wombat habitats"} {
		r := tracker.Request{Title: "Burrows", Body: body, AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
		if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddCensorRule(ctx, &tracker.CensorRule{Scope: tracker.CensorGlobal, Pattern: `\S+@\S+`, Regexp: true}); err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(ctx, store.ParseSearchQuery("wombat"), store.SearchOptions{Scope: store.SearchPublic})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || res.More || len(res.Hits) != 3 {
		t.Fatalf("public search: total %d, more %v, %d hits; want 3, false, 3", res.Total, res.More, len(res.Hits))
	}
	// Signed in, the fourth is there: more than the bound.
	res, err = st.Search(ctx, store.ParseSearchQuery("wombat"), store.SearchOptions{})
	if err != nil || res.Total != 3 || !res.More {
		t.Fatalf("signed-in search: total %d, more %v, %v; want 3, true", res.Total, res.More, err)
	}
}

// A public search by filters alone (no words) shows its hits as the
// public sees them, and leaves out, uncounted, a request found by a
// word a rule hides.
func TestPublicFilterSearchAppliesCensorRules(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	kent := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	hidden := mustAuthority(t, st, "Privet Council", tracker.JurisdictionEngland)
	for _, r := range []tracker.Request{
		{Title: "Jane Privet's file", Body: "Please send Jane Privet's file", AuthorityID: kent.ID, Visibility: tracker.VisibilityPublic},
		{Title: "Hedges", Body: "Please send the hedge plan", AuthorityID: hidden.ID, Visibility: tracker.VisibilityPublic},
	} {
		if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddCensorRule(ctx, &tracker.CensorRule{Scope: tracker.CensorGlobal, Pattern: "Privet"}); err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(ctx, store.ParseSearchQuery("authority:kent"), store.SearchOptions{Scope: store.SearchPublic})
	if err != nil || len(res.Hits) != 1 || res.Total != 1 {
		t.Fatalf("public search by authority: %+v %v", res, err)
	}
	if h := res.Hits[0]; strings.Contains(h.Title+h.Snippet+h.Marked+h.RequestTitle, "Privet") {
		t.Fatalf("public filter search shows hidden text: %+v", h)
	}
	res, err = st.Search(ctx, store.ParseSearchQuery("authority:privet"), store.SearchOptions{Scope: store.SearchPublic})
	if err != nil || len(res.Hits) != 0 || res.Total != 0 || res.More {
		t.Fatalf("public search by a hidden authority name: %+v %v", res, err)
	}
}

// bm25 reads every row that holds each word of the query to weigh it, so a
// query with a word more common than searchRankableRows lists its hits
// newest first and says so (Ranked false); rarer words are ranked best
// first.
func TestSearchRanksOnlyWhenNoWordIsTooCommon(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	store.SetSearchRankableRows(t, 3)
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	var ids []string
	// The best match for "badger" (in the title, short) is the oldest.
	for _, r := range []tracker.Request{
		{Title: "Badger", Body: "badger", AuthorityID: a.ID},
		{Title: "Setts", Body: "a long text about setts, fields and one badger among many other words", AuthorityID: a.ID},
		{Title: "Roads", Body: "a long text about roads, verges and one badger among many other words", AuthorityID: a.ID},
		{Title: "Culls", Body: "a long text about culls, farms and one badger among many other words", AuthorityID: a.ID},
	} {
		if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, "request:"+idStr(r.ID))
	}
	res, err := st.Search(ctx, store.ParseSearchQuery("badger"), store.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Kind+":"+idStr(h.ID))
	}
	if res.Ranked || strings.Join(got, " ") != strings.Join([]string{ids[3], ids[2], ids[1], ids[0]}, " ") {
		t.Fatalf("a word in 4 rows (over 3): ranked %v, hits %v; want newest first", res.Ranked, got)
	}
	res, err = st.Search(ctx, store.ParseSearchQuery("badger setts"), store.SearchOptions{})
	if err != nil || res.Ranked || res.Total != 1 {
		t.Fatalf("a rare word with a common one: ranked %v, total %d, %v; want unranked", res.Ranked, res.Total, err)
	}
	store.SetSearchRankableRows(t, 4)
	res, err = st.Search(ctx, store.ParseSearchQuery("badger"), store.SearchOptions{})
	if err != nil || !res.Ranked || len(res.Hits) != 4 || res.Hits[0].Kind+":"+idStr(res.Hits[0].ID) != ids[0] {
		t.Fatalf("a word in 4 rows (not over 4): ranked %v, hits %+v, %v; want the short title first", res.Ranked, res.Hits, err)
	}
}

// A phrase of two or more words costs bm25 more per row than a word (its
// rows' positions are read to count them), so a phrase in more than
// searchRankablePhraseRows rows lists its hits newest first, while a word
// in as many rows is still ranked; public and signed in alike.
func TestSearchRanksACommonPhraseNewestFirst(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	store.SetSearchRankablePhraseRows(t, 3)
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	var ids []string
	// The best match for "badger setts" (in the title, short) is the oldest.
	for _, r := range []tracker.Request{
		{Title: "Badger setts", Body: "badger setts", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic},
		{Title: "Fields", Body: "a long text about fields, verges and badger setts among many other words", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic},
		{Title: "Roads", Body: "a long text about roads, verges and badger setts among many other words", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic},
		{Title: "Culls", Body: "a long text about culls, farms and badger setts among many other words", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic},
	} {
		if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, "request:"+idStr(r.ID))
	}
	hits := func(res store.SearchResult) string {
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Kind+":"+idStr(h.ID))
		}
		return strings.Join(got, " ")
	}
	newest := strings.Join([]string{ids[3], ids[2], ids[1], ids[0]}, " ")
	for _, scope := range []store.SearchScope{store.SearchSignedIn, store.SearchPublic} {
		res, err := st.Search(ctx, store.ParseSearchQuery(`"badger setts"`), store.SearchOptions{Scope: scope})
		if err != nil {
			t.Fatal(err)
		}
		if res.Ranked || hits(res) != newest {
			t.Fatalf("scope %v: a phrase in 4 rows (over 3): ranked %v, hits %v; want newest first %v", scope, res.Ranked, hits(res), newest)
		}
		// The same words as words, in as many rows: ranked.
		res, err = st.Search(ctx, store.ParseSearchQuery(`badger setts`), store.SearchOptions{Scope: scope})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Ranked || !strings.HasPrefix(hits(res), ids[0]+" ") {
			t.Fatalf("scope %v: words in 4 rows: ranked %v, hits %v; want the short title first", scope, res.Ranked, hits(res))
		}
		// A quoted single word is a word.
		res, err = st.Search(ctx, store.ParseSearchQuery(`"badger"`), store.SearchOptions{Scope: scope})
		if err != nil || !res.Ranked {
			t.Fatalf("scope %v: a quoted word in 4 rows: ranked %v, %v; want ranked", scope, res.Ranked, err)
		}
	}
	store.SetSearchRankablePhraseRows(t, 4)
	res, err := st.Search(ctx, store.ParseSearchQuery(`"badger setts"`), store.SearchOptions{Scope: store.SearchPublic})
	if err != nil || !res.Ranked || !strings.HasPrefix(hits(res), ids[0]+" ") {
		t.Fatalf("a phrase in 4 rows (not over 4): ranked %v, hits %v, %v; want the short title first", res.Ranked, hits(res), err)
	}
}

// A closed store is let go: the counts a search keeps of its words belong
// to the store, not to a table of the package that outlives it (a server
// that opens a store per test, or reopens one, kept every one it opened).
func TestSearchWordCountsLeaveAClosedStoreCollectable(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a := mustAuthority(t, st, "Gwent Police", tracker.JurisdictionWales)
	r := tracker.Request{Title: "Drone flights", Body: "records", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	expectHits(t, st, "drone", "request:"+idStr(r.ID)) // counts "drone"
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	gone := weak.Make(st)
	st = nil
	// Collected within a cycle or two once nothing refers to it; a loaded
	// machine may still be ending work the store started (a goroutine
	// holding it), so the wait is long, and ends as soon as it is gone.
	for deadline := time.Now().Add(time.Minute); gone.Value() != nil && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if gone.Value() != nil {
		t.Fatal("a closed store is still referred to after a search")
	}
}

// exemption: alone lists the requests that cited the exemption or one of
// its subsections, each once, newest first, with the other filters, the
// scope, the count and its bound applied as to any filter search.
func TestSearchByExemptionAloneListsNewestCitingRequests(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	kent := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	dfe := mustAuthority(t, st, "Department for Education", tracker.JurisdictionEngland)
	cites := map[int][]string{ // request number: exemptions cited
		0: {"s31(1)(a)"}, 1: {"s40(2)"}, 2: {"s31(1)(a)", "s31(1)(b)"}, 3: {"s31(1)(g)"},
		4: {}, 5: {"s31(1)(b)", "s40(2)"}, 6: {"s31(1)(a)"}, 7: {"s31(1)(b)"},
	}
	var rs []tracker.Request
	for i := 0; i < len(cites); i++ {
		a := kent
		if i%2 == 1 {
			a = dfe
		}
		r := tracker.Request{Title: fmt.Sprintf("Request %d", i), Body: "x", AuthorityID: a.ID}
		if i >= 5 {
			r.Visibility = tracker.VisibilityPublic
		}
		if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
		if len(cites[i]) > 0 {
			addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-20"),
				Outcome: tracker.OutcomeRefused, Exemptions: cites[i]})
		}
		rs = append(rs, r)
	}
	ids := func(ns ...int) string {
		var l []string
		for _, n := range ns {
			l = append(l, "request:"+idStr(rs[n].ID))
		}
		return strings.Join(l, " ")
	}
	search := func(q string, scope store.SearchScope) store.SearchResult {
		t.Helper()
		res, err := st.Search(ctx, store.ParseSearchQuery(q), store.SearchOptions{Scope: scope, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, c := range []struct {
		q     string
		scope store.SearchScope
		want  string
	}{
		{"exemption:s31", store.SearchSignedIn, ids(7, 6, 5, 3, 2, 0)},
		{"exemption:s31(1)(b)", store.SearchSignedIn, ids(7, 5, 2)},
		{"exemption:s40", store.SearchSignedIn, ids(5, 1)},
		{"exemption:s41", store.SearchSignedIn, ""},
		{"exemption:s31 authority:kent", store.SearchSignedIn, ids(6, 2, 0)},
		{"exemption:s31 authority:education", store.SearchSignedIn, ids(7, 5, 3)},
		{"exemption:s31", store.SearchPublic, ids(7, 6, 5)},
		{"exemption:s31 authority:kent", store.SearchPublic, ids(6)},
		{"exemption:s31 kind:mail", store.SearchSignedIn, ""},
	} {
		res := search(c.q, c.scope)
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Kind+":"+idStr(h.ID))
		}
		if strings.Join(got, " ") != c.want || res.Total != len(got) || res.More {
			t.Errorf("search %q (scope %d) = %v (total %d, more %v), want %q", c.q, c.scope, got, res.Total, res.More, c.want)
		}
	}
	// Bounded: the newest first, and "more".
	store.SetSearchCandidates(t, 2)
	for _, c := range []struct {
		q     string
		scope store.SearchScope
		want  string
		more  bool
	}{
		{"exemption:s31", store.SearchSignedIn, ids(7, 6), true},
		{"exemption:s31 authority:education", store.SearchSignedIn, ids(7, 5), true},
		{"exemption:s40", store.SearchSignedIn, ids(5, 1), false},
		{"exemption:s31 authority:kent", store.SearchPublic, ids(6), false},
	} {
		res := search(c.q, c.scope)
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Kind+":"+idStr(h.ID))
		}
		if strings.Join(got, " ") != c.want || res.Total != len(got) || res.More != c.more {
			t.Errorf("bounded search %q = %v (total %d, more %v), want %q, more %v", c.q, got, res.Total, res.More, c.want, c.more)
		}
	}
}

// A released document that is a scan is read by OCR in the background, found
// by its words, and labelled as read by OCR; publishing it asks first, since
// a name misread by OCR escapes the personal-data scan.
func TestScannedDocumentSearchableAndFlagged(t *testing.T) {
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftotext")
	testenv.LookPath(t, "apt-get install tesseract-ocr", "tesseract")
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "ANPR", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	scan, err := extract.SampleScanPage("Operation Nightjar surveillance budget")
	if err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r.ID, Filename: "release.pdf", MediaType: "application/pdf", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &d, bytes.NewReader(extract.SamplePDFPages(extract.SamplePage{Text: "Covering letter from the records manager"}, scan)), 0); err != nil {
		t.Fatal(err)
	}
	if n, err := st.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n != 1 {
		t.Fatalf("extracted %d, %v", n, err)
	}
	expectHits(t, st, "nightjar surveillance", "document:"+idStr(d.ID))
	txt, err := st.DocumentTextByID(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "text extracted and searchable; page 2 read by OCR (words may be misread)"; txt.StateLabel() != want {
		t.Fatalf("label %q, want %q", txt.StateLabel(), want)
	}
	ps, err := st.ScanDocumentForPersonalData(ctx, d.ID, extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ps.Clean() || !strings.Contains(strings.Join(ps.Names(), "; "), "page 2 read by OCR") {
		t.Fatalf("personal-data scan of an OCR'd file: %+v", ps)
	}

	// Without tesseract a wholly scanned file says which program to install.
	only := tracker.Document{RequestID: r.ID, Filename: "scan.pdf", MediaType: "application/pdf", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &only, bytes.NewReader(extract.SamplePDFPages(scan)), 0); err != nil {
		t.Fatal(err)
	}
	st.ExtractPendingTexts(ctx, extract.Options{Tesseract: "foitrack-no-such-tesseract"}, 10)
	txt, _ = st.DocumentTextByID(ctx, only.ID)
	if want := "no text layer (a scanned document?): text not extracted: tesseract missing (install tesseract-ocr)"; txt.State != extract.StateToolMissing || txt.StateLabel() != want {
		t.Fatalf("scan without tesseract: %q %q", txt.State, txt.StateLabel())
	}
}
