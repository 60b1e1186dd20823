package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/internal/secrets"
	"github.com/foitrack/foitrack/server"
	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"serve", "run the web app and the background jobs (mail sync, reminders)", serve})
}

// BackgroundJob is periodic work that serve schedules with cron. Packages
// register theirs from cmd_*.go files through addBackgroundJob.
type BackgroundJob struct {
	Name string
	// Spec returns the cron schedule (it may read a setting); "" disables the job.
	Spec func(ctx context.Context, st *store.Store) (string, error)
	Run  func(ctx context.Context, st *store.Store, log *slog.Logger) error
}

var backgroundJobs []BackgroundJob

func addBackgroundJob(j BackgroundJob) { backgroundJobs = append(backgroundJobs, j) }

// demoSetup, when set (by the mail sync's demo), prepares a fresh demo data
// directory and returns a cleanup to run at shutdown.
var demoSetup func(env *Env, st *store.Store, log *slog.Logger) (cleanup func(), err error)

func serve(env *Env, args []string) error {
	fs := newFlags(env, "serve", "[--addr HOST:PORT] [--base-url URL] [--trust-proxy CIDRS] [--secrets-dir DIR] [--config FILE] [--no-jobs] [--demo]\n\nServes the web app on --addr (default $FOITRACK_ADDR, else 127.0.0.1:8080) and runs the\nbackground jobs on their schedules. SIGINT/SIGTERM stop it gracefully.")
	addr := fs.String("addr", config.StartValue("addr"), "listen address")
	baseURL := fs.String("base-url", "", "public URL of this foitrack, for links in mail and feeds (default $FOITRACK_BASE_URL, else the reminder settings', else http://ADDR)")
	configFile := fs.String("config", config.StartValue("config"), "settings file: KEY=VALUE lines (FOITRACK_… variables), read again every minute")
	demo := fs.Bool("demo", false, "start on a fresh demo database with a demo inbox (see README)")
	noJobs := fs.Bool("no-jobs", false, "do not run background jobs")
	trustProxy := fs.String("trust-proxy", config.StartValue("trust_proxy"), `take the client's address from X-Forwarded-For when the connection comes from these proxies: comma-separated CIDRs, or "loopback" (default: never)`)
	secretsDir := fs.String("secrets-dir", config.StartValue("secrets_dir"), "directory holding the IMAP and SMTP password files; the settings name a file in it, never a path (default $"+secrets.EnvDir+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *configFile != "" {
		if err := config.LoadFile(*configFile); err != nil {
			return err
		}
	}
	config.SetFlag("base_url", *baseURL)
	if *secretsDir != "" {
		if fi, err := os.Stat(*secretsDir); err != nil || !fi.IsDir() {
			return usagef("--secrets-dir %s is not a directory", *secretsDir)
		}
	}
	if err := secrets.SetDir(*secretsDir); err != nil {
		return err
	}
	memoryLimit, gcPercent, downloads, err := serveLimits()
	if err != nil {
		return usagef("%v", err)
	}
	if memoryLimit >= 0 {
		// A soft limit: near it the collector runs more often and returns
		// memory sooner, rather than let the heap double its live size
		// under load (four timeline downloads at once were the peak).
		debug.SetMemoryLimit(memoryLimit)
	}
	if gcPercent >= 0 {
		debug.SetGCPercent(gcPercent)
	}
	proxies, err := server.ParseTrustedProxies(*trustProxy)
	if err != nil {
		return usagef("--trust-proxy: %v", err)
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	if *demo {
		dir, err := os.MkdirTemp("", "foitrack-demo-*")
		if err != nil {
			return err
		}
		env.DataDir = dir
		log.Info("demo mode: fresh data directory", "dir", dir)
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	if *demo {
		if demoSetup == nil {
			return errors.New("this build has no demo")
		}
		cleanup, err := demoSetup(env, st, log)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer cleanup()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	// The public URL: flag > environment > the reminder settings' > the
	// address this server answers on (also for the background jobs, which
	// resolve it themselves through package config).
	config.SetDefault("base_url", "http://"+ln.Addr().String())
	var storedBase struct {
		BaseURL string `json:"base_url"`
	}
	if _, err := st.GetSetting(env.Ctx, "reminders", &storedBase); err != nil {
		ln.Close()
		return err
	}
	*baseURL, _ = config.Resolve("base_url", storedBase.BaseURL)
	srv, err := server.New(server.Config{Store: st, BaseURL: *baseURL, Logger: log, DataDir: env.DataDir, TrustedProxies: proxies,
		Downloads: downloads})
	if err != nil {
		ln.Close()
		return err
	}

	// Background jobs: never two runs of one job at once, and a panic in a
	// job is logged, not fatal (jobScheduler wraps each job; the cron has no
	// chain of its own). Their schedules are read again every minute, so a
	// change in the settings applies without a restart.
	sched := cron.New()
	jobCtx, cancelJobs := context.WithCancel(store.WithActor(context.Background(), "system"))
	defer cancelJobs()
	if !*noJobs {
		jobs := newJobScheduler(sched, st, log, jobCtx, backgroundJobs)
		if err := jobs.reload(env.Ctx); err != nil {
			ln.Close()
			srv.Close()
			return err
		}
		jobs.watch(jobCtx, settingsCheckInterval)
	}
	sched.Start()

	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	startPprof(log)
	log.Info("foitrack is listening", "url", *baseURL, "data", env.DataDir)
	fmt.Fprintf(env.Stdout, "foitrack serving on %s (data in %s)\n", *baseURL, env.DataDir)

	// A server that stops on its own is a failure: exit non-zero, so that
	// systemd or a container runtime restarts it and says so.
	var serveErr error
	select {
	case <-env.Ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
			serveErr = fmt.Errorf("the web server stopped: %w", err)
		}
	}
	// Shut down in order: stop taking requests, let the running jobs finish,
	// then the database (closed by run's deferred cleanup).
	log.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(ctx); err != nil {
		log.Error("http shutdown", "err", err)
	}
	srv.Close()
	stopped := sched.Stop()
	cancelJobs()
	<-stopped.Done()
	return serveErr
}
