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
