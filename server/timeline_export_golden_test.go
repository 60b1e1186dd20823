package server

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

var updateGolden = flag.Bool("update-golden", false, "write the timeline exports' golden files from this build")

// The timeline's two downloads are the same bytes as the files kept in
// testdata, written by the export as it was before it was made faster
// (914ce76), less a private request's links (left out of exports since:
// TestTimelineExportsLeaveOutPrivateRequests): events with and without links, released and withheld links
// to documents (published or not, with exemptions claimed), to mail and to
// requests, background links (not exported, but their requests' rules
// apply), public and private requests, global and request censor rules,
// unicode, and more events than one chunk of the export (50), so a chunk ends
// between events sharing a date. The public pages' random slugs are replaced by names.
func TestTimelineExportsAreTheGoldenBytes(t *testing.T) {
	app := newTestApp(t)
	app.st.Now = func() time.Time { return testNow }
	app.user("ed@example.org", store.RoleEditor)
	ctx := store.WithActor(context.Background(), "test")

	police := app.authority("Ambridge Constabulary", tracker.JurisdictionEngland)
	council := app.authority("Conseil général de l'Hérault — Ñandú", tracker.JurisdictionEngland)
	pub := app.request("Stop and search records", police.ID, "2026-01-05", true)
	pub2 := app.request("Café réunion minutes 会议", council.ID, "2026-01-06", true)
	priv := app.request("Jane Privet's complaint file", police.ID, "2026-01-07", false)
	if err := app.st.AddEvent(ctx, &tracker.Event{RequestID: pub.ID, Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-02-03"), Outcome: "released_in_part"}); err != nil {
		t.Fatal(err)
	}
	doc := func(r tracker.Request, name, disposition string, exemptions []string, published bool) tracker.Document {
		d := tracker.Document{RequestID: r.ID, Filename: name, Disposition: disposition, Exemptions: exemptions, Description: "About " + name}
		var content *strings.Reader
		if disposition != tracker.DispositionWithheld {
			content = strings.NewReader("content of " + name)
		}
		var err error
		if content != nil {
			err = app.st.AddDocument(ctx, &d, content, 0)
		} else {
			err = app.st.AddDocument(ctx, &d, nil, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		if published {
			if err := app.st.SetDocumentPublished(ctx, d.ID, true); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	docs := []tracker.Document{
		doc(pub, "stops-2025.csv", tracker.DispositionReleased, nil, true),
		doc(pub, "stops-redacted.pdf", tracker.DispositionReleasedRedacted, []string{"s40(2)"}, false),
		doc(pub, "informant-list.pdf", tracker.DispositionWithheld, []string{"s31(1)(a)", "s40(2)"}, false),
		doc(pub2, "procès-verbal — été.pdf", tracker.DispositionReleased, nil, true),
		doc(priv, "privet-letter.txt", tracker.DispositionReleased, nil, false),
		doc(priv, "privet-withheld.txt", tracker.DispositionWithheld, []string{"s41"}, false),
	}
	mail := func(r tracker.Request, subject string, sent time.Time) int64 {
		sum, size, err := app.st.WriteBlob(strings.NewReader("Subject: "+subject+"\r\n\r\n"+subject+"\r\n"), 0)
		if err != nil {
			t.Fatal(err)
		}
		m := store.OutgoingMessage{RawSHA256: sum, RawSize: size, RequestID: r.ID, Purpose: "request", MessageID: fmt.Sprintf("m%d@example.org", r.ID), Subject: subject,
			From: "foi@example.org", To: []string{"foi@example.gov.uk"}, EnvelopeFrom: "foi@example.org", Recipients: []string{"foi@example.gov.uk"}, TextBody: subject}
		if err := app.st.CreateOutgoing(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := app.st.MarkOutgoingSent(ctx, m.ID, sent, nil); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	msgs := []int64{
		mail(pub, "Our request — stop and search ✉", time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)),
		mail(priv, "Jane Privet's complaint", time.Date(2026, 1, 7, 23, 59, 0, 0, time.UTC)),
	}
	for _, rule := range []tracker.CensorRule{{Scope: tracker.CensorGlobal, Pattern: "Jane Privet"},
		{Scope: tracker.CensorRequest, ScopeID: priv.ID, Pattern: `privet-\w+`, Regexp: true, Replacement: "[file]"},
		{Scope: tracker.CensorAuthority, ScopeID: council.ID, Pattern: "Ñandú"}} {
		if err := app.st.AddCensorRule(ctx, &rule); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 60; i++ { // more than a chunk of 50
		date := fmt.Sprintf("2026-03-%02d", i%4+1)
		ev := timeline.New(fmt.Sprintf("%s--event-%02d", date, 59-i), date, fmt.Sprintf("Event %d: «Ünïcödé» 事件 about Jane Privet", i))
		ev.SetBody(fmt.Sprintf("Body of event %d.\n\nJane Privet wrote — naïvely — to the café (privet-letter).\n", i))
		if i%3 == 0 {
			ev.SetTags([]string{"foi", "police"})
			ev.SetActors([]string{"Ambridge Constabulary"})
			if err := ev.SetImportance(i%5 + 1); err != nil {
				t.Fatal(err)
			}
		}
		if i%4 == 1 {
			if err := ev.SetSourcesYAML("- title: Hansard, 3 March\n  url: https://example.org/hansard\n  tier: 2\n"); err != nil {
				t.Fatal(err)
			}
		}
		te := &store.TimelineEvent{Event: ev}
		if err := app.st.SaveTimelineEvent(ctx, te); err != nil {
			t.Fatal(err)
		}
		link := func(l store.EventLink) {
			l.EventID = te.ID
			if err := app.st.LinkToEvent(ctx, &l); err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
		}
		switch i % 6 {
		case 0:
			if i%12 == 6 { // only background: its request's rules still apply to the event's text
				link(store.EventLink{RequestID: priv.ID, Role: store.LinkContext})
			} // else no links
		case 1:
			link(store.EventLink{DocumentID: docs[0].ID, Role: store.LinkReleased, Tier: 1})
			link(store.EventLink{DocumentID: docs[2].ID, Role: store.LinkWithheld})
		case 2:
			link(store.EventLink{DocumentID: docs[1].ID, Role: store.LinkReleased, Tier: 2, Note: "redacted copy"})
			link(store.EventLink{DocumentID: docs[3].ID, Role: store.LinkReleased, Tier: 1})
			link(store.EventLink{RequestID: pub2.ID, Role: store.LinkContext})
		case 3:
			link(store.EventLink{DocumentID: docs[4].ID, Role: store.LinkReleased, Tier: 1})
			link(store.EventLink{DocumentID: docs[5].ID, Role: store.LinkWithheld, Exemptions: []string{"s41", "s43(2)"}})
			link(store.EventLink{MessageID: msgs[1], Role: store.LinkContext})
		case 4:
			link(store.EventLink{MessageID: msgs[0], Role: store.LinkReleased, Tier: 3})
			link(store.EventLink{RequestID: priv.ID, Role: store.LinkWithheld})
		case 5:
			link(store.EventLink{RequestID: pub.ID, Role: store.LinkReleased, Tier: 2})
		}
	}
	slugs := map[string]string{}
	for name, r := range map[string]tracker.Request{"PUBLIC-ONE": pub, "PUBLIC-TWO": pub2} {
		s, err := app.st.PublicSlug(ctx, r.ID)
		if err != nil || s == "" {
			t.Fatalf("%s has no public slug: %v", name, err)
		}
		slugs[s] = name
	}

	c := app.login("ed@example.org")
	for _, f := range []struct{ path, golden string }{
		{"/timeline.json", "timeline-export.json"},
		{"/timeline/timelinejs.json?title=Ünïcödé", "timeline-export-timelinejs.json"},
		{"/timeline.json?tag=foi", "timeline-export-tag.json"},
	} {
		res, body := c.get(f.path)
		wantStatus(t, res, http.StatusOK)
		for s, name := range slugs {
			body = strings.ReplaceAll(body, s, name)
		}
		path := filepath.Join("testdata", f.golden)
		if *updateGolden {
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(want) {
			i := 0
			for i < len(body) && i < len(want) && body[i] == want[i] {
				i++
			}
			t.Errorf("%s differs from %s at byte %d of %d (want %d):\n got …%s…\nwant …%s…", f.path, path, i, len(body), len(want),
				body[max(0, i-80):min(len(body), i+80)], want[max(0, i-80):min(len(want), i+80)])
		}
	}
}
