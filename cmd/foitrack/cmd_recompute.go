package main

import (
	"fmt"
	"runtime/debug"

	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"recompute", "work out again every request's status, due date and next action", recompute})
}

// recompute works out again the stored standing of every request from its
// history and rewrites those that differ (the store does it by itself for
// plans made under older rules when it opens the database; this is for a
// changed holiday table, or with --every to check).
func recompute(env *Env, args []string) error {
	fs := newFlags(env, "recompute", "[--every] [--json] [--cpuprofile FILE]")
	asJSON := fs.Bool("json", false, "print JSON")
	every := fs.Bool("every", false, "work out every request, even those whose history and rules are those their standing was stored from")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the recompute to this file (go tool pprof)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("recompute takes no arguments")
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	// Working every request out allocates much and keeps little: fewer
	// collections (a fifth of the CPU at the default), within a bound on
	// the memory they let grow.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(96 << 20))
	bar := newProgress(env, -1, "recomputing requests", false)
	ctx := store.WithProgress(env.Ctx, bar.Set)
	recompute := func() (store.RecomputeResult, error) { return st.Recompute(ctx, true) }
	if *every {
		recompute = func() (store.RecomputeResult, error) { return st.RecomputeEvery(ctx) }
	}
	res, err := recompute()
	bar.Finish()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, res)
	}
	fmt.Fprintf(env.Stdout, "recomputed %d requests (%d worked out again), %d changed\n", res.Requests, res.WorkedOut, res.Changed)
	return nil
}
