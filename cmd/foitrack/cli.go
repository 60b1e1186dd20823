package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The command-line conventions every command follows (README "Command line"):
// help on standard output with exit 0 (--help, -h, "foitrack help CMD",
// "foitrack GROUP --help"); a mistake in the command line is a usageError
// (exit 2, with the message and a pointer to --help); any other error exits
// 1; --json writes snake_case keys and [] for an empty list (writeJSON);
// progress only on a terminal (newProgress); commands that only read use
// Env.ExistingStore, so a mistyped --data is an error, not an empty database.

func init() {
	register(command{"version", "print foitrack's version (the source revision it was built from)", versionCmd})
}

func versionCmd(env *Env, args []string) error {
	fs := newFlags(env, "version", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, versionLine())
	return nil
}

// versionLine is "foitrack VERSION (revision REV[, modified], TIME, GO)"
// from the build information Go records in the binary.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "foitrack (no build information)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev == "" {
		rev = "unknown (built without version control information)"
	}
	line := fmt.Sprintf("foitrack %s (revision %s%s", version, rev, modified)
	if at != "" {
		line += ", " + at
	}
	return line + ", " + bi.GoVersion + ")"
}

// groupOrUnknown answers a command line that names no command: a group's
// help ("foitrack request --help", or "foitrack request" alone, which is a
// mistake), or an unknown command. It returns the exit status.
func groupOrUnknown(args []string, stdout, stderr io.Writer) int {
	subs := groupCommands(args[0])
	if len(subs) == 0 {
		fmt.Fprintf(stderr, "foitrack: unknown command %q (see: foitrack --help)\n", args[0])
		return 2
	}
	if len(args) > 1 && (args[1] == "--help" || args[1] == "-h" || args[1] == "-help" || args[1] == "help") {
		printGroupHelp(stdout, args[0], subs)
		return 0
	}
	if len(args) == 1 {
		fmt.Fprintf(stderr, "foitrack %s: give a command\n\n", args[0])
	} else {
		fmt.Fprintf(stderr, "foitrack: unknown command %q\n\n", args[0]+" "+args[1])
	}
	printGroupHelp(stderr, args[0], subs)
	return 2
}

// groupCommands are the registered commands "GROUP …", sorted.
func groupCommands(group string) []string {
	var out []string
	for name := range commands {
		if strings.HasPrefix(name, group+" ") {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func printGroupHelp(w io.Writer, group string, subs []string) {
	fmt.Fprintf(w, "Usage: foitrack %s COMMAND [options]\n\nCommands:\n", group)
	for _, n := range subs {
		fmt.Fprintf(w, "  %-22s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nEach takes --help (foitrack help %s COMMAND).\n", group)
}

// ExistingStore opens the store of a data directory that must exist
// already: for commands that only read, where a mistyped --data must not
// make a fresh, empty database and report that nothing is due.
func (e *Env) ExistingStore() (*store.Store, error) {
	if e.st == nil {
		if _, err := os.Stat(filepath.Join(e.DataDir, store.DefaultDBName)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("no foitrack data in %s; give --data or set FOITRACK_DATA", e.DataDir)
			}
			return nil, err
		}
	}
	return e.Store()
}

// writeJSON prints v as indented JSON; every nil slice in it is written
// as [] (a consumer should not have to tell "none" from null). Keys come
// from the types' json tags, which are snake_case (TestCommandConventions).
func writeJSON(env *Env, v any) error {
	rv := reflect.ValueOf(&v).Elem()
	emptyLists(rv, 0)
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// emptyLists replaces nil slices reachable from the addressable v with
// empty ones. Byte slices are left alone (JSON writes them as base64).
func emptyLists(v reflect.Value, depth int) {
	if depth > 32 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			emptyLists(v.Elem(), depth+1)
		}
	case reflect.Interface:
		if v.IsNil() || !v.CanSet() {
			return
		}
		c := reflect.New(v.Elem().Type()).Elem()
		c.Set(v.Elem())
		emptyLists(c, depth+1)
		v.Set(c)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				emptyLists(f, depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		if v.IsNil() {
			if v.CanSet() {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		for i := 0; i < v.Len(); i++ {
			emptyLists(v.Index(i), depth+1)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			emptyLists(v.Index(i), depth+1)
		}
	case reflect.Map:
		if v.IsNil() {
			if v.CanSet() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			c := reflect.New(v.Type().Elem()).Elem()
			c.Set(iter.Value())
			emptyLists(c, depth+1)
			v.SetMapIndex(iter.Key(), c)
		}
	}
}

// progress is a progress bar on standard error when it is a terminal, and
// nothing otherwise (a pipe or a log file gets no \r, no escape codes). A
// nil *progress is valid and does nothing.
type progress struct{ bar *progressbar.ProgressBar }

// newProgress starts a bar of total steps (-1: unknown) described by desc,
// or returns nil when standard error is not a terminal or quiet is set.
func newProgress(env *Env, total int, desc string, quiet bool) *progress {
	f, ok := env.Stderr.(*os.File)
	if quiet || !ok || !isTerminal(f) {
		return nil
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100_000_000), // 0.1 s
		progressbar.OptionClearOnFinish(),
		// Shown at once: a short run that never reaches the first update
		// still says what it is doing.
		progressbar.OptionSetRenderBlankState(true),
	)
	return &progress{bar: bar}
}

// Set moves the bar to done of total (total may change as work is found).
func (p *progress) Set(done, total int) {
	if p == nil {
		return
	}
	if total > 0 && int64(total) != p.bar.GetMax64() {
		p.bar.ChangeMax(total)
	}
	p.bar.Set(done)
}

// Add moves the bar n steps on.
func (p *progress) Add(n int) {
	if p != nil {
		p.bar.Add(n)
	}
}

// Finish clears the bar from the terminal.
func (p *progress) Finish() {
	if p != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}

// validStatus reports whether s is a request status (for filters).
func validStatus(s tracker.Status) bool {
	for _, e := range tracker.Statuses {
		if e.Status == s {
			return true
		}
	}
	return false
}

func statusList() string {
	var l []string
	for _, e := range tracker.Statuses {
		l = append(l, string(e.Status))
	}
	return strings.Join(l, ", ")
}

func lawList() string {
	var l []string
	for _, law := range tracker.Laws {
		l = append(l, string(law.Code))
	}
	return strings.Join(l, ", ")
}

// checkLawFlag refuses a --law that names no law (a usage mistake, exit 2);
// "" passes.
func checkLawFlag(code string) error {
	if _, ok := tracker.LawByCode(tracker.LawCode(code)); code != "" && !ok {
		return usagef("unknown --law %q; laws: %s", code, lawList())
	}
	return nil
}
