package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

func readEvents(t *testing.T, dir string) *timeline.DirResult {
	t.Helper()
	res, err := timeline.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func auditCount(t *testing.T, st *store.Store) int64 {
	t.Helper()
	_, id, err := st.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Import, re-import and export of the shared examples: unchanged events are
// written back byte for byte, a re-import changes nothing, an edited file
// updates its event in place.
func TestTimelineImportExportRoundTrip(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	dir := testenv.SharedDir(t, "examples/events")
	res := readEvents(t, dir)
	if len(res.Errors) > 0 {
		t.Fatalf("shared examples did not all parse: %v", res.Errors)
	}
	items, err := st.ImportTimelineEvents(ctx, res.Events)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Action != "create" {
			t.Errorf("%s: %s on first import", it.File, it.Action)
		}
	}
	n, _ := st.CountTimelineEvents(ctx, store.TimelineFilter{})
	if n != len(res.Events) {
		t.Fatalf("%d events stored from %d files", n, len(res.Events))
	}
	head := auditCount(t, st)
	if head != int64(n) {
		t.Errorf("%d audit entries for %d created events", head, n)
	}

	// Export and compare with the files, byte for byte.
	events, err := st.TimelineEventsForExport(ctx, store.TimelineFilter{}, "")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := timeline.WriteDir(out, events, ""); err != nil {
		t.Fatal(err)
	}
	// Every event file of the directory, the JSON twin of a markdown
	// event included, comes back the same.
	entries, _ := os.ReadDir(dir)
	compared := 0
	for _, de := range entries {
		if !timeline.IsEventFile(de.Name()) {
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, de.Name()))
		if err != nil {
			t.Errorf("%s not exported: %v", de.Name(), err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s changed on import → export", de.Name())
		}
		compared++
	}
	if compared != len(res.Events)+len(res.Twins) || len(res.Twins) != 1 || len(res.Duplicates) != 0 {
		t.Fatalf("compared %d files for %d events and %d twins (%d duplicates)", compared, len(res.Events), len(res.Twins), len(res.Duplicates))
	}
	if out2, _ := os.ReadDir(out); len(out2) != compared {
		t.Errorf("export wrote %d files for %d", len(out2), compared)
	}

	// Re-import: nothing changes, nothing is audited.
	items, err = st.ImportTimelineEvents(ctx, readEvents(t, out).Events)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Action != "unchanged" {
			t.Errorf("%s: %s on re-import", it.File, it.Action)
		}
	}
	if got := auditCount(t, st); got != head {
		t.Errorf("re-import wrote %d audit entries", got-head)
	}

	// An edited file updates its event, by id, without a duplicate.
	name := "2025-03-11--cooper-doge-foia-ruling.md"
	data, _ := os.ReadFile(filepath.Join(out, name))
	edited := strings.Replace(string(data), "\ntitle: ", "\ntitle: EDITED ", 1)
	if err := os.WriteFile(filepath.Join(out, name), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	items, err = st.ImportTimelineEvents(ctx, readEvents(t, out).Events)
	if err != nil {
		t.Fatal(err)
	}
	updated := 0
	for _, it := range items {
		if it.Action == "update" {
			updated++
			if it.File != name {
				t.Errorf("%s updated", it.File)
			}
		}
	}
	if updated != 1 {
		t.Errorf("%d events updated, want 1", updated)
	}
	if n2, _ := st.CountTimelineEvents(ctx, store.TimelineFilter{}); n2 != n {
		t.Errorf("re-import made %d events from %d", n2, n)
	}
	te, err := st.TimelineEventBySlug(ctx, "2025-03-11--cooper-doge-foia-ruling")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(te.Event.Title(), "EDITED ") {
		t.Errorf("title %q", te.Event.Title())
	}
	if _, b := te.Event.File(""); string(b) != edited {
		t.Error("edited event does not export as its file")
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Errorf("rows do not match the audit log: %v %v", p, err)
	}
}

func TestTimelineFilters(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	if _, err := st.ImportTimelineEvents(ctx, readEvents(t, testenv.SharedDir(t, "examples/events")).Events); err != nil {
		t.Fatal(err)
	}
	count := func(f store.TimelineFilter) []string {
		t.Helper()
		l, err := st.TimelineEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i, te := range l {
			ids = append(ids, te.Event.ID())
			if i > 0 && l[i-1].Event.Date() > te.Event.Date() {
				t.Errorf("not chronological: %s after %s", te.Event.Date(), l[i-1].Event.Date())
			}
		}
		return ids
	}
	palantir := count(store.TimelineFilter{Tag: "palantir"})
	if len(palantir) < 5 {
		t.Errorf("tag palantir: %v", palantir)
	}
	for _, id := range palantir {
		te, _ := st.TimelineEventBySlug(ctx, id)
		if !contains(te.Event.Tags(), "palantir") {
			t.Errorf("%s has no tag palantir", id)
		}
	}
	if got := count(store.TimelineFilter{Actor: "peter thiel"}); len(got) < 2 {
		t.Errorf("actor Peter Thiel: %v", got)
	}
	for _, id := range count(store.TimelineFilter{MinImportance: 9}) {
		te, _ := st.TimelineEventBySlug(ctx, id)
		if te.Event.Importance() < 9 {
			t.Errorf("%s has importance %d", id, te.Event.Importance())
		}
	}
	got := count(store.TimelineFilter{From: "2011", To: "2013"})
	if len(got) != 4 {
		t.Errorf("2011-2013: %v", got)
	}
	for _, id := range got {
		if id < "2011" || id >= "2014" {
			t.Errorf("%s outside 2011-2013", id)
		}
	}
	if got := count(store.TimelineFilter{Query: "ShotSpotter"}); len(got) != 1 {
		t.Errorf("query: %v", got)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Links: released documents become sources, withheld ones a withheld list;
// a re-import of the exported file leaves the event as it was.
func TestLinksExportAndReimport(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	tr := provtest.Build(t, st)

	links, err := st.EventLinkDetails(ctx, store.LinkFilter{EventIDs: []int64{tr.EventID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 {
		t.Fatalf("%d links", len(links))
	}
	rel, wh := links[0], links[1]
	if rel.Role != store.LinkReleased || rel.AuthorityName != "Metropolitan Police Service" || rel.ReqID != tr.Request.ID ||
		rel.DocumentFilename != "LFR deployment record.pdf" || rel.ReceivedOn != "2026-03-30" || rel.PublicSlug != tr.PublicSlug {
		t.Errorf("released link: %+v", rel)
	}
	if wh.Role != store.LinkWithheld || strings.Join(wh.CitedExemptions(), ",") != "s31(1)(a)" {
		t.Errorf("withheld link exemptions %v (document's %v)", wh.Exemptions, wh.DocumentExemptions)
	}
	for _, f := range []store.LinkFilter{{DocumentID: tr.DocumentID}, {RequestID: tr.Request.ID}} {
		l, err := st.EventLinkDetails(ctx, f)
		if err != nil || len(l) == 0 || l[0].EventID != tr.EventID {
			t.Errorf("links by %+v: %v %v", f, l, err)
		}
	}

	events, err := st.TimelineEventsForExport(ctx, store.TimelineFilter{IDs: []int64{tr.EventID}}, "https://foi.example.org")
	if err != nil {
		t.Fatal(err)
	}
	_, md := events[0].File("")
	text := string(md)
	for _, want := range []string{
		"sources:\n- url: https://foi.example.org/p/" + tr.PublicSlug + "\n  title: LFR deployment record.pdf\n",
		"  publisher: Metropolitan Police Service\n  date: \"2026-03-30\"\n  tier: 1\n",
		"withheld:\n- title: LFR watchlist criteria\n  authority: Metropolitan Police Service\n  law: uk-foia\n  exemptions: [s31(1)(a)]\n",
		"statement: Metropolitan Police Service withheld this under s31(1)(a)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q:\n%s", want, text)
		}
	}
	// Re-import the exported file: the link-made entries are dropped, so
	// the event is unchanged and the next export is the same.
	ev, err := timeline.ParseMarkdown("x.md", md)
	if err != nil {
		t.Fatal(err)
	}
	items, err := st.ImportTimelineEvents(ctx, []timeline.FileEvent{{File: "x.md", Event: ev}})
	if err != nil {
		t.Fatal(err)
	}
	if items[0].Action != "update" { // only its file name is new
		t.Logf("re-import: %s", items[0].Action)
	}
	again, err := st.TimelineEventsForExport(ctx, store.TimelineFilter{IDs: []int64{tr.EventID}}, "https://foi.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, md2 := again[0].File(""); !bytes.Equal(md2, md) {
		t.Errorf("export after re-import differs:\n%s\n----\n%s", md, md2)
	}
	if got := len(again[0].Sources()); got != 1 {
		t.Errorf("%d sources after re-import, want 1", got)
	}

	// Once the released document is published, its source points at the file itself.
	if err := st.SetDocumentPublished(ctx, tr.DocumentID, true); err != nil {
		t.Fatal(err)
	}
	doc, err := st.DocumentByID(ctx, tr.DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	events, _ = st.TimelineEventsForExport(ctx, store.TimelineFilter{IDs: []int64{tr.EventID}}, "https://foi.example.org")
	if s := events[0].Sources(); len(s) != 1 || s[0].URL != "https://foi.example.org/p/"+tr.PublicSlug+"/documents/"+doc.SHA256 {
		t.Errorf("published document's source: %+v", s)
	}

	// A private request's links are left out of the export (as out of a
	// public bundle): no source, nothing withheld.
	r := tr.Request
	r.Visibility = "private"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	events, _ = st.TimelineEventsForExport(ctx, store.TimelineFilter{IDs: []int64{tr.EventID}}, "https://foi.example.org")
	if _, md := events[0].File(""); len(events[0].Sources()) != 0 || strings.Contains(string(md), "sources:") || strings.Contains(string(md), "withheld:") {
		t.Errorf("private request's links exported:\n%s", md)
	}

	// Relinking updates; a bad role or exemption is refused; unlink is audited.
	l := store.EventLink{EventID: tr.EventID, DocumentID: tr.WithheldID, Role: store.LinkWithheld, Exemptions: []string{"s40(2)", "section 31"}}
	if err := st.LinkToEvent(ctx, &l); err != nil || l.ID != tr.WithheldLink || strings.Join(l.Exemptions, ",") != "s40(2),s31" {
		t.Errorf("relink: %+v %v", l, err)
	}
	if err := st.LinkToEvent(ctx, &store.EventLink{EventID: tr.EventID, RequestID: tr.Request.ID, Role: "leaked"}); err == nil {
		t.Error("role leaked accepted")
	}
	if err := st.LinkToEvent(ctx, &store.EventLink{EventID: tr.EventID, RequestID: tr.Request.ID, Role: store.LinkWithheld, Exemptions: []string{"s99"}}); err == nil {
		t.Error("exemption s99 accepted")
	}
	if err := st.LinkToEvent(ctx, &store.EventLink{EventID: tr.EventID, DocumentID: tr.DocumentID, RequestID: tr.Request.ID}); err == nil {
		t.Error("a link with two targets accepted")
	}
	if err := st.DeleteEventLink(ctx, tr.WithheldLink); err != nil {
		t.Fatal(err)
	}
	entries, err := st.AuditEntries(ctx, "event_link", tr.WithheldLink, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "link,update,unlink" {
		t.Errorf("link audit trail: %v", actions)
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Errorf("rows do not match the audit log: %v %v", p, err)
	}
	if err := st.DeleteTimelineEvent(ctx, tr.EventID); err != nil {
		t.Fatal(err)
	}
	if l, _ := st.EventLinkDetails(ctx, store.LinkFilter{DocumentID: tr.DocumentID}); len(l) != 0 {
		t.Errorf("links survive their event: %v", l)
	}
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Errorf("after delete, rows do not match the audit log: %v %v", p, err)
	}
}

func TestDocumentProvenance(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	tr := provtest.Build(t, st)
	p, err := st.DocumentProvenance(ctx, tr.DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Request.ID != tr.Request.ID || p.PublicSlug != tr.PublicSlug || p.Document.Filename != "LFR deployment record.pdf" ||
		p.Document.Size != int64(len(provtest.PDF)) || p.Document.MediaType != "application/pdf" {
		t.Errorf("document/request: %+v", p)
	}
	in := p.Incoming
	if in == nil || in.MessageID != "reply-012345@met.example.gov.uk" || in.FromAddr != "foi@met.example.gov.uk" ||
		in.Mailbox != "INBOX" || in.UIDValidity != 1711 || in.UID != 42 || len(in.Received) != 2 || in.DateHeader != "Mon, 30 Mar 2026 14:02:00 +0100" ||
		in.RawSHA256 == "" || in.FetchedAt.IsZero() {
		t.Fatalf("incoming: %+v", in)
	}
	if len(in.DKIMChecks) != 1 || in.DKIMChecks[0].Status != "pass" || in.DKIMChecks[0].Domain != "met.example.gov.uk" ||
		in.DKIMChecks[0].Selector != "foi2026" || in.DKIMChecks[0].KeyRecord != tr.Key.Record {
		t.Errorf("dkim: %+v", in.DKIMChecks)
	}
	if p.Outgoing == nil || p.Outgoing.ID != tr.OutgoingID || p.Outgoing.MessageID != "req-lfr@foitrack.example" {
		t.Errorf("outgoing: %+v", p.Outgoing)
	}
	if len(p.Events) != 1 || p.Events[0].EventID != tr.EventID || p.Events[0].Role != store.LinkReleased {
		t.Errorf("events: %+v", p.Events)
	}
	kinds := map[string]bool{}
	for _, e := range p.Audit {
		kinds[e.Entity+"/"+e.Action] = true
	}
	for _, k := range []string{"document/create", "mail_message/fetch", "mail_message/process", "event_link/link"} {
		if !kinds[k] {
			t.Errorf("provenance audit lacks %s: %v", k, kinds)
		}
	}
}

// Changes made behind the app's back are found at the row or file.
func TestVerifyFindsTampering(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr := provtest.Build(t, st)
	if _, p, err := st.VerifyRows(ctx); err != nil || len(p) > 0 {
		t.Fatalf("clean store: %v %v", p, err)
	}
	if fc, err := st.VerifyStoredFiles(ctx, nil); err != nil || len(fc.Problems) > 0 || fc.Blobs != 3 {
		t.Fatalf("clean files: %+v %v", fc, err)
	}

	// By hand, with another connection to the database file.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DefaultDBName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE documents SET filename = 'innocuous.pdf' WHERE id = ?`, tr.DocumentID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE timeline_events SET title = 'Rewritten' WHERE id = ?`, tr.EventID); err != nil {
		t.Fatal(err)
	}
	_, problems, err := st.VerifyRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`documents row ` + itoa(tr.DocumentID) + `: filename is "innocuous.pdf", but audit entry`,
		`timeline_events row ` + itoa(tr.EventID) + `: title is "Rewritten", but audit entry`,
	}
	if len(problems) != 2 {
		t.Fatalf("problems: %v", problems)
	}
	for i, w := range want {
		if !strings.HasPrefix(problems[i].String(), w) {
			t.Errorf("problem %d = %q, want %q…", i, problems[i], w)
		}
	}

	// A stored file changed on disk: one byte of the raw message.
	m, _ := st.MailMessageByID(ctx, tr.MessageID)
	path := filepath.Join(st.BlobDir, m.RawSHA256[:2], m.RawSHA256)
	raw, _ := os.ReadFile(path)
	raw[len(raw)/2] ^= 0x01
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	fc, err := st.VerifyStoredFiles(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Problems) != 1 || !strings.HasPrefix(fc.Problems[0].Where, "message "+itoa(tr.MessageID)+" (raw .eml") ||
		!strings.Contains(fc.Problems[0].Detail, "content changed") {
		t.Errorf("file problems: %v", fc.Problems)
	}

	// A row added behind its back, and one deleted.
	if _, err := db.Exec(`INSERT INTO event_links (event_id, request_id, role, created_at, updated_at) VALUES (?, ?, 'context', 'x', 'x')`,
		tr.EventID, tr.Request.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM event_links WHERE id = ?`, tr.WithheldLink); err != nil {
		t.Fatal(err)
	}
	_, problems, _ = st.VerifyRows(ctx)
	var texts []string
	for _, p := range problems {
		texts = append(texts, p.String())
	}
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "has no audit entry") || !strings.Contains(all, "event_links row "+itoa(tr.WithheldLink)+": is gone") {
		t.Errorf("added/deleted rows not found:\n%s", all)
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// The project's own event files (odd endings, no id, CRLF, flow lists,
// anchors, unknown keys) go through the database unchanged too.
func TestTimelineRoundTripOwnFiles(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	dir := filepath.Join("..", "timeline", "testdata", "events")
	res := readEvents(t, dir)
	if len(res.Errors) > 0 || len(res.Events) < 5 {
		t.Fatalf("%d events, errors %v", len(res.Events), res.Errors)
	}
	if _, err := st.ImportTimelineEvents(ctx, res.Events); err != nil {
		t.Fatal(err)
	}
	events, err := st.TimelineEventsForExport(ctx, store.TimelineFilter{}, "")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := timeline.WriteDir(out, events, ""); err != nil {
		t.Fatal(err)
	}
	for _, fe := range res.Events {
		want, _ := os.ReadFile(filepath.Join(dir, fe.File))
		got, err := os.ReadFile(filepath.Join(out, fe.File))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s changed on import → export (%v):\n%q\n%q", fe.File, err, want, got)
		}
	}
	te, err := st.TimelineEventBySlug(ctx, "2026-06-01--no-id")
	if err != nil || te.Event.ID() != "2026-06-01--no-id" {
		t.Errorf("event without id in its file: %v %v", te.Event, err)
	}
}
