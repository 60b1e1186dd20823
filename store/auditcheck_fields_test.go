package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// Every editable field of every audited table, set and then cleared through
// the app, leaves `audit verify` clean (a cleared field dropped from the
// entry by omitempty once raised a false alarm); a change made behind the
// app's back after that is still caught.
func TestVerifyRowsAfterSettingAndClearingEveryField(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "alice")
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "ANPR cameras", AuthorityID: a.ID, Body: "Please send", Law: tracker.UKFOIA}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
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

	authority := func(edit func(*tracker.Authority)) error {
		x, err := st.AuthorityByID(ctx, a.ID)
		if err != nil {
			return err
		}
		edit(&x)
		return st.UpdateAuthority(ctx, &x)
	}
	request := func(edit func(*tracker.Request)) error {
		x, err := st.RequestByID(ctx, r.ID)
		if err != nil {
			return err
		}
		edit(&x)
		return st.UpdateRequest(ctx, &x)
	}
	document := func(edit func(*tracker.Document)) error {
		x, err := st.DocumentByID(ctx, doc.ID)
		if err != nil {
			return err
		}
		edit(&x)
		return st.UpdateDocument(ctx, &x)
	}
	eventLink := func(edit func(*store.EventLink)) error {
		x := link
		edit(&x)
		err := st.UpdateEventLink(ctx, &x)
		link = x
		return err
	}
	for _, tc := range []struct {
		field      string
		set, clear func() error
	}{
		{"authority short_name", func() error { return authority(func(x *tracker.Authority) { x.ShortName = "BCC" }) },
			func() error { return authority(func(x *tracker.Authority) { x.ShortName = "" }) }},
		{"authority url_name", func() error { return authority(func(x *tracker.Authority) { x.URLName = "barsetshire_cc" }) },
			func() error { return authority(func(x *tracker.Authority) { x.URLName = "" }) }},
		{"authority email", func() error { return authority(func(x *tracker.Authority) { x.Email = "foi@barsetshire.gov.uk" }) },
			func() error { return authority(func(x *tracker.Authority) { x.Email = "" }) }},
		{"authority website", func() error {
			return authority(func(x *tracker.Authority) { x.Website = "https://barsetshire.gov.uk" })
		},
			func() error { return authority(func(x *tracker.Authority) { x.Website = "" }) }},
		{"authority tags", func() error { return authority(func(x *tracker.Authority) { x.Tags = []string{"council"} }) },
			func() error { return authority(func(x *tracker.Authority) { x.Tags = nil }) }},
		{"authority domains", func() error {
			return authority(func(x *tracker.Authority) { x.Domains = []string{"barsetshire.gov.uk"} })
		},
			func() error { return authority(func(x *tracker.Authority) { x.Domains = nil }) }},
		{"authority notes", func() error { return authority(func(x *tracker.Authority) { x.Notes = "slow to answer" }) },
			func() error { return authority(func(x *tracker.Authority) { x.Notes = "" }) }},
		{"request body", func() error { return request(func(x *tracker.Request) { x.Body = "Please send the list" }) },
			func() error { return request(func(x *tracker.Request) { x.Body = "" }) }},
		{"request tags", func() error { return request(func(x *tracker.Request) { x.Tags = []string{"anpr"} }) },
			func() error { return request(func(x *tracker.Request) { x.Tags = nil }) }},
		{"request our_ref", func() error { return request(func(x *tracker.Request) { x.OurRef = "OURS-1" }) },
			func() error { return request(func(x *tracker.Request) { x.OurRef = "" }) }},
		{"request their_ref", func() error { return request(func(x *tracker.Request) { x.TheirRef = "FOI/2026/1" }) },
			func() error { return request(func(x *tracker.Request) { x.TheirRef = "" }) }},
		{"request notes", func() error { return request(func(x *tracker.Request) { x.Notes = "private note" }) },
			func() error { return request(func(x *tracker.Request) { x.Notes = "" }) }},
		{"request visibility", func() error { return request(func(x *tracker.Request) { x.Visibility = tracker.VisibilityPublic }) },
			func() error { return request(func(x *tracker.Request) { x.Visibility = tracker.VisibilityPrivate }) }},
		{"document description", func() error { return document(func(x *tracker.Document) { x.Description = "the list" }) },
			func() error { return document(func(x *tracker.Document) { x.Description = "" }) }},
		{"document exemptions", func() error { return document(func(x *tracker.Document) { x.Exemptions = []string{"s31(1)(a)"} }) },
			func() error { return document(func(x *tracker.Document) { x.Exemptions = nil }) }},
		{"document disposition", func() error {
			return document(func(x *tracker.Document) { x.Disposition = tracker.DispositionWithheld })
		}, func() error {
			return document(func(x *tracker.Document) { x.Disposition = tracker.DispositionReleased })
		}},
		{"event link note", func() error { return eventLink(func(x *store.EventLink) { x.Note = "page 3" }) },
			func() error { return eventLink(func(x *store.EventLink) { x.Note = "" }) }},
		{"event link exemptions", func() error {
			return eventLink(func(x *store.EventLink) { x.Role, x.Exemptions = store.LinkWithheld, []string{"s31(1)(a)"} })
		}, func() error {
			return eventLink(func(x *store.EventLink) { x.Role, x.Exemptions = store.LinkReleased, nil })
		}},
	} {
		for _, step := range []struct {
			name string
			do   func() error
		}{{"set", tc.set}, {"cleared", tc.clear}} {
			if err := step.do(); err != nil {
				t.Fatalf("%s %s: %v", tc.field, step.name, err)
			}
			if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
				t.Errorf("%s %s through the app: audit verify reports %v (err %v)", tc.field, step.name, p, err)
			}
		}
	}

	// A real tampering with a cleared field is still caught.
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tamper := range []struct{ sql, want string }{
		{`UPDATE requests SET notes = 'planted' WHERE id = ?`, "notes is \"planted\""},
		{`UPDATE authorities SET email = 'evil@example.org' WHERE id = ?`, "email is \"evil@example.org\""},
	} {
		id := r.ID
		if strings.HasPrefix(tamper.sql, "UPDATE authorities") {
			id = a.ID
		}
		if _, err := db.Exec(tamper.sql, id); err != nil {
			t.Fatal(err)
		}
		_, p, err := st.VerifyRows(ctx)
		if err != nil || len(p) == 0 || !strings.Contains(p[0].String(), tamper.want) {
			t.Errorf("tampering (%s) not caught: %v %v", tamper.sql, p, err)
		}
	}
}
