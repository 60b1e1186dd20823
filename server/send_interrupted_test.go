package server

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/internal/smtptest"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// storeClock is the store's clock in these tests (it stamps send attempts
// and decides what is interrupted), moved by the test between requests.
type storeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *storeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *storeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func withStoreClock(c *storeClock) appOption { return func(cfg *Config) { cfg.Store.Now = c.Now } }

// diesMidSend stands for foitrack being killed while the SMTP server has the
// message: after handing it over (delivered) or before, the sending goroutine
// ends and the outcome is never recorded.
type diesMidSend struct {
	real      outbound.Mailer
	delivered bool
}

func (d diesMidSend) Send(ctx context.Context, from string, rcpts []string, raw []byte) error {
	if d.delivered {
		if err := d.real.Send(ctx, from, rcpts, raw); err != nil {
			return err
		}
	}
	runtime.Goexit()
	return nil
}

// sendAndDie sends the request letter of r through a sender that dies, and
// returns the message it leaves queued.
func (a *testApp) sendAndDie(r tracker.Request, delivered bool) store.OutgoingMessage {
	a.t.Helper()
	return sendAndDie(a.t, a.st, r, delivered)
}

func sendAndDie(t testing.TB, st *store.Store, r tracker.Request, delivered bool) store.OutgoingMessage {
	t.Helper()
	ctx := context.Background()
	cfg, err := outbound.LoadConfig(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	sender := &outbound.Sender{Store: st, Mailer: diesMidSend{real: &outbound.SMTPMailer{Config: cfg}, delivered: delivered},
		Config: cfg, Now: func() time.Time { return testNow }, Location: time.UTC}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sender.Send(ctx, outbound.Letter{RequestID: r.ID, Purpose: outbound.PurposeRequest, Subject: "FOI request: " + r.Title,
			Body: "Dear council,\nPlease send " + r.Title + ".\n"})
	}()
	<-done
	l, err := st.OutgoingMessages(ctx, store.OutgoingFilter{RequestID: r.ID})
	if err != nil || len(l) != 1 || l[0].State != store.OutQueued {
		t.Fatalf("left behind: %+v %v", l, err)
	}
	return l[0]
}

var attemptedAtField = regexp.MustCompile(`name="attempted_at" value="([^"]*)"`)

func TestInterruptedOutgoingShownAndSentAgain(t *testing.T) {
	clock := &storeClock{now: testNow}
	app := newTestApp(t, withStoreClock(clock))
	ctx := context.Background()
	mail := smtptest.Start(t)
	app.withSMTP(mail)
	editor := app.user("editor@example.org", store.RoleEditor)
	viewer := app.user("viewer@example.org", store.RoleViewer)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Pothole repair contracts", a.ID, "", false)
	m := app.sendAndDie(r, false)
	page := fmt.Sprintf("/requests/%d/letters", r.ID)
	again := fmt.Sprintf("/outgoing/%d/send-again", m.ID)
	c := app.login(editor.Email)

	// Within the grace period it may be a live send: shown as such, no way
	// to resolve it, and a forged resolution is refused.
	clock.advance(5 * time.Minute)
	_, body := c.get(page)
	wantContains(t, body, "being sent")
	if strings.Contains(body, "interrupted") || strings.Contains(body, again) {
		t.Fatalf("a live send is offered for resolution:\n%s", body)
	}
	res, _ := c.postForm(again, url.Values{"attempted_at": {m.AttemptedAt().Format(time.RFC3339Nano)}})
	wantStatus(t, res, http.StatusSeeOther)
	if _, body = c.get(page); !strings.Contains(html.UnescapeString(body), "may still be being sent") || mail.Attempts() != 0 {
		t.Fatalf("send again within the grace period: %d attempts, page:\n%s", mail.Attempts(), body)
	}

	if _, body = c.get("/"); strings.Contains(body, `id="interrupted"`) {
		t.Error("the dashboard shows a live send as interrupted")
	}

	clock.advance(20 * time.Minute)
	// The dashboard says so, and leads to the letters page.
	_, body = c.get("/")
	wantContains(t, body, `id="interrupted"`, "Sends interrupted", fmt.Sprintf(`href="%s#outgoing"`, page))
	_, body = c.get(page)
	wantContains(t, html.UnescapeString(body), "interrupted", "we do not know whether the server accepted it", "Mark as sent", "Send again",
		"It may reach the authority twice", "/outgoing/"+fmt.Sprint(m.ID)+"/mark-sent")
	at := attemptedAtField.FindStringSubmatch(body)
	if at == nil {
		t.Fatal("no attempted_at in the forms")
	}

	// A viewer sees the problem but may not act on it.
	vc := app.login(viewer.Email)
	_, vbody := vc.get(page)
	wantContains(t, html.UnescapeString(vbody), "we do not know whether the server accepted it")
	if strings.Contains(vbody, again) {
		t.Fatal("a viewer is offered Send again")
	}
	res, _ = vc.postForm(again, url.Values{"attempted_at": {at[1]}})
	wantStatus(t, res, http.StatusForbidden)
	// Without the CSRF token, refused too.
	res, _ = c.postForm(again, url.Values{"attempted_at": {at[1]}, csrfField: {"forged-token-forged-token-forged-token"}})
	wantStatus(t, res, http.StatusForbidden)
	if cur, _ := app.st.Outgoing(ctx, m.ID); cur.State != store.OutQueued || mail.Attempts() != 0 {
		t.Fatalf("after refused posts: %s, %d attempts", cur.State, mail.Attempts())
	}

	// The editor sends it again: it arrives, and the request is sent.
	res, _ = c.postForm(again, url.Values{"attempted_at": {at[1]}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != page+"#outgoing" {
		t.Fatalf("redirect to %q", loc)
	}
	msgs := mail.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Please send Pothole repair contracts.") ||
		!strings.Contains(string(msgs[0].Data), m.MessageID) {
		t.Fatalf("arrived: %d messages", len(msgs))
	}
	got, _ := app.st.RequestByID(ctx, r.ID)
	if got.Status != tracker.StatusAwaitingResponse || got.SentOn.String() != "2026-03-25" {
		t.Fatalf("request: %s sent %s", got.Status, got.SentOn)
	}
	_, body = c.get(page)
	wantContains(t, body, "Sent again to foi@example.gov.uk.")
	if strings.Contains(body, "we do not know whether") {
		t.Fatal("still shown as interrupted")
	}
	// The same form again changes nothing and sends nothing.
	res, _ = c.postForm(again, url.Values{"attempted_at": {at[1]}})
	wantStatus(t, res, http.StatusSeeOther)
	if len(mail.Messages()) != 1 {
		t.Fatal("sent twice")
	}
}

func TestInterruptedOutgoingMarkedSent(t *testing.T) {
	clock := &storeClock{now: testNow}
	app := newTestApp(t, withStoreClock(clock))
	ctx := context.Background()
	mail := smtptest.Start(t)
	app.withSMTP(mail)
	editor := app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Library closures", a.ID, "", false)
	m := app.sendAndDie(r, true) // the server had it before the crash
	clock.advance(16 * time.Minute)
	c := app.login(editor.Email)
	page := fmt.Sprintf("/requests/%d/letters", r.ID)
	_, body := c.get(page)
	at := attemptedAtField.FindStringSubmatch(body)
	if at == nil {
		t.Fatalf("no resolution forms:\n%s", body)
	}
	mark := fmt.Sprintf("/outgoing/%d/mark-sent", m.ID)
	res, _ := c.postForm(mark, url.Values{"attempted_at": {at[1]}, "note": {"in the Sent folder"}})
	wantStatus(t, res, http.StatusSeeOther)
	events, _ := app.st.Events(ctx, r.ID)
	if len(events) != 1 || events[0].Kind != tracker.EventSent || events[0].MessageID != m.ID ||
		!strings.Contains(events[0].Note, "marked sent by hand: in the Sent folder") || events[0].CreatedBy != "user:"+editor.Email {
		t.Fatalf("events: %+v", events)
	}
	entries, _ := app.st.AuditEntries(ctx, "mail_message", m.ID, 0, 0)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "queue,resolve_sent,sent" || entries[1].Actor != "user:"+editor.Email {
		t.Fatalf("audit: %v", actions)
	}
	_, body = c.get(page)
	wantContains(t, body, "Marked sent to foi@example.gov.uk as of 25 Mar 2026 10:00", `<span class="badge green">sent</span>`)
	// Again: refused, still one event; nothing was sent beyond the first.
	c.postForm(mark, url.Values{"attempted_at": {at[1]}})
	_, body = c.get(page)
	wantContains(t, body, "Not marked sent")
	if events, _ := app.st.Events(ctx, r.ID); len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	if mail.Attempts() != 1 {
		t.Fatalf("%d SMTP attempts, want the one before the crash", mail.Attempts())
	}
}

func TestInterruptedReminderEmailsAdminPage(t *testing.T) {
	clock := &storeClock{now: testNow}
	app := newTestApp(t, withStoreClock(clock))
	ctx := context.Background()
	admin := app.user("admin@example.org", store.RoleAdmin)
	editor := app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Pothole repair contracts", a.ID, "2026-02-02", false)
	rem := store.Reminder{RequestID: r.ID, Deadline: "response", Kind: "overdue", DueDate: tracker.MustParseDate("2026-03-02"),
		UserID: editor.ID, Stage: 3, Reason: "The response is overdue.", EmailState: store.EmailPending}
	if _, err := app.st.GiveReminder(ctx, &rem, &store.Notification{Kind: "reminder:overdue", Title: "Response overdue"}); err != nil {
		t.Fatal(err)
	}
	// Claimed by a reminder run that then died.
	if l, err := app.st.ClaimReminderEmails(ctx, false, 3, 10); err != nil || len(l) != 1 {
		t.Fatalf("claim: %v %v", l, err)
	}
	const page = "/admin/reminders/interrupted"
	post := fmt.Sprintf("%s/%d", page, rem.ID)
	ac := app.login(admin.Email)
	_, body := ac.get(page)
	wantContains(t, body, "No reminder email is interrupted.")

	clock.advance(30 * time.Minute)
	_, body = ac.get(page)
	wantContains(t, html.UnescapeString(body), "never sent again on its own", "Pothole repair contracts", editor.Email, "Mark emailed")
	at := attemptedAtField.FindStringSubmatch(body)
	if at == nil || at[1] == "" {
		t.Fatalf("no attempt in the form:\n%s", body)
	}
	// The request's letters page shows it too, with the way to the admin page.
	_, body = ac.get(fmt.Sprintf("/requests/%d/letters", r.ID))
	wantContains(t, body, "we do not know whether the server accepted it", fmt.Sprintf(`href="%s#reminder-%d"`, page, rem.ID))

	// The admin's dashboard leads to it; an editor's does not count it.
	_, body = ac.get("/")
	wantContains(t, body, `id="interrupted"`, "1 reminder email to settle", `href="/admin/reminders/interrupted"`)

	// An editor may neither see the page nor settle it.
	ec := app.login(editor.Email)
	if _, body = ec.get("/"); strings.Contains(body, "reminder email to settle") {
		t.Error("an editor's dashboard offers the admin page")
	}
	res, _ := ec.get(page)
	wantStatus(t, res, http.StatusForbidden)
	res, _ = ec.postForm(post, url.Values{"attempted_at": {at[1]}, "action": {"emailed"}})
	wantStatus(t, res, http.StatusForbidden)

	res, _ = ac.postForm(post, url.Values{"attempted_at": {at[1]}, "action": {"again"}})
	wantStatus(t, res, http.StatusSeeOther)
	l, _ := app.st.Reminders(ctx, store.ReminderFilter{RequestID: r.ID})
	if len(l) != 1 || l[0].EmailState != store.EmailPending || l[0].EmailInterrupted {
		t.Fatalf("after send again: %+v", l)
	}
	_, body = ac.get(page)
	wantContains(t, body, "will be emailed again by the next reminder run", "No reminder email is interrupted.")
	entries, _ := app.st.AuditEntries(ctx, "reminder", rem.ID, 0, 0)
	if len(entries) != 1 || entries[0].Action != "resolve_email_again" || entries[0].Actor != "user:"+admin.Email {
		t.Fatalf("audit: %+v", entries)
	}
}

// TestBrowserInterruptedSendMarkedSent, in Chromium: an interrupted letter
// is shown as such on the request's letters page and marked sent from it.
func TestBrowserInterruptedSendMarkedSent(t *testing.T) {
	b := newBrowser(t)
	clock := &storeClock{now: testNow}
	b.st.Now = clock.Now // before the first page: nothing has read it yet
	ctx := context.Background()
	mail := smtptest.Start(t)
	if err := b.st.PutSetting(ctx, outbound.SettingKey, outbound.Settings{Host: mail.Host, Port: mail.Port, TLS: outbound.TLSNone,
		From: "foi@campaign.example", FromName: "Casey Campaigner"}); err != nil {
		t.Fatal(err)
	}
	u := store.User{Email: "casey@example.org", Name: "Casey Campaigner", Role: store.RoleEditor}
	if err := b.st.CreateUser(ctx, &u, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Borsetshire County Council", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@borsetshire.gov.uk"}
	if err := b.st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "Pothole repair contracts", Body: "Please send the pothole repair contracts.", AuthorityID: a.ID}
	if err := b.st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	m := sendAndDie(t, b.st, r, true)
	clock.advance(time.Hour)

	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), u.Email), chromedp.SendKeys(chromedp.ID("password"), "a long enough password"))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)
	b.open(fmt.Sprintf("/requests/%d/letters", r.ID), http.StatusOK)
	b.wantText(fmt.Sprintf("#interrupted-%d", m.ID), "Sending was interrupted (25 Mar 2026 10:00)", "we do not know whether the server accepted it")
	b.screenshot("interrupted-send")
	form := fmt.Sprintf(`form[action="/outgoing/%d/mark-sent"]`, m.ID)
	b.do("say how we know", chromedp.SendKeys(chromedp.CSS(form+` input[name=note]`), "it is in the Sent folder"))
	b.submit("mark as sent", form+` button[type=submit]`, http.StatusOK)
	b.wantText("main", "Marked sent to foi@borsetshire.gov.uk as of 25 Mar 2026 10:00")
	b.screenshot("interrupted-send-marked")
	events, _ := b.st.Events(ctx, r.ID)
	if len(events) != 1 || events[0].Kind != tracker.EventSent || !strings.Contains(events[0].Note, "it is in the Sent folder") {
		t.Fatalf("events: %+v", events)
	}
}
