package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// SettingKey is the setting that holds the reminder Settings.
const SettingKey = "reminders"

// DefaultSchedule runs the reminder job at the top of every hour.
const DefaultSchedule = "0 * * * *"

// EnvSchedule overrides the stored schedule.
const EnvSchedule = "FOITRACK_REMIND_SCHEDULE"

// EnvBaseURL is the public address of foitrack, for links in reminder mail
// and calendar feeds (the same variable `foitrack serve` reads).
const EnvBaseURL = "FOITRACK_BASE_URL"

// Settings are the reminder job's settings, editable by an admin.
type Settings struct {
	Rules
	// Schedule is a cron spec (5 fields); "off" stops the scheduled job.
	Schedule string `json:"schedule"`
	// Timezone is the IANA zone in which "today" is counted (default: the
	// server's local zone).
	Timezone string `json:"timezone"`
	// BaseURL is foitrack's public address for links in mail (default $FOITRACK_BASE_URL).
	BaseURL string `json:"base_url"`
}

// LoadSettings reads the stored settings with the environment overrides and
// defaults applied, and checks them.
func LoadSettings(ctx context.Context, st *store.Store) (Settings, error) {
	var s Settings
	if _, err := st.GetSetting(ctx, SettingKey, &s); err != nil {
		return s, err
	}
	// flag > environment > stored > default, as every setting (package config).
	s.Schedule, _ = config.Resolve("remind.schedule", s.Schedule)
	s.BaseURL, _ = config.Resolve("base_url", s.BaseURL)
	return s, s.Validate()
}

// Validate fills the defaults and checks the schedule and the zone.
func (s *Settings) Validate() error {
	var v tracker.ValidationError
	s.Rules = s.Rules.withDefaults()
	s.Schedule = strings.TrimSpace(s.Schedule)
	if s.Schedule == "" {
		s.Schedule = DefaultSchedule
	}
	if s.Schedule != "off" {
		if _, err := cron.ParseStandard(s.Schedule); err != nil {
			v.Add("schedule", fmt.Sprintf("not a cron schedule (%v); e.g. \"0 * * * *\" for hourly, or off", err))
		}
	}
	if _, err := s.Location(); err != nil {
		v.Add("timezone", "unknown time zone "+s.Timezone)
	}
	if s.DueSoonDays > 60 || s.WindowLeadDays > 60 || s.StillOwedDays > 120 {
		v.Add("due_soon_days", "at most 60 working days ahead")
	}
	s.BaseURL = strings.TrimRight(strings.TrimSpace(s.BaseURL), "/")
	return v.Err()
}

// Location is the zone "today" is counted in.
func (s Settings) Location() (*time.Location, error) {
	if s.Timezone == "" {
		return time.Local, nil
	}
	return time.LoadLocation(s.Timezone)
}

// ScheduleSpec is the cron spec for the background job, "" when off.
func (s Settings) ScheduleSpec() string {
	if s.Schedule == "off" {
		return ""
	}
	return s.Schedule
}

// Runner gives the reminders that are due.
type Runner struct {
	Store *store.Store
	Rules Rules
	// Location is where "today" is counted (default time.Local).
	Location *time.Location
	// Mailer sends reminder emails; nil when no SMTP server is configured
	// (reminders are then given in the app only).
	Mailer outbound.Mailer
	From   mail.Address
	// BaseURL prefixes the links in emails ("" leaves them relative).
	BaseURL string
	// MaxEmailAttempts: a reminder email that keeps failing is given up after this many tries (default 3).
	MaxEmailAttempts int
	Log              *slog.Logger
}

// NewRunner builds a Runner from the stored settings and the SMTP
// configuration (email is left out, not an error, when none is configured).
func NewRunner(ctx context.Context, st *store.Store, log *slog.Logger) (*Runner, error) {
	s, err := LoadSettings(ctx, st)
	if err != nil {
		return nil, err
	}
	loc, _ := s.Location()
	r := &Runner{Store: st, Rules: s.Rules, Location: loc, BaseURL: s.BaseURL, Log: log}
	cfg, err := outbound.LoadConfig(ctx, st, nil)
	switch {
	case errors.Is(err, outbound.ErrNotConfigured):
	case err != nil:
		return nil, fmt.Errorf("reminder email: %w", err)
	default:
		r.Mailer = &outbound.SMTPMailer{Config: cfg}
		r.From = mail.Address{Name: cfg.FromName, Address: cfg.From}
	}
	return r, nil
}

// Planned is one reminder for one person, given already or not.
type Planned struct {
	Request   tracker.Request
	Due       Due
	Recipient store.Recipient
	// Given: the person has had it (or a later stage) already.
	Given bool
}

// Plan works out every reminder due at now, from every open request's
// stored plan (a page at a time), and whether each has been given. It
// changes nothing (foitrack remind --dry-run prints it).
func (r *Runner) Plan(ctx context.Context, now time.Time) ([]Planned, error) {
	today := tracker.DateOf(now.In(r.location()))
	var out []Planned
	err := r.Store.EachOpenPlan(ctx, func(rp store.RequestPlan) error {
		law, ok := tracker.LawByCode(rp.Request.Law)
		if !ok {
			return nil
		}
		dues := Evaluate(rp.Request, law, rp.Plan, today, r.Rules)
		if len(dues) == 0 {
			return nil
		}
		recipients, err := r.Store.RequestRecipients(ctx, rp.Request.ID)
		if err != nil {
			return err
		}
		for _, d := range dues {
			for _, rc := range recipients {
				given, err := r.Store.ReminderGiven(ctx, rp.Request.ID, d.Deadline, d.DueDate, rc.User.ID, d.Stage)
				if err != nil {
					return err
				}
				out = append(out, Planned{Request: rp.Request, Due: d, Recipient: rc, Given: given})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Result counts what a run did.
type Result struct {
	Given   int // reminders recorded (and notified in the app) now
	Already int // due, but given before (by an earlier run or another process)
	Emailed int // emails the server accepted
	Failed  int // emails that failed (retried on later runs)
}

// Run gives every reminder due at now that has not been given, then sends
// the pending emails. A rerun, a restart or a second process at the same
// time gives nothing twice: the reminder log's UNIQUE key decides.
func (r *Runner) Run(ctx context.Context, now time.Time) (Result, error) {
	var res Result
	runID, err := r.Store.StartReminderRun(ctx, now)
	if err != nil {
		return res, err
	}
	res, err = r.run(ctx, now)
	run := store.ReminderRun{ID: runID, Given: res.Given, Emailed: res.Emailed, Failed: res.Failed}
	if err != nil {
		run.Error = err.Error()
	}
	if ferr := r.Store.FinishReminderRun(context.WithoutCancel(ctx), run); ferr != nil && err == nil {
		err = ferr
	}
	return res, err
}

func (r *Runner) run(ctx context.Context, now time.Time) (Result, error) {
	var res Result
	plan, err := r.Plan(ctx, now)
	if err != nil {
		return res, err
	}
	for _, p := range plan {
		if p.Given {
			res.Already++
			continue
		}
		rem := store.Reminder{RequestID: p.Request.ID, Deadline: p.Due.Deadline, Kind: p.Due.Kind, DueDate: p.Due.DueDate,
			UserID: p.Recipient.User.ID, Stage: p.Due.Stage, Reason: p.Due.Text, EmailState: store.EmailPending}
		switch {
		case r.Mailer == nil:
			rem.EmailState = store.EmailNone
		case !p.Recipient.EmailReminders:
			rem.EmailState = store.EmailOff
		}
		n := store.Notification{Kind: "reminder:" + p.Due.Kind, Title: NotificationTitle(p.Request, p.Due),
			Body: notificationBody(p), Link: RequestPath(p.Request.ID)}
		given, err := r.Store.GiveReminder(ctx, &rem, &n)
		if err != nil {
			return res, err
		}
		if given {
			res.Given++
			r.logf("reminder given", "request", p.Request.ID, "deadline", p.Due.Deadline, "kind", p.Due.Kind,
				"due", p.Due.DueDate.String(), "user", p.Recipient.User.Email)
		} else {
			res.Already++ // another process got there first
		}
	}
	if r.Mailer != nil {
		emailed, failed, err := r.SendPendingEmails(ctx, now)
		res.Emailed, res.Failed = emailed, failed
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// SendPendingEmails sends the reminder emails waiting in the log (and those
// that failed on an earlier run, a few times). Each is claimed before it is
// sent, so two processes never send the same one.
func (r *Runner) SendPendingEmails(ctx context.Context, now time.Time) (emailed, failed int, err error) {
	max := r.MaxEmailAttempts
	if max <= 0 {
		max = 3
	}
	// Claim in rounds of 50. The first round also takes the emails that
	// failed on earlier runs; later rounds take only pending ones, so an email
	// failing now is tried again on the next run, not in a tight loop.
	for round := 0; ; round++ {
		batch, err := r.Store.ClaimReminderEmails(ctx, round == 0, max, 50)
		if err != nil {
			return emailed, failed, err
		}
		if len(batch) == 0 {
			return emailed, failed, nil
		}
		for _, rem := range batch {
			// Stamped before each send, so an email waiting its turn is not
			// taken for an interrupted one; skipped if an admin settled it.
			if claimed, err := r.Store.ReminderEmailAttempt(context.WithoutCancel(ctx), rem.ID); err != nil {
				return emailed, failed, err
			} else if !claimed {
				continue
			}
			serr := r.sendEmail(ctx, now, rem)
			if err := r.Store.MarkReminderEmailed(context.WithoutCancel(ctx), rem.ID, serr); err != nil {
				return emailed, failed, err
			}
			if serr != nil {
				failed++
				r.logf("reminder email failed", "reminder", rem.ID, "to", rem.UserEmail, "err", serr)
			} else {
				emailed++
			}
		}
	}
}

func (r *Runner) sendEmail(ctx context.Context, now time.Time, rem store.Reminder) error {
	link := r.BaseURL + rem.Link
	var b strings.Builder
	b.WriteString(rem.Title + "\n\n" + rem.Body + "\n\n")
	b.WriteString("Open the request: " + link + "\n\n")
	b.WriteString("-- \nYou get this email because you own or watch this request in foitrack (or are an admin and nobody does).\n")
	b.WriteString("To stop reminder emails, turn them off at " + r.BaseURL + PreferencesPath + "\n")
	raw, err := outbound.Compose(outbound.Message{
		From:          r.From,
		To:            []mail.Address{{Name: rem.UserName, Address: rem.UserEmail}},
		Subject:       "[foitrack] " + rem.Title,
		Body:          b.String(),
		Date:          now,
		MessageID:     outbound.NewMessageID(now, domainOf(r.From.Address)),
		AutoSubmitted: true,
	})
	if err != nil {
		return err
	}
	return r.Mailer.Send(ctx, r.From.Address, []string{rem.UserEmail}, raw)
}

func (r *Runner) location() *time.Location {
	if r.Location == nil {
		return time.Local
	}
	return r.Location
}

func (r *Runner) logf(msg string, args ...any) {
	if r.Log != nil {
		r.Log.Info(msg, args...)
	}
}

// Paths in the web app that notifications and mail link to.
const PreferencesPath = "/notifications/settings"

// RequestPath is the web page of a request.
func RequestPath(id int64) string { return fmt.Sprintf("/requests/%d", id) }

// NotificationTitle is "Response overdue: Police drones (Kent Police)".
func NotificationTitle(req tracker.Request, d Due) string {
	t := d.Title + ": " + req.Title
	if req.AuthorityName != "" {
		t += " (" + req.AuthorityName + ")"
	}
	return t
}

func notificationBody(p Planned) string {
	s := p.Due.Text
	if p.Due.Explanation != "" {
		s += "\n\n" + p.Due.Explanation
	}
	if p.Request.OurRef != "" {
		s += "\n\nOur reference: " + p.Request.OurRef
	}
	return s
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
