package store

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// In a batch, what the batch keeps of a request it created (its history,
// see Tx.created) is dropped by a rollback to a savepoint, as the rows it
// kept back are: an event added after the savepoint and rolled back must
// not count when the request's derived fields are worked out at the commit.
func TestBatchForgetsCreatedRequestsOnRollback(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := tracker.Authority{Name: "Kent Police", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@kent.police.uk"}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "Drone flights", Body: "records", AuthorityID: a.ID, Law: tracker.UKFOIA, Visibility: tracker.VisibilityPrivate}
	err = st.UpdateBatch(ctx, func(tx *Tx) error {
		if err := tx.CreateRequest(&r, tracker.Date{}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT sp`); err != nil {
			return err
		}
		if err := tx.AddEvent(&tracker.Event{RequestID: r.ID, Kind: tracker.EventSent, Date: tracker.MustParseDate("2026-03-02")}); err != nil {
			return err
		}
		for _, q := range []string{`ROLLBACK TO sp`, `RELEASE sp`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.RequestByID(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tracker.StatusDraft || !got.DueDate.IsZero() {
		t.Fatalf("after the sent event was rolled back: status %s, due %v; want a draft with no due date", got.Status, got.DueDate)
	}
}
