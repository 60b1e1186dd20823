package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/store"
)

// TestBrowserTimeline is a campaigner turning a disclosure into evidence,
// in Chromium: a reply with a DKIM-signed PDF has come in (provtest); they
// write a timeline event, link the PDF to it as released from the
// document's page, see it on the event page with the request and the
// authority, filter the timeline, follow the provenance chain to the IMAP
// UID and the DKIM result, and read the audit head in the footer.
func TestBrowserTimeline(t *testing.T) {
	b := newBrowser(t)
	ctx := context.Background()
	u := store.User{Email: "casey@example.org", Name: "Casey", Role: store.RoleEditor}
	if err := b.st.CreateUser(ctx, &u, testPassword); err != nil {
		t.Fatal(err)
	}
	tr := provtest.Build(t, b.st)

	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), u.Email), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)

	// Events kept as files elsewhere, imported from the timeline page: one
	// good, one broken (reported with its line, the other imported).
	dir := t.TempDir()
	good, broken := filepath.Join(dir, "grit.md"), filepath.Join(dir, "broken.md")
	os.WriteFile(good, []byte(importedEvent), 0o644)
	os.WriteFile(broken, []byte("---\nid: broken\ntitle: [unclosed\n---\n"), 0o644)
	b.open("/timeline", http.StatusOK)
	b.submit("open the import", `a[href="/timeline/import"]`, http.StatusOK)
	b.do("choose the files", chromedp.SetUploadFiles(chromedp.ID("files"), []string{good, broken}))
	b.submit("import them", `form[action="/timeline/import"] button[type=submit]`, http.StatusUnprocessableEntity)
	b.wantText("#import-result", "1 event read: 1 new", "1 file was not imported", "broken.md:3:", "council-releases-grit-bin-map")
	b.screenshot("timeline-import")

	// A new event, from the form.
	b.open("/timeline/new", http.StatusOK)
	b.do("fill in the event",
		chromedp.SetValue(chromedp.ID("date"), "2026-04-01"),
		chromedp.SendKeys(chromedp.ID("title"), "Met deployment records show 14 LFR deployments"),
		chromedp.SendKeys(chromedp.ID("importance"), "8"),
		chromedp.SendKeys(chromedp.ID("tags"), "facial-recognition, lfr-deployments"),
		chromedp.SendKeys(chromedp.ID("actors"), "Metropolitan Police Service"),
		chromedp.SendKeys(chromedp.ID("body"), "The records released under FOIA list **14** deployments."))
	b.submit("add the event", `form[action="/timeline"] button[type=submit]`, http.StatusOK)
	b.wantText("main", "Met deployment records show 14 LFR deployments", "Event added.", "Nothing linked yet")
	eventPath := b.location()

	// Link the PDF to it from the document's page.
	b.open(fmt.Sprintf("/documents/%d", tr.DocumentID), http.StatusOK)
	value, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#tl_events option")].find(o => o.textContent.includes("14 LFR")).value`))
	if err != nil || value == "" {
		t.Fatalf("the new event is not offered on the document page: %v", err)
	}
	b.do("choose the event and role",
		chromedp.SetValue(chromedp.ID("tl_event"), value),
		chromedp.SetValue(chromedp.ID("tl_role"), "released"),
		chromedp.SetValue(chromedp.ID("tl_tier"), "1"))
	b.submit("link the document", `#timeline form button[type=submit]`, http.StatusOK)
	b.wantText("main", "Linked as released.", "Met deployment records show 14 LFR deployments")
	b.screenshot("timeline-document-linked")

	b.open(eventPath, http.StatusOK)
	b.wantText("#links", "LFR deployment record.pdf", "released", "Live facial recognition watchlists", "Metropolitan Police Service",
		"sent Mon 2 Mar 2026", "received Mon 30 Mar 2026")
	b.wantText("main", "14 deployments", "LFR deployment record.pdf") // the source the link adds
	b.screenshot("timeline-event")
	// The event file as exported (with a source's sha256, one long word)
	// wraps in its column rather than widening the page.
	overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil || overflow > 0 {
		t.Errorf("the event page is %d px wider than the window (%v)", overflow, err)
	}
	// And on a phone, 390 px wide.
	b.do("phone width", chromedp.EmulateViewport(390, 844), chromedp.Reload())
	overflow, err = chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil || overflow > 0 {
		t.Errorf("at 390 px the event page is %d px wider than the window (%v)", overflow, err)
	}
	b.screenshot("timeline-event-390")
	b.do("desktop width", chromedp.EmulateViewport(1280, 900))

	// The timeline, filtered by tag in the form.
	b.open("/timeline", http.StatusOK)
	b.wantText("main", "Met discloses LFR deployment records", "Met deployment records show 14 LFR deployments")
	b.do("filter by tag", chromedp.SetValue(chromedp.ID("tag"), "lfr-deployments"))
	b.submit("filter", `form.filters button[type=submit]`, http.StatusOK)
	got := b.text("main")
	if !strings.Contains(got, "14 LFR deployments") || strings.Contains(got, "Met discloses LFR deployment records") {
		t.Errorf("filtered by tag lfr-deployments, the timeline shows:\n%s", got)
	}
	b.screenshot("timeline-filtered")

	// Provenance, from the document page.
	b.open(fmt.Sprintf("/documents/%d", tr.DocumentID), http.StatusOK)
	b.submit("open the provenance chain", `a[href$="/provenance"]`, http.StatusOK)
	b.wantText("#incoming", "reply-012345@met.example.gov.uk", "UIDVALIDITY 1711", "UID 42", "d=met.example.gov.uk s=foi2026", "pass")
	b.wantText("#outgoing", "req-lfr@foitrack.example")
	b.wantText("#events", "Met deployment records show 14 LFR deployments", "Met discloses LFR deployment records")
	b.screenshot("provenance")

	var head string
	var id int64
	head, id, err = b.st.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.wantText("footer", fmt.Sprintf("audit head #%d %s", id, head[:16]))
	b.submit("open the audit page", `footer a[href="/audit"]`, http.StatusOK)
	b.wantText("#audit-head", head)
}
