package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestRequestSearchMembersAreTheQuerys: the request list's search box finds
// a match's request from the match's rowid and the item's own row; that is
// the index's request_id column for every row (the triggers keep the two in
// step), and the set worked out once (RequestSearchMembers, which the page
// passes to its count and its rows) lists and counts what the query does
// on its own.
func TestRequestSearchMembersAreTheQuerys(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 80, Messages: 240, Seed: 7, Password: "correct horse battery"})
	var rows, differ int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(COALESCE(CASE f.rowid % 8
			WHEN 1 THEN f.rowid / 8
			WHEN 2 THEN (SELECT m.request_id FROM mail_messages m WHERE m.id = f.rowid / 8)
			WHEN 3 THEN (SELECT d.request_id FROM documents d WHERE d.id = f.rowid / 8)
			WHEN 6 THEN (SELECT e.request_id FROM request_events e WHERE e.id = f.rowid / 8) END, 0) <> f.request_id), 0)
		FROM search_index f WHERE f.rowid % 8 IN (1, 2, 3, 6)`).Scan(&rows, &differ); err != nil {
		t.Fatal(err)
	}
	if rows < 200 || differ != 0 {
		t.Fatalf("%d of %d index rows name another request than their item's", differ, rows)
	}

	found := 0
	for _, q := range []string{"police", "information", "request", `"internal review"`, "inform*", "police -council",
		"police law:uk-foia", "information status:closed", "exemption:s31", "-police", "zzqxnotaword", "authority:police"} {
		f := store.RequestFilter{Query: q, Limit: 1000}
		direct, err := st.Requests(ctx, f)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		directCount, err := st.CountRequests(ctx, f)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		members, err := st.RequestSearchMembers(ctx, q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		f.QueryMembers = members
		viaSet, err := st.Requests(ctx, f)
		if err != nil {
			t.Fatalf("%q with its members: %v", q, err)
		}
		setCount, err := st.CountRequests(ctx, f)
		if err != nil {
			t.Fatalf("%q with its members: %v", q, err)
		}
		ids := func(list []tracker.Request) []int64 {
			var out []int64
			for _, r := range list {
				out = append(out, r.ID)
			}
			return out
		}
		if !slices.Equal(ids(direct), ids(viaSet)) || directCount != setCount {
			t.Errorf("%q: on its own %d rows (count %d) %v; through its members %d rows (count %d) %v",
				q, len(direct), directCount, ids(direct), len(viaSet), setCount, ids(viaSet))
		}
		if directCount != len(direct) {
			t.Errorf("%q: count %d, rows %d", q, directCount, len(direct))
		}
		found += len(direct)
	}
	if found == 0 {
		t.Fatal("no query found anything: the comparison proves nothing")
	}
}

// The request list's search box follows filing: a reply filed on a
// request, moved to another with its documents, taken off both; a history
// note deleted.
func TestRequestSearchMembersFollowFiling(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	r1 := tracker.Request{Title: "First", Body: "x", AuthorityID: a.ID}
	r2 := tracker.Request{Title: "Second", Body: "x", AuthorityID: a.ID}
	for _, r := range []*tracker.Request{&r1, &r2} {
		if err := st.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	members := func(q string, want ...int64) {
		t.Helper()
		got, err := st.RequestSearchMembers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = []int64{}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("members of %q: %v, want %v", q, got, want)
		}
	}
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <z1@x>\r\n\r\nx\r\n", "z1@x")
	if err := st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailMatched, RequestID: r1.ID, Subject: "zibbet reply", TextBody: "zibbet"})
	}); err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r1.ID, MessageID: m.ID, Filename: "quarnel.txt", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &d, strings.NewReader("quarnel"), 0); err != nil {
		t.Fatal(err)
	}
	addEvents(t, st, r2.ID, tracker.Event{Kind: tracker.EventAcknowledged, Date: day("2026-03-03"), Note: "vostrel noted"})
	members("zibbet", r1.ID)
	members("quarnel", r1.ID)
	members("vostrel", r2.ID)
	// Moved as the mail page moves a reply (mailsync's Move).
	if err := st.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.DetachMail(m.ID); err != nil {
			return err
		}
		if _, err := tx.MoveMailDocuments(m.ID, r2.ID); err != nil {
			return err
		}
		_, err := tx.SetMailRequest(m.ID, r2.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	members("zibbet", r2.ID)
	members("quarnel", r2.ID)
	if err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.DetachMail(m.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	members("zibbet")
	events, err := st.Events(ctx, r2.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Note == "vostrel noted" {
			if err := st.DeleteEvent(ctx, r2.ID, e.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	members("vostrel")
}

// A request the words find in several places (its title, a note, a
// reply) is one member: the list passed to the page's count and rows is
// no longer than the requests it names.
func TestRequestSearchMembersListEachRequestOnce(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Plinth statues", Body: "plinth", AuthorityID: a.ID}
	other := tracker.Request{Title: "Other plinth", Body: "x", AuthorityID: a.ID}
	for _, r := range []*tracker.Request{&r, &other} {
		if err := st.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	addEvents(t, st, r.ID, tracker.Event{Kind: tracker.EventAcknowledged, Date: day("2026-03-03"), Note: "plinth again"})
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <p1@x>\r\n\r\nx\r\n", "p1@x")
	if err := st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailMatched, RequestID: r.ID, Subject: "plinth", TextBody: "plinth"})
	}); err != nil {
		t.Fatal(err)
	}
	got, err := st.RequestSearchMembers(ctx, "plinth")
	if err != nil {
		t.Fatal(err)
	}
	// Newest request first.
	if want := []int64{other.ID, r.ID}; !slices.Equal(got, want) {
		t.Fatalf("members of plinth: %v, want %v", got, want)
	}
}
