package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// keptScenario writes, with write (Update: every change stored and derived
// as it is made; UpdateBatch: the requests created kept back and written
// complete), two requests created in one transaction with their owner,
// events, a pending reply, a document and exemption claims, after a
// request and an event stored before (so that every id is one more than a
// last one). check, when set, runs inside the transaction after them.
func keptScenario(t *testing.T, st *store.Store, write func(context.Context, func(*store.Tx) error) error, check func(*store.Tx, []*tracker.Request) error) []*tracker.Request {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	a := tracker.Authority{Name: "Kent Police", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@kent.police.uk"}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	u := store.User{Email: "ada@example.org", Name: "Ada", Role: store.RoleEditor}
	if err := st.CreateUser(ctx, &u, pw); err != nil {
		t.Fatal(err)
	}
	before := &tracker.Request{Title: "Earlier", Body: "b", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate, ReplyToken: "tokenbefore"}
	if err := st.CreateRequest(ctx, before, tracker.MustParseDate("2026-01-02")); err != nil {
		t.Fatal(err)
	}
	reqs := []*tracker.Request{
		{Title: "Drone flights", Body: "records", AuthorityID: a.ID, Law: tracker.UKFOIA, Tags: []string{"police", "drones"},
			Visibility: tracker.VisibilityPublic, ReplyToken: "tokena", Notes: "n"},
		{Title: "Speed cameras", Body: "list", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate, ReplyToken: "tokenb"},
		{Title: "Stop and search", Body: "figures", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate, ReplyToken: "tokenc"},
	}
	err := write(ctx, func(tx *store.Tx) error {
		ra, rb := reqs[0], reqs[1]
		if err := tx.CreateRequest(ra, tracker.MustParseDate("2026-01-05")); err != nil {
			return err
		}
		if err := tx.SetRequestOwner(ra.ID, u.ID); err != nil {
			return err
		}
		m := store.MailMessage{MessageID: "r1@kent.police.uk", Subject: "Re: drones", FromAddr: "foi@kent.police.uk",
			Mailbox: "INBOX", UIDValidity: 1, UID: 7, SentAt: now, DKIM: []byte("[]")}
		class := json.RawMessage(`{"proposed_event":"response_received","proposed_outcome":"released_in_full","date":"2026-02-01"}`)
		if err := tx.InsertProcessedMail(&m, store.MailProcessing{State: store.MailMatched, RequestID: ra.ID, MatchRule: store.MatchReplyAddress,
			ProposalState: "proposed", Classification: class, TextBody: "see attached"}); err != nil {
			return err
		}
		if err := tx.AddEvent(&tracker.Event{RequestID: ra.ID, Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-01-20"),
			Outcome: tracker.OutcomeRefused, Exemptions: []string{"s40(2)", "s31(1)(a)"}, MessageID: m.ID}); err != nil {
			return err
		}
		d := tracker.Document{RequestID: ra.ID, Filename: "Withheld: drones", Disposition: tracker.DispositionWithheld,
			Exemptions: []string{"s31(1)(a)"}, MediaType: "application/octet-stream"}
		if err := tx.AddDocument(&d); err != nil {
			return err
		}
		d = tracker.Document{RequestID: ra.ID, MessageID: m.ID, Filename: "drones.pdf", MediaType: "application/pdf", Size: 3,
			SHA256: strings.Repeat("ab", 32), Disposition: tracker.DispositionReleased}
		if err := tx.AddDocument(&d); err != nil {
			return err
		}
		if err := tx.CreateRequest(rb, tracker.Date{}); err != nil {
			return err
		}
		if check != nil {
			if err := check(tx, reqs); err != nil {
				return err
			}
		}
		// After the rows were read (and so written): changed again, and a
		// request created after them.
		if err := tx.AddEvent(&tracker.Event{RequestID: ra.ID, Kind: tracker.EventReviewRequested, Date: tracker.MustParseDate("2026-01-25")}); err != nil {
			return err
		}
		return tx.CreateRequest(reqs[2], tracker.MustParseDate("2026-02-10"))
	})
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

// tableRows is every row of the request side's tables, as text.
func tableRows(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{`SELECT * FROM requests ORDER BY id`, `SELECT * FROM request_events ORDER BY id`,
		`SELECT * FROM documents ORDER BY id`, `SELECT * FROM blobs ORDER BY sha256`, `SELECT * FROM exemption_claims ORDER BY id`,
		`SELECT * FROM request_windows ORDER BY request_id, seq`, `SELECT request_id, created_at FROM public_pages ORDER BY request_id`,
		`SELECT id, request_id, proposal_state FROM mail_messages ORDER BY id`, `SELECT * FROM request_status_counts ORDER BY status`} {
		rows, err := st.Reader().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "%s\n", q)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range cols {
				fmt.Fprintf(&b, " %s=%v", c, vals[i])
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

// A batch keeps back the requests it creates, and the rows naming them,
// until a statement names their tables (or the commit): then each request
// is written once, complete, under the id SQLite would have given it, and
// what is stored is what the per-change path stores.
func TestBatchKeepsCreatedRequestsBackAndWritesThemComplete(t *testing.T) {
	cheapPasswords(t)
	perChange := MustOpenDB(t)
	keptScenario(t, perChange, perChange.Update, nil)
	batched := MustOpenDB(t)
	reqs := keptScenario(t, batched, batched.UpdateBatch, func(tx *store.Tx, reqs []*tracker.Request) error {
		ctx := tx.Context()
		// Read past the store's methods: nothing written yet but what
		// was there before the transaction.
		var n [6]int
		if err := tx.Tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM request_events),
			(SELECT count(*) FROM documents), (SELECT count(*) FROM exemption_claims), (SELECT count(*) FROM public_pages),
			(SELECT count(*) FROM blobs)`).Scan(&n[0], &n[1], &n[2], &n[3], &n[4], &n[5]); err != nil {
			return err
		}
		if n != [6]int{1, 1, 0, 0, 0, 0} {
			t.Errorf("requests, events, documents, claims, public pages, blobs written before a statement named them: %v, want [1 1 0 0 0 0]", n)
		}
		if err := tx.SetRequestOwner(reqs[1].ID, 99); tracker.ErrorCode(err) != tracker.EINVALID {
			t.Errorf("owner 99, who does not exist: %v, want EINVALID", err)
		}
		// A statement of the batch that names them sees them.
		ra := reqs[0]
		var id int64
		var ref, status string
		var owner sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT id, our_ref, status, owner_id FROM requests WHERE reply_token = ?`, ra.ReplyToken).Scan(
			&id, &ref, &status, &owner); err != nil {
			return fmt.Errorf("the kept request, read in the batch: %w", err)
		}
		if id != 2 || ra.ID != 2 || ref != "FT-2026-0002" || status != string(tracker.StatusAnswered) || !owner.Valid {
			t.Errorf("read in the batch: id %d (given %d), our_ref %q, status %s, owner %v; want 2, FT-2026-0002, answered, an owner",
				id, ra.ID, ref, status, owner)
		}
		return nil
	})
	if reqs[1].ID != 3 || reqs[2].ID != 4 || reqs[1].OurRef != "FT-2026-0003" {
		t.Errorf("ids %d, %d (our_ref %q); want 3, 4 (FT-2026-0003)", reqs[1].ID, reqs[2].ID, reqs[1].OurRef)
	}
	if got, want := tableRows(t, batched), tableRows(t, perChange); got != want {
		t.Errorf("the batch stored\n%s\nthe per-change path\n%s", got, want)
	}
}

// A rollback to a savepoint drops what the batch kept back after it: a
// request created, evented and rolled back is not written, and the next
// request takes its id.
func TestBatchDropsKeptRequestsOnRollback(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	a := tracker.Authority{Name: "Kent Police", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@kent.police.uk"}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	sent := tracker.MustParseDate("2026-03-02")
	ra := tracker.Request{Title: "Kept", Body: "b", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	rb := tracker.Request{Title: "Rolled back", Body: "b", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	rc := tracker.Request{Title: "After", Body: "b", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate}
	err := st.UpdateBatch(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRequest(&ra, sent); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT sp`); err != nil {
			return err
		}
		if err := tx.CreateRequest(&rb, sent); err != nil {
			return err
		}
		if err := tx.AddEvent(&tracker.Event{RequestID: rb.ID, Kind: tracker.EventAcknowledged, Date: sent}); err != nil {
			return err
		}
		for _, q := range []string{`ROLLBACK TO sp`, `RELEASE sp`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return tx.CreateRequest(&rc, tracker.Date{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if rc.ID != rb.ID {
		t.Errorf("the request after the rollback has id %d, want %d (the rolled back one's)", rc.ID, rb.ID)
	}
	var requests, events, pages int
	if err := st.Reader().QueryRow(`SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM request_events),
		(SELECT count(*) FROM public_pages)`).Scan(&requests, &events, &pages); err != nil {
		t.Fatal(err)
	}
	if requests != 2 || events != 1 || pages != 1 {
		t.Errorf("after the rollback: %d requests, %d events, %d public pages; want 2, 1, 1", requests, events, pages)
	}
	got, err := st.RequestByID(ctx, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "After" || got.Status != tracker.StatusDraft || got.Visibility != tracker.VisibilityPrivate {
		t.Errorf("request %d: %q %s %s; want the draft created after the rollback", rc.ID, got.Title, got.Status, got.Visibility)
	}
}

// A batch remembers the authorities' default laws it read, until one of its
// statements names authorities: a request created after a change of its
// authority's default law takes the new one.
func TestBatchReadsAnAuthorityLawAgainAfterAChange(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	a := tracker.Authority{Name: "Kent Police", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@kent.police.uk"}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r1 := tracker.Request{Title: "Before", Body: "b", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate}
	r2 := tracker.Request{Title: "After", Body: "b", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate}
	err := st.UpdateBatch(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRequest(&r1, tracker.Date{}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE authorities SET default_law = ? WHERE id = ?`, tracker.UKEIR, a.ID); err != nil {
			return err
		}
		return tx.CreateRequest(&r2, tracker.Date{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Law != tracker.UKFOIA || r2.Law != tracker.UKEIR {
		t.Errorf("laws %s, %s; want %s, then %s", r1.Law, r2.Law, tracker.UKFOIA, tracker.UKEIR)
	}
}

// A request created after a savepoint and rolled back leaves nothing to
// work out at the commit: the batch commits what is left.
func TestBatchCommitsAfterACreatedRequestIsRolledBack(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	a := tracker.Authority{Name: "Kent Police", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@kent.police.uk"}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	kept := tracker.Request{Title: "Kept", Body: "b", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate}
	gone := tracker.Request{Title: "Rolled back", Body: "b", AuthorityID: a.ID, Visibility: tracker.VisibilityPrivate}
	err := st.UpdateBatch(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRequest(&kept, tracker.MustParseDate("2026-03-02")); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT sp`); err != nil {
			return err
		}
		if err := tx.CreateRequest(&gone, tracker.MustParseDate("2026-03-02")); err != nil {
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
	got, err := st.RequestByID(ctx, kept.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tracker.StatusAwaitingResponse || got.DueDate.IsZero() {
		t.Errorf("the request kept: %s, due %v; want awaiting a response, with a due date", got.Status, got.DueDate)
	}
	if _, err := st.RequestByID(ctx, gone.ID); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Errorf("the request rolled back: %v, want ENOTFOUND", err)
	}
}
