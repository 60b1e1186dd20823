package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"remind", "give the deadline reminders due now (--dry-run: show them and why, change nothing)", remindCmd})
	addBackgroundJob(BackgroundJob{Name: "reminders", Spec: reminderSpec, Run: runReminders})
	addBackgroundJob(BackgroundJob{Name: "batch sending", Spec: func(context.Context, *store.Store) (string, error) { return "@every 1m", nil },
		Run: resumeBatches})
}

const remindUsage = `[--dry-run] [--now TIME] [--json]

Works out, from every open request's deadlines, the reminders due at TIME
(default: now) — due soon, due today, overdue, long overdue, extension ending,
clarification owed, review due and overdue, review and complaint windows
closing — and gives each one not given before to the request's owner and
watchers (the admins when there are none): in the app, and by email to those
who have not turned email off, when an SMTP server is configured.

Each reminder is given once: a rerun, a restart or a second process gives
nothing twice; after a gap only the latest reminder of each deadline is given.

--now takes RFC 3339 (2026-04-01T09:00:00Z) or a date (2026-04-01, taken at
noon in the reminder time zone).

Settings (web app: Reminders and mail; or environment):
  FOITRACK_REMIND_SCHEDULE   cron schedule of the background job (default "0 * * * *"; "off")
  FOITRACK_BASE_URL          foitrack's public address, for links in emails and calendar feeds
  FOITRACK_SMTP_HOST, _PORT, _TLS (starttls|tls|none), _USERNAME, _PASSWORD or _PASSWORD_FILE,
  FOITRACK_SMTP_FROM, FOITRACK_SMTP_FROM_NAME
`

func remindCmd(env *Env, args []string) error {
	fs := newFlags(env, "remind", remindUsage)
	dry := fs.Bool("dry-run", false, "print what would be given now and why; change nothing, send nothing")
	nowFlag := fs.String("now", "", "pretend it is this time")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	open := env.Store
	if *dry {
		open = env.ExistingStore
	}
	st, err := open()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	r, err := remind.NewRunner(env.Ctx, st, log)
	if err != nil {
		return err
	}
	now := time.Now()
	if *nowFlag != "" {
		if now, err = parseNow(*nowFlag, r.Location); err != nil {
			return usagef("--now: %v", err)
		}
	}
	if !*dry {
		res, err := r.Run(env.Ctx, now)
		if *asJSON {
			if jerr := writeJSON(env, res); jerr != nil {
				return jerr
			}
		} else {
			fmt.Fprintf(env.Stdout, "Reminders given now: %d (given before: %d); emailed: %d; emails failed: %d.\n",
				res.Given, res.Already, res.Emailed, res.Failed)
			if r.Mailer == nil {
				fmt.Fprintln(env.Stdout, "No SMTP server is configured: reminders are in the app only.")
			}
		}
		return err
	}
	plan, err := r.Plan(env.Ctx, now)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			RequestID int64      `json:"request_id"`
			Title     string     `json:"title"`
			User      string     `json:"user"`
			Why       string     `json:"why"`
			Email     bool       `json:"email"`
			Given     bool       `json:"given_before"`
			Due       remind.Due `json:"reminder"`
		}
		var out []row
		for _, p := range plan {
			out = append(out, row{RequestID: p.Request.ID, Title: p.Request.Title, User: p.Recipient.User.Email, Why: p.Recipient.Why,
				Email: r.Mailer != nil && p.Recipient.EmailReminders, Given: p.Given, Due: p.Due})
		}
		return writeJSON(env, out)
	}
	today := tracker.DateOf(now.In(r.Location))
	var fresh, given int
	fmt.Fprintf(env.Stdout, "Reminders due at %s (today is %s in %s):\n", now.Format(time.RFC3339), today.Long(), zoneName(r.Location, now))
	for _, p := range plan {
		if p.Given {
			given++
			continue
		}
		fresh++
		channel := "in the app and by email"
		switch {
		case r.Mailer == nil:
			channel = "in the app (no SMTP server configured)"
		case !p.Recipient.EmailReminders:
			channel = "in the app (they turned email off)"
		}
		fmt.Fprintf(env.Stdout, "\n#%d %s — %s\n  %s, due %s → %s (%s), %s\n  why: %s\n", p.Request.ID, p.Request.Title,
			p.Request.AuthorityName, p.Due.Title, p.Due.DueDate.Long(), p.Recipient.User.Email, p.Recipient.Why, channel, p.Due.Text)
	}
	if fresh == 0 {
		fmt.Fprintln(env.Stdout, "\nNothing to give now.")
	}
	fmt.Fprintf(env.Stdout, "\n%d would be given now; %d due but given before. Nothing was changed (--dry-run).\n", fresh, given)
	return nil
}

// parseNow reads --now: RFC 3339, or a date taken at noon in loc.
func parseNow(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := tracker.ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 (2026-04-01T09:00:00Z) nor a date (2026-04-01)", s)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc), nil
}

func reminderSpec(ctx context.Context, st *store.Store) (string, error) {
	s, err := remind.LoadSettings(ctx, st)
	if err != nil {
		return "", err
	}
	return s.ScheduleSpec(), nil
}

// runReminders is the background job: the wall clock is read here, at the
// edge, and handed to the rules.
func runReminders(ctx context.Context, st *store.Store, log *slog.Logger) error {
	r, err := remind.NewRunner(ctx, st, log)
	if err != nil {
		return err
	}
	res, err := r.Run(ctx, time.Now())
	if res.Given > 0 || res.Emailed > 0 || res.Failed > 0 {
		log.Info("reminders", "given", res.Given, "emailed", res.Emailed, "failed", res.Failed)
	}
	return err
}

// resumeBatches carries on sending the batches left "sending" (by a restart
// in the middle of one, say). A batch being sent in this process is skipped.
func resumeBatches(ctx context.Context, st *store.Store, log *slog.Logger) error {
	list, err := st.Batches(ctx, store.BatchSending)
	if err != nil || len(list) == 0 {
		return err
	}
	cfg, err := outbound.LoadConfig(ctx, st, nil)
	if err != nil {
		return err
	}
	sender := &outbound.Sender{Store: st, Mailer: &outbound.SMTPMailer{Config: cfg}, Config: cfg}
	for _, b := range list {
		bs := &remind.BatchSender{Sender: sender, SenderName: cfg.FromName}
		res, err := bs.Send(ctx, b.ID)
		if tracker.ErrorCode(err) == tracker.ECONFLICT {
			continue
		}
		if err != nil {
			return fmt.Errorf("batch %d: %w", b.ID, err)
		}
		log.Info("batch resumed", "batch", b.ID, "sent", len(res.Sent), "failed", res.Failed)
	}
	return nil
}

// zoneName names the zone "today" is counted in for a person: time.Local
// calls itself "Local", which says nothing about where that is.
func zoneName(loc *time.Location, at time.Time) string {
	if loc != time.Local {
		return loc.String()
	}
	abbr, _ := at.In(loc).Zone()
	return "the server's time zone, " + abbr
}
