// Command foitrack is the FOI request and document provenance tracker: one
// binary for the web app (serve), mail sync, reminders and the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// command is one sub-command. Files named cmd_*.go register theirs in init.
type command struct {
	name    string // "request add"
	summary string
	run     func(env *Env, args []string) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// Env is what every command gets: where its data is, its output, and (opened
// on first use) the store.
type Env struct {
	Ctx     context.Context
	DataDir string
	Stdout  io.Writer
	Stderr  io.Writer
	Stdin   io.Reader
	st      *store.Store
}

// Store opens the database on first use.
func (e *Env) Store() (*store.Store, error) {
	if e.st == nil {
		st, err := store.Open(e.Ctx, e.DataDir)
		if err != nil {
			return nil, err
		}
		e.st = st
	}
	return e.st, nil
}

// usageError is a mistake in the command line: exit status 2 with help.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// idArg reads the one argument of a command that names a thing by its
// number ("batch show 3", "document delete 7"); what names the thing.
func idArg(fs interface {
	NArg() int
	Arg(int) string
}, what string) (int64, error) {
	if fs.NArg() == 0 {
		return 0, usagef("give one %s ID", what)
	}
	if fs.NArg() > 1 {
		return 0, usagef("unexpected argument %q (give one %s ID)", fs.Arg(1), what)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return 0, usagef("%q is not a %s ID", fs.Arg(0), what)
	}
	return id, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// defaultDataDir is $FOITRACK_DATA or ./foitrack-data.
func defaultDataDir() string {
	return config.StartValue("data")
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	ctx, stop := stopOnSignal(stderr)
	defer stop()
	env := &Env{Ctx: store.WithActor(ctx, "cli:"+osUser()), DataDir: defaultDataDir(), Stdout: stdout, Stderr: stderr, Stdin: stdin}
	defer func() {
		if env.st != nil {
			env.st.Close()
		}
	}()
	// Leading global flags: --data DIR, --help, --version.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch {
		case args[0] == "-h" || args[0] == "--help" || args[0] == "-help":
			printHelp(stdout)
			return 0
		case args[0] == "--version" || args[0] == "-version":
			fmt.Fprintln(stdout, versionLine())
			return 0
		case (args[0] == "--data" || args[0] == "-data") && len(args) > 1:
			env.DataDir, args = args[1], args[2:]
		case strings.HasPrefix(args[0], "--data=") || strings.HasPrefix(args[0], "-data="):
			env.DataDir, args = args[0][strings.Index(args[0], "=")+1:], args[1:]
		default:
			fmt.Fprintf(stderr, "foitrack: unknown option %s (see: foitrack --help)\n", args[0])
			return 2
		}
	}
	if len(args) == 0 {
		printHelp(stdout)
		return 0
	}
	// The settings file ($FOITRACK_CONFIG) for every command; serve
	// --config names another one, and serve reads it again every minute.
	if p := config.StartValue("config"); p != "" {
		if err := config.LoadFile(p); err != nil {
			fmt.Fprintf(stderr, "foitrack: %v\n", err)
			return 1
		}
	}
	// "foitrack help request add" is "foitrack request add --help".
	if args[0] == "help" {
		if len(args) == 1 {
			printHelp(stdout)
			return 0
		}
		args = append(append([]string{}, args[1:]...), "--help")
	}
	cmd, rest, ok := lookup(args)
	if !ok {
		return groupOrUnknown(args, stdout, stderr)
	}
	defer func() {
		// A bug must not print a Go stack trace at the user.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "foitrack %s: internal error: %v\n", cmd.name, r)
			code = 1
		}
	}()
	if err := cmd.run(env, rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(stderr, "foitrack %s: %s\n(see: foitrack %s --help)\n", cmd.name, u.msg, cmd.name)
			return 2
		}
		fmt.Fprintf(stderr, "foitrack %s: %s\n", cmd.name, userMessage(err))
		return 1
	}
	return 0
}

// stopOnSignal is a context cancelled by the first SIGINT or SIGTERM,
// which the command says on stderr ("interrupted: stopping") once the
// context is cancelled, so that what it prints after is what a stopped
// command does (a backup removes what it wrote). A second signal ends the
// process at once, as without foitrack's handler. stop releases the signals.
func stopOnSignal(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			cancel()
			fmt.Fprintf(stderr, "foitrack: %s: stopping (a second one ends it at once)\n", signalName(sig))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		<-ended // the line is written before run returns, never after
		cancel()
	}
}

// signalName is "interrupted" for SIGINT (Ctrl-C), else the signal's name.
func signalName(sig os.Signal) string {
	if sig == os.Interrupt {
		return "interrupted"
	}
	return sig.String()
}

// userMessage is what a person should read: a domain error's own message,
// otherwise the error text (the CLI user is the operator; hiding it helps nobody).
func userMessage(err error) string {
	if errors.Is(err, context.Canceled) {
		return "stopped before it finished (interrupted)"
	}
	var e *tracker.Error
	if errors.As(err, &e) {
		msg := e.Message
		if len(e.Fields) > 1 {
			var keys []string
			for k := range e.Fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				msg += "\n  " + k + ": " + e.Fields[k]
			}
		}
		return msg
	}
	return err.Error()
}

// lookup finds the longest registered command name that prefixes args.
func lookup(args []string) (command, []string, bool) {
	for n := min(2, len(args)); n >= 1; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:], true
		}
	}
	return command{}, nil, false
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `foitrack — Freedom of Information request and document provenance tracker

Usage: foitrack [--data DIR] COMMAND [options]
       foitrack help COMMAND     (or foitrack COMMAND --help)
       foitrack --version

The data directory (database and stored files) is --data (before or after the
command), else $FOITRACK_DATA, else ./foitrack-data. Commands that change data
create it on first use; commands that only read refuse one that does not exist.

Exit status: 0 done, 1 an error, 2 a mistake in the command line.

Commands:
`)
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %s\n", n, commands[n].summary)
	}
}

// newFlags makes a command's flag set. Its --help prints the command's usage
// on standard output (parseFlags); a mistake is a usage error (exit 2).
func newFlags(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("foitrack "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// --data is also taken after the command ("foitrack serve --data DIR"),
	// where people type it as often as before it.
	fs.StringVar(&env.DataDir, "data", env.DataDir, "data directory (database and stored files)")
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "Usage: foitrack %s %s\n\nOptions:\n", name, usage)
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors. --help
// prints the usage on standard output and returns flag.ErrHelp (exit 0).
func parseFlags(fs *flag.FlagSet, args []string) error {
	// The flag package calls Usage on every mistake too; print it only
	// when it was asked for.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	// Allow flags after positional arguments: "request show 3 --json".
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return err
			}
			return usageError{flagMistake(err)}
		}
		rest := fs.Args()
		if len(rest) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			// Everything after "--" is an argument, even if it starts with "-".
			pos = append(pos, rest...)
			break
		}
		args = rest
		if len(args) > 0 {
			pos = append(pos, args[0])
			args = args[1:]
		}
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// flagMistake words the flag package's errors for people ("-x" is shown
// as the user typed options, with two dashes).
func flagMistake(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown option --" + name
	}
	if rest, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "option --" + rest + " needs a value"
	}
	return strings.ReplaceAll(msg, " for flag -", " for --")
}

// noArgs refuses positional arguments to a command that takes none.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func osUser() string {
	for _, k := range []string{"USER", "LOGNAME"} {
		if u := os.Getenv(k); u != "" {
			return u
		}
	}
	// Services and containers often run with neither set: the audit log
	// still says who, from the account database.
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
