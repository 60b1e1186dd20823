package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
)

// lockedBuffer is a log destination that cron's goroutines may write to
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// schedulerWorld is a running cron and a jobScheduler over the real schedule
// settings (mail sync and reminders) of a fresh store; the jobs' runs only
// count.
type schedulerWorld struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	cron  *cron.Cron
	jobs  *jobScheduler
	log   *lockedBuffer
	runs  atomic.Int32
	block chan struct{} // the first run waits on it (nil: no run waits)
	began chan struct{}
}

func newSchedulerWorld(t *testing.T) *schedulerWorld {
	t.Helper()
	// The settings, not the environment of whoever runs the tests.
	for _, e := range mailsync.EnvVars() {
		t.Setenv(e.Name, "")
	}
	t.Setenv(remind.EnvSchedule, "")
	ctx := store.WithActor(context.Background(), "test")
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &schedulerWorld{t: t, ctx: ctx, st: st, cron: cron.New(), log: &lockedBuffer{}, began: make(chan struct{}, 1)}
	count := func(context.Context, *store.Store, *slog.Logger) error {
		if w.runs.Add(1) == 1 && w.block != nil {
			w.began <- struct{}{}
			<-w.block
		}
		return nil
	}
	jobs := []BackgroundJob{{Name: "mail sync", Spec: mailSyncSpec, Run: count}, {Name: "reminders", Spec: reminderSpec, Run: count}}
	log := slog.New(slog.NewTextHandler(w.log, nil))
	w.jobs = newJobScheduler(w.cron, st, log, ctx, jobs)
	// Running, as in serve: entries are then added and removed through the
	// cron's own goroutine.
	w.cron.Start()
	t.Cleanup(func() {
		<-w.cron.Stop().Done()
		st.Close()
	})
	return w
}

// put stores a setting as it is, without the settings pages' validation (a
// hand-edited database, or one written by another version).
func (w *schedulerWorld) put(key string, v any) {
	w.t.Helper()
	if err := w.st.PutSetting(w.ctx, key, v); err != nil {
		w.t.Fatal(err)
	}
}

// next is when the job's cron entry runs next after from; the zero time when
// the job has no entry.
func (w *schedulerWorld) next(job string, from time.Time) time.Time {
	w.t.Helper()
	e := w.jobs.entry(job)
	if !e.Valid() {
		return time.Time{}
	}
	return e.Schedule.Next(from)
}

// entries counts the cron's entries (a replaced schedule must not leave its
// old entry behind).
func (w *schedulerWorld) entries() int { return len(w.cron.Entries()) }

// A fixed instant, in the zone the cron reads schedules in, away from any
// daylight saving change: Wed 10 Jun 2026 10:20.
var scheduleFrom = time.Date(2026, 6, 10, 10, 20, 0, 0, time.Local)

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 6, day, hour, minute, 0, 0, time.Local)
}

func TestJobSchedulerFollowsTheSettings(t *testing.T) {
	w := newSchedulerWorld(t)
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	// Defaults: reminders hourly; no mailbox, so no mail sync.
	if got := w.next("reminders", scheduleFrom); !got.Equal(at(10, 11, 0)) {
		t.Fatalf("reminders next at %v, want 11:00 (hourly)", got)
	}
	if got := w.next("mail sync", scheduleFrom); !got.IsZero() {
		t.Fatalf("mail sync scheduled (next %v) with no mailbox", got)
	}
	if w.entries() != 1 {
		t.Fatalf("%d cron entries, want 1", w.entries())
	}

	// An admin sets a mailbox and a schedule (through the page's own save)
	// and a daily reminder: both apply at the next reload.
	if err := mailsync.SaveConfig(w.ctx, w.st, mailsync.Config{Host: "imap.example.org", Username: "foi", Schedule: "*/10 * * * *"}); err != nil {
		t.Fatal(err)
	}
	w.put(remind.SettingKey, remind.Settings{Schedule: "30 6 * * *"})
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.next("mail sync", scheduleFrom); !got.Equal(at(10, 10, 30)) {
		t.Errorf("mail sync next at %v, want 10:30 (every 10 minutes)", got)
	}
	if got := w.next("reminders", scheduleFrom); !got.Equal(at(11, 6, 30)) {
		t.Errorf("reminders next at %v, want 06:30 the next day", got)
	}
	if w.entries() != 2 {
		t.Errorf("%d cron entries, want 2 (the old reminder entry removed)", w.entries())
	}
	for _, want := range []string{`mail sync schedule changed from off to \"*/10 * * * *\"`, `reminders schedule changed from \"0 * * * *\" to \"30 6 * * *\"`} {
		if !strings.Contains(w.log.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, w.log.String())
		}
	}

	// A reload with nothing changed changes nothing (the same entries).
	before := w.jobs.entry("mail sync").ID
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	if after := w.jobs.entry("mail sync").ID; after != before {
		t.Errorf("an unchanged schedule was rescheduled: entry %d became %d", before, after)
	}

	// "off" (Spec "") removes the entry.
	w.put(remind.SettingKey, remind.Settings{Schedule: "off"})
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.next("reminders", scheduleFrom); !got.IsZero() {
		t.Errorf("reminders still scheduled (next %v) after off", got)
	}
	if w.entries() != 1 {
		t.Errorf("%d cron entries, want 1", w.entries())
	}
	if !strings.Contains(w.log.String(), `reminders schedule changed from \"30 6 * * *\" to off`) {
		t.Errorf("log lacks the reminders going off:\n%s", w.log.String())
	}
}

// A schedule that cannot be used keeps the job on the one it has, and says
// which job, what was wrong and what is kept.
func TestJobSchedulerKeepsTheScheduleOnABadOne(t *testing.T) {
	w := newSchedulerWorld(t)
	if err := mailsync.SaveConfig(w.ctx, w.st, mailsync.Config{Host: "imap.example.org", Username: "foi", Schedule: "*/10 * * * *"}); err != nil {
		t.Fatal(err)
	}
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	mailEntry, remindEntry := w.jobs.entry("mail sync").ID, w.jobs.entry("reminders").ID

	// The mail settings are read without validation: the bad spec reaches
	// the scheduler. The reminder settings are validated when read: Spec
	// fails. One bad job does not stop the reload of the other.
	w.put(mailsync.SettingKey, mailsync.Config{Host: "imap.example.org", Username: "foi", Schedule: "*/10 * * *"})
	w.put(remind.SettingKey, remind.Settings{Schedule: "every hour"})
	err := w.jobs.reload(w.ctx)
	if err == nil {
		t.Fatal("bad schedules reloaded without an error")
	}
	for _, want := range []string{`job mail sync: bad schedule "*/10 * * *" (keeping "*/10 * * * *")`,
		`job reminders: unable to read its schedule (keeping "0 * * * *")`, "not a cron schedule"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if got := w.next("mail sync", scheduleFrom); !got.Equal(at(10, 10, 30)) {
		t.Errorf("mail sync next at %v, want the old schedule's 10:30", got)
	}
	if got := w.next("reminders", scheduleFrom); !got.Equal(at(10, 11, 0)) {
		t.Errorf("reminders next at %v, want the old schedule's 11:00", got)
	}
	if w.jobs.entry("mail sync").ID != mailEntry || w.jobs.entry("reminders").ID != remindEntry || w.entries() != 2 {
		t.Errorf("entries changed on a bad schedule: %+v", w.cron.Entries())
	}

	// Fixed, it applies.
	w.put(mailsync.SettingKey, mailsync.Config{Host: "imap.example.org", Username: "foi", Schedule: "0 8 * * *"})
	if err := w.jobs.reload(w.ctx); err == nil || strings.Contains(err.Error(), "mail sync") {
		t.Fatalf("reload: %v (want only the reminders' error)", err)
	}
	if got := w.next("mail sync", scheduleFrom); !got.Equal(at(11, 8, 0)) {
		t.Errorf("mail sync next at %v, want 08:00 the next day", got)
	}
}

// The job is wrapped once: a run still going under the old schedule keeps
// the new schedule's entry from starting a second one.
func TestJobSchedulerNeverRunsAJobTwiceAcrossAReschedule(t *testing.T) {
	w := newSchedulerWorld(t)
	w.block = make(chan struct{})
	// Schedules the wall clock does not reach during the test (29 February,
	// at night): the runs here are the test's own.
	w.put(remind.SettingKey, remind.Settings{Schedule: "0 3 29 2 *"})
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	old := w.jobs.entry("reminders")
	firstDone := make(chan struct{})
	go func() { // as cron starts a due job
		old.WrappedJob.Run()
		close(firstDone)
	}()
	<-w.began

	w.put(remind.SettingKey, remind.Settings{Schedule: "0 4 29 2 *"})
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	renewed := w.jobs.entry("reminders")
	if renewed.ID == old.ID {
		t.Fatal("the reminders were not rescheduled")
	}
	renewed.WrappedJob.Run() // due under the new schedule while the old run goes on: skipped
	if n := w.runs.Load(); n != 1 {
		t.Fatalf("%d runs at once, want 1", n)
	}
	close(w.block)
	<-firstDone
	renewed.WrappedJob.Run() // the first run is over: this one runs
	if n := w.runs.Load(); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
}

// TestScheduleFromTheSettingsFileAppliesWithoutRestart: a schedule given in
// the settings file (serve --config) wins over the stored one, and a change
// to the file is taken up by the next check, as the watch does it.
func TestScheduleFromTheSettingsFileAppliesWithoutRestart(t *testing.T) {
	t.Cleanup(config.Reset)
	w := newSchedulerWorld(t)
	w.put(remind.SettingKey, remind.Settings{Schedule: "30 6 * * *"})
	file := filepath.Join(t.TempDir(), "foitrack.env")
	os.WriteFile(file, []byte("FOITRACK_REMIND_SCHEDULE=15 7 * * *\n"), 0o600)
	if err := config.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.next("reminders", scheduleFrom); !got.Equal(at(11, 7, 15)) {
		t.Fatalf("reminders next at %v, want 07:15 from the settings file", got)
	}
	os.WriteFile(file, []byte("FOITRACK_REMIND_SCHEDULE=off\n"), 0o600)
	if err := config.Reload(); err != nil {
		t.Fatal(err)
	}
	if err := w.jobs.reload(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.next("reminders", scheduleFrom); !got.IsZero() {
		t.Fatalf("reminders still scheduled (next %v) after the file said off", got)
	}
	if !strings.Contains(w.log.String(), `reminders schedule changed from \"15 7 * * *\" to off`) {
		t.Errorf("log:\n%s", w.log.String())
	}
}
