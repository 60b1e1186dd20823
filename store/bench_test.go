package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// BenchmarkAddEvent measures recording a lifecycle event: a write
// transaction that replays the history, recomputes the due date and appends
// to the audit chain.
func BenchmarkAddEvent(b *testing.B) {
	st := MustOpenDB(b)
	ctx := context.Background()
	a := mustAuthority(b, st, "Bench Council", tracker.JurisdictionEngland)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		r := tracker.Request{Title: fmt.Sprintf("req %d", i), AuthorityID: a.ID}
		if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := st.AddEvent(ctx, &tracker.Event{RequestID: r.ID, Kind: tracker.EventAcknowledged, Date: tracker.MustParseDate("2026-03-03")}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListOpenRequests measures the dashboard's main query over 2,000 requests.
func BenchmarkListOpenRequests(b *testing.B) {
	st := MustOpenDB(b)
	ctx := context.Background()
	a := mustAuthority(b, st, "Bench Council", tracker.JurisdictionEngland)
	for i := 0; i < 2000; i++ {
		r := tracker.Request{Title: fmt.Sprintf("req %d", i), AuthorityID: a.ID}
		if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02").AddDays(i%200)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		list, err := st.Requests(ctx, store.RequestFilter{OpenOnly: true, OrderBy: "due", Limit: 50})
		if err != nil || len(list) != 50 {
			b.Fatal(len(list), err)
		}
	}
}

// BenchmarkInsertIncomingMails measures storing fetched mail as a sync
// does: 100 messages a transaction, each with its audit entry, counts and
// indexed words.
func BenchmarkInsertIncomingMails(b *testing.B) {
	st := MustOpenDB(b)
	ctx := store.WithActor(context.Background(), "bench")
	uid := uint32(0)
	for b.Loop() {
		msgs := make([]*store.MailMessage, 100)
		for i := range msgs {
			uid++
			msgs[i] = &store.MailMessage{Mailbox: "INBOX", UIDValidity: 1, UID: uid, MessageID: fmt.Sprintf("m%d@example.org", uid),
				Subject: fmt.Sprintf("Your request %d", uid), FromAddr: "foi@council.example", TextBody: "Thank you for your request."}
		}
		if err := st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertIncomingMails(msgs)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecomputeEvery measures `recompute --every` per request: the
// reading, working out and comparing of every standing of a seeded
// database of 3,000 requests (nothing to write), on one goroutine so that
// the figure is the CPU a request costs.
func BenchmarkRecomputeEvery(b *testing.B) {
	st := seededDB(b, seed.Options{Requests: 3000, Messages: 3000, Seed: 21, Password: "correct horse battery"})
	st.SetRecomputePipeline(1, 0)
	st.SetRecomputeReaders(1)
	ctx := context.Background()
	if _, err := st.RecomputeEvery(ctx); err != nil { // the rules stored
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		res, err := st.RecomputeEvery(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if res.Changed != 0 {
			b.Fatalf("%d standings changed", res.Changed)
		}
		n += res.Requests
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/request")
}
