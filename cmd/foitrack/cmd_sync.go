package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"sync", "fetch new replies from the IMAP mailbox now (one pass), with progress and a summary", syncMail})
	addBackgroundJob(BackgroundJob{Name: "mail sync", Spec: mailSyncSpec, Run: runMailSync})
	demoSetup = setupDemo
}

const syncUsage = `[--json] [--quiet]

Runs one mail sync pass: fetches every message above the mailbox's checkpoint,
stores it exactly once, files it on its request (or in the holding pen), and
prints what it did. Progress goes to stderr.

The mailbox is configured by an admin in the web app (Settings → Mail) and
overridden by environment variables:
`

func syncHelp() string {
	var b strings.Builder
	b.WriteString(syncUsage)
	for _, e := range mailsync.EnvVars() {
		fmt.Fprintf(&b, "  %-34s %s\n", e.Name, e.Help)
	}
	fmt.Fprintf(&b, "  %-34s %s\n", mailsync.DefaultPasswordEnv, "the IMAP password (unless the settings name another FOITRACK_ variable or a file)")
	b.WriteString("The password is never taken from the command line.\n")
	return b.String()
}

func syncMail(env *Env, args []string) error {
	fs := newFlags(env, "sync", syncHelp())
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	quiet := fs.Bool("quiet", false, "no progress counter")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	cfg, err := mailsync.LoadConfig(env.Ctx, st)
	if err != nil {
		return err
	}
	syncer := &mailsync.Syncer{Store: st, Config: cfg, Log: slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	// A bar on a terminal only; a pipe or a log gets the summary alone.
	bar := newProgress(env, -1, "mail sync: messages", *quiet)
	if bar != nil {
		syncer.Progress = func(p mailsync.Progress) { bar.Set(p.Done, p.Total) }
	}
	sum, err := syncer.Run(env.Ctx)
	bar.Finish()
	if *asJSON {
		out := struct {
			mailsync.Summary
			Error string `json:"error,omitempty"`
		}{Summary: sum}
		if err != nil {
			out.Error = userMessage(err)
		}
		if encErr := writeJSON(env, out); encErr != nil {
			return encErr
		}
	} else if sum.RunID != 0 {
		printSyncSummary(env.Stdout, sum)
	}
	return err
}

func printSyncSummary(w io.Writer, s mailsync.Summary) {
	// Every message is counted once: fetched + resumed = matched +
	// unmatched + failed + pending (mailsync.Summary.AddsUp).
	fmt.Fprintf(w, "fetched %d", s.Fetched)
	if s.Resumed > 0 {
		fmt.Fprintf(w, " (and %d stored by an interrupted pass)", s.Resumed)
	}
	fmt.Fprintf(w, ": %d matched, %d unmatched (holding pen), %d failed", s.Matched, s.Unmatched, s.Failed)
	if s.Pending > 0 {
		fmt.Fprintf(w, ", %d stored but not yet read (the next pass reads them)", s.Pending)
	}
	fmt.Fprintf(w, "; %d skipped as duplicates", s.Duplicates)
	if s.Retries > 0 {
		fmt.Fprintf(w, "; reconnected %d times", s.Retries)
	}
	if s.Rescan {
		fmt.Fprint(w, "; the mailbox's UIDVALIDITY changed, so it was rescanned")
	}
	fmt.Fprintln(w)
	for _, f := range s.Failures {
		id := f.MessageID
		if id == "" {
			id = "no Message-ID"
		}
		fmt.Fprintf(w, "  failed: UID %d <%s>: %s\n", f.UID, id, f.Reason)
	}
}

// mailSyncSpec is the sync's cron schedule from the mail settings ("" when
// no mailbox is configured or the schedule is "off").
func mailSyncSpec(ctx context.Context, st *store.Store) (string, error) {
	cfg, err := mailsync.LoadConfig(ctx, st)
	if err != nil {
		return "", err
	}
	return cfg.ScheduleSpec(), nil
}

// runMailSync is one scheduled pass; it reads the settings afresh, so that
// an admin's change applies from the next run (a new schedule is taken up by
// serve's jobScheduler).
func runMailSync(ctx context.Context, st *store.Store, log *slog.Logger) error {
	cfg, err := mailsync.LoadConfig(ctx, st)
	if err != nil {
		return err
	}
	if !cfg.Enabled() {
		return nil
	}
	syncer := &mailsync.Syncer{Store: st, Config: cfg, Log: log}
	sum, err := syncer.Run(ctx)
	log.Info("mail sync", "fetched", sum.Fetched, "resumed", sum.Resumed, "matched", sum.Matched, "unmatched", sum.Unmatched,
		"failed", sum.Failed, "pending", sum.Pending, "duplicates", sum.Duplicates, "retries", sum.Retries)
	return err
}

// setupDemo fills the fresh demo data directory: authorities, requests, an
// in-process IMAP server with replies, a first sync, and a demo admin.
func setupDemo(env *Env, st *store.Store, log *slog.Logger) (func(), error) {
	ctx := store.WithActor(env.Ctx, "demo")
	demo, err := mailsync.StartDemo(ctx, st, os.Setenv)
	if err != nil {
		return nil, err
	}
	s := demo.Summary
	log.Info("demo inbox synced", "imap", demo.IMAP.Addr, "fetched", s.Fetched, "matched", s.Matched, "unmatched", s.Unmatched)
	fmt.Fprintf(env.Stdout, "demo: in-process IMAP server on %s; first sync fetched %d messages (%d filed on requests, %d in the holding pen)\n",
		demo.IMAP.Addr, s.Fetched, s.Matched, s.Unmatched)
	password := "demo-" + store.NewReplyToken()
	admin := store.User{Email: "admin@demo.foitrack.test", Name: "Demo Admin", Role: store.RoleAdmin}
	if err := st.CreateUser(ctx, &admin, password); err != nil {
		demo.Close()
		return nil, err
	}
	fmt.Fprintf(env.Stdout, "demo: sign in as %s with password %s\n", admin.Email, password)
	return func() { demo.Close() }, nil
}
