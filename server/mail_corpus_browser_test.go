package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
)

// noTXT answers every DKIM key lookup with "not found", so the corpus test
// never waits on DNS.
type noTXT struct{}

func (noTXT) LookupTXT(context.Context, string) ([]string, error) {
	return nil, errors.New("no DNS in tests")
}

// frameCheck is run on each message page: the page's own cards and footer
// exist once, outside the mail's frame, and nothing of the page overlaps the
// frame's box. Every <details> is opened first, so the frame has a box.
const frameCheck = `(() => {
  document.querySelectorAll("details").forEach(d => d.open = true);
  const problems = [];
  const frame = document.querySelector("#mail-html");
  const body = document.querySelector("#body");
  const mustHave = ["#provenance", "#body", "footer", "main"];
  const mayHave = ["#dkim", "#timeline", "#received", "#documents", "#warnings", "#classification"];
  for (const sel of mustHave.concat(mayHave)) {
    const all = document.querySelectorAll(sel);
    if (all.length === 0) { if (mustHave.includes(sel)) problems.push(sel + " is missing"); continue; }
    if (all.length > 1) problems.push(sel + " appears " + all.length + " times");
    const el = all[0];
    if (sel !== "#body" && sel !== "main" && body && body.contains(el)) problems.push(sel + " is inside the message card");
    if (sel === "footer" && el.parentElement !== document.body) problems.push("footer is not a child of body");
    if (frame && sel !== "#body" && sel !== "main") {
      const a = frame.getBoundingClientRect(), b = el.getBoundingClientRect();
      if (b.width > 0 && a.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        problems.push(sel + " overlaps the mail's box");
    }
  }
  if (frame) {
    if (frame.tagName !== "IFRAME") problems.push("the mail's HTML is not in a frame but a " + frame.tagName);
    const sb = frame.getAttribute("sandbox");
    if (sb === null || /allow-scripts|allow-same-origin/.test(sb)) problems.push("frame sandbox is " + sb);
    if (!body.contains(frame)) problems.push("the frame is outside the message card");
  }
  if (document.querySelectorAll("main").length !== 1 || document.querySelector("main").parentElement !== document.body) problems.push("main moved");
  return problems.join("; ");
})()`

// TestBrowserMailCorpus syncs every message of the shared real-world corpus
// (and testdata/hostile-html.eml) from an in-process IMAP server and opens
// each message page in one Chromium: whatever the mail's HTML (unclosed
// tables, stray </div>s and </main>, a fixed overlay, scripts), the page's
// own cards and footer stay outside the mail's box.
func TestBrowserMailCorpus(t *testing.T) {
	dir := testenv.SharedDir(t, "fixtures/emails")
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .eml in %s: %v", dir, err)
	}
	sort.Strings(files)
	// And one of our own, hostile on purpose.
	files = append(files, filepath.Join("testdata", "hostile-html.eml"))
	b := newBrowser(t)
	ctx := store.WithActor(context.Background(), "test")
	ms, err := mailsync.StartMemServer("corpus", "corpus-pw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ms.Append("INBOX", raw); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
	}
	t.Setenv("FOITRACK_CORPUS_IMAP_PASSWORD", ms.Password)
	syncer := &mailsync.Syncer{Store: b.st, Config: ms.Config("FOITRACK_CORPUS_IMAP_PASSWORD"), Ingest: mailsync.Ingester{Resolver: noTXT{}}}
	sum, err := syncer.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Fetched != len(files) {
		t.Fatalf("fetched %d of %d messages: %+v", sum.Fetched, len(files), sum)
	}
	admin := store.User{Email: "admin@example.org", Role: store.RoleAdmin}
	if err := b.st.CreateUser(ctx, &admin, testPassword); err != nil {
		t.Fatal(err)
	}
	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), admin.Email), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)

	msgs, err := b.st.MailMessages(ctx, store.MailFilter{})
	if err != nil {
		t.Fatal(err)
	}
	framed := 0
	for _, m := range msgs {
		b.open(fmt.Sprintf("/mail/%d", m.ID), http.StatusOK)
		problems, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](frameCheck))
		if err != nil {
			t.Fatalf("message %d %q: %v", m.ID, m.Subject, err)
		}
		if problems != "" {
			t.Errorf("message %d %q: %s", m.ID, m.Subject, problems)
			b.screenshot(fmt.Sprintf("corpus-%d", m.ID))
		}
		if strings.TrimSpace(m.HTMLBody) != "" {
			framed++
		}
	}
	if framed == 0 {
		t.Error("no message of the corpus has HTML: the frame was never tested")
	}
	t.Logf("%d message pages checked, %d with the mail's HTML in a frame", len(msgs), framed)
}
