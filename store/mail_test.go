package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// mustIncoming stores a raw message as the sync does: blob first, then row
// and checkpoint in one transaction.
func mustIncoming(t *testing.T, st *store.Store, mailbox string, uv, uid uint32, raw, msgID string) store.MailMessage {
	t.Helper()
	sum, size, err := st.WriteBlob(strings.NewReader(raw), 0)
	if err != nil {
		t.Fatal(err)
	}
	m := store.MailMessage{RawSHA256: sum, RawSize: size, MessageID: msgID, Mailbox: mailbox, UIDValidity: uv, UID: uid,
		RawHeaders: "Message-ID: <" + msgID + ">\r\n\r\n"}
	err = st.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.InsertIncomingMail(&m); err != nil {
			return err
		}
		return tx.SaveMailCheckpoint(mailbox, uv, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestIncomingMailStoredOnceWithBlobAndCheckpoint(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	m := mustIncoming(t, st, "INBOX", 7, 3, "Message-ID: <a@x>\r\n\r\nhello\r\n", "a@x")
	if m.ID == 0 || m.State != store.MailNew {
		t.Fatalf("stored %+v", m)
	}
	got, err := st.MailMessageByID(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RawSHA256 != m.RawSHA256 || got.UID != 3 || got.UIDValidity != 7 || got.Mailbox != "INBOX" || got.FetchedAt.IsZero() || got.Direction != "in" {
		t.Fatalf("read back %+v", got)
	}
	if err := st.VerifyBlob(got.RawSHA256); err != nil {
		t.Fatal(err)
	}
	cp, found, err := st.MailCheckpoint(ctx, "INBOX")
	if err != nil || !found || cp.UIDValidity != 7 || cp.LastUID != 3 {
		t.Fatalf("checkpoint %+v found=%v err=%v", cp, found, err)
	}
	// The same mailbox/UIDVALIDITY/UID again is refused, and the refused
	// transaction leaves the checkpoint as it was.
	dup := store.MailMessage{RawSHA256: m.RawSHA256, RawSize: m.RawSize, Mailbox: "INBOX", UIDValidity: 7, UID: 3}
	err = st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveMailCheckpoint("INBOX", 7, 99); err != nil {
			return err
		}
		return tx.InsertIncomingMail(&dup)
	})
	if tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("second insert: err = %v, want conflict", err)
	}
	if cp, _, _ := st.MailCheckpoint(ctx, "INBOX"); cp.LastUID != 3 {
		t.Fatalf("checkpoint moved to %d by a rolled-back transaction", cp.LastUID)
	}
	if n, _ := st.CountMail(ctx, store.MailFilter{Direction: "in"}); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
	ids, err := st.MailIDsToProcess(ctx)
	if err != nil || len(ids) != 1 || ids[0] != m.ID {
		t.Fatalf("to process: %v %v", ids, err)
	}
}

func TestMailCheckpointOnlyMovesForwardUnderOneUIDValidity(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	save := func(uv, uid uint32) {
		t.Helper()
		if err := st.Update(ctx, func(tx *store.Tx) error { return tx.SaveMailCheckpoint("INBOX", uv, uid) }); err != nil {
			t.Fatal(err)
		}
	}
	save(1, 10)
	save(1, 4) // late, out of order: ignored
	if cp, _, _ := st.MailCheckpoint(ctx, "INBOX"); cp.LastUID != 10 || cp.UIDValidity != 1 {
		t.Fatalf("checkpoint %+v, want 1/10", cp)
	}
	save(2, 0) // UIDVALIDITY changed: the rescan starts from zero
	if cp, _, _ := st.MailCheckpoint(ctx, "INBOX"); cp.LastUID != 0 || cp.UIDValidity != 2 {
		t.Fatalf("checkpoint %+v, want 2/0", cp)
	}
	if _, found, _ := st.MailCheckpoint(ctx, "Other"); found {
		t.Fatal("a mailbox never synced has a checkpoint")
	}
}

func TestFindDuplicateMailLooksOnlyUnderEarlierUIDValidity(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	raw := "Message-ID: <a@x>\r\n\r\nbody\r\n"
	m := mustIncoming(t, st, "INBOX", 1, 5, raw, "a@x")
	find := func(uv uint32, msgID, sum string) bool {
		t.Helper()
		var found bool
		err := st.Update(ctx, func(tx *store.Tx) error {
			var err error
			_, found, err = tx.FindDuplicateMail("INBOX", uv, msgID, sum, m.RawSize, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	if !find(2, "a@x", m.RawSHA256) {
		t.Fatal("the same message under a new UIDVALIDITY was not recognised")
	}
	if find(1, "a@x", m.RawSHA256) {
		t.Fatal("a copy under the current UIDVALIDITY was taken for a duplicate (two identical copies must both be kept)")
	}
	if find(2, "other@x", m.RawSHA256) || find(2, "a@x", strings.Repeat("0", 64)) {
		t.Fatal("a different Message-ID or raw hash was taken for a duplicate")
	}
	// Over-limit messages have no raw hash: Message-ID, size and header decide.
	ol := store.MailMessage{RawSize: 1 << 30, MessageID: "big@x", Mailbox: "INBOX", UIDValidity: 1, UID: 6, RawHeaders: "Message-ID: <big@x>\r\n\r\n", State: store.MailOverLimit}
	if err := st.Update(ctx, func(tx *store.Tx) error { return tx.InsertIncomingMail(&ol) }); err != nil {
		t.Fatal(err)
	}
	var found bool
	st.Update(ctx, func(tx *store.Tx) error {
		_, found, _ = tx.FindDuplicateMail("INBOX", 2, "big@x", "", 1<<30, "Message-ID: <big@x>\r\n\r\n")
		return nil
	})
	if !found {
		t.Fatal("over-limit message not recognised under the new UIDVALIDITY")
	}
}

func TestMailProcessingHoldingPenAndThread(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Borsetshire Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Potholes", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	m1 := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <r1@council>\r\n\r\nack\r\n", "r1@council")
	m2 := mustIncoming(t, st, "INBOX", 1, 2, "Message-ID: <r2@spam>\r\n\r\nbuy\r\n", "r2@spam")
	class := json.RawMessage(`{"kind":"acknowledgement"}`)
	err := st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SetMailProcessed(m1, store.MailProcessing{State: store.MailMatched, RequestID: r.ID, MatchRule: store.MatchReplyAddress,
			Subject: "Your request", FromAddr: "foi@council.gov.uk", TextBody: "We acknowledge", Classification: class,
			ProposalState: store.ProposalProposed, References: []string{"x@y"}}); err != nil {
			return err
		}
		if err := tx.SetMailProcessed(m2, store.MailProcessing{State: store.MailUnmatched, Subject: "Offer"}); err != nil {
			return err
		}
		// Processing the same message again is refused: it is not new any more.
		if err := tx.SetMailProcessed(m2, store.MailProcessing{State: store.MailMatched}); tracker.ErrorCode(err) != tracker.ECONFLICT {
			t.Errorf("processing twice: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := st.MailMessageByID(ctx, m1.ID)
	if got.RequestID != r.ID || got.RequestTitle != "Potholes" || got.MatchRule != store.MatchReplyAddress || got.ProcessedAt.IsZero() ||
		!bytes.Equal(got.Classification, class) || got.ProposalState != store.ProposalProposed || got.References[0] != "x@y" {
		t.Fatalf("processed message read back as %+v", got)
	}
	if n, _ := st.UnmatchedMailCount(ctx); n != 1 {
		t.Fatalf("unmatched count %d, want 1", n)
	}
	if ids, _ := st.MailIDsToProcess(ctx); len(ids) != 0 {
		t.Fatalf("processed messages still listed to process: %v", ids)
	}
	// A reply to the matched reply is found through its Message-ID; an
	// unmatched message's Message-ID leads nowhere.
	st.Update(ctx, func(tx *store.Tx) error {
		id, found, err := tx.RequestForMessageIDs([]string{"nothing@x", "r1@council"})
		if err != nil || !found || id != r.ID {
			t.Errorf("thread lookup = %d %v %v, want request %d", id, found, err, r.ID)
		}
		if _, found, _ := tx.RequestForMessageIDs([]string{"r2@spam"}); found {
			t.Error("an unmatched message's Message-ID matched a request")
		}
		return nil
	})
	// The holding pen: not FOI takes it out; a matched message cannot be.
	if err := st.MarkMailNotFOI(ctx, m1.ID); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("marking a matched message not FOI: %v", err)
	}
	if err := st.MarkMailNotFOI(ctx, m2.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.UnmatchedMailCount(ctx); n != 0 {
		t.Fatalf("unmatched count %d after not-FOI, want 0", n)
	}
	list, err := st.MailMessages(ctx, store.MailFilter{RequestID: r.ID})
	if err != nil || len(list) != 1 || list[0].ID != m1.ID {
		t.Fatalf("messages of the request: %v %v", list, err)
	}
}

func TestRequestLookupsForMatching(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Ambridge Police", tracker.JurisdictionEngland)
	a.Domains = []string{"ambridge.police.uk"}
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	open := tracker.Request{Title: "Stop and search", AuthorityID: a.ID}
	draft := tracker.Request{Title: "Not sent", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &open, tracker.MustParseDate("2026-01-05")); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateRequest(ctx, &draft, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	st.Update(ctx, func(tx *store.Tx) error {
		ids, err := tx.OpenRequestsForDomain("AMBRIDGE.police.uk")
		if err != nil || len(ids) != 1 || ids[0] != open.ID {
			t.Errorf("open requests for domain = %v %v, want [%d] (drafts are not open)", ids, err, open.ID)
		}
		r, found, err := tx.RequestByReplyToken(strings.ToUpper(open.ReplyToken))
		if err != nil || !found || r.ID != open.ID {
			t.Errorf("reply token lookup = %v %v %v", r.ID, found, err)
		}
		refs, err := tx.RequestRefs()
		if err != nil || len(refs) != 2 || !refs[0].Open || refs[1].Open || refs[0].OurRef == "" {
			t.Errorf("refs = %+v %v", refs, err)
		}
		learned, err := tx.LearnTheirRef(open.ID, "FOI/2026/1234")
		if err != nil || !learned {
			t.Errorf("learn = %v %v", learned, err)
		}
		again, err := tx.LearnTheirRef(open.ID, "OTHER-1")
		if err != nil || again {
			t.Errorf("a second reference overwrote the first: %v %v", again, err)
		}
		return nil
	})
	r, _ := st.RequestByID(ctx, open.ID)
	if r.TheirRef != "FOI/2026/1234" {
		t.Fatalf("their_ref = %q", r.TheirRef)
	}
}

func TestMailSyncRuns(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	if _, found, err := st.LastMailSyncRun(ctx); found || err != nil {
		t.Fatalf("a run before any: %v %v", found, err)
	}
	run := store.MailSyncRun{}
	if err := st.StartMailSyncRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	last, found, _ := st.LastMailSyncRun(ctx)
	if !found || last.ID != run.ID || !last.FinishedAt.IsZero() {
		t.Fatalf("running run read back as %+v", last)
	}
	run.Fetched, run.Matched, run.Unmatched, run.Duplicates, run.Failed, run.Error = 5, 3, 1, 2, 1, "boom"
	if err := st.FinishMailSyncRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	last, _, _ = st.LastMailSyncRun(ctx)
	if last.Fetched != 5 || last.Matched != 3 || last.Unmatched != 1 || last.Duplicates != 2 || last.Failed != 1 || last.Error != "boom" || last.FinishedAt.IsZero() {
		t.Fatalf("finished run read back as %+v", last)
	}
}
