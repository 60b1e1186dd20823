package server

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

// The link form's events are kept between views while nothing is written
// (timelineEventChoices), and written out in Go, not by the template: on
// every request's, document's and message's page they must be what the
// template wrote, byte for byte, over the newest events now — one added,
// renamed or deleted shows on the next view.
func TestLinkFormOffersTheLatestEventsAsTheTemplateWrote(t *testing.T) {
	app, tr, c := timelineApp(t)
	ctx := context.Background()
	tmpl := template.Must(template.New("t").Parse(`{{range .}}<option value="{{.ID}}">{{.Label}}</option>{{end}}`))
	datalist := regexp.MustCompile(`(?s)<datalist id="tl_events">(.*?)</datalist>`)
	check := func(when string) string {
		t.Helper()
		titles, err := app.st.TimelineEventTitles(ctx, maxPanelEvents+1)
		if err != nil {
			t.Fatal(err)
		}
		type option struct {
			ID    int64
			Label string
		}
		var opts []option
		for _, te := range titles[:min(len(titles), maxPanelEvents)] {
			opts = append(opts, option{te.ID, te.Date + " · " + truncateLabel(te.Title, 90)})
		}
		var want strings.Builder
		if err := tmpl.Execute(&want, opts); err != nil {
			t.Fatal(err)
		}
		var first string
		for _, path := range []string{fmt.Sprintf("/requests/%d", tr.Request.ID), fmt.Sprintf("/documents/%d", tr.DocumentID), fmt.Sprintf("/mail/%d", tr.MessageID)} {
			res, body := c.get(path)
			wantStatus(t, res, http.StatusOK)
			m := datalist.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s, %s: no datalist of events", when, path)
			}
			if m[1] != want.String() {
				t.Fatalf("%s, %s: the link form offers\n%s\nthe template wrote\n%s", when, path, m[1], want.String())
			}
			wantContains(t, body, fmt.Sprintf("The %d newest events are offered.", len(opts)))
			first = m[1]
		}
		return first
	}
	check("at first")
	ev, err := timeline.ParseMarkdown("e.md", []byte("---\nid: 2026-11-30--odd\ndate: '2026-11-30'\ntitle: 'Council & \"partners\" <b>agree</b> + it''s a title long enough to be cut short at ninety characters, its end not shown'\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	te := &store.TimelineEvent{Event: ev}
	if err := app.st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	if got := check("an event added"); !strings.Contains(got, fmt.Sprintf(`<option value="%d">2026-11-30 · Council &amp; &#34;partners&#34; &lt;b&gt;agree&lt;/b&gt; &#43; it&#39;s`, te.ID)) {
		t.Fatalf("the new event not offered: %s", got)
	}
	te.Event.SetTitle("Renamed")
	if err := app.st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	if got := check("an event renamed"); !strings.Contains(got, fmt.Sprintf(`<option value="%d">2026-11-30 · Renamed</option>`, te.ID)) {
		t.Fatalf("the renamed event not offered: %s", got)
	}
	if err := app.st.DeleteTimelineEvent(ctx, te.ID); err != nil {
		t.Fatal(err)
	}
	if got := check("an event deleted"); strings.Contains(got, fmt.Sprintf(`value="%d"`, te.ID)) {
		t.Fatalf("the deleted event still offered: %s", got)
	}
}

// The timeline as it opens (no filter, the first page) is kept while
// nothing is written and shown to everyone: an event added, linked or
// deleted shows on the next view, a filtered or later page is its own, and
// what is the viewer's (an editor's buttons) stays the viewer's.
func TestTimelineFirstPageShowsTheLatestChange(t *testing.T) {
	app, tr, ed := timelineApp(t)
	ctx := context.Background()
	app.user("viewer@example.org", store.RoleViewer)
	vi := app.login("viewer@example.org")
	view := func(c *client, path string) string {
		t.Helper()
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		return body
	}
	for _, c := range []*client{ed, vi} {
		wantContains(t, view(c, "/timeline"), "Met discloses LFR deployment records")
	}
	ev, err := timeline.ParseMarkdown("e.md", []byte("---\nid: 2026-11-30--added\ndate: '2026-11-30'\ntitle: An event added later\ntags: [added]\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	te := &store.TimelineEvent{Event: ev}
	if err := app.st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile(fmt.Sprintf(`(?s)<section class="card timeline-event" id="event-%d">.*?</section>`, te.ID))
	for _, c := range []*client{ed, vi} {
		body := view(c, "/timeline")
		if !section.MatchString(body) {
			t.Fatalf("the added event is not on the timeline:\n%s", body)
		}
		if got := strings.Contains(body, `href="/timeline/new"`); got != (c == ed) {
			t.Fatalf("the editor's button shown: %v (editor %v)", got, c == ed)
		}
	}
	if err := app.st.LinkToEvent(ctx, &store.EventLink{EventID: te.ID, RequestID: tr.Request.ID, Role: "context", Tier: 2}); err != nil {
		t.Fatal(err)
	}
	if got := section.FindString(view(vi, "/timeline")); !strings.Contains(got, fmt.Sprintf(`<a href="/requests/%d">`, tr.Request.ID)) {
		t.Fatalf("the new link is not on the timeline: %s", got)
	}
	if section.MatchString(view(vi, "/timeline?tag=foi")) || !section.MatchString(view(vi, "/timeline?tag=added")) {
		t.Fatal("a filtered timeline shows the first page kept")
	}
	if err := app.st.DeleteTimelineEvent(ctx, te.ID); err != nil {
		t.Fatal(err)
	}
	if body := view(ed, "/timeline"); section.MatchString(body) || !strings.Contains(body, "Met discloses LFR deployment records") {
		t.Fatalf("the deleted event is still on the timeline, or the other gone:\n%s", body)
	}
}
