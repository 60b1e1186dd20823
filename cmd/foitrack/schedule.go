package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/store"
)

// settingsCheckInterval is how often serve reads the jobs' schedules again,
// so that a schedule an admin changes in the web app applies without a
// restart.
const settingsCheckInterval = time.Minute

// jobScheduler keeps serve's background jobs on the cron schedules their
// settings give, and moves a job to its new schedule when the setting
// changes.
//
// Each job is wrapped once (Recover, SkipIfStillRunning) and the same
// wrapped job is given to cron whenever it is rescheduled: the skip guard
// lives in the wrapper, so a run in progress under the old schedule still
// keeps the new schedule from starting a second one. The cron must
// therefore have no chain of its own (cron.New() without WithChain).
type jobScheduler struct {
	cron *cron.Cron
	st   *store.Store
	log  *slog.Logger

	mu   sync.Mutex // one reload at a time
	jobs []*scheduledJob
}

type scheduledJob struct {
	BackgroundJob
	run    cron.Job     // the job wrapped once, reused across reschedules
	loaded bool         // its schedule has been read once
	spec   string       // the schedule it runs on; "" when off
	id     cron.EntryID // its cron entry while spec != ""
}

// newJobScheduler wraps jobs for c; their runs get jobCtx. Nothing is
// scheduled before the first reload.
func newJobScheduler(c *cron.Cron, st *store.Store, log *slog.Logger, jobCtx context.Context, jobs []BackgroundJob) *jobScheduler {
	cronLog := cron.PrintfLogger(slog.NewLogLogger(log.Handler(), slog.LevelInfo))
	chain := cron.NewChain(cron.Recover(cronLog), cron.SkipIfStillRunning(cronLog))
	s := &jobScheduler{cron: c, st: st, log: log}
	for _, j := range jobs {
		run := chain.Then(cron.FuncJob(func() {
			if err := j.Run(jobCtx, st, log); err != nil {
				log.Error("job failed", "job", j.Name, "err", err)
			}
		}))
		s.jobs = append(s.jobs, &scheduledJob{BackgroundJob: j, run: run})
	}
	return s
}

// reload reads every job's schedule and puts the job on it: a new schedule
// replaces the old entry, "" removes it. A schedule that cannot be read or
// parsed leaves the job on the one it has; those errors are returned,
// joined, after the other jobs are done.
func (s *jobScheduler) reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, j := range s.jobs {
		if err := s.reloadJob(ctx, j); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *jobScheduler) reloadJob(ctx context.Context, j *scheduledJob) error {
	spec, err := j.Spec(ctx, s.st)
	if err != nil {
		return fmt.Errorf("job %s: unable to read its schedule%s: %w", j.Name, keeping(j), err)
	}
	if j.loaded && spec == j.spec {
		return nil
	}
	var sched cron.Schedule
	if spec != "" {
		// The parser cron.New uses, and the settings pages validate with.
		if sched, err = cron.ParseStandard(spec); err != nil {
			return fmt.Errorf("job %s: bad schedule %q%s: %w", j.Name, spec, keeping(j), err)
		}
	}
	if j.spec != "" {
		s.cron.Remove(j.id)
		j.id = 0
	}
	if sched != nil {
		j.id = s.cron.Schedule(sched, j.run)
	}
	switch {
	case !j.loaded && spec == "":
		s.log.Info("job disabled", "job", j.Name)
	case !j.loaded:
		s.log.Info("job scheduled", "job", j.Name, "schedule", spec)
	default:
		s.log.Info(fmt.Sprintf("%s schedule changed from %s to %s", j.Name, quoteSpec(j.spec), quoteSpec(spec)), "job", j.Name)
	}
	j.loaded, j.spec = true, spec
	return nil
}

// watch adds a cron entry that reloads the schedules every interval; the
// reload's errors are logged and the jobs keep running as they were.
func (s *jobScheduler) watch(ctx context.Context, interval time.Duration) {
	cronLog := cron.PrintfLogger(slog.NewLogLogger(s.log.Handler(), slog.LevelInfo))
	check := cron.NewChain(cron.Recover(cronLog), cron.SkipIfStillRunning(cronLog)).Then(cron.FuncJob(func() {
		// The settings file first: a schedule changed there applies now too.
		if err := config.Reload(); err != nil {
			s.log.Error("settings file not read again; keeping the settings it gave", "err", err)
		}
		if err := s.reload(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("schedule not changed", "err", err)
		}
	}))
	s.cron.Schedule(cron.Every(interval), check)
}

// entry is the job's cron entry (the zero Entry when it is not scheduled).
func (s *jobScheduler) entry(name string) cron.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.Name == name && j.spec != "" {
			return s.cron.Entry(j.id)
		}
	}
	return cron.Entry{}
}

// keeping says, in an error, which schedule the job stays on.
func keeping(j *scheduledJob) string {
	if !j.loaded {
		return ""
	}
	return " (keeping " + quoteSpec(j.spec) + ")"
}

func quoteSpec(spec string) string {
	if spec == "" {
		return "off"
	}
	return strconv.Quote(spec)
}
