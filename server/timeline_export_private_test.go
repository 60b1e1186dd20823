package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// Timeline exports are for the public, as public evidence bundles are:
// nothing of a private request leaves through them (its title, reference,
// files' names and hashes, mail subjects), whatever an event links to it
// as; its censor rules still apply to the event's own text. The event page
// shows the file as exported, so it leaves them out too; the links
// themselves stay listed for the team.
func TestTimelineExportsLeaveOutPrivateRequests(t *testing.T) {
	app := newTestApp(t)
	app.user("ed@example.org", store.RoleEditor)
	ctx := store.WithActor(context.Background(), "test")
	a := app.authority("Borsetshire Police", tracker.JurisdictionEngland)
	pub := app.request("Stop and search records", a.ID, "2026-01-05", true)
	priv := app.request("Wombat complaint file", a.ID, "2026-01-07", false)
	doc := func(r tracker.Request, name, disposition string) tracker.Document {
		d := tracker.Document{RequestID: r.ID, Filename: name, Disposition: disposition}
		var err error
		if disposition == tracker.DispositionWithheld {
			err = app.st.AddDocument(ctx, &d, nil, 0)
		} else {
			err = app.st.AddDocument(ctx, &d, strings.NewReader("content of "+name), 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	pubDoc := doc(pub, "stops-2025.csv", tracker.DispositionReleased)
	privDoc := doc(priv, "numbat-letter.txt", tracker.DispositionReleased)
	privWithheld := doc(priv, "quokka-withheld.txt", tracker.DispositionWithheld)
	sum, size, err := app.st.WriteBlob(strings.NewReader("Subject: Bilby reply\r\n\r\nx\r\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	m := store.OutgoingMessage{RawSHA256: sum, RawSize: size, RequestID: priv.ID, Purpose: "request", MessageID: "p1@example.org", Subject: "Bilby reply",
		From: "foi@example.org", To: []string{"foi@example.gov.uk"}, EnvelopeFrom: "foi@example.org", Recipients: []string{"foi@example.gov.uk"}, TextBody: "x"}
	if err := app.st.CreateOutgoing(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if _, err := app.st.MarkOutgoingSent(ctx, m.ID, time.Date(2026, 1, 7, 9, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	if err := app.st.AddCensorRule(ctx, &tracker.CensorRule{Scope: tracker.CensorRequest, ScopeID: priv.ID, Pattern: "Dingo"}); err != nil {
		t.Fatal(err)
	}
	ev := timeline.New("2026-03-30--records-released", "2026-03-30", "Police release records about Dingo")
	ev.SetBody("Dingo asked for them.\n")
	te := &store.TimelineEvent{Event: ev}
	if err := app.st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	for _, l := range []store.EventLink{
		{DocumentID: pubDoc.ID, Role: store.LinkReleased, Tier: 1},
		{DocumentID: privDoc.ID, Role: store.LinkReleased, Tier: 1},
		{DocumentID: privWithheld.ID, Role: store.LinkWithheld},
		{MessageID: m.ID, Role: store.LinkReleased, Tier: 2},
		{RequestID: priv.ID, Role: store.LinkWithheld},
	} {
		l.EventID = te.ID
		if err := app.st.LinkToEvent(ctx, &l); err != nil {
			t.Fatal(err)
		}
	}
	private := []string{"Wombat", "numbat", "quokka", "Bilby", "Dingo", privDoc.SHA256}
	if privDoc.SHA256 == "" {
		t.Fatal("the private document has no hash to look for")
	}
	c := app.login("ed@example.org")
	outputs := map[string]string{}
	for _, path := range []string{"/timeline.json", "/timeline/timelinejs.json"} {
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		outputs[path] = body
	}
	events, err := app.st.TimelineEventsForExport(ctx, store.TimelineFilter{}, "https://foi.example")
	if err != nil || len(events) != 1 {
		t.Fatalf("export: %d events, %v", len(events), err)
	}
	_, file := events[0].File("")
	outputs["foitrack timeline export"] = string(file)
	_, page := c.get(fmt.Sprintf("/timeline/events/%d", te.ID))
	if i := strings.Index(page, "<h2>Sources</h2>"); i >= 0 {
		outputs["the event page's sources and exported file"] = page[i:]
	} else {
		t.Errorf("the event page shows no sources")
	}
	wantContains(t, page, "4 links are to private requests: left out of exports and public bundles")
	for name, text := range outputs {
		for _, p := range private {
			if p == "Dingo" && strings.HasPrefix(name, "the event page") {
				continue // the team's own view of the event is not censored
			}
			if strings.Contains(strings.ToLower(text), strings.ToLower(p)) {
				t.Errorf("%s holds the private request's %q", name, p)
			}
		}
		if name != "/timeline/timelinejs.json" && (!strings.Contains(text, "stops-2025.csv") || !strings.Contains(text, pubDoc.SHA256)) {
			t.Errorf("%s lacks the public request's released document", name)
		}
	}
	// The team still sees every link on the event page.
	for _, want := range []string{"numbat-letter.txt", "quokka-withheld.txt", "Bilby reply"} {
		if !strings.Contains(page, want) {
			t.Errorf("the event page no longer lists the link to %q for the team", want)
		}
	}
}
