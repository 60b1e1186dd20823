package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/store"
)

// The audit entries of a document's (or message's, request's, event's)
// event links are every entry whose link joined it, the gone ones too, and
// not those of another link that took a gone one's id. A page asks for
// them without reading every link's entries each time (20,000 at a million
// requests: 84 ms a provenance page): only those written since it last
// asked.
func TestAuditEntriesOfLinksAreReadOnce(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	tr := provtest.Build(t, st)

	// A link to the message, gone, and its id taken by a link to the request.
	gone := store.EventLink{EventID: tr.EventID, MessageID: tr.MessageID, Role: store.LinkContext}
	if err := st.LinkToEvent(ctx, &gone); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteEventLink(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	taker := store.EventLink{EventID: tr.EventID, RequestID: tr.Request.ID, Role: store.LinkContext, Note: "background"}
	if err := st.LinkToEvent(ctx, &taker); err != nil {
		t.Fatal(err)
	}
	if taker.ID != gone.ID {
		t.Logf("the id of the gone link (%d) was not taken (%d)", gone.ID, taker.ID)
	}

	want := func(c store.Concerning) string { return linkEntriesOneByOne(t, st, c) }
	got := func(c store.Concerning) string { return linkEntriesConcerning(t, st, c) }
	concerns := []store.Concerning{
		{Documents: []int64{tr.DocumentID}}, {Messages: []int64{tr.MessageID}}, {Requests: []int64{tr.Request.ID}},
		{Events: []int64{tr.EventID}}, {Documents: []int64{tr.DocumentID, tr.WithheldID}, Messages: []int64{tr.MessageID}},
		{Documents: []int64{tr.WithheldID + 1000}},
	}
	// check compares what AuditEntriesConcerning gives with want; traced,
	// the queries it ran.
	type query struct {
		q    string
		args []any
	}
	var mu sync.Mutex
	var ran []query
	check := func(when string, traced bool) {
		t.Helper()
		if traced {
			st.TraceReads(func(q string, args []any) {
				mu.Lock()
				defer mu.Unlock()
				ran = append(ran, query{q, args})
			})
		}
		var gots []string
		for _, c := range concerns {
			gots = append(gots, got(c))
		}
		st.TraceReads(nil)
		for i, c := range concerns {
			if w := want(c); gots[i] != w {
				t.Errorf("%s, %+v: link entries %q, want %q", when, c, gots[i], w)
			}
		}
	}
	check("first", false)
	if g := got(store.Concerning{Messages: []int64{tr.MessageID}}); !strings.Contains(g, ":link:") || !strings.Contains(g, ":unlink:") {
		t.Errorf("the gone link to the message: %q", g)
	}

	// Asked again with nothing written, and after a write: no query reads
	// every link's entries (by the index of kinds, or whole).
	check("again", true)
	again := store.EventLink{EventID: tr.EventID, DocumentID: tr.WithheldID, Role: store.LinkContext}
	if err := st.LinkToEvent(ctx, &again); err != nil {
		t.Fatal(err)
	}
	check("after a write", true)
	if g := got(store.Concerning{Documents: []int64{tr.WithheldID}}); !strings.Contains(g, fmt.Sprintf(":link:%d", again.ID)) {
		t.Errorf("a link made since is not among the entries: %q", g)
	}
	for _, r := range ran {
		for _, step := range queryPlan(t, st, r.q, r.args) {
			// (The head, newest first with LIMIT 1, reads one entry.)
			if strings.Contains(step, "audit_log_entity (entity=?)") || step == "SCAN audit_log" && !strings.Contains(r.q, "LIMIT 1") {
				t.Errorf("reads every link's entries again:\n  %s\n  %s", strings.Join(strings.Fields(r.q), " "), step)
			}
		}
	}
}

// Pages ask for link entries at once while links are made and removed:
// each answer is whole, and the last one has every link.
func TestAuditEntriesOfLinksWhileLinking(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	tr := provtest.Build(t, st)
	c := store.Concerning{Documents: []int64{tr.WithheldID}}
	stop := make(chan struct{})
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := st.AuditEntriesConcerning(ctx, c); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var made []int64
	for i := 0; i < 10; i++ {
		l := store.EventLink{EventID: tr.EventID, DocumentID: tr.WithheldID, Role: store.LinkContext}
		if err := st.LinkToEvent(ctx, &l); err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteEventLink(ctx, l.ID); err != nil {
			t.Fatal(err)
		}
		made = append(made, l.ID)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, want := linkEntriesConcerning(t, st, c), linkEntriesOneByOne(t, st, c)
	if got != want || strings.Count(got, ":unlink:") < len(made) {
		t.Errorf("after making and removing %d links: %q, want %q", len(made), got, want)
	}
}

// linkEntriesConcerning is what AuditEntriesConcerning gives of links'
// entries, as id:action:link.
func linkEntriesConcerning(t *testing.T, st *store.Store, c store.Concerning) string {
	t.Helper()
	entries, err := st.AuditEntriesConcerning(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !sort.SliceIsSorted(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID }) {
		t.Error("entries not oldest first")
	}
	var out []string
	for _, e := range entries {
		if e.Entity == "event_link" {
			out = append(out, fmt.Sprintf("%d:%s:%d", e.ID, e.Action, e.EntityID))
		}
	}
	return strings.Join(out, " ")
}

// linkEntriesOneByOne are the event link entries whose link (after, else
// before) joined one of c's rows, found by reading every one.
func linkEntriesOneByOne(t *testing.T, st *store.Store, c store.Concerning) string {
	t.Helper()
	all, err := st.AuditEntries(context.Background(), "event_link", 0, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	in := func(l []int64, id int64) bool {
		for _, x := range l {
			if x == id && id != 0 {
				return true
			}
		}
		return false
	}
	var out []string
	for _, e := range all {
		var l store.EventLink
		side := e.After
		if string(side) == "null" {
			side = e.Before
		}
		if err := json.Unmarshal(side, &l); err != nil {
			t.Fatal(err)
		}
		if in(c.Documents, l.DocumentID) || in(c.Messages, l.MessageID) || in(c.Requests, l.RequestID) || in(c.Events, l.EventID) {
			out = append(out, fmt.Sprintf("%d:%s:%d", e.ID, e.Action, e.EntityID))
		}
	}
	return strings.Join(out, " ")
}
