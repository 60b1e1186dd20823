// Package plantest works a request's next-action plan out from scratch from
// what the store holds, for tests that check the stored plan against it
// (store's own tests and the seeder's).
package plantest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// FreshPlan is tracker.PlanNextAction over the request's law, its events and
// the replies still proposed (oldest first), read through the store's
// public reads rather than the stored plan columns.
func FreshPlan(t testing.TB, st *store.Store, id int64) tracker.Plan {
	t.Helper()
	ctx := context.Background()
	law, events := lawAndHistory(t, st, id)
	var pending []tracker.PendingReply
	msgs, err := st.MailMessages(ctx, store.MailFilter{RequestID: id, Proposal: store.ProposalProposed})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- { // oldest first
		var p struct {
			Event   tracker.EventKind `json:"proposed_event"`
			Outcome string            `json:"proposed_outcome"`
			Date    tracker.Date      `json:"date"`
		}
		json.Unmarshal(msgs[i].Classification, &p)
		pending = append(pending, tracker.PendingReply{Kind: p.Event, Outcome: p.Outcome, Date: p.Date})
	}
	p := tracker.PlanNextAction(law, events, pending)
	if p.Windows == nil {
		p.Windows = []tracker.Window{}
	}
	return p
}

// FreshStanding is the basis of the request's standing worked out from
// scratch: tracker.ComputeDeadlines over its law and events.
func FreshStanding(t testing.TB, st *store.Store, id int64) tracker.StandingBasis {
	t.Helper()
	law, events := lawAndHistory(t, st, id)
	return tracker.ComputeDeadlines(law, events).Basis()
}

// lawAndHistory is the request's law and its events, read through the
// store's public reads.
func lawAndHistory(t testing.TB, st *store.Store, id int64) (tracker.Law, []tracker.Event) {
	t.Helper()
	ctx := context.Background()
	r, err := st.RequestByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	events, err := st.Events(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	law, _ := tracker.LawByCode(r.Law)
	return law, events
}

// Triggers is every trigger's SQL in the database, by name (the search
// index and the dashboard's counts are kept by triggers, which a bulk load
// drops and makes again).
func Triggers(t testing.TB, st *store.Store) map[string]string {
	t.Helper()
	rows, err := st.Reader().Query(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, s string
		if err := rows.Scan(&n, &s); err != nil {
			t.Fatal(err)
		}
		out[n] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// StoredStanding is the basis of the request's standing as stored.
func StoredStanding(t testing.TB, st *store.Store, id int64) tracker.StandingBasis {
	t.Helper()
	states, err := st.ListStates(context.Background(), []int64{id}, tracker.Date{})
	if err != nil {
		t.Fatal(err)
	}
	ls, ok := states[id]
	if !ok {
		t.Fatalf("request %d: no stored state", id)
	}
	return ls.Standing
}
