package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// mailApp is a test app seeded by the mail demo: requests, replies synced
// from the in-process IMAP server, a message in the holding pen.
func mailApp(t *testing.T) (*testApp, *mailsync.Demo) {
	t.Helper()
	app := newTestApp(t)
	app.st.Now = func() time.Time { return testNow }
	t.Setenv("FOITRACK_DEMO_IMAP_PASSWORD", "") // restored after the test
	d, err := mailsync.StartDemo(store.WithActor(context.Background(), "demo"), app.st, os.Setenv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	app.user("admin@example.org", store.RoleAdmin)
	app.user("editor@example.org", store.RoleEditor)
	app.user("viewer@example.org", store.RoleViewer)
	return app, d
}

// mailBySubject finds a stored incoming message.
func mailBySubject(t *testing.T, st *store.Store, prefix string) store.MailMessage {
	t.Helper()
	list, err := st.MailMessages(context.Background(), store.MailFilter{Direction: "in"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if strings.HasPrefix(m.Subject, prefix) {
			return m
		}
	}
	t.Fatalf("no message with subject %q", prefix)
	return store.MailMessage{}
}

func TestMailPagesHoldingPenAndProposals(t *testing.T) {
	app, d := mailApp(t)
	ctx := context.Background()
	viewer := app.login("viewer@example.org")
	editor := app.login("editor@example.org")

	// The dashboard says what waits and how the last sync went.
	res, body := viewer.get("/")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "1 message needs a request", `href="/mail"`, "Last mail sync:", "5 fetched, 4 matched, 1 unmatched")

	// The holding pen lists the unmatched message; a viewer sees no filing form.
	fete := mailBySubject(t, app.st, "Village fete")
	res, body = viewer.get("/mail")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "Village fete: volunteers wanted", "editor@ambridge-parish.org.uk")
	if strings.Contains(body, "/mail/"+fmt.Sprint(fete.ID)+"/assign") {
		t.Error("a viewer is offered the filing form")
	}
	res, _ = viewer.postForm(fmt.Sprintf("/mail/%d/assign", fete.ID), url.Values{"request_id": {fmt.Sprint(d.Requests["council"].ID)}})
	wantStatus(t, res, http.StatusForbidden)

	// The council's request page proposes the refusal with its sentence and
	// exemption, and shows the reply address.
	council := d.Requests["council"]
	refusal := mailBySubject(t, app.st, "FOI/2026/0412")
	res, body = editor.get(fmt.Sprintf("/requests/%d", council.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "reads as: Refusal", "section 31(1)(a)", `value="s31(1)(a)"`,
		fmt.Sprintf(`action="/mail/%d/confirm"`, refusal.ID), "Confirm: Response received",
		"foi&#43;"+council.ReplyToken+"@demo.foitrack.test", "by a reference in it", "recorded")

	// Confirming records the response, linked to the message.
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/confirm", refusal.ID), url.Values{
		"kind": {"response_received"}, "date": {"2026-03-24"}, "outcome": {"refused"}, "exemptions": {"s31(1)(a)"}})
	wantStatus(t, res, http.StatusSeeOther)
	events, _ := app.st.Events(ctx, council.ID)
	last := events[len(events)-1]
	if last.Kind != tracker.EventResponseReceived || last.MessageID != refusal.ID || len(last.Exemptions) != 1 || last.CreatedBy != "user:editor@example.org" {
		t.Fatalf("event recorded: %+v", last)
	}
	if r, _ := app.st.RequestByID(ctx, council.ID); r.Status != tracker.StatusAnswered || r.Outcome != tracker.OutcomeRefused {
		t.Fatalf("request after confirming: %s %s", r.Status, r.Outcome)
	}
	// Confirming twice is refused with a message, not recorded twice.
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/confirm", refusal.ID), url.Values{
		"kind": {"response_received"}, "date": {"2026-03-24"}, "outcome": {"refused"}})
	wantStatus(t, res, http.StatusSeeOther)
	if again, _ := app.st.Events(ctx, council.ID); len(again) != len(events) {
		t.Fatalf("a second confirmation recorded another event")
	}

	// The editor files the holding-pen message by hand.
	police := d.Requests["police"]
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/assign", fete.ID), url.Values{"request_id": {fmt.Sprint(police.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/requests/%d#mail", police.ID) {
		t.Fatalf("redirect to %s", loc)
	}
	if m, _ := app.st.MailMessageByID(ctx, fete.ID); m.RequestID != police.ID || m.MatchRule != store.MatchManual {
		t.Fatalf("filed message: %+v", m)
	}
	res, body = viewer.get("/")
	wantContains(t, body, "Every message is matched.")

	// A message page: provenance, sanitised HTML (the script never reaches
	// the page), the original bytes for download.
	res, body = viewer.get(fmt.Sprintf("/mail/%d", refusal.ID))
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "response-0412@borsetshire.gov.uk", "INBOX", "Received chain", "mx.demo.foitrack.test", refusal.RawSHA256,
		"not signed", "Freedom of Information request FOI/2026/0412")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "alert(") {
		t.Error("the message's script reached the page")
	}
	// The HTML is the escaped srcdoc of a sandboxed frame: no markup of the
	// mail is markup of the page.
	wantContains(t, body, `<iframe class="mailhtml" id="mail-html"`, `sandbox="allow-popups allow-popups-to-escape-sandbox"`, `srcdoc="&lt;!doctype html&gt;`)
	if strings.Contains(body, "allow-scripts") || strings.Contains(body, "allow-same-origin") {
		t.Error("the mail's frame may run scripts or share the page's origin")
	}
	res, raw := viewer.get(fmt.Sprintf("/mail/%d/raw", refusal.ID))
	wantStatus(t, res, http.StatusOK)
	f, _ := app.st.OpenBlob(refusal.RawSHA256)
	stored, _ := io.ReadAll(f)
	f.Close()
	if raw != string(stored) || res.Header.Get("Content-Type") != "message/rfc822" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("raw download: %q %q, %d bytes (stored %d)", res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), len(raw), len(stored))
	}

	// Dismissing the department's extension proposal records nothing.
	ext := mailBySubject(t, app.st, "Your information request about flood")
	before, _ := app.st.Events(ctx, d.Requests["department"].ID)
	res, _ = editor.postForm(fmt.Sprintf("/mail/%d/dismiss", ext.ID), nil)
	wantStatus(t, res, http.StatusSeeOther)
	after, _ := app.st.Events(ctx, d.Requests["department"].ID)
	if m, _ := app.st.MailMessageByID(ctx, ext.ID); m.ProposalState != store.ProposalDismissed || len(after) != len(before) {
		t.Fatalf("dismissed: state %q, events %d → %d", m.ProposalState, len(before), len(after))
	}
}

func TestMailSettingsPage(t *testing.T) {
	app, _ := mailApp(t)
	ctx := context.Background()
	admin := app.login("admin@example.org")
	editor := app.login("editor@example.org")
	res, _ := editor.get("/admin/mail")
	wantStatus(t, res, http.StatusForbidden)
	res, _ = editor.postForm("/admin/mail", url.Values{"host": {"evil.example"}})
	wantStatus(t, res, http.StatusForbidden)

	res, body := admin.get("/admin/mail")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, `value="127.0.0.1"`, "FOITRACK_DEMO_IMAP_PASSWORD holds a password", "FOITRACK_IMAP_HOST", "Recent syncs")
	if strings.Contains(body, os.Getenv("FOITRACK_DEMO_IMAP_PASSWORD")) {
		t.Fatal("the password is on the page")
	}

	// Plain IMAP to a remote host, a bad schedule and a password variable
	// outside foitrack's own are refused, each with its message; nothing is saved.
	res, body = admin.postForm("/admin/mail", url.Values{"host": {"imap.example.org"}, "tls_mode": {"plain"}, "username": {"foi"},
		"schedule": {"every day"}, "password_env": {"AWS_SECRET_ACCESS_KEY"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "loopback", "not a cron schedule", "starting with FOITRACK_")
	cfg, _ := mailsync.LoadConfig(ctx, app.st)
	if cfg.Host != "127.0.0.1" {
		t.Fatalf("refused settings were saved: host %q", cfg.Host)
	}

	res, _ = admin.postForm("/admin/mail", url.Values{"host": {"imap.example.org"}, "port": {"993"}, "tls_mode": {"tls"}, "username": {"foi@example.org"},
		"password_env": {"FOITRACK_IMAP_PASSWORD"}, "mailbox": {"INBOX"}, "processed_folder": {"Filed"}, "schedule": {"*/10 * * * *"},
		"max_message_bytes": {"1048576"}, "max_attachment_bytes": {"524288"}, "reply_address": {"foi@example.org"}})
	wantStatus(t, res, http.StatusSeeOther)
	cfg, _ = mailsync.LoadConfig(ctx, app.st)
	if cfg.Host != "imap.example.org" || cfg.TLS != "tls" || cfg.ProcessedFolder != "Filed" || cfg.Schedule != "*/10 * * * *" ||
		cfg.MaxMessageBytes != 1048576 || cfg.ReplyAddressFor("abc") != "foi+abc@example.org" {
		t.Fatalf("saved %+v", cfg)
	}
	// An environment variable overrides the stored value, and the page says so.
	t.Setenv("FOITRACK_IMAP_HOST", "imap.override.example")
	res, body = admin.get("/admin/mail")
	wantContains(t, body, `value="imap.override.example" placeholder="imap.example.org" readonly`, "Set by FOITRACK_IMAP_HOST")
	// Saving then keeps the stored host, not the override.
	res, _ = admin.postForm("/admin/mail", url.Values{"host": {"imap.override.example"}, "port": {"993"}, "tls_mode": {"tls"}, "username": {"foi@example.org"},
		"password_env": {"FOITRACK_IMAP_PASSWORD"}, "schedule": {"*/10 * * * *"}, "max_message_bytes": {"1048576"}, "max_attachment_bytes": {"524288"}})
	wantStatus(t, res, http.StatusSeeOther)
	var stored mailsync.Config
	app.st.GetSetting(ctx, mailsync.SettingKey, &stored)
	if stored.Host != "imap.example.org" {
		t.Fatalf("the override was saved: %q", stored.Host)
	}
}
