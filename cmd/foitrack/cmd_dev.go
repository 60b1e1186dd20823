package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"dev seed", "fill an empty database with made-up requests, mail and documents (for development and benchmarks)", devSeed})
}

// seedPassword is the seeded users' password unless --password-file gives
// one: a made-up database for development, never a real one (dev seed
// refuses a database that holds requests).
const seedPassword = "seed-password"

func devSeed(env *Env, args []string) error {
	fs := newFlags(env, "dev seed", "--requests N [--messages M] [--seed S] [--end YYYY-MM-DD] [--password-file FILE] [--json] [--cpuprofile FILE] [--memprofile FILE]\n\n"+
		"Builds a realistic, made-up database through the app's own store: authorities, requests in every\n"+
		"lifecycle state with their events, replies by mail with attachments, documents, exemptions,\n"+
		"timeline events with links, and users (admin@example.org, editor1@example.org, viewer@example.org…;\n"+
		"password \""+seedPassword+"\" unless --password-file). The same options give the same content.\n"+
		"Only an empty database is seeded. For speed the database is written without syncing to disk and\n"+
		"its search index is built at the end: if seeding stops midway (a crash, a kill, a full disk), the\n"+
		"database cannot be opened; delete the data folder and seed again.")
	requests := fs.Int("requests", 0, "how many requests (required)")
	messages := fs.Int("messages", 0, "about how many mail messages (default: 5 per request)")
	seedFlag := fs.Uint64("seed", 1, "random seed: the same seed gives the same database")
	endFlag := fs.String("end", seed.DefaultEnd.String(), "the last day anything happened (dates spread over the 3 years before)")
	pwFile := fs.String("password-file", "", "read the seeded users' password from this file")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the seeding to this file (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a Go heap profile to this file once seeded (go tool pprof; SQLite's memory is not in it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *requests <= 0 {
		return usagef("--requests must be a positive number")
	}
	if *messages < 0 {
		return usagef("--messages must not be negative")
	}
	end, err := tracker.ParseDate(*endFlag)
	if err != nil {
		return usagef("--end: %v", err)
	}
	password := seedPassword
	if *pwFile != "" {
		b, err := os.ReadFile(*pwFile)
		if err != nil {
			return fmt.Errorf("unable to read the password file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	opt := seed.Options{Requests: *requests, Messages: *messages, Seed: *seedFlag, End: end, Password: password}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// The garbage collector ran a tenth of the time at the default; the Go
	// heap here is small (SQLite's page cache is outside it).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	start := time.Now()
	bar := newProgress(env, *requests, "seeding requests", false)
	var indexBar *progress
	if bar != nil {
		opt.Progress = bar.Set
		opt.IndexProgress = func(done, total int) {
			if indexBar == nil {
				bar.Finish()
				bar = nil
				indexBar = newProgress(env, total, "building the search index", false)
			}
			indexBar.Set(done, total)
		}
	}
	sum, err := seed.Run(env.Ctx, st, opt)
	if perr := writeHeapProfile(*memProfile); perr != nil && err == nil {
		err = perr
	}
	bar.Finish()
	indexBar.Finish()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, sum)
	}
	fmt.Fprintf(env.Stdout, "Seeded %s in %s: %d authorities, %d requests, %d events, %d messages, %d documents, %d timeline events, %d links, %d users.\n",
		st.Path(), time.Since(start).Round(time.Second), sum.Authorities, sum.Requests, sum.Events, sum.Messages, sum.Documents,
		sum.TimelineEvents, sum.Links, sum.Users)
	var statuses []string
	for s := range sum.ByStatus {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	for _, s := range statuses {
		fmt.Fprintf(env.Stdout, "  %-24s %d\n", tracker.Status(s).Label(), sum.ByStatus[s])
	}
	fmt.Fprintf(env.Stdout, "Sign in as admin@example.org (or editor1@, viewer@example.org) with the seeded password.\n")
	return nil
}

// startCPUProfile writes a CPU profile (go tool pprof) to path until the
// returned function is called; with path "" it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("unable to create the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("unable to start the CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeHeapProfile writes the Go heap's profile (go tool pprof: what is in
// use at the last collection, and -sample_index=alloc_space, all that was
// allocated) to path; with path "" it does nothing.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("unable to create the heap profile: %w", err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("unable to write the heap profile: %w", err)
	}
	return f.Close()
}
