package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-smtp"

	"github.com/foitrack/foitrack/internal/smtptest"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// withSMTP stores SMTP settings that point at an in-process server.
func (a *testApp) withSMTP(srv *smtptest.Server) {
	a.t.Helper()
	set := outbound.Settings{Host: srv.Host, Port: srv.Port, TLS: outbound.TLSNone, From: "foi@campaign.example", FromName: "Campaign"}
	if err := a.st.PutSetting(context.Background(), outbound.SettingKey, set); err != nil {
		a.t.Fatal(err)
	}
}

func TestNotificationsAndUnreadCount(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	admin := app.user("admin@example.org", store.RoleAdmin)
	other := app.user("viewer@example.org", store.RoleViewer)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Pothole repair contracts", a.ID, "2026-02-02", false) // due Mon 2 Mar: overdue on 25 Mar
	// Nobody owns it: the admin is told.
	res, err := (&remind.Runner{Store: app.st, Location: time.UTC}).Run(ctx, testNow)
	if err != nil || res.Given != 1 {
		t.Fatalf("run: %+v %v", res, err)
	}
	c := app.login(admin.Email)
	_, body := c.get("/")
	if !regexp.MustCompile(`id="unread-count">1<`).MatchString(body) {
		t.Fatal("the navigation does not show 1 unread notification")
	}
	_, body = c.get("/notifications")
	if !strings.Contains(body, "Response overdue: Pothole repair contracts (Borsetshire County Council)") ||
		!strings.Contains(body, "The response was due Mon 2 Mar 2026 and is 16 working days late.") {
		t.Fatalf("notifications page:\n%s", body)
	}
	ns, _ := app.st.Notifications(ctx, admin.ID, false, 10, store.Cursor{})
	// Someone else's notification is not theirs to open.
	vc := app.login(other.Email)
	res2, _ := vc.get(fmt.Sprintf("/notifications/%d", ns[0].ID))
	wantStatus(t, res2, http.StatusNotFound)
	res2, _ = c.postForm(fmt.Sprintf("/notifications/%d/open", ns[0].ID), nil)
	wantStatus(t, res2, http.StatusSeeOther)
	if loc := res2.Header.Get("Location"); loc != fmt.Sprintf("/requests/%d", r.ID) {
		t.Fatalf("opens %q", loc)
	}
	_, body = c.get("/")
	if strings.Contains(body, `id="unread-count"`) {
		t.Fatal("still unread after opening it")
	}

	// Email reminders off, then on.
	res2, _ = c.postForm("/notifications/settings", url.Values{})
	wantStatus(t, res2, http.StatusSeeOther)
	if p, _ := app.st.UserPreferences(ctx, admin.ID); p.EmailReminders {
		t.Fatal("email reminders still on")
	}
	c.postForm("/notifications/settings", url.Values{"email_reminders": {"1"}})
	if p, _ := app.st.UserPreferences(ctx, admin.ID); !p.EmailReminders {
		t.Fatal("email reminders still off")
	}
}

func TestCalendarFeedAddress(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	u := app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	app.request("Pothole repair contracts", a.ID, "2026-03-02", false) // due Tue 31 Mar
	app.request("Draft about libraries", a.ID, "", false)
	c := app.login(u.Email)
	_, body := c.postForm("/notifications/calendar", nil)
	m := regexp.MustCompile(`http://foitrack\.test(/calendar/[A-Za-z0-9_-]+\.ics)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no feed address shown:\n%s", body)
	}
	feedPath := m[1]
	// Stored hashed only.
	var n int
	app.st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM calendar_feeds WHERE token_hash = ?`, strings.TrimSuffix(strings.TrimPrefix(feedPath, "/calendar/"), ".ics")).Scan(&n)
	if n != 0 {
		t.Fatal("the feed token is stored in clear")
	}
	anon := app.anonymous()
	res, body := anon.get(feedPath)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if ev := cal.Events(); len(ev) != 1 {
		t.Fatalf("%d events, want 1", len(ev))
	} else if s, _ := ev[0].DateTimeStart(time.UTC); tracker.DateOf(s).String() != "2026-03-31" {
		t.Fatalf("event on %s", s)
	}
	// A session is no way in, nor a wrong token.
	res, _ = c.get("/calendar/" + strings.Repeat("A", 43) + ".ics")
	wantStatus(t, res, http.StatusNotFound)
	// A new address replaces the old; revoking stops it.
	_, body = c.postForm("/notifications/calendar", nil)
	m2 := regexp.MustCompile(`http://foitrack\.test(/calendar/[A-Za-z0-9_-]+\.ics)`).FindStringSubmatch(body)
	if res, _ = anon.get(feedPath); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the replaced address answers %d", res.StatusCode)
	}
	if res, _ = anon.get(m2[1]); res.StatusCode != http.StatusOK {
		t.Fatalf("the new address answers %d", res.StatusCode)
	}
	c.postForm("/notifications/calendar/revoke", nil)
	if res, _ = anon.get(m2[1]); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the revoked address answers %d", res.StatusCode)
	}
}

func TestLetterSendFailRetryThroughTheWebApp(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	mail := smtptest.Start(t)
	app.withSMTP(mail)
	u := app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Pothole repair contracts", a.ID, "", false)
	c := app.login(u.Email)

	_, body := c.get(fmt.Sprintf("/requests/%d/letters/request", r.ID))
	if !strings.Contains(body, "Please send Pothole repair contracts") || !strings.Contains(body, "Name of editor@example.org") {
		t.Fatalf("draft:\n%s", body)
	}
	mail.Reject(&smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender address rejected"})
	form := url.Values{"action": {"send"}, "to": {"foi@example.gov.uk"}, "subject": {"FOI request: potholes"},
		"body": {"Dear council,\nPlease send the pothole contracts.\n"}}
	res, body := c.postForm(fmt.Sprintf("/requests/%d/letters/request", r.ID), form)
	wantStatus(t, res, http.StatusBadGateway)
	if !strings.Contains(body, "554 5.7.1 Sender address rejected") || !strings.Contains(body, "Please send the pothole contracts.") {
		t.Fatalf("refused send page:\n%s", body)
	}
	if got, _ := app.st.RequestByID(ctx, r.ID); got.Status != tracker.StatusDraft {
		t.Fatalf("status %s after a refused send", got.Status)
	}
	_, body = c.get(fmt.Sprintf("/requests/%d/letters", r.ID))
	if !strings.Contains(body, "not sent") || !strings.Contains(body, "Sender address rejected") || !strings.Contains(body, "Retry") {
		t.Fatalf("letters page does not show the failed send:\n%s", body)
	}
	out, _ := app.st.OutgoingMessages(ctx, store.OutgoingFilter{RequestID: r.ID})
	mail.Reject(nil)
	res, _ = c.postForm(fmt.Sprintf("/outgoing/%d/retry", out[0].ID), nil)
	wantStatus(t, res, http.StatusSeeOther)
	if msgs := mail.Messages(); len(msgs) != 1 || !bytes.Contains(msgs[0].Data, []byte("Please send the pothole contracts.")) ||
		!bytes.Contains(msgs[0].Data, []byte("Reply-To: \"Campaign\" <foi+"+r.ReplyToken+"@campaign.example>")) {
		t.Fatalf("accepted: %+v", msgs)
	}
	got, _ := app.st.RequestByID(ctx, r.ID)
	if got.Status != tracker.StatusAwaitingResponse || got.SentOn.String() != "2026-03-25" {
		t.Fatalf("after the retry: %s sent %s", got.Status, got.SentOn)
	}
	// A chaser is not possible yet (not overdue is fine, but the page
	// says so when the lifecycle refuses, e.g. a review before any response
	// — here: a regulator complaint is allowed; a second "request" is not).
	_, body = c.get(fmt.Sprintf("/requests/%d/letters/request", r.ID))
	if !strings.Contains(body, `id="cannot-send"`) {
		t.Fatal("sending the request twice is offered")
	}
}

func TestBatchPagesSendAndExport(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	mail := smtptest.Start(t)
	app.withSMTP(mail)
	u := app.user("editor@example.org", store.RoleEditor)
	a1 := app.authority("Borsetshire County Council", tracker.JurisdictionEngland)
	a2 := app.authority("Felpersham City Council", tracker.JurisdictionEngland)
	c := app.login(u.Email)
	res, body := c.postForm("/batches", url.Values{"title": {"Potholes ({{.Authority}})"}, "body": {"How many potholes did {{.Authority}} fill?"},
		"throttle_seconds": {"0"}, "authority_id": {fmt.Sprint(a1.ID), fmt.Sprint(a2.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	_, body = c.get(loc)
	if !strings.Contains(body, "Potholes (Borsetshire County Council)") && !strings.Contains(body, "Borsetshire County Council") {
		t.Fatalf("batch page:\n%s", body)
	}
	res, _ = c.postForm(loc+"/send", nil)
	wantStatus(t, res, http.StatusSeeOther)
	var id int64
	fmt.Sscanf(loc, "/batches/%d", &id)
	// Sent in the background: waited for generously (a loaded machine).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, _ := app.st.BatchByID(ctx, id)
		if b.State == store.BatchDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the batch is still %s (%s)", b.State, b.LastError)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(mail.Messages()); n != 2 {
		t.Fatalf("%d emails, want 2", n)
	}
	res, body = c.get(loc + "/export.csv")
	wantStatus(t, res, http.StatusOK)
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][6] != "sent" || recs[2][6] != "sent" || recs[1][9] != "2026-03-25" {
		t.Fatalf("csv %v %v", recs, err)
	}
	// A bad template is refused with the field named, nothing created.
	res, body = c.postForm("/batches", url.Values{"title": {"x {{.Nope}}"}, "body": {"y"}, "authority_id": {fmt.Sprint(a1.ID)}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Nope") {
		t.Fatalf("error page:\n%s", body)
	}
	if list, _ := app.st.Batches(ctx, ""); len(list) != 1 {
		t.Fatalf("%d batches", len(list))
	}
	// A request logged in the web app is owned by whoever logged it.
	res, _ = c.postForm("/requests", url.Values{"title": {"Gritting routes"}, "authority_id": {fmt.Sprint(a1.ID)}})
	wantStatus(t, res, http.StatusSeeOther)
	var rid int64
	fmt.Sscanf(res.Header.Get("Location"), "/requests/%d", &rid)
	if owner, _ := app.st.RequestOwner(ctx, rid); owner != u.ID {
		t.Fatalf("request %d is owned by %d, want the editor %d", rid, owner, u.ID)
	}
}

func TestAdminLetterAndMailSettings(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	admin := app.user("admin@example.org", store.RoleAdmin)
	c := app.login(admin.Email)
	for path, want := range map[string]string{"/admin/letters": "Request for {{.ReviewName}}", "/admin/reminders": "Outgoing mail (SMTP)",
		"/notifications/settings": "Calendar feed", "/batches": "Batches", "/batches/new": "New batch", "/notifications": "Notifications"} {
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, "{", "&#123;")) {
			t.Errorf("%s lacks %q", path, want)
		}
	}
	res, body := c.postForm("/admin/letters/chaser", url.Values{"subject": {"Chaser"}, "body": {"Dear {{.Authorty}}"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Authorty") {
		t.Fatal("the template error is not shown")
	}
	res, _ = c.postForm("/admin/letters/chaser", url.Values{"subject": {"Chaser: {{.Title}}"}, "body": {"Dear {{.Authority}}, where is it?"}})
	wantStatus(t, res, http.StatusSeeOther)
	if tpl, found, _ := app.st.LetterTemplate(ctx, "chaser", ""); !found || tpl.Body != "Dear {{.Authority}}, where is it?" {
		t.Fatalf("template %+v %v", tpl, found)
	}
	// Clear text to a remote server is refused; a password variable must be foitrack's own.
	res, body = c.postForm("/admin/reminders/smtp", url.Values{"host": {"smtp.example.org"}, "tls": {"none"}, "from": {"foi@example.org"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "only allowed to a server on this machine") {
		t.Fatal("no reason shown")
	}
	res, _ = c.postForm("/admin/reminders/smtp", url.Values{"host": {"smtp.example.org"}, "from": {"foi@example.org"}, "password_env": {"HOME"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	res, _ = c.postForm("/admin/reminders", url.Values{"schedule": {"every hour"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	res, _ = c.postForm("/admin/reminders", url.Values{"schedule": {"30 7 * * 1-5"}, "due_soon_days": {"5"}, "timezone": {"Europe/London"}})
	wantStatus(t, res, http.StatusSeeOther)
	if set, err := remind.LoadSettings(ctx, app.st); err != nil || set.Schedule != "30 7 * * 1-5" || set.DueSoonDays != 5 {
		t.Fatalf("settings %+v %v", set, err)
	}
}
