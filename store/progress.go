package store

import "context"

type progressKey struct{}

// WithProgress asks the long store operations run with ctx (authority and
// timeline imports, RecomputeAll) to report how far they are: done of
// total (total -1: not known). The command line draws a bar from it on a
// terminal; given in the context so that callers who do not care pass
// nothing.
func WithProgress(ctx context.Context, fn func(done, total int)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// reportProgress calls the context's progress function, if any.
func reportProgress(ctx context.Context, done, total int) {
	if fn, ok := ctx.Value(progressKey{}).(func(done, total int)); ok && fn != nil {
		fn(done, total)
	}
}
