package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestBrowserMail is an editor's morning with the mail, in Chromium, on the
// demo's inbox: the dashboard says a message waits, the holding pen files
// it on its request, the request page proposes what a reply says and the
// editor confirms it; the message page shows the sanitised mail and its
// provenance.
func TestBrowserMail(t *testing.T) {
	b := newBrowser(t)
	b.st.Now = func() time.Time { return testNow }
	t.Setenv("FOITRACK_DEMO_IMAP_PASSWORD", "")
	ctx := store.WithActor(context.Background(), "demo")
	demo, err := mailsync.StartDemo(ctx, b.st, os.Setenv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { demo.Close() })
	editor := store.User{Email: "editor@example.org", Role: store.RoleEditor}
	if err := b.st.CreateUser(ctx, &editor, testPassword); err != nil {
		t.Fatal(err)
	}
	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), editor.Email), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)

	b.open("/", http.StatusOK)
	b.wantText("#mail", "1 message needs a request", "5 fetched, 4 matched, 1 unmatched")
	b.submit("open the holding pen", "#holding-pen-link", http.StatusOK)
	b.wantText("#mail-list", "Village fete: volunteers wanted", "holding pen")
	b.screenshot("mail-holding-pen")

	// File it on the police request.
	list, _ := b.st.MailMessages(ctx, store.MailFilter{State: store.MailUnmatched})
	if len(list) != 1 {
		t.Fatalf("%d messages in the holding pen", len(list))
	}
	fete, police := list[0], demo.Requests["police"]
	b.do("choose the request", chromedp.SetValue(chromedp.ID(fmt.Sprintf("assign-%d", fete.ID)), fmt.Sprint(police.ID)))
	b.submit("file the message", fmt.Sprintf(`form[action="/mail/%d/assign"] button`, fete.ID), http.StatusOK)
	if loc := b.location(); !strings.HasPrefix(loc, fmt.Sprintf("/requests/%d", police.ID)) {
		t.Fatalf("after filing the browser is at %s", loc)
	}
	b.wantText(".flash", "Filed on this request")
	b.wantText("#mail", "Village fete: volunteers wanted", "by hand", "Partial release", "as a reply to our mail")

	// The council's refusal, proposed with its sentence and exemption.
	council := demo.Requests["council"]
	refusal := mailBySubject(t, b.st, "FOI/2026/0412")
	b.open(fmt.Sprintf("/requests/%d", council.ID), http.StatusOK)
	proposal := fmt.Sprintf("#mail-%d", refusal.ID)
	b.wantText(proposal, "reads as: Refusal", "section 31(1)(a) of the Freedom of Information Act 2000", "s31(1)(a)")
	b.wantText("#reply-address", "foi+"+council.ReplyToken+"@demo.foitrack.test")
	b.screenshot("mail-proposal")
	b.submit("confirm the refusal", proposal+` form[action$="/confirm"] button[type=submit]`, http.StatusOK)
	b.wantText(".flash", "Recorded from the reply: Response received")
	b.wantText("#history", "Response received: Refused", "s31(1)(a)")
	if r, _ := b.st.RequestByID(ctx, council.ID); r.Status != tracker.StatusAnswered {
		t.Fatalf("status after confirming: %s", r.Status)
	}

	// The message itself: its provenance, and its HTML without the script.
	b.open(fmt.Sprintf("/mail/%d", refusal.ID), http.StatusOK)
	b.wantText("#provenance", "response-0412@borsetshire.gov.uk", "INBOX", refusal.RawSHA256)
	b.do("show the formatted version", chromedp.Click(chromedp.CSS("#body details:last-of-type summary")))
	// The mail's HTML is the document of a sandboxed frame (no scripts, an
	// origin of its own), sanitised: no script in it.
	srcdoc, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("iframe#mail-html[sandbox]").srcdoc`))
	if err != nil || !strings.Contains(srcdoc, "Freedom of Information request FOI/2026/0412") || strings.Contains(strings.ToLower(srcdoc), "<script") {
		t.Fatalf("the mail's frame holds %q (%v)", srcdoc, err)
	}
	b.screenshot("mail-message")
}
