package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// tamper is a change made to a stored row behind the app's back.
type tamper struct {
	table, column string
	id            func() int64
	value         any
}

// For every audited table, each editable field set and cleared through the
// app leaves `audit verify` clean, and then a change to the stored row made
// behind the app's back is reported at that row and field. Together with
// TestVerifyRowsAfterSettingAndClearingEveryField (authorities, requests,
// documents, event links) and TestVerifyRowsCatchesAnEditedHistory (request
// events) this covers authorities, requests, request events, documents,
// publications, timeline events and their links, incoming mail (filing,
// unfiling, the holding pen, proposals), censor rules and user accounts.
func TestVerifyTellsEditFromTamperingInEveryTable(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "alice")
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	other := mustAuthority(t, st, "Loamshire Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "ANPR cameras", AuthorityID: a.ID, Body: "Please send", Law: tracker.UKFOIA}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	r2 := tracker.Request{Title: "Speed cameras", AuthorityID: a.ID, Body: "Please send", Law: tracker.UKFOIA}
	if err := st.CreateRequest(ctx, &r2, tracker.MustParseDate("2026-03-03")); err != nil {
		t.Fatal(err)
	}
	doc := tracker.Document{RequestID: r.ID, Filename: "reply.pdf", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &doc, bytes.NewReader([]byte("%PDF-1.4 reply")), 0); err != nil {
		t.Fatal(err)
	}
	te := &store.TimelineEvent{Event: timeline.New("2026-03-30--release", "2026-03-30", "Council releases ANPR data")}
	if err := st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	link := store.EventLink{EventID: te.ID, DocumentID: doc.ID, Role: store.LinkReleased, Tier: 1}
	if err := st.LinkToEvent(ctx, &link); err != nil {
		t.Fatal(err)
	}
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <r1@council>\r\n\r\nack\r\n", "r1@council")
	rule := tracker.CensorRule{Scope: tracker.CensorGlobal, Pattern: "Jane Doe", Replacement: "[name]", Note: "a requester"}
	if err := st.AddCensorRule(ctx, &rule); err != nil {
		t.Fatal(err)
	}
	admin := store.User{Email: "ad@example.org", Role: store.RoleAdmin}
	if err := st.CreateUser(ctx, &admin, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	u := store.User{Email: "vi@example.org", Name: "Vi", Role: store.RoleViewer}
	if err := st.CreateUser(ctx, &u, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}

	clean := func(when string) {
		t.Helper()
		if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
			t.Errorf("%s: audit verify reports %v (err %v)", when, p, err)
		}
	}
	clean("set up through the app")
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	idColumn := map[string]string{"document_publications": "document_id"}
	caught := func(tp tamper) {
		t.Helper()
		idCol := idColumn[tp.table]
		if idCol == "" {
			idCol = "id"
		}
		id := tp.id()
		var old any
		q := fmt.Sprintf("SELECT %s FROM %s WHERE %s = ?", tp.column, tp.table, idCol)
		if err := db.QueryRow(q, id).Scan(&old); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		set := fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s = ?", tp.table, tp.column, idCol)
		if _, err := db.Exec(set, tp.value, id); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
		where := fmt.Sprintf("%s row %d", tp.table, id)
		_, p, err := st.VerifyRows(ctx)
		found := false
		for _, x := range p {
			found = found || (x.Where == where && strings.Contains(x.Detail, tp.column))
		}
		if err != nil || !found {
			t.Errorf("%s.%s of row %d set to %v behind the app's back: not reported at %q (got %v, err %v)",
				tp.table, tp.column, id, tp.value, where, p, err)
		}
		if _, err := db.Exec(set, old, id); err != nil {
			t.Fatal(err)
		}
		clean(fmt.Sprintf("%s.%s put back", tp.table, tp.column))
	}
	id := func(n *int64) func() int64 { return func() int64 { return *n } }

	authority := func(edit func(*tracker.Authority)) func() error {
		return func() error {
			x, err := st.AuthorityByID(ctx, a.ID)
			if err != nil {
				return err
			}
			edit(&x)
			return st.UpdateAuthority(ctx, &x)
		}
	}
	request := func(edit func(*tracker.Request)) func() error {
		return func() error {
			x, err := st.RequestByID(ctx, r.ID)
			if err != nil {
				return err
			}
			edit(&x)
			return st.UpdateRequest(ctx, &x)
		}
	}
	event := func(edit func(*timeline.Event) error) func() error {
		return func() error {
			if err := edit(te.Event); err != nil {
				return err
			}
			return st.SaveTimelineEvent(ctx, te)
		}
	}
	user := func(edit func(*store.User)) func() error {
		return func() error {
			edit(&u)
			return st.UpdateUser(ctx, &u)
		}
	}
	mail := func(do func(tx *store.Tx, m store.MailMessage) error) func() error {
		return func() error {
			return st.Update(ctx, func(tx *store.Tx) error {
				cur, err := tx.MailByID(m.ID)
				if err != nil {
					return err
				}
				return do(tx, cur)
			})
		}
	}
	var ruleID int64
	for _, tc := range []struct {
		name       string
		set, clear func() error
		tampers    []tamper
	}{
		{"authority name, jurisdiction and law", authority(func(x *tracker.Authority) {
			x.Name, x.Jurisdiction, x.DefaultLaw = "Barsetshire Council", tracker.JurisdictionScotland, tracker.LawCode("scot-foisa")
		}), authority(func(x *tracker.Authority) {
			x.Name, x.Jurisdiction, x.DefaultLaw = "Barsetshire County Council", tracker.JurisdictionEngland, ""
		}), []tamper{
			{"authorities", "name", id(&a.ID), "Planted Council"},
			{"authorities", "jurisdiction", id(&a.ID), tracker.JurisdictionScotland},
			{"authorities", "default_law", id(&a.ID), "uk-eir"},
			{"authorities", "notes", id(&a.ID), "planted"},
		}},
		{"request title, authority and law", request(func(x *tracker.Request) {
			x.Title, x.AuthorityID, x.Law = "ANPR camera sites", other.ID, tracker.UKEIR
		}), request(func(x *tracker.Request) {
			x.Title, x.AuthorityID, x.Law = "ANPR cameras", a.ID, tracker.UKFOIA
		}), []tamper{
			{"requests", "title", id(&r.ID), "Planted"},
			{"requests", "authority_id", id(&r.ID), other.ID},
			{"requests", "visibility", id(&r.ID), "public"},
			{"requests", "reply_token", id(&r.ID), "planted"},
		}},
		{"document (fields the app does not edit)", func() error { return nil }, func() error { return nil }, []tamper{
			{"documents", "filename", id(&doc.ID), "other.pdf"},
			{"documents", "request_id", id(&doc.ID), r2.ID},
			{"documents", "sha256", id(&doc.ID), strings.Repeat("0", 64)},
			{"documents", "media_type", id(&doc.ID), "text/html"},
		}},
		{"document publication", func() error { return st.SetDocumentPublished(ctx, doc.ID, true) },
			func() error { return nil }, []tamper{
				{"document_publications", "published_by", id(&doc.ID), "mallory"},
				{"document_publications", "published_at", id(&doc.ID), "2020-01-01T00:00:00.000000Z"},
			}},
		{"document unpublished", func() error { return st.SetDocumentPublished(ctx, doc.ID, false) },
			func() error { return st.SetDocumentPublished(ctx, doc.ID, true) }, nil},
		{"timeline event fields", event(func(e *timeline.Event) error {
			e.SetTitle("Council releases all ANPR data")
			e.SetTags([]string{"anpr"})
			e.SetActors([]string{"Barsetshire County Council"})
			e.SetStatus("confirmed")
			e.SetBody("The data came on a CD.")
			if err := e.SetImportance(3); err != nil {
				return err
			}
			return e.SetDate("2026-03-31")
		}), event(func(e *timeline.Event) error {
			e.SetTitle("Council releases ANPR data")
			e.SetTags(nil)
			e.SetActors(nil)
			e.SetStatus("")
			e.SetBody("")
			return e.SetDate("2026-03-30")
		}), []tamper{
			{"timeline_events", "title", id(&te.ID), "Planted"},
			{"timeline_events", "date", id(&te.ID), "2020-01-01"},
			{"timeline_events", "body", id(&te.ID), "planted"},
			{"timeline_events", "tags", id(&te.ID), `["planted"]`},
			{"timeline_events", "status", id(&te.ID), "planted"},
		}},
		{"timeline link", func() error {
			x := link
			x.Note, x.Tier = "page 3", 2
			if err := st.UpdateEventLink(ctx, &x); err != nil {
				return err
			}
			link = x
			return nil
		}, func() error {
			x := link
			x.Note, x.Tier = "", 1
			if err := st.UpdateEventLink(ctx, &x); err != nil {
				return err
			}
			link = x
			return nil
		}, []tamper{
			{"event_links", "role", id(&link.ID), string(store.LinkWithheld)},
			{"event_links", "tier", id(&link.ID), 3},
			{"event_links", "document_id", id(&link.ID), 0},
		}},
		{"mail filed by processing, then unfiled (moved off)", mail(func(tx *store.Tx, cur store.MailMessage) error {
			return tx.SetMailProcessed(cur, store.MailProcessing{State: store.MailMatched, RequestID: r.ID, MatchRule: store.MatchReplyAddress,
				Subject: "Your request", ProposalState: store.ProposalProposed})
		}), mail(func(tx *store.Tx, cur store.MailMessage) error {
			_, err := tx.DetachMail(cur.ID)
			return err
		}), []tamper{
			{"mail_messages", "request_id", id(&m.ID), r2.ID},
			{"mail_messages", "state", id(&m.ID), store.MailMatched},
		}},
		{"mail filed by hand, proposal dismissed", mail(func(tx *store.Tx, cur store.MailMessage) error {
			_, err := tx.SetMailRequest(cur.ID, r2.ID)
			return err
		}), mail(func(tx *store.Tx, cur store.MailMessage) error {
			return tx.SetMailProposalState(cur.ID, store.ProposalDismissed)
		}), []tamper{
			{"mail_messages", "request_id", id(&m.ID), r.ID},
			{"mail_messages", "proposal_state", id(&m.ID), store.ProposalConfirmed},
		}},
		{"mail unfiled again, then not FOI", mail(func(tx *store.Tx, cur store.MailMessage) error {
			_, err := tx.DetachMail(cur.ID)
			return err
		}), func() error { return st.MarkMailNotFOI(ctx, m.ID) }, []tamper{
			{"mail_messages", "state", id(&m.ID), store.MailUnmatched},
			{"mail_messages", "request_id", id(&m.ID), r.ID},
		}},
		{"censor rule added and deleted", func() error {
			x := tracker.CensorRule{Scope: tracker.CensorGlobal, Pattern: "John Roe", Replacement: "[name]", Note: "another"}
			if err := st.AddCensorRule(ctx, &x); err != nil {
				return err
			}
			ruleID = x.ID
			return nil
		}, func() error { return st.DeleteCensorRule(ctx, ruleID) }, []tamper{
			{"censor_rules", "pattern", id(&rule.ID), "nobody"},
			{"censor_rules", "replacement", id(&rule.ID), "Jane Doe"},
			{"censor_rules", "note", id(&rule.ID), ""},
		}},
		{"user name, role and disabled", user(func(x *store.User) { x.Name, x.Role, x.Disabled = "Vi Viewer", store.RoleEditor, true }),
			user(func(x *store.User) { x.Name, x.Role, x.Disabled = "", store.RoleViewer, false }), []tamper{
				{"users", "role", id(&u.ID), string(store.RoleAdmin)},
				{"users", "disabled", id(&u.ID), 1},
				{"users", "email", id(&u.ID), "mallory@example.org"},
				{"users", "name", id(&u.ID), "planted"},
			}},
	} {
		if err := tc.set(); err != nil {
			t.Fatalf("%s: set: %v", tc.name, err)
		}
		clean(tc.name + ": set through the app")
		if err := tc.clear(); err != nil {
			t.Fatalf("%s: cleared: %v", tc.name, err)
		}
		clean(tc.name + ": cleared through the app")
		for _, tp := range tc.tampers {
			caught(tp)
		}
	}

	// Settings (keyed by name): set and cleared through the app, then
	// changed, added and deleted behind its back.
	type details struct {
		Name    string `json:"name,omitempty"`
		Address string `json:"address,omitempty"`
	}
	for _, v := range []details{{Name: "Jane Doe", Address: "1 High St"}, {}} {
		if err := st.PutSetting(ctx, store.RequesterDetailsSetting, v); err != nil {
			t.Fatal(err)
		}
		clean(fmt.Sprintf("setting %+v through the app", v))
	}
	for _, tc := range []struct{ sql, where, detail string }{
		{`UPDATE settings SET value = '{"name":"Mallory"}' WHERE key = '` + store.RequesterDetailsSetting + `'`,
			`settings row "` + store.RequesterDetailsSetting + `"`, `value is {"name":"Mallory"}`},
		{`INSERT INTO settings (key, value, updated_at) VALUES ('mail', '{"host":"evil.example"}', '2026-01-01T00:00:00.000000Z')`,
			`settings row "mail"`, "added behind the app's back"},
		{`DELETE FROM settings WHERE key = '` + store.RequesterDetailsSetting + `'`,
			`settings row "` + store.RequesterDetailsSetting + `"`, "is gone"},
	} {
		if _, err := db.Exec(tc.sql); err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		_, p, err := st.VerifyRows(ctx)
		found := false
		for _, x := range p {
			found = found || (x.Where == tc.where && strings.Contains(x.Detail, tc.detail))
		}
		if err != nil || !found {
			t.Errorf("%s: not reported at %s (got %v, err %v)", tc.sql, tc.where, p, err)
		}
	}
}
