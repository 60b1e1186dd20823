package store_test

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// CountRequests of all requests, of one status, of the open ones and of
// one tag reads counts the schema's triggers keep: they follow every
// change (created, sent, answered, reviewed, withdrawn, deleted) and equal
// a count of the rows.
func TestRequestCountsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	a := mustAuthority(t, st, "Ambridge Parish Council", tracker.JurisdictionEngland)
	check := func(when string) {
		t.Helper()
		filters := []store.RequestFilter{{}, {OpenOnly: true}, {Tag: "roads"}, {Tag: "nobody"}}
		for _, s := range tracker.Statuses {
			filters = append(filters, store.RequestFilter{Status: s.Status}, store.RequestFilter{Status: s.Status, OpenOnly: true})
		}
		for _, f := range filters {
			got, err := st.CountRequests(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			f.Limit = 1000
			l, err := st.Requests(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if got != len(l) {
				t.Errorf("%s: CountRequests(%+v) = %d, but %d are listed", when, f, got, len(l))
			}
		}
	}
	var ids []int64
	for i, tags := range [][]string{{"roads"}, {"roads", "parks"}, nil, {"parks"}} {
		r := &tracker.Request{Title: "Request", AuthorityID: a.ID, Tags: tags}
		sent := tracker.Date{}
		if i > 0 {
			sent = tracker.NewDate(2026, 3, 2)
		}
		if err := st.CreateRequest(ctx, r, sent); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	check("created")
	for _, e := range []tracker.Event{
		{RequestID: ids[1], Kind: tracker.EventResponseReceived, Date: tracker.NewDate(2026, 3, 20), Outcome: tracker.OutcomeRefused, Exemptions: []string{"s40"}},
		{RequestID: ids[1], Kind: tracker.EventReviewRequested, Date: tracker.NewDate(2026, 3, 25)},
		{RequestID: ids[2], Kind: tracker.EventWithdrawn, Date: tracker.NewDate(2026, 3, 5)},
	} {
		if err := st.AddEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
		check("after " + string(e.Kind))
	}
	err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM requests WHERE id = ?`, ids[0])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after a deletion")
}
