package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// A document deleted with its timeline link and publication leaves the
// audit log consistent with the tables, and the log still holds the row;
// a row deleted behind the app's back is still caught.
func TestDeleteDocument(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "user:ed@example.org")
	tr := provtest.Build(t, st)
	if err := st.SetDocumentPublished(ctx, tr.DocumentID, true); err != nil {
		t.Fatal(err)
	}
	doc, err := st.DocumentByID(ctx, tr.DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := st.DeleteDocument(ctx, tr.DocumentID)
	if err != nil || gone.Filename != doc.Filename {
		t.Fatalf("delete: %+v %v", gone, err)
	}
	if _, err := st.DocumentByID(ctx, tr.DocumentID); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Errorf("deleted document still read: %v", err)
	}
	if links, _ := st.EventLinkDetails(ctx, store.LinkFilter{DocumentID: tr.DocumentID}); len(links) != 0 {
		t.Errorf("links of the deleted document: %+v", links)
	}
	if _, err := st.DeleteDocument(ctx, tr.DocumentID); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Errorf("second delete: %v, want ENOTFOUND", err)
	}
	entries, err := st.AuditEntries(ctx, "document", tr.DocumentID, 0, 100)
	if err != nil || len(entries) == 0 {
		t.Fatal(entries, err)
	}
	last := entries[len(entries)-1]
	if last.Action != "delete" || !strings.Contains(string(last.Before), doc.SHA256) {
		t.Errorf("last entry of the document: %s %s", last.Action, last.Before)
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Fatalf("after deleting: problems %v, err %v", p, err)
	}
	// The file stays: the raw message and other documents may share it.
	if f, err := st.OpenBlob(doc.SHA256); err != nil {
		t.Errorf("the file went with the document: %v", err)
	} else {
		f.Close()
	}

	// Another document deleted by hand is caught.
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM documents WHERE id = ?`, tr.WithheldID); err != nil {
		t.Fatal(err)
	}
	_, problems, err := st.VerifyRows(ctx)
	if err != nil || len(problems) == 0 || !strings.Contains(problems[0].Where, "documents row "+itoa(tr.WithheldID)) {
		t.Fatalf("a document deleted behind the app's back: problems %v, err %v", problems, err)
	}
}

func TestDeleteAuthority(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	used := mustAuthority(t, st, "Barsetshire Constabulary", tracker.JurisdictionEngland)
	spare := mustAuthority(t, st, "Barsetshire Constabulary (duplicate)", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Taser use", AuthorityID: used.ID}
	if err := st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeleteAuthority(ctx, used.ID); tracker.ErrorCode(err) != tracker.ECONFLICT || !strings.Contains(tracker.ErrorMessage(err), "has 1 request") {
		t.Fatalf("deleting an authority with a request: %v", err)
	}
	if _, err := st.DeleteAuthority(ctx, spare.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AuthorityByID(ctx, spare.ID); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Errorf("deleted authority still read: %v", err)
	}
	if _, err := st.AuthorityByID(ctx, used.ID); err != nil {
		t.Errorf("the refused deletion deleted: %v", err)
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Fatalf("after deleting: problems %v, err %v", p, err)
	}
}
