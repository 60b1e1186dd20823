package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// publicIndexRows is the public search's index (schema section 34), a row
// a line ("rowid|title|body|request_id|date"), in rowid order.
func publicIndexRows(t *testing.T, st *store.Store) string {
	t.Helper()
	return queryLines(t, st, `SELECT rowid, title, body, request_id, date FROM public_search ORDER BY rowid`)
}

// publicIndexWanted is what the public index must hold, worked out from
// the tables: every public request, and every published document of one
// that is released (redacted or not), with its text.
func publicIndexWanted(t *testing.T, st *store.Store) string {
	t.Helper()
	return queryLines(t, st, `SELECT rowid, title, body, request_id, date FROM (
		SELECT r.id * 8 + 1 AS rowid, r.title AS title, r.body || char(10) || COALESCE(a.name, '') AS body, r.id AS request_id,
		       COALESCE(r.sent_on, substr(r.created_at, 1, 10)) AS date
		FROM requests r LEFT JOIN authorities a ON a.id = r.authority_id WHERE r.visibility = 'public'
		UNION ALL
		SELECT d.id * 8 + 3, d.filename, d.description || char(10) || COALESCE(x.text, ''), d.request_id, substr(d.created_at, 1, 10)
		FROM documents d JOIN requests r ON r.id = d.request_id JOIN document_publications p ON p.document_id = d.id
		LEFT JOIN document_texts x ON x.document_id = d.id
		WHERE r.visibility = 'public' AND d.disposition IN ('released', 'released_redacted'))
	ORDER BY rowid`)
}

func queryLines(t *testing.T, st *store.Store, q string) string {
	t.Helper()
	rows, err := st.Reader().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var rowid, reqID int64
		var title, body, date string
		if err := rows.Scan(&rowid, &title, &body, &reqID, &date); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d|%s|%q|%d|%s", rowid, title, body, reqID, date))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// expectPublicIndexInStep checks the public index against the tables, and
// that the public search finds exactly the public things a word is in.
func expectPublicIndexInStep(t *testing.T, st *store.Store, step string) {
	t.Helper()
	if got, want := publicIndexRows(t, st), publicIndexWanted(t, st); got != want {
		t.Fatalf("after %s the public index holds\n%s\nwant\n%s", step, got, want)
	}
}

// The public search's own index follows every change that makes text
// public or takes it back: a request made public and private again, its
// edits, its authority's new name; a document published, unpublished,
// withheld, its text read, filed on another request, deleted; a request
// deleted.
func TestPublicSearchIndexKeptInStep(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	pub := tracker.Request{Title: "Wombat cameras", Body: "wombat records", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	priv := tracker.Request{Title: "Numbat cameras", Body: "numbat records", AuthorityID: a.ID}
	for _, r := range []*tracker.Request{&pub, &priv} {
		if err := st.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	expectPublicIndexInStep(t, st, "creating a public and a private request")
	expectHits(t, st, "wombat", "request:"+idStr(pub.ID))
	if got := found(t, st, "wombat", store.SearchPublic); strings.Join(got, " ") != "request:"+idStr(pub.ID) {
		t.Fatalf("public search for wombat found %v", got)
	}

	pub.Title = "Quokka cameras"
	if err := st.UpdateRequest(ctx, &pub); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "editing the public request")
	if got := found(t, st, "quokka", store.SearchPublic); len(got) != 1 {
		t.Fatalf("public search for the new title found %v", got)
	}
	a.Name = "Wessex Police"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "renaming the authority")
	if got := found(t, st, "wessex", store.SearchPublic); len(got) != 1 {
		t.Fatalf("public search for the authority's new name found %v", got)
	}

	doc := tracker.Document{RequestID: pub.ID, Filename: "reply.txt", Disposition: tracker.DispositionReleased, Description: "the reply"}
	if err := st.AddDocument(ctx, &doc, strings.NewReader("the bilby figures"), 0); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "adding a document")
	if err := st.SetDocumentPublished(ctx, doc.ID, true); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "publishing it")
	if n, err := st.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n != 1 {
		t.Fatalf("extract: %d %v", n, err)
	}
	expectPublicIndexInStep(t, st, "reading its text")
	if got := found(t, st, "bilby", store.SearchPublic); strings.Join(got, " ") != "document:"+idStr(doc.ID) {
		t.Fatalf("public search for the published text found %v", got)
	}
	doc.Disposition, doc.Description = tracker.DispositionWithheld, "withheld after all"
	if err := st.UpdateDocument(ctx, &doc); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "withholding it")
	doc.Disposition = tracker.DispositionReleasedRedacted
	if err := st.UpdateDocument(ctx, &doc); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "releasing it redacted")
	if err := st.SetDocumentPublished(ctx, doc.ID, false); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "unpublishing it")
	if err := st.SetDocumentPublished(ctx, doc.ID, true); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "publishing it again")

	pub.Visibility = tracker.VisibilityPrivate
	if err := st.UpdateRequest(ctx, &pub); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "making the request private")
	pub.Visibility = tracker.VisibilityPublic
	if err := st.UpdateRequest(ctx, &pub); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "making it public again")

	// Filed on the private request (as moving a reply's documents does),
	// and back.
	w := st.Writer()
	if _, err := w.ExecContext(ctx, `UPDATE documents SET request_id = ? WHERE id = ?`, priv.ID, doc.ID); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "filing the document on a private request")
	if _, err := w.ExecContext(ctx, `UPDATE documents SET request_id = ? WHERE id = ?`, pub.ID, doc.ID); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "filing it back")
	if _, err := st.DeleteDocument(ctx, doc.ID); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "deleting the document")

	doc2 := tracker.Document{RequestID: pub.ID, Filename: "second.txt", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &doc2, strings.NewReader("second"), 0); err != nil {
		t.Fatal(err)
	}
	if err := st.SetDocumentPublished(ctx, doc2.ID, true); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "publishing a second document")
	if _, err := w.ExecContext(ctx, `DELETE FROM requests WHERE id = ?`, pub.ID); err != nil {
		t.Fatal(err)
	}
	expectPublicIndexInStep(t, st, "deleting the public request")
	if got := publicIndexRows(t, st); got != "" {
		t.Fatalf("nothing public is left, the index holds %s", got)
	}
}

// The public search never finds a private request's words, nor those of a
// document that is not published, wherever they were before.
func TestPublicSearchNeverFindsPrivateWords(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	priv := tracker.Request{Title: "Private zorblax", Body: "the zorblax file", AuthorityID: a.ID, Notes: "quixotl"}
	was := tracker.Request{Title: "Once public glimmerk", Body: "glimmerk", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	for _, r := range []*tracker.Request{&priv, &was} {
		if err := st.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	onPriv := tracker.Document{RequestID: priv.ID, Filename: "a.txt", Disposition: tracker.DispositionReleased}
	onWas := tracker.Document{RequestID: was.ID, Filename: "b.txt", Disposition: tracker.DispositionReleased}
	for d, text := range map[*tracker.Document]string{&onPriv: "plorvex", &onWas: "snerdle"} {
		if err := st.AddDocument(ctx, d, strings.NewReader(text), 0); err != nil {
			t.Fatal(err)
		}
		if err := st.SetDocumentPublished(ctx, d.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	st.ExtractPendingTexts(ctx, extract.Options{}, 10)
	if got := found(t, st, "snerdle", store.SearchPublic); len(got) != 1 {
		t.Fatalf("public search for a published document's word found %v", got)
	}
	was.Visibility = tracker.VisibilityPrivate
	if err := st.UpdateRequest(ctx, &was); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"zorblax", "quixotl", "plorvex", "glimmerk", "snerdle", "zorb*", "glimm*", "sner*"} {
		if got := found(t, st, w, store.SearchPublic); len(got) != 0 {
			t.Errorf("public search for %q found %v", w, got)
		}
		if got := found(t, st, w, store.SearchSignedIn); len(got) == 0 {
			t.Errorf("signed-in search for %q found nothing", w)
		}
	}
	expectPublicIndexInStep(t, st, "making a request private")
}

// A database from before the public index gets one holding what was
// public already.
func TestPublicSearchIndexBuiltForExistingData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := store.OpenAtVersion(ctx, t, dir, 33)
	if err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland}
	if err := old.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	pub := tracker.Request{Title: "Gritting routes", Body: "winter salt", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	priv := tracker.Request{Title: "Gritting budget", Body: "winter money", AuthorityID: a.ID}
	for _, r := range []*tracker.Request{&pub, &priv} {
		if err := old.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	var docs []tracker.Document
	for i, text := range []string{"the snowplough rota", "the unpublished rota"} {
		d := tracker.Document{RequestID: pub.ID, Filename: fmt.Sprintf("rota%d.txt", i), Disposition: tracker.DispositionReleased}
		if err := old.AddDocument(ctx, &d, strings.NewReader(text), 0); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	if err := old.SetDocumentPublished(ctx, docs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if n, err := old.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n != 2 {
		t.Fatalf("extract: %d %v", n, err)
	}
	old.Close()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	expectPublicIndexInStep(t, st, "the upgrade")
	if got := found(t, st, "winter", store.SearchPublic); strings.Join(got, " ") != "request:"+idStr(pub.ID) {
		t.Fatalf("public search for winter found %v", got)
	}
	if got := found(t, st, "rota", store.SearchPublic); strings.Join(got, " ") != "document:"+idStr(docs[0].ID) {
		t.Fatalf("public search for rota found %v", got)
	}
}

// A page of hits kept while nothing is committed is kept for its scope: the
// same words searched signed in, then in public, find in public only what
// is public (the signed-in page, the private request on it, is never given
// to the public search), whichever is asked first.
func TestPublicSearchIsNeverGivenASignedInPageKept(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	pub := tracker.Request{Title: "Wombat cameras", Body: "wombat records", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	priv := tracker.Request{Title: "Wombat drones", Body: "wombat private plans", AuthorityID: a.ID}
	for _, r := range []*tracker.Request{&pub, &priv} {
		if err := st.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 2 {
		if got := found(t, st, "wombat", store.SearchSignedIn); len(got) != 2 {
			t.Fatalf("round %d: signed-in search for wombat found %v, want both requests", round, got)
		}
		if got := found(t, st, "wombat", store.SearchPublic); strings.Join(got, " ") != "request:"+idStr(pub.ID) {
			t.Fatalf("round %d: public search for wombat found %v, want only the public request", round, got)
		}
	}
}
