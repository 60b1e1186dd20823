package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-ical"

	"github.com/foitrack/foitrack/internal/smtptest"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestBrowserReminderToChaser, in Chromium: a reminder shows in the
// navigation; it leads to the overdue request; the chaser drafted for it is
// sent by email (to a real in-process SMTP server) and shows as sent; the
// calendar feed address made on the settings page serves the deadlines.
func TestBrowserReminderToChaser(t *testing.T) {
	b := newBrowser(t)
	ctx := context.Background()
	mail := smtptest.Start(t)
	if err := b.st.PutSetting(ctx, outbound.SettingKey, outbound.Settings{Host: mail.Host, Port: mail.Port, TLS: outbound.TLSNone,
		From: "foi@campaign.example", FromName: "Casey Campaigner"}); err != nil {
		t.Fatal(err)
	}
	u := store.User{Email: "casey@example.org", Name: "Casey Campaigner", Role: store.RoleAdmin}
	if err := b.st.CreateUser(ctx, &u, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Borsetshire County Council", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@borsetshire.gov.uk"}
	if err := b.st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "Pothole repair contracts", Body: "Please send the pothole repair contracts for 2025.", AuthorityID: a.ID}
	if err := b.st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-02-02")); err != nil {
		t.Fatal(err)
	}
	if err := b.st.SetRequestOwner(ctx, r.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	res, err := (&remind.Runner{Store: b.st, Location: time.UTC}).Run(ctx, testNow)
	if err != nil || res.Given != 1 {
		t.Fatalf("reminders: %+v %v", res, err)
	}

	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), u.Email), chromedp.SendKeys(chromedp.ID("password"), "a long enough password"))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)
	b.wantText("#nav-notifications", "Notifications", "1")

	b.open("/notifications", http.StatusOK)
	b.wantText("main", "Response overdue: Pothole repair contracts (Borsetshire County Council)", "16 working days late")
	b.screenshot("notifications")
	b.submit("open the notification", `form[action$="/open"] button.notification-open`, http.StatusOK)
	if loc := b.location(); loc != fmt.Sprintf("/requests/%d", r.ID) {
		t.Fatalf("the notification leads to %s", loc)
	}
	if n, _ := b.st.UnreadNotifications(ctx, u.ID); n != 0 {
		t.Fatalf("%d unread after opening it", n)
	}

	b.submit("open letters", "#letters-link", http.StatusOK)
	b.wantText("#letters", "Chaser", "suggested now")
	b.submit("draft the chaser", `a[href$="/letters/chaser"]`, http.StatusOK)
	body, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID("body")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Dear Borsetshire County Council,", "you should have responded by Mon 2 Mar 2026", "16 working days late", "Casey Campaigner"} {
		if !strings.Contains(body, want) {
			t.Fatalf("the drafted chaser lacks %q:\n%s", want, body)
		}
	}
	b.screenshot("letter-draft")
	b.do("edit the draft", chromedp.SendKeys(chromedp.ID("body"), "\nP.S. A reply by Friday would be appreciated.\n"))
	b.submit("send the chaser", `button[name=action][value=send]`, http.StatusOK)
	b.wantText("main", "Chaser sent to foi@borsetshire.gov.uk")
	b.wantText("#outgoing", "sent")
	b.screenshot("letters-after-send")

	msgs := mail.Messages()
	if len(msgs) != 1 || !bytes.Contains(msgs[0].Data, []byte("P.S. A reply by Friday would be appreciated.")) ||
		!bytes.Contains(msgs[0].Data, []byte("foi+"+r.ReplyToken+"@campaign.example")) {
		t.Fatalf("the SMTP server got %d messages", len(msgs))
	}
	events, _ := b.st.Events(ctx, r.ID)
	if last := events[len(events)-1]; last.Kind != tracker.EventChaserSent || last.Date.String() != "2026-03-25" {
		t.Fatalf("last event %+v", last)
	}

	// The calendar feed.
	b.open("/notifications/settings", http.StatusOK)
	b.submit("make a feed address", `form[action="/notifications/calendar"] button`, http.StatusOK)
	feedURL := strings.TrimSpace(b.text("#feed-url code"))
	b.screenshot("calendar-settings")
	resp, err := http.Get(feedURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cal, err := ical.NewDecoder(resp.Body).Decode()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("feed %s: %d %v", feedURL, resp.StatusCode, err)
	}
	if evs := cal.Events(); len(evs) != 1 {
		t.Fatalf("%d events in the feed", len(evs))
	} else if s, _ := evs[0].Props.Text(ical.PropSummary); s != "Passed: FOI response due: Pothole repair contracts — Borsetshire County Council" { // overdue, still awaited
		t.Fatalf("summary %q", s)
	}
}
