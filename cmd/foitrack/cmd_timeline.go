package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

func init() {
	register(command{"timeline import", "import a directory of timeline event files (markdown + YAML front matter, or JSON)", timelineImport})
	register(command{"timeline export", "write the timeline as event files (and JSON / TimelineJS)", timelineExport})
	register(command{"timeline list", "list timeline events, with filters", timelineList})
	register(command{"timeline link", "link a document, message or request to a timeline event", timelineLink})
}

func timelineImport(env *Env, args []string) error {
	fs := newFlags(env, "timeline import", "DIR")
	dry := fs.Bool("dry-run", false, "read and check the files, store nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the directory of event files")
	}
	res, err := timeline.ReadDir(fs.Arg(0))
	if err != nil {
		return err
	}
	for _, e := range res.Errors {
		fmt.Fprintf(env.Stderr, "%s\n", e)
	}
	for _, d := range append(res.Duplicates, res.Twins...) {
		fmt.Fprintf(env.Stderr, "note: %s\n", d)
	}
	counts := map[string]int{}
	if !*dry && len(res.Events) > 0 {
		st, err := env.Store()
		if err != nil {
			return err
		}
		bar := newProgress(env, len(res.Events), "importing events", false)
		items, err := st.ImportTimelineEvents(store.WithProgress(env.Ctx, bar.Set), res.Events)
		bar.Finish()
		if err != nil {
			return err
		}
		for _, it := range items {
			counts[it.Action]++
		}
	}
	if *dry {
		fmt.Fprintf(env.Stdout, "%d event files read (dry run: nothing stored)", len(res.Events))
	} else {
		fmt.Fprintf(env.Stdout, "%d events imported: %d new, %d updated, %d unchanged", len(res.Events), counts["create"], counts["update"], counts["unchanged"])
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintf(env.Stdout, "; %d other files skipped", len(res.Skipped))
	}
	fmt.Fprintln(env.Stdout)
	if len(res.Errors) > 0 {
		return fmt.Errorf("%d files could not be read (listed above, with their line); the others were imported", len(res.Errors))
	}
	return nil
}

// timelineFilterFlags adds the filters export and list share.
func timelineFilterFlags(fs *flag.FlagSet, f *store.TimelineFilter) {
	fs.StringVar(&f.Tag, "tag", "", "only events with this tag")
	fs.StringVar(&f.Actor, "actor", "", "only events naming this actor")
	fs.IntVar(&f.MinImportance, "importance", 0, "only events of at least this importance (1-10)")
	fs.StringVar(&f.From, "from", "", "only events on or after this date (YYYY[-MM[-DD]])")
	fs.StringVar(&f.To, "to", "", "only events on or before this date (YYYY[-MM[-DD]])")
}

// checkTimelineFilter refuses filters that would silently match nothing.
func checkTimelineFilter(f store.TimelineFilter) error {
	if f.MinImportance < 0 || f.MinImportance > 10 {
		return usagef("--importance must be 1 to 10")
	}
	for _, d := range []struct{ flag, v string }{{"--from", f.From}, {"--to", f.To}} {
		if d.v != "" && !partialDate.MatchString(d.v) {
			return usagef("%s: %q is not YYYY, YYYY-MM or YYYY-MM-DD", d.flag, d.v)
		}
	}
	return nil
}

var partialDate = regexp.MustCompile(`^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$`)

func timelineExport(env *Env, args []string) error {
	usage := "DIR [--format md|json] [--json FILE] [--timelinejs FILE] [filters]"
	fs := newFlags(env, "timeline export", usage)
	var f store.TimelineFilter
	timelineFilterFlags(fs, &f)
	format := fs.String("format", "", "write every event as md or json (default: the format each was imported in)")
	jsonFile := fs.String("json", "", "also write the timeline as one JSON array to FILE")
	tjsFile := fs.String("timelinejs", "", "also write TimelineJS JSON to FILE")
	title := fs.String("title", "", "headline of the TimelineJS title slide")
	baseURL := fs.String("base-url", config.Getenv("FOITRACK_BASE_URL"), "public URL of this foitrack, for public requests' pages in sources")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 || (fs.NArg() == 0 && *jsonFile == "" && *tjsFile == "") {
		return usagef("give the directory to write the event files to (or --json / --timelinejs)")
	}
	if *format != "" && *format != timeline.FormatMarkdown && *format != timeline.FormatJSON {
		return usagef("--format must be md or json")
	}
	if err := checkTimelineFilter(f); err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	events, err := st.TimelineEventsForExport(env.Ctx, f, *baseURL)
	if err != nil {
		return err
	}
	if fs.NArg() == 1 {
		names, err := timeline.WriteDir(fs.Arg(0), events, *format)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d events written to %s\n", len(names), fs.Arg(0))
	}
	if *jsonFile != "" {
		if err := writeFileAtomic(*jsonFile, timeline.ExportJSON(events)); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d events written to %s (JSON)\n", len(events), *jsonFile)
	}
	if *tjsFile != "" {
		data, err := timeline.MarshalTimelineJS(*title, "", events)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*tjsFile, data); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d events written to %s (TimelineJS)\n", len(events), *tjsFile)
	}
	return nil
}

// writeFileAtomic writes a whole file or nothing: a temporary file beside
// it, renamed into place.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".foitrack-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func timelineList(env *Env, args []string) error {
	fs := newFlags(env, "timeline list", "[filters] [--json]")
	var f store.TimelineFilter
	timelineFilterFlags(fs, &f)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := checkTimelineFilter(f); err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	events, err := st.TimelineEvents(env.Ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			ID         int64    `json:"id"`
			Slug       string   `json:"slug"`
			Date       string   `json:"date"`
			Importance int      `json:"importance"`
			Title      string   `json:"title"`
			Tags       []string `json:"tags"`
		}
		out := []row{}
		for _, te := range events {
			out = append(out, row{ID: te.ID, Slug: te.Event.ID(), Date: te.Event.Date(), Importance: te.Event.Importance(), Title: te.Event.Title(), Tags: te.Event.Tags()})
		}
		return writeJSON(env, out)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tIMP\tEVENT\tTITLE")
	for _, te := range events {
		imp := "-"
		if n := te.Event.Importance(); n > 0 {
			imp = strconv.Itoa(n)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", te.ID, te.Event.Date(), imp, te.Event.ID(), te.Event.Title())
	}
	return tw.Flush()
}

// eventArg finds an event by number or by its id (slug).
func eventArg(env *Env, st *store.Store, arg string) (store.TimelineEvent, error) {
	if n, err := strconv.ParseInt(arg, 10, 64); err == nil {
		return st.TimelineEventByID(env.Ctx, n)
	}
	return st.TimelineEventBySlug(env.Ctx, arg)
}

func timelineLink(env *Env, args []string) error {
	fs := newFlags(env, "timeline link", "EVENT (--document ID | --message ID | --request ID) [--role released|withheld|context] [--exemptions s31,s40(2)] [--tier 1-3]")
	var l store.EventLink
	var exemptions string
	var unlink bool
	fs.Int64Var(&l.DocumentID, "document", 0, "document ID")
	fs.Int64Var(&l.MessageID, "message", 0, "mail message ID")
	fs.Int64Var(&l.RequestID, "request", 0, "request ID (the whole request)")
	fs.StringVar(&l.Role, "role", store.LinkReleased, "released (the evidence), withheld (refused, with exemptions) or context")
	fs.StringVar(&exemptions, "exemptions", "", "exemptions cited, comma-separated (withheld; default: those claimed on the document)")
	fs.IntVar(&l.Tier, "tier", 1, "source tier on export: 1 primary … 3 background")
	fs.StringVar(&l.Note, "note", "", "a note on the link")
	fs.BoolVar(&unlink, "remove", false, "remove the link instead")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the event (its number or id)")
	}
	if exemptions != "" {
		l.Exemptions = strings.Split(exemptions, ",")
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	te, err := eventArg(env, st, fs.Arg(0))
	if err != nil {
		return err
	}
	l.EventID = te.ID
	if unlink {
		links, err := st.EventLinkDetails(env.Ctx, store.LinkFilter{EventIDs: []int64{te.ID}})
		if err != nil {
			return err
		}
		for _, x := range links {
			if x.DocumentID == l.DocumentID && x.MessageID == l.MessageID && x.RequestID == l.RequestID {
				if err := st.DeleteEventLink(env.Ctx, x.ID); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "link %d removed\n", x.ID)
				return nil
			}
		}
		return fmt.Errorf("no such link on event %s", te.Event.ID())
	}
	if err := st.LinkToEvent(env.Ctx, &l); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "link %d: %s %s of event %s", l.ID, l.Target(), l.Role, te.Event.ID())
	if len(l.Exemptions) > 0 {
		fmt.Fprintf(env.Stdout, " under %s", strings.Join(l.Exemptions, ", "))
	}
	fmt.Fprintln(env.Stdout)
	return nil
}
