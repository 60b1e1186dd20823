package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Publishing is audited, refused for what must not be public, undone when
// the document becomes withheld, and a publication made behind the app's
// back is caught by audit verify.
func TestDocumentPublication(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "user:ed@example.org")
	a := mustAuthority(t, st, "Barsetshire Constabulary", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Taser use", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	released := tracker.Document{RequestID: r.ID, Filename: "taser.csv", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &released, strings.NewReader("year,uses\n2025,41\n"), 0); err != nil {
		t.Fatal(err)
	}
	withheld := tracker.Document{RequestID: r.ID, Filename: "tactics.pdf", Disposition: tracker.DispositionWithheld, Exemptions: []string{"s31(1)(a)"}}
	if err := st.AddDocument(ctx, &withheld, nil, 0); err != nil {
		t.Fatal(err)
	}

	if err := st.SetDocumentPublished(ctx, withheld.ID, true); tracker.ErrorCode(err) != tracker.EINVALID {
		t.Fatalf("publishing a withheld document: %v, want EINVALID", err)
	}
	if err := st.SetDocumentPublished(ctx, 9999, true); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Fatalf("publishing an unknown document: %v, want ENOTFOUND", err)
	}
	if _, err := st.PublishedDocument(ctx, r.ID, released.SHA256); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Fatalf("unpublished document served: %v", err)
	}
	for range 2 { // the second time changes nothing
		if err := st.SetDocumentPublished(ctx, released.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.PublishedDocument(ctx, r.ID, released.SHA256)
	if err != nil || got.ID != released.ID || got.PublishedAt.IsZero() {
		t.Fatalf("published document = %+v, %v", got, err)
	}
	if n := countAudit(t, st, "publish", "document_publication"); n != 1 {
		t.Errorf("%d publish entries, want 1", n)
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Fatalf("after publishing: problems %v, err %v", p, err)
	}

	// Marked withheld: off the public page in the same change.
	got.Disposition = tracker.DispositionWithheld
	if err := st.UpdateDocument(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PublishedDocument(ctx, r.ID, released.SHA256); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Fatalf("withheld document still served: %v", err)
	}
	if after, _ := st.DocumentByID(ctx, released.ID); !after.PublishedAt.IsZero() {
		t.Error("withheld document still marked published")
	}
	if n := countAudit(t, st, "unpublish", "document_publication"); n != 1 {
		t.Errorf("%d unpublish entries, want 1", n)
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Fatalf("after unpublishing: problems %v, err %v", p, err)
	}

	// Published behind the app's back: caught at the row.
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO document_publications (document_id, published_at, published_by) VALUES (?, '2026-03-03T00:00:00Z', 'nobody')`,
		withheld.ID); err != nil {
		t.Fatal(err)
	}
	_, problems, err := st.VerifyRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "document_publications row " + itoa(withheld.ID)
	found := false
	for _, p := range problems {
		found = found || p.Where == want
	}
	if !found {
		t.Fatalf("problems %v, want one at %s", problems, want)
	}
}

// countAudit counts the audit entries with that action on that entity.
func countAudit(t *testing.T, st *store.Store, action, entity string) int {
	t.Helper()
	entries, err := st.AuditEntries(context.Background(), entity, 0, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}
