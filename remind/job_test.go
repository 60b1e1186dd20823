package remind_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/mail"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack/internal/smtptest"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func init() { store.PasswordCost = bcrypt.MinCost }

// world is a data directory with users and requests, and a clock.
type world struct {
	t    *testing.T
	dir  string
	st   *store.Store
	now  time.Time
	smtp *smtptest.Server
	auth tracker.Authority
	ids  map[string]int64           // request name -> id
	user map[string]store.User      // user name -> user
	evs  map[string][]tracker.Event // date -> events to record that day
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, dir: t.TempDir(), ids: map[string]int64{}, user: map[string]store.User{}, evs: map[string][]tracker.Event{}}
	w.open()
	ctx := context.Background()
	w.auth = tracker.Authority{Name: "Kent Police", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@kent.police.uk"}
	if err := w.st.CreateAuthority(ctx, &w.auth); err != nil {
		t.Fatal(err)
	}
	for _, u := range []store.User{
		{Email: "ada@campaign.example", Name: "Ada", Role: store.RoleAdmin},
		{Email: "olu@campaign.example", Name: "Olu", Role: store.RoleEditor},
		{Email: "wen@campaign.example", Name: "Wen", Role: store.RoleViewer},
	} {
		if err := w.st.CreateUser(ctx, &u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		w.user[u.Name] = u
	}
	return w
}

// open (re)opens the store: a restart is a new Store on the same directory.
func (w *world) open() {
	st, err := store.Open(context.Background(), w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { st.Close() })
	st.Now = func() time.Time { return w.now }
	w.st = st
}

func (w *world) restart() {
	w.st.Close()
	w.open()
}

// request creates a draft request owned by owner ("" for none).
func (w *world) request(name, owner string, watchers ...string) {
	ctx := context.Background()
	r := tracker.Request{Title: name, AuthorityID: w.auth.ID}
	if err := w.st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
		w.t.Fatal(err)
	}
	w.ids[name] = r.ID
	if owner != "" {
		if err := w.st.SetRequestOwner(ctx, r.ID, w.user[owner].ID); err != nil {
			w.t.Fatal(err)
		}
	}
	for _, u := range watchers {
		if err := w.st.SetWatching(ctx, r.ID, w.user[u].ID, true); err != nil {
			w.t.Fatal(err)
		}
	}
}

// on schedules an event to be recorded on its date, as the clock passes it.
func (w *world) on(date, name string, e tracker.Event) {
	e.Date = tracker.MustParseDate(date)
	e.RequestID = w.ids[name]
	w.evs[date] = append(w.evs[date], e)
}

// recordDay records the events dated day.
func (w *world) recordDay(day tracker.Date) {
	for _, e := range w.evs[day.String()] {
		if err := w.st.AddEvent(context.Background(), &e); err != nil {
			w.t.Fatalf("%s: %v", day, err)
		}
	}
}

func (w *world) runner() *remind.Runner {
	r := &remind.Runner{Store: w.st, Location: time.UTC, BaseURL: "https://foitrack.campaign.example"}
	if w.smtp != nil {
		s := outbound.Settings{Host: w.smtp.Host, Port: w.smtp.Port, TLS: outbound.TLSNone, From: "reminders@campaign.example", FromName: "foitrack"}
		cfg, err := s.Resolve(func(string) string { return "" })
		if err != nil {
			w.t.Fatal(err)
		}
		r.Mailer = &outbound.SMTPMailer{Config: cfg}
		r.From = mail.Address{Name: cfg.FromName, Address: cfg.From}
	}
	return r
}

// given is one reminder as the log shows it: to whom, about what, and the
// day it was given.
type given struct{ Request, User, Deadline, Kind, Due, On string }

func (g given) String() string {
	return fmt.Sprintf("%s→%s %s/%s due %s on %s", g.Request, g.User, g.Deadline, g.Kind, g.Due, g.On)
}

func (w *world) log() []given {
	rems, err := w.st.Reminders(context.Background(), store.ReminderFilter{})
	if err != nil {
		w.t.Fatal(err)
	}
	names := map[int64]string{}
	for n, id := range w.ids {
		names[id] = n
	}
	users := map[int64]string{}
	for n, u := range w.user {
		users[u.ID] = n
	}
	var out []given
	for _, r := range rems {
		out = append(out, given{names[r.RequestID], users[r.UserID], r.Deadline, r.Kind, r.DueDate.String(), r.CreatedAt.Format("2006-01-02")})
	}
	sortGiven(out)
	return out
}

func sortGiven(l []given) {
	sort.Slice(l, func(i, j int) bool { return l[i].String() < l[j].String() })
}

func day(s string) tracker.Date { return tracker.MustParseDate(s) }

// TestClockAcrossRequests moves a clock day by day from 1 March to 10 June
// 2026 over five UK FOIA requests — an ordinary one, one with a
// clarification, one with an extension, one refused, and one whose internal
// review goes overdue — recording their events as the days come, running the
// job twice a day and restarting the "server" midway. The reminders given
// must be exactly those the rules call for, on the day they call for them,
// each once.
func TestClockAcrossRequests(t *testing.T) {
	w := newWorld(t)
	w.smtp = smtptest.Start(t)
	w.now = time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	w.request("A ordinary", "Olu", "Olu") // an owner who also watches is told once
	w.request("B clarification", "Olu")
	w.request("C extension", "Olu")
	w.request("D refused", "Olu", "Wen") // Wen has turned email reminders off
	w.request("E review", "")            // nobody: the admins are told

	ctx := context.Background()
	if err := w.st.SaveUserPreferences(ctx, store.Preferences{UserID: w.user["Wen"].ID, EmailReminders: false}); err != nil {
		t.Fatal(err)
	}
	w.on("2026-02-02", "E review", tracker.Event{Kind: tracker.EventSent})
	w.on("2026-03-02", "A ordinary", tracker.Event{Kind: tracker.EventSent})
	w.on("2026-03-02", "B clarification", tracker.Event{Kind: tracker.EventSent})
	w.on("2026-03-02", "C extension", tracker.Event{Kind: tracker.EventSent})
	w.on("2026-03-02", "D refused", tracker.Event{Kind: tracker.EventSent})
	w.on("2026-03-02", "E review", tracker.Event{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}})
	w.on("2026-03-04", "E review", tracker.Event{Kind: tracker.EventReviewRequested})
	w.on("2026-03-09", "B clarification", tracker.Event{Kind: tracker.EventClarificationRequested})
	w.on("2026-03-16", "B clarification", tracker.Event{Kind: tracker.EventClarificationSent})
	w.on("2026-03-20", "D refused", tracker.Event{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)", "s40(2)"}})
	w.on("2026-03-30", "C extension", tracker.Event{Kind: tracker.EventExtensionClaimed, NewDueDate: day("2026-04-28"), Reason: "public interest test"})
	w.on("2026-04-17", "B clarification", tracker.Event{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeReleasedInPart, Exemptions: []string{"s43(2)"}})
	w.on("2026-04-29", "C extension", tracker.Event{Kind: tracker.EventResponseReceived, Outcome: tracker.OutcomeReleasedInFull})

	w.recordDay(day("2026-02-02"))
	runner := w.runner()
	for d := day("2026-03-01"); !d.After(day("2026-06-10")); d = d.AddDays(1) {
		if d.Equal(day("2026-04-15")) {
			w.restart() // new process state, same database
			runner = w.runner()
		}
		w.now = d.Time().Add(8 * time.Hour)
		w.recordDay(d)
		for i, hour := range []int{9, 15} {
			w.now = d.Time().Add(time.Duration(hour) * time.Hour)
			res, err := runner.Run(ctx, w.now)
			if err != nil {
				t.Fatalf("%s %02d:00: %v", d, hour, err)
			}
			if i == 1 && (res.Given != 0 || res.Emailed != 0) {
				t.Fatalf("%s: the afternoon rerun gave %d reminders and sent %d emails, want none", d, res.Given, res.Emailed)
			}
			if res.Failed != 0 {
				t.Fatalf("%s: %d emails failed", d, res.Failed)
			}
		}
	}

	// What the rules say (hand-computed from the statute and the UK bank
	// holidays: 17 Mar St Patrick's Day, 3 and 6 Apr Easter, 4 and 25 May).
	rules := []given{
		// A: due Tue 31 Mar; due soon 3 working days before; long overdue
		// after the 20th working day past it, Thu 30 Apr.
		{"A ordinary", "Olu", "response", "due_soon", "2026-03-31", "2026-03-26"},
		{"A ordinary", "Olu", "response", "due_today", "2026-03-31", "2026-03-31"},
		{"A ordinary", "Olu", "response", "overdue", "2026-03-31", "2026-04-01"},
		{"A ordinary", "Olu", "response", "long_overdue", "2026-03-31", "2026-05-01"},
		// B: clarification asked 9 Mar (we owe it), answered 16 Mar, which
		// restarts the count: due Thu 16 Apr. Part-released 17 Apr: ask for
		// a review by Tue 16 Jun (40 working days), closing from 2 Jun.
		{"B clarification", "Olu", "clarification", "owed", "2026-03-09", "2026-03-09"},
		{"B clarification", "Olu", "response", "due_soon", "2026-04-16", "2026-04-13"},
		{"B clarification", "Olu", "response", "due_today", "2026-04-16", "2026-04-16"},
		{"B clarification", "Olu", "review_ask_by", "your_move", "2026-06-16", "2026-04-17"},
		{"B clarification", "Olu", "review_ask_by", "closing_soon", "2026-06-16", "2026-06-02"},
		// C: due soon for 31 Mar, then extended on 30 Mar to Tue 28 Apr.
		{"C extension", "Olu", "response", "due_soon", "2026-03-31", "2026-03-26"},
		{"C extension", "Olu", "extended", "due_soon", "2026-04-28", "2026-04-23"},
		{"C extension", "Olu", "extended", "due_today", "2026-04-28", "2026-04-28"},
		// D: refused 20 Mar: ask for a review by Wed 20 May, reminded the
		// day the step comes into force (as "Needs you" lists it from then).
		{"D refused", "Olu", "review_ask_by", "your_move", "2026-05-20", "2026-03-20"},
		{"D refused", "Wen", "review_ask_by", "your_move", "2026-05-20", "2026-03-20"},
		{"D refused", "Olu", "review_ask_by", "closing_soon", "2026-05-20", "2026-05-06"},
		{"D refused", "Olu", "review_ask_by", "closes_today", "2026-05-20", "2026-05-20"},
		{"D refused", "Wen", "review_ask_by", "closing_soon", "2026-05-20", "2026-05-06"},
		{"D refused", "Wen", "review_ask_by", "closes_today", "2026-05-20", "2026-05-20"},
		// E: review asked 4 Mar, due Thu 2 Apr, long overdue after Tue 5 May;
		// overdue, so the ICO window (3 months after the 2 Mar refusal, Tue
		// 2 Jun) is chased too.
		// (E was sent 2 Feb: its response was due Mon 2 Mar, one working
		// day after the clock starts on Sun 1 Mar.)
		{"E review", "Ada", "response", "due_soon", "2026-03-02", "2026-03-01"},
		// Refused on 2 Mar (ask for a review by Thu 30 Apr, 40 working
		// days): the step is ours that day, until the review is asked on 4 Mar.
		{"E review", "Ada", "review_ask_by", "your_move", "2026-04-30", "2026-03-02"},
		{"E review", "Ada", "review", "due_soon", "2026-04-02", "2026-03-30"},
		{"E review", "Ada", "review", "due_today", "2026-04-02", "2026-04-02"},
		{"E review", "Ada", "review", "overdue", "2026-04-02", "2026-04-03"},
		{"E review", "Ada", "review", "long_overdue", "2026-04-02", "2026-05-06"},
		// The late review (due Thu 2 Apr) opens the ICO window until Thu 2
		// Jul, 3 months from the day it was due: its reminders fall after
		// this test's last day, as on the request page and in the feed.
	}
	sortGiven(rules)
	got := w.log()
	if fmt.Sprint(got) != fmt.Sprint(rules) {
		t.Fatalf("reminders given:\n%s\nthe rules say:\n%s", lines(got), lines(rules))
	}

	// The day after: a rerun, and a restart, give nothing more.
	for _, restart := range []bool{false, true} {
		if restart {
			w.restart()
		}
		res, err := w.runner().Run(ctx, w.now)
		if err != nil || res.Given != 0 || res.Emailed != 0 {
			t.Fatalf("rerun (restart %v): %+v %v", restart, res, err)
		}
	}

	// Emails: one per reminder for Olu and Ada; none for Wen, who turned
	// them off (she still has her notifications).
	msgs := w.smtp.Messages()
	if want := len(rules) - 3; len(msgs) != want {
		t.Fatalf("%d emails, want %d", len(msgs), want)
	}
	rems, _ := w.st.Reminders(ctx, store.ReminderFilter{})
	for _, r := range rems {
		want := store.EmailSent
		if r.UserID == w.user["Wen"].ID {
			want = store.EmailOff
		}
		if r.EmailState != want || r.NotificationID == 0 {
			t.Fatalf("reminder %+v: email %s, want %s", r, r.EmailState, want)
		}
	}
	var overdue *smtptest.Message
	for i, m := range msgs {
		if bytes.Contains(m.Data, []byte("Subject: [foitrack] Response overdue: A ordinary")) {
			overdue = &msgs[i]
		}
	}
	if overdue == nil || overdue.To[0] != "olu@campaign.example" || overdue.From != "reminders@campaign.example" {
		t.Fatalf("no overdue email to Olu for A: %+v", overdue)
	}
	mr, err := gomail.CreateReader(bytes.NewReader(overdue.Data))
	if err != nil {
		t.Fatal(err)
	}
	if mr.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Fatal("a reminder email is not marked Auto-Submitted")
	}
	if d, _ := mr.Header.Date(); !d.Equal(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("Date %v, want the run's clock", d)
	}
	p, _ := mr.NextPart()
	raw, err := io.ReadAll(p.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(string(raw), "\r\n", "\n")
	for _, want := range []string{"The response was due Tue 31 Mar 2026 and is 1 working day late.",
		"https://foitrack.campaign.example/requests/", "Due Tue 31 Mar 2026, the 20th working day after the date of receipt",
		"https://foitrack.campaign.example/notifications/settings"} {
		if !strings.Contains(body, want) {
			t.Fatalf("email body lacks %q:\n%s", want, body)
		}
	}

	// In the app: Wen has her three notifications, unread.
	n, err := w.st.UnreadNotifications(ctx, w.user["Wen"].ID)
	if err != nil || n != 3 {
		t.Fatalf("Wen has %d unread notifications (%v), want 3", n, err)
	}
}

// TestMissedRunsCatchUpOnce: a server down for weeks gives, on its return,
// the latest reminder of each deadline only — never the ones it missed, and
// never an earlier one after a later.
func TestMissedRunsCatchUpOnce(t *testing.T) {
	w := newWorld(t)
	w.now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w.request("A ordinary", "Olu")
	ctx := context.Background()
	if err := w.st.AddEvent(ctx, &tracker.Event{RequestID: w.ids["A ordinary"], Kind: tracker.EventSent, Date: day("2026-03-02")}); err != nil {
		t.Fatal(err)
	}
	r := w.runner()
	run := func(date string) remind.Result {
		w.now = day(date).Time().Add(9 * time.Hour)
		res, err := r.Run(ctx, w.now)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	run("2026-03-02")
	// Down from 3 Mar until 2 Apr: due soon (26 Mar) and due today (31 Mar)
	// were missed; 2 Apr is overdue.
	if res := run("2026-04-02"); res.Given != 1 {
		t.Fatalf("catch-up gave %d reminders, want 1", res.Given)
	}
	// Down again until 4 May: the long overdue one (from 1 May) is given once.
	if res := run("2026-05-04"); res.Given != 1 {
		t.Fatalf("second catch-up gave %d, want 1", res.Given)
	}
	for _, d := range []string{"2026-05-05", "2026-05-06", "2026-06-01"} {
		if res := run(d); res.Given != 0 {
			t.Fatalf("%s gave %d", d, res.Given)
		}
	}
	want := []given{
		{"A ordinary", "Olu", "response", "overdue", "2026-03-31", "2026-04-02"},
		{"A ordinary", "Olu", "response", "long_overdue", "2026-03-31", "2026-05-04"},
	}
	sortGiven(want)
	if got := w.log(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log:\n%s\nwant:\n%s", lines(got), lines(want))
	}
	// An earlier stage is not given after a later one, even when asked
	// for directly (a clock set back).
	if res := run("2026-03-31"); res.Given != 0 {
		t.Fatalf("a clock set back to the due date gave %d reminders", res.Given)
	}
}

// TestConcurrentRunsGiveEachReminderOnce runs the job from two "processes"
// (two stores on one database) at the same moment, several times over: every
// reminder is given once and emailed once.
func TestConcurrentRunsGiveEachReminderOnce(t *testing.T) {
	w := newWorld(t)
	w.smtp = smtptest.Start(t)
	w.now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	const n = 12
	for i := range n {
		name := fmt.Sprintf("R%02d", i)
		w.request(name, "Olu", "Ada")
		if err := w.st.AddEvent(ctx, &tracker.Event{RequestID: w.ids[name], Kind: tracker.EventSent, Date: day("2026-03-02")}); err != nil {
			t.Fatal(err)
		}
	}
	w.now = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC) // all overdue
	other, err := store.Open(ctx, w.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Now = func() time.Time { return w.now }
	r1 := w.runner()
	r2 := w.runner()
	r2.Store = other

	var wg sync.WaitGroup
	results := make([]remind.Result, 6)
	errs := make([]error, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := r1
			if i%2 == 1 {
				r = r2
			}
			results[i], errs[i] = r.Run(ctx, w.now)
		}()
	}
	wg.Wait()
	total, emailed := 0, 0
	for i := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		total += results[i].Given
		emailed += results[i].Emailed
	}
	if total != 2*n || emailed != 2*n {
		t.Fatalf("given %d, emailed %d; want %d each", total, emailed, 2*n)
	}
	if got := len(w.log()); got != 2*n {
		t.Fatalf("log has %d rows, want %d", got, 2*n)
	}
	seen := map[string]bool{}
	for _, m := range w.smtp.Messages() {
		mr, err := gomail.CreateReader(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		subj, _ := mr.Header.Subject()
		key := m.To[0] + " " + subj
		if seen[key] {
			t.Fatalf("emailed twice: %s", key)
		}
		seen[key] = true
	}
	if len(seen) != 2*n {
		t.Fatalf("%d distinct emails, want %d", len(seen), 2*n)
	}
}

// TestFailedReminderEmailIsRetriedNotDuplicated: a refusing server leaves the
// email failed (the notification stands); the next run sends it once.
func TestFailedReminderEmailIsRetriedNotDuplicated(t *testing.T) {
	w := newWorld(t)
	w.smtp = smtptest.Start(t)
	w.now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w.request("A ordinary", "Olu")
	ctx := context.Background()
	if err := w.st.AddEvent(ctx, &tracker.Event{RequestID: w.ids["A ordinary"], Kind: tracker.EventSent, Date: day("2026-03-02")}); err != nil {
		t.Fatal(err)
	}
	w.smtp.Close()
	w.now = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	res, err := w.runner().Run(ctx, w.now)
	if err != nil || res.Given != 1 || res.Failed != 1 || res.Emailed != 0 {
		t.Fatalf("with the mail server down: %+v %v", res, err)
	}
	rems, _ := w.st.Reminders(ctx, store.ReminderFilter{})
	if rems[0].EmailState != store.EmailFailed || rems[0].EmailError == "" {
		t.Fatalf("%+v", rems[0])
	}
	w.smtp = smtptest.Start(t)
	w.now = w.now.Add(time.Hour)
	res, err = w.runner().Run(ctx, w.now)
	if err != nil || res.Given != 0 || res.Emailed != 1 {
		t.Fatalf("next run: %+v %v", res, err)
	}
	res, _ = w.runner().Run(ctx, w.now.Add(time.Hour))
	if res.Emailed != 0 || len(w.smtp.Messages()) != 1 {
		t.Fatalf("the email went out %d times", len(w.smtp.Messages()))
	}
}

func lines(l []given) string {
	var b strings.Builder
	for _, g := range l {
		b.WriteString("  " + g.String() + "\n")
	}
	return b.String()
}
