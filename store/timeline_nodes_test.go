package store

import (
	"context"
	"database/sql"
	"testing"

	"github.com/foitrack/foitrack"
	"github.com/foitrack/foitrack/timeline"
)

// storedNodes is an event's front_matter_nodes column ("" for NULL) and its
// front matter text.
func storedNodes(t *testing.T, db *sql.DB, id int64) (nodes string, null bool, fm string) {
	t.Helper()
	var n sql.NullString
	if err := db.QueryRow(`SELECT front_matter_nodes, front_matter FROM timeline_events WHERE id = ?`, id).Scan(&n, &fm); err != nil {
		t.Fatal(err)
	}
	return n.String, !n.Valid, fm
}

// Every write keeps the event's front matter parsed beside its text, and
// an event is read back from there as its text reads.
func TestTimelineEventsKeepTheirFrontMatterParsed(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev := timeline.New("2026-01-02--a", "2026-01-02", "A: b")
	ev.SetTags([]string{"x", "y"})
	te := &TimelineEvent{Event: ev}
	if err := st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		nodes, null, fm := storedNodes(t, st.w, te.ID)
		if null || nodes != string(timeline.Nodes(timeline.FormatMarkdown, fm)) {
			t.Fatalf("%s: front_matter_nodes is not the tree of the front matter (NULL: %v)", when, null)
		}
		got, err := st.TimelineEventByID(ctx, te.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, want, _ := got.Event.Stored()
		if want != fm {
			t.Fatalf("%s: read back as\n%s\nnot\n%s", when, want, fm)
		}
	}
	check("created")
	te.Event.SetTitle("Changed")
	te.Event.SetStatus("reported")
	if err := st.SaveTimelineEvent(ctx, te); err != nil {
		t.Fatal(err)
	}
	check("updated")

	// A writer that knows nothing of the tree changes the text: the tree
	// goes, and the event reads as its new text says.
	if _, err := st.w.Exec(`UPDATE timeline_events SET front_matter = replace(front_matter, 'Changed', 'Elsewhere') WHERE id = ?`, te.ID); err != nil {
		t.Fatal(err)
	}
	if _, null, _ := storedNodes(t, st.w, te.ID); !null {
		t.Fatal("the tree outlived the text it was parsed from")
	}
	got, err := st.TimelineEventByID(ctx, te.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Event.Title() != "Elsewhere" {
		t.Fatalf("title %q, want the new text's", got.Event.Title())
	}
}

// The upgrade to the section keeps the front matter of every event stored
// before it parsed; one that does not parse keeps none (and reads as it
// did: an error), and the upgrade goes on.
func TestUpgradeKeepsOldTimelineEventsParsed(t *testing.T) {
	ctx := context.Background()
	var section int
	ms, err := migrationsOf(foitrack.Schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == "timeline front matter kept parsed" {
			section = m.Version
		}
	}
	dir := t.TempDir()
	old, err := OpenAtVersion(ctx, t, dir, section-1)
	if err != nil {
		t.Fatal(err)
	}
	fms := []string{
		"id: a\ndate: '2026-01-02'\ntitle: A # comment\ntags: &t\n- x\nactors: *t\n",
		"id: b\ndate: 2026-01-03\ntitle: |\n  B\n",
		"id: c\ndate: '2026-01-04'\ntitle: [unclosed\n",
	}
	for i, fm := range fms {
		if _, err := old.w.Exec(`INSERT INTO timeline_events (id, slug, date, title, front_matter, body, created_at, updated_at)
			VALUES (?, ?, '2026-01-02', 't', ?, 'body', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')`, i+1, string(rune('a'+i)), fm); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, fm := range fms {
		nodes, null, _ := storedNodes(t, st.w, int64(i+1))
		want := timeline.Nodes(timeline.FormatMarkdown, fm)
		if null != (want == nil) || nodes != string(want) {
			t.Errorf("event %d: front_matter_nodes not the tree of its front matter (NULL: %v)", i+1, null)
		}
		got, err := st.TimelineEventByID(ctx, int64(i+1))
		wantEv, wantErr := timeline.Load(timeline.FormatMarkdown, fm, "body")
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("event %d: read with %v, its text with %v", i+1, err, wantErr)
		}
		if err == nil && string(got.Event.Markdown()) != string(wantEv.Markdown()) {
			t.Errorf("event %d: read back as\n%s\nnot\n%s", i+1, got.Event.Markdown(), wantEv.Markdown())
		}
	}
}
