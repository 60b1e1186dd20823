package server

import (
	"reflect"
	"sync"
	"testing"
)

// TestTemplateFuncsDoNotReadTheStore: templates only format. What a page
// shows from the database (the unread count, the audit head in the footer)
// is loaded before rendering, so that a template never queries. Each
// function of the FuncMap is called with made-up arguments while the
// store's reads are traced.
func TestTemplateFuncsDoNotReadTheStore(t *testing.T) {
	app := newTestApp(t)
	app.user("viewer@example.org", "viewer") // an audit entry, a user to count for
	// The server's background work (the dashboard's insight pass) reads the
	// store on its own goroutine; stopped first, so that the trace holds only
	// what the template functions read. (CI saw its queries here once.)
	app.srv.Close()
	var mu sync.Mutex
	var queries []string
	app.st.TraceReads(func(q string, _ []any) {
		mu.Lock()
		defer mu.Unlock()
		queries = append(queries, q)
	})
	defer app.st.TraceReads(nil)
	for name, f := range app.srv.templateFuncs() {
		fv := reflect.ValueOf(f)
		ft := fv.Type()
		args := make([]reflect.Value, ft.NumIn())
		for i := range args {
			in := ft.In(i)
			if ft.IsVariadic() && i == ft.NumIn()-1 {
				args[i] = reflect.MakeSlice(in, 0, 0)
				continue
			}
			if in.Kind() == reflect.Pointer {
				args[i] = reflect.New(in.Elem()) // not nil: a nil user would be no test
			} else {
				args[i] = reflect.Zero(in)
			}
		}
		mu.Lock()
		queries = nil
		mu.Unlock()
		func() {
			defer func() { _ = recover() }() // a helper may refuse zero values; the trace is what counts
			if ft.IsVariadic() {
				fv.CallSlice(args)
			} else {
				fv.Call(args)
			}
		}()
		mu.Lock()
		if len(queries) > 0 {
			t.Errorf("template function %q queries the store while the page renders: %q", name, queries)
		}
		mu.Unlock()
	}
}
