package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// A fetched batch recorded with InsertIncomingMails is stored exactly as
// InsertIncomingMail stores its messages one by one: the same rows, blobs
// and audit entries, in the same order; a message stored already, or a UID
// the server answered twice, is a duplicate and recorded once.
func TestInsertIncomingMailsEqualsOneByOne(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	batch := func() []*store.MailMessage {
		var ms []*store.MailMessage
		for _, uid := range []uint32{1, 2, 3, 2, 4} { // UID 2 answered twice
			raw := fmt.Sprintf("Message-ID: <m%d@x>\r\n\r\nbody %d", uid, uid%3) // UIDs 1 and 4: the same blob
			ms = append(ms, &store.MailMessage{MessageID: fmt.Sprintf("m%d@x", uid), Mailbox: "INBOX", UIDValidity: 7, UID: uid,
				RawSHA256: fmt.Sprintf("%064x", uid%3), RawSize: int64(len(raw)), RawHeaders: fmt.Sprintf("Message-ID: <m%d@x>\r\n", uid)})
		}
		return ms
	}
	type outcome struct {
		Rows  []store.MailMessage
		Dup   []bool
		Audit []string
	}
	run := func(batched bool) outcome {
		st := MustOpenDB(t)
		st.Now = func() time.Time { return clock }
		// UID 3 stored by an earlier pass.
		if err := st.Update(ctx, func(tx *store.Tx) error { return tx.InsertIncomingMail(batch()[2]) }); err != nil {
			t.Fatal(err)
		}
		var out outcome
		err := st.Update(ctx, func(tx *store.Tx) error {
			ms := batch()
			if batched {
				d, err := tx.InsertIncomingMails(ms)
				out.Dup = d
				return err
			}
			for _, m := range ms {
				err := tx.InsertIncomingMail(m)
				out.Dup = append(out.Dup, err != nil)
				if err != nil && !isConflict(err) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("batched %v: %v", batched, err)
		}
		if out.Rows, err = st.MailMessages(ctx, store.MailFilter{Direction: "in"}); err != nil {
			t.Fatal(err)
		}
		entries, err := st.AuditEntries(ctx, "mail_message", 0, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out.Audit = append(out.Audit, fmt.Sprintf("%d %s %d %s", e.ID, e.Action, e.EntityID, e.After))
		}
		if n, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
			t.Fatalf("batched %v: rows verified %d: %v %v", batched, n, p, err)
		}
		return out
	}
	one, many := run(false), run(true)
	a, _ := json.Marshal(one)
	b, _ := json.Marshal(many)
	if string(a) != string(b) {
		t.Fatalf("one by one:\n%s\nbatched:\n%s", a, b)
	}
	if want := "[false,false,true,true,false]"; fmt.Sprint(jsonOf(many.Dup)) != want {
		t.Fatalf("duplicates %s, want %s", jsonOf(many.Dup), want)
	}
	if len(many.Rows) != 4 {
		t.Fatalf("%d rows, want 4", len(many.Rows))
	}
}

func isConflict(err error) bool { return tracker.ErrorCode(err) == tracker.ECONFLICT }

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// Filing a batch (UpdateBatch) keeps the processed messages' rows back and
// writes them together; the transaction still reads what it filed: thread
// matching finds a reply's request through a message filed just before in
// the batch, any other read sees the row as filed, a row changed meanwhile
// fails the batch whole, and what is stored (rows, audit entries, search
// index) is what filing the messages one by one stores.
func TestBatchFilingReadsWhatItFiled(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	setup := func() (*store.Store, int64, []*store.MailMessage) {
		st := MustOpenDB(t)
		st.Now = func() time.Time { return clock }
		a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
		r := tracker.Request{Title: "Request", AuthorityID: a.ID}
		if err := st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
			t.Fatal(err)
		}
		var ms []*store.MailMessage
		for uid := uint32(1); uid <= 3; uid++ {
			ms = append(ms, &store.MailMessage{Mailbox: "INBOX", UIDValidity: 7, UID: uid, RawSHA256: fmt.Sprintf("%064x", uid), RawSize: 10})
		}
		if err := st.Update(ctx, func(tx *store.Tx) error { _, err := tx.InsertIncomingMails(ms); return err }); err != nil {
			t.Fatal(err)
		}
		return st, r.ID, ms
	}
	processing := func(i int, requestID int64) store.MailProcessing {
		p := store.MailProcessing{State: store.MailUnmatched, MessageID: fmt.Sprintf("m%d@x", i), Subject: fmt.Sprintf("Reply %d", i),
			TextBody: fmt.Sprintf("the walrus number %d", i), FromAddr: "clerk@barsetshire.gov.uk"}
		if requestID != 0 {
			p.State, p.RequestID, p.MatchRule = store.MailMatched, requestID, store.MatchSenderDomain
		}
		return p
	}
	type outcome struct {
		Found  []int64
		Rows   []store.MailMessage
		Audit  []string
		Search []int64
	}
	file := func(batched bool) outcome {
		st, rid, ms := setup()
		var out outcome
		update := st.Update
		if batched {
			update = st.UpdateBatch
		}
		err := update(ctx, func(tx *store.Tx) error {
			for i, m := range ms {
				// Message i replies to message i-1, filed just before.
				id, found, err := tx.RequestForMessageIDs([]string{fmt.Sprintf("m%d@x", i-1)})
				if err != nil {
					return err
				}
				if !found {
					id = 0
				}
				out.Found = append(out.Found, id)
				match := rid
				if i == 2 {
					match = id // the reply is matched through its thread
				}
				if i == 1 {
					match = 0
				}
				if err := tx.SetMailProcessed(*m, processing(i, match)); err != nil {
					return err
				}
				if i == 2 {
					// A read of the row sees it filed.
					got, err := tx.MailByID(m.ID)
					if err != nil || got.State != store.MailUnmatched || got.Subject != "Reply 2" {
						return fmt.Errorf("read back in the batch: %+v %v", got, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("batched %v: %v", batched, err)
		}
		if out.Rows, err = st.MailMessages(ctx, store.MailFilter{Direction: "in"}); err != nil {
			t.Fatal(err)
		}
		entries, _ := st.AuditEntries(ctx, "", 0, 0, 1000)
		for _, e := range entries {
			if e.Action == "create" {
				continue // the request and authority: their reply tokens are random
			}
			out.Audit = append(out.Audit, fmt.Sprintf("%d %s %s %d %s %s", e.ID, e.Action, e.Entity, e.EntityID, e.Before, e.After))
		}
		q := store.ParseSearchQuery("walrus")
		if out.Search, err = st.SearchItemIDs(ctx, q, store.KindMail, 10); err != nil {
			t.Fatal(err)
		}
		if n, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
			t.Fatalf("batched %v: rows verified %d: %v %v", batched, n, p, err)
		}
		return out
	}
	one, many := file(false), file(true)
	a, _ := json.Marshal(one)
	b, _ := json.Marshal(many)
	if string(a) != string(b) {
		t.Fatalf("one by one:\n%s\nbatched:\n%s", a, b)
	}
	if len(many.Found) != 3 || many.Found[1] == 0 || many.Found[2] != 0 || len(many.Search) != 3 {
		t.Fatalf("thread lookups %v (want the request for message 0 only), search %v", many.Found, many.Search)
	}

	// A message filed twice from the same reading: the second finds the
	// row changed, and the batch is refused whole.
	st, rid, ms := setup()
	err := st.UpdateBatch(ctx, func(tx *store.Tx) error {
		for _, i := range []int{0, 1, 1} {
			if err := tx.SetMailProcessed(*ms[i], processing(i, rid)); err != nil {
				return err
			}
		}
		return nil
	})
	if tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("a message filed twice in a batch: %v", err)
	}
	if n, _ := st.CountMail(ctx, store.MailFilter{Direction: "in", State: store.MailNew}); n != 3 {
		t.Fatalf("%d messages still new after the refused batch, want 3", n)
	}
}
