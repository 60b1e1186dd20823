package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"search", "search requests, mail, documents' text, timeline events and authorities", searchCmd})
	register(command{"document reextract", "read a document's text again (after installing pdftotext, or a failure)", documentReextract})
	// Documents' text is read in the background, never while a page waits:
	// every 15 seconds the waiting ones, a batch at a time.
	addBackgroundJob(BackgroundJob{Name: "document text", Spec: textSpec, Run: runTextExtraction})
}

// textSpec is the text job's schedule: FOITRACK_TEXT_SCHEDULE (cron, or
// "off", as bench/pagebench sets it so that a seeded database's documents
// are not read while its pages are timed), else every 15 seconds.
func textSpec(context.Context, *store.Store) (string, error) {
	spec, _ := config.Resolve("text.schedule", "")
	if spec == "off" {
		return "", nil
	}
	return spec, nil
}

func runTextExtraction(ctx context.Context, st *store.Store, log *slog.Logger) error {
	total := 0
	for ctx.Err() == nil {
		n, err := st.ExtractPendingTexts(ctx, extract.Options{}, 20)
		total += n
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if total > 0 {
		log.Info("document text extracted", "documents", total)
	}
	return nil
}

const searchSyntaxHelp = `
Words are found in any order (stemmed: "shares" finds "sharing"); polic* is a
prefix (3 letters at least), "data sharing" a phrase, -word or -"a phrase" leaves out. Filters:
authority:NAME or authority:"two words", law:uk-eir, status:refused (a status
or an outcome), exemption:s31 (and its subsections), from:2026-01-01,
to:2026-03-31, kind:request|mail|document|event|authority.`

func searchCmd(env *Env, args []string) error {
	fs := newFlags(env, "search", "QUERY [--json] [--limit N] [--offset N] [--before N]   (quote a query of several words)"+searchSyntaxHelp)
	asJSON := fs.Bool("json", false, "print the hits as JSON")
	limit := fs.Int("limit", 20, "how many hits (at most 200)")
	offset := fs.Int("offset", 0, "skip this many hits first")
	before := fs.Int64("before", 0, "go on with a search that stopped at its budget of matches, from below this place (as it printed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give something to search for")
	}
	if fs.NArg() > 1 {
		// One argument, so that a filter's quotes survive the shell
		// (authority:"Kent Police") and a stray word is never searched.
		return usagef("give the query as one argument: foitrack search %q", strings.Join(fs.Args(), " "))
	}
	if *limit < 1 || *limit > 200 || *offset < 0 || *before < 0 {
		return usagef("--limit is 1 to 200, --offset and --before 0 or more")
	}
	q := store.ParseSearchQuery(fs.Arg(0))
	if q.Empty() {
		return usagef("nothing to search for in %q (a word, a \"phrase\" or a filter such as exemption:s31)", fs.Arg(0))
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	res, err := st.Search(env.Ctx, q, store.SearchOptions{Limit: *limit, Offset: *offset, Before: *before})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, res)
	}
	for _, ig := range res.Query.Ignored {
		fmt.Fprintf(env.Stderr, "foitrack search: ignored %s\n", ig)
	}
	stopped := ""
	if res.Stopped {
		// No "back to DATE": the walk goes by the order things were
		// added, not by their dates (see the search page).
		what := "matches of the words"
		if !res.Query.HasText() {
			what = "requests"
		}
		stopped = fmt.Sprintf("looked through the newest %d %s; older ones not yet: go on with --before %d\n",
			res.Looked, what, res.Next)
	}
	if len(res.Hits) == 0 {
		fmt.Fprint(env.Stdout, "nothing found\n"+stopped)
		return nil
	}
	for _, h := range res.Hits {
		fmt.Fprintf(env.Stdout, "%s %d\t%s\t%s\n", h.Kind, h.ID, h.Title, h.Link)
		if s := cliSnippet(h.Marked); s != "" {
			fmt.Fprintf(env.Stdout, "\t%s\n", s)
		}
	}
	more := ""
	if res.More {
		more = " (more than that matched: the newest are ranked)"
	}
	if res.Stopped {
		more = " (at least: the walk stopped)"
	}
	fmt.Fprintf(env.Stdout, "%d of %d hits%s\n%s", len(res.Hits), res.Total, more, stopped)
	return nil
}

// cliSnippet writes the matched words in [brackets], on one line.
func cliSnippet(marked string) string {
	var sb strings.Builder
	for _, p := range store.SnippetParts(marked) {
		if p.Match {
			sb.WriteString("[" + p.Text + "]")
		} else {
			sb.WriteString(p.Text)
		}
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

func documentReextract(env *Env, args []string) error {
	fs := newFlags(env, "document reextract", "ID")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := idArg(fs, "document")
	if err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	if err := st.RequeueDocumentText(env.Ctx, id); err != nil {
		return err
	}
	bar := newProgress(env, -1, "reading the document's text", false)
	t, err := st.ExtractDocumentText(env.Ctx, id, extract.Options{})
	bar.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "document %d: %s\n", id, textSummary(t))
	return nil
}

// textSummary says where a document's text stands, for the CLI.
func textSummary(t store.DocumentText) string {
	if t.State == extract.StateExtracted {
		s := fmt.Sprintf("text extracted (%d characters) and searchable", len([]rune(t.Text)))
		if t.Reason != "" { // pages read by OCR, or left unread
			s += "; " + t.Reason
		}
		return s
	}
	return t.StateLabel()
}
