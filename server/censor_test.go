package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// Censor rules apply to the public page, timeline exports and public
// search, never to what the team sees; a public request offers the
// requester's details as rules (ticked), and taking the offer covers them.
func TestCensorRulesApplyToEverythingPublic(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	ctx := store.WithActor(context.Background(), "test")
	a := app.authority("Borsetshire Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Jane Privet's complaint file", AuthorityID: a.ID, Body: "Please send the file about Jane Privet, 12 Acacia Avenue (write to wombat@privet.example).",
		Visibility: tracker.VisibilityPublic}
	if err := app.st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	doc := tracker.Document{RequestID: r.ID, Filename: "privet-letter.txt", Disposition: tracker.DispositionReleased}
	if err := app.st.AddDocument(ctx, &doc, strings.NewReader("a letter"), 0); err != nil {
		t.Fatal(err)
	}
	ev := timeline.New("2026-03-30--privet-file", "2026-03-30", "Police release Jane Privet's file")
	ev.SetBody("Jane Privet asked for it.\n")
	te := &store.TimelineEvent{Event: ev}
	if err := app.st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	if err := app.st.LinkToEvent(ctx, &store.EventLink{EventID: te.ID, DocumentID: doc.ID, Role: store.LinkReleased, Tier: 1}); err != nil {
		t.Fatal(err)
	}
	if err := app.st.PutSetting(ctx, store.RequesterDetailsSetting, store.RequesterDetails{Name: "Jane Privet", Address: "12 Acacia Avenue\nBorchester", Email: "jane@privet.example"}); err != nil {
		t.Fatal(err)
	}
	editor := app.login("editor@example.org")
	slug, _ := app.st.PublicSlug(ctx, r.ID)

	// No rule yet: the request page offers the requester's details, ticked.
	_, body := editor.get(fmt.Sprintf("/requests/%d", r.ID))
	wantContains(t, body, `id="censor-offers"`, `name="pattern" value="Jane Privet" checked`, `value="12 Acacia Avenue" checked`, `value="jane@privet.example" checked`)
	res, _ := editor.postForm("/censor", url.Values{"scope": {"global"}, "pattern": {"Jane Privet", "12 Acacia Avenue"}, "back": {fmt.Sprintf("/requests/%d", r.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	res, _ = editor.postForm("/censor", url.Values{"scope": {"request"}, "scope_id": {fmt.Sprint(r.ID)}, "pattern": {`privet-\w+`}, "regexp": {"1"}, "replacement": {"[file]"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, body = editor.get(fmt.Sprintf("/requests/%d", r.ID))
	if strings.Contains(body, `value="Jane Privet" checked`) {
		t.Error("a detail covered by a rule is still offered")
	}
	wantContains(t, body, `value="jane@privet.example" checked`, "Jane Privet&#39;s complaint file") // the team sees the real title

	// The public page, the timeline exports and public search are censored.
	anon := app.anonymous()
	_, page := anon.get("/p/" + slug)
	_, js := editor.get("/timeline.json")
	_, tjs := editor.get("/timeline/timelinejs.json")
	_, search := anon.get("/p/search?q=complaint")
	wantContains(t, search, "[REDACTED]&#39;s complaint file")
	// Searching by a hidden word finds nothing to show.
	_, hiddenSearch := anon.get("/p/search?q=privet")
	if strings.Contains(hiddenSearch, "complaint file") {
		t.Errorf("public search by a censored word shows the request:\n%s", hiddenSearch)
	}
	// Nor by what a pattern rule hides, a stem or a prefix of a hidden word:
	// the hit is matched again as the public sees it.
	res, _ = editor.postForm("/censor", url.Values{"scope": {"global"}, "pattern": {`\S+@\S+`}, "regexp": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	for _, q := range []string{"wombat", "wombat*", "avenues", "acac*"} {
		_, found := anon.get("/p/search?q=" + url.QueryEscape(q))
		if strings.Contains(found, "complaint file") || !strings.Contains(found, "Nothing found") {
			t.Errorf("public search for %q, a word only the censored text has, shows or counts the request:\n%s", q, found)
		}
	}
	_, found := anon.get("/p/search?q=" + url.QueryEscape("complaint acac*"))
	if strings.Contains(found, "complaint file") {
		t.Errorf("public search for a shown and a hidden word shows the request")
	}
	_, found = anon.get("/p/search?q=complaint")
	wantContains(t, found, "[REDACTED]&#39;s complaint file")
	for name, text := range map[string]string{"public page": page, "timeline.json": js, "timelinejs.json": tjs, "public search": search} {
		for _, private := range []string{"Privet", "Acacia"} {
			if strings.Contains(text, private) {
				t.Errorf("%s shows %q:\n%s", name, private, text)
			}
		}
	}
	wantContains(t, page, "[REDACTED]&#39;s complaint file", "[file].txt")
	wantContains(t, js, "Police release [REDACTED]")

	// A rule that is not valid is refused with a message.
	res, _ = editor.postForm("/censor", url.Values{"scope": {"global"}, "pattern": {"("}, "regexp": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, body = editor.get("/censor")
	wantContains(t, body, "not a regular expression", "<code>Jane Privet</code>")
	if _, p, _ := app.st.VerifyRows(ctx); len(p) > 0 {
		t.Errorf("rows changed without audit entries: %v", p)
	}
}

// The public search's count and its pages never count a hit a censor rule
// leaves out: neither one found by a hidden word (60 hits, more than a
// page) nor one found only in text a pattern rule hides, wherever it falls
// among the pages.
func TestPublicSearchCountLeavesOutCensoredHits(t *testing.T) {
	app := newTestApp(t)
	ctx := store.WithActor(context.Background(), "test")
	a := app.authority("Borsetshire Police", tracker.JurisdictionEngland)
	add := func(title, body string) {
		r := tracker.Request{Title: title, AuthorityID: a.ID, Body: body, Visibility: tracker.VisibilityPublic}
		if err := app.st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	add("Hedge survey", "How many hedges did the wombat team cut?")
	for i := 0; i < 60; i++ {
		add(fmt.Sprintf("Complaint file %d", i), "About Jane Privet, write to wombat@privet.example.")
	}
	for _, rule := range []tracker.CensorRule{{Scope: tracker.CensorGlobal, Pattern: "Jane Privet"},
		{Scope: tracker.CensorGlobal, Pattern: `\S+@\S+`, Regexp: true}} {
		if err := app.st.AddCensorRule(ctx, &rule); err != nil {
			t.Fatal(err)
		}
	}
	anon := app.anonymous()
	// A hidden word: nothing found, nothing counted, no next page.
	for _, page := range []string{"", "&page=2"} {
		_, body := anon.get("/p/search?q=privet" + page)
		if !strings.Contains(body, "Nothing found") || strings.Contains(body, "Complaint file") || strings.Contains(body, "page=") {
			t.Errorf("public search for a hidden word (%q) counts or shows hits:\n%s", page, body)
		}
	}
	// A word the public sees only in one request: one found, one shown.
	_, body := anon.get("/p/search?q=wombat")
	wantContains(t, body, "Hedge survey", "1 found.")
	if strings.Contains(body, "Complaint file") || strings.Contains(body, "page=2") {
		t.Errorf("public search counts or shows a hit found only in censored text:\n%s", body)
	}
}
