// Command pagebench measures foitrack's pages from outside, as a browser or
// an API client meets them: it starts `foitrack serve` on a seeded data
// directory (see `foitrack dev seed`) or any other, signs in as the seeded
// admin (or --user's), and drives every page over loopback with a few
// concurrent connections for a fixed time each, printing p50/p95/p99 latency, throughput, response size
// and the server's resident memory, beside the static CSS file served in the
// same run (the ceiling: what the machine and the HTTP stack give for free).
// It also times the start-up and reads the idle memory.
//
// It is a program, not a test: `go test ./...` never runs it. See
// bench/README.md.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/foitrack/foitrack/store"
)

type page struct {
	Name string `json:"name"`
	Path string `json:"path"`
	API  bool   `json:"-"`
	// lacks names what the page would show that this database does not
	// have (no timeline events, no public page…): such a page is left out.
	lacks string
}

// Result is one page's figures.
type Result struct {
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Status    int     `json:"status"`
	Bytes     int     `json:"bytes"`
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	P50ms     float64 `json:"p50_ms"`
	P95ms     float64 `json:"p95_ms"`
	P99ms     float64 `json:"p99_ms"`
	MaxMs     float64 `json:"max_ms"`
	PerSecond float64 `json:"per_second"`
	RSSMB     float64 `json:"rss_mb"` // the server's largest resident size while this page ran
	// CPUms is the server's CPU time (user and system) per response while
	// this page ran: unlike the latencies, it hardly depends on what else
	// the machine is doing.
	CPUms float64 `json:"cpu_ms_per_request"`
}

// Report is a whole run.
type Report struct {
	Data         string   `json:"data"`
	Requests     int      `json:"requests"`
	Messages     int      `json:"messages"`
	Connections  int      `json:"connections"`
	Driver       string   `json:"driver"` // go or wrk
	Duration     string   `json:"duration_per_page"`
	StartupMs    float64  `json:"startup_ms"`
	SettleMs     float64  `json:"settle_ms"` // waited after start-up for the server's background passes to end
	IdleRSSMB    float64  `json:"idle_rss_mb"`
	PeakRSSMB    float64  `json:"peak_rss_mb"`
	Results      []Result `json:"results"`
	LeftOut      []string `json:"left_out,omitempty"` // pages this database has nothing for
	Machine      string   `json:"machine"`
	LoadAverage  string   `json:"load_average_before"`
	StartedAtUTC string   `json:"started_at_utc"`
}

func main() {
	data := flag.String("data", "", "foitrack data directory (made by foitrack dev seed, or any other)")
	user := flag.String("user", "admin@example.org", "the admin to sign in as (dev seed makes admin@example.org)")
	bin := flag.String("bin", "", "foitrack binary (default: go build ./cmd/foitrack into a temporary directory)")
	dur := flag.Duration("duration", 5*time.Second, "how long each page is driven")
	conns := flag.Int("connections", 4, "concurrent connections")
	only := flag.String("pages", "", "comma-separated page names to run (default: all)")
	jsonOut := flag.String("json", "", "also write the report as JSON to this file")
	timeout := flag.Duration("timeout", 30*time.Second, "a response slower than this counts as an error")
	flag.StringVar(&profileDir, "profile", "", "write the server's CPU profile while each page is driven to DIR/<page>.pprof (go tool pprof)")
	flag.StringVar(&driver, "driver", "go", "load generator: go (this program's own closed loop) or wrk (Debian's wrk, run once per page with the same connections)")
	flag.BoolVar(&acceptGzip, "gzip", false, "ask for gzipped answers (Accept-Encoding: gzip), as browsers do; sizes are then the bytes sent")
	flag.Var(&extraPages, "also", "another page to drive, as NAME=PATH (PATH under /api/ is called with the token); repeatable")
	flag.Parse()
	if *data == "" {
		fmt.Fprintln(os.Stderr, "pagebench: --data DIR is required (a directory made by foitrack dev seed)")
		os.Exit(2)
	}
	switch driver {
	case "go":
	case "wrk":
		if _, err := exec.LookPath("wrk"); err != nil {
			fmt.Fprintln(os.Stderr, "pagebench: --driver wrk: wrk is not installed (apt-get install -y wrk)")
			os.Exit(2)
		}
	default:
		fmt.Fprintf(os.Stderr, "pagebench: --driver %q: want go or wrk\n", driver)
		os.Exit(2)
	}
	if err := run(*data, *user, *bin, *dur, *conns, *only, *jsonOut, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "pagebench:", err)
		os.Exit(1)
	}
}

func run(data, user, bin string, dur time.Duration, conns int, only, jsonOut string, timeout time.Duration) error {
	ctx := context.Background()
	if bin == "" {
		dir, err := os.MkdirTemp("", "pagebench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "foitrack")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/foitrack")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build: %w (run from the repository root, or give --bin)", err)
		}
	}
	fx, err := prepare(ctx, data, user)
	if err != nil {
		return err
	}
	rep := Report{Data: data, Requests: fx.requests, Messages: fx.messages, Connections: conns, Duration: dur.String(), Driver: driver,
		Machine: machine(), LoadAverage: loadAverage(), StartedAtUTC: time.Now().UTC().Format(time.RFC3339)}
	if acceptGzip {
		rep.Driver += ", asking for gzip"
	}

	port, err := freePort()
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	srv := exec.Command(bin, "--data", data, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port))
	srv.Env = append(os.Environ(), "FOITRACK_MAIL_SCHEDULE=off", "FOITRACK_REMIND_SCHEDULE=off",
		"FOITRACK_TEXT_SCHEDULE=off") // the seeded documents' text is not read while pages are timed
	if profileDir != "" {
		if err := os.MkdirAll(profileDir, 0o755); err != nil {
			return err
		}
		pp, err := freePort()
		if err != nil {
			return err
		}
		pprofBase = "http://127.0.0.1:" + strconv.Itoa(pp)
		srv.Env = append(srv.Env, "FOITRACK_PPROF_ADDR=127.0.0.1:"+strconv.Itoa(pp))
	}
	logf, err := os.CreateTemp("", "pagebench-serve-*.log")
	if err != nil {
		return err
	}
	defer os.Remove(logf.Name())
	srv.Stdout, srv.Stderr = logf, logf
	start := time.Now()
	if err := srv.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			srv.Process.Kill()
		}
	}()
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: conns * 2, DisableCompression: true}}
	for {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 60*time.Second {
			b, _ := os.ReadFile(logf.Name())
			return fmt.Errorf("the server did not answer /healthz within a minute:\n%s", b)
		}
		time.Sleep(2 * time.Millisecond)
	}
	rep.StartupMs = ms(time.Since(start))
	time.Sleep(500 * time.Millisecond)
	rep.IdleRSSMB = rssMB(srv.Process.Pid, "VmRSS")
	// The server starts its background passes at once (the dashboard's
	// insight: a pass over every request): wait for them to end, so that
	// their CPU is not counted against the first pages timed.
	rep.SettleMs = ms(settle(srv.Process.Pid, 2*time.Minute))

	pages, leftOut := fx.pages()
	pages = append(pages, extraPages...)
	rep.LeftOut = leftOut
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	fmt.Fprintf(os.Stderr, "pagebench: %d requests, %d messages; start-up %.0f ms, idle %.1f MB\n", fx.requests, fx.messages, rep.StartupMs, rep.IdleRSSMB)
	for _, l := range leftOut {
		fmt.Fprintf(os.Stderr, "  left out: %s\n", l)
	}
	for _, p := range pages {
		if len(want) > 0 && !want[p.Name] && p.Name != "static css" {
			continue
		}
		r := drive(client, base, p, fx, dur, conns, srv.Process.Pid)
		rep.Results = append(rep.Results, r)
		fmt.Fprintf(os.Stderr, "  %-28s p50 %8.1f ms  p99 %8.1f ms  %7.1f/s  %s\n", r.Name, r.P50ms, r.P99ms, r.PerSecond, statusNote(r))
	}
	// The ceiling again at the end, to show the machine did not change under the run.
	r := drive(client, base, pages[0], fx, dur, conns, srv.Process.Pid)
	r.Name = "static css (again, last)"
	rep.Results = append(rep.Results, r)
	rep.PeakRSSMB = rssMB(srv.Process.Pid, "VmHWM")

	printMarkdown(os.Stdout, rep)
	if jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(jsonOut, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func statusNote(r Result) string {
	if r.Status != http.StatusOK {
		return fmt.Sprintf("HTTP %d", r.Status)
	}
	if r.Errors > 0 {
		return fmt.Sprintf("%d errors", r.Errors)
	}
	return fmt.Sprintf("%d bytes", r.Bytes)
}

// extraPages are the pages given with --also.
var extraPages pageFlags

type pageFlags []page

func (f *pageFlags) String() string { return fmt.Sprint(*f) }

func (f *pageFlags) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || !strings.HasPrefix(path, "/") {
		return fmt.Errorf("want NAME=PATH, got %q", v)
	}
	*f = append(*f, page{Name: name, Path: path, API: strings.HasPrefix(path, "/api/")})
	return nil
}

// fixture is what the pages are opened with: a signed-in session, an API
// token, and the ids of the heaviest things to show.
type fixture struct {
	cookie, token            string
	requests, messages       int
	authority, request, mail int64
	document, event          int64
	// Rows half-way down the lists of documents and mail (the newest
	// first, the oldest first): the cursor of a deep page.
	midDocument, midMail int64
	// page50 is the last request of the list's 49th page (newest first),
	// midRequest the one half-way down it.
	page50, midRequest int64
	slug, tag, word    string
}

// prepare signs in as the user given by email (a session and an API token
// written into the database) and picks the pages' ids. It opens the
// database with this build's store, which upgrades an older schema.
func prepare(ctx context.Context, data, email string) (*fixture, error) {
	// store.Open would create an empty database in a mistyped folder.
	if _, err := os.Stat(filepath.Join(data, store.DefaultDBName)); err != nil {
		return nil, fmt.Errorf("%s holds no foitrack database: %w", data, err)
	}
	st, err := store.Open(ctx, data)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	fx := &fixture{tag: "surveillance", word: "police"}
	u, err := st.UserByEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("no user %s to sign in as (dev seed makes admin@example.org; give --user EMAIL of an admin): %w", email, err)
	}
	if fx.cookie, _, err = st.CreateSession(ctx, u.ID, "127.0.0.1", "pagebench"); err != nil {
		return nil, err
	}
	if fx.token, _, err = st.CreateAPIToken(ctx, u.ID, "pagebench"); err != nil {
		return nil, err
	}
	db := st.Reader()
	// one reads one value; no row, or NULL (the max of an empty table),
	// leaves dst at zero: the pages that need it are then left out.
	one := func(q string, dst any) {
		if err == nil {
			var n sql.NullInt64
			var str sql.NullString
			var into any = &n
			if _, ok := dst.(*string); ok {
				into = &str
			}
			if e := db.QueryRowContext(ctx, q).Scan(into); e != nil && !errors.Is(e, sql.ErrNoRows) {
				err = fmt.Errorf("%s: %w", q, e)
			}
			switch d := dst.(type) {
			case *int:
				*d = int(n.Int64)
			case *int64:
				*d = n.Int64
			case *string:
				*d = str.String
			}
		}
	}
	one(`SELECT count(*) FROM requests`, &fx.requests)
	one(`SELECT count(*) FROM mail_messages`, &fx.messages)
	// The largest authority: the page that lists the most.
	one(`SELECT authority_id FROM requests GROUP BY authority_id ORDER BY count(*) DESC LIMIT 1`, &fx.authority)
	// A request with a long history, in the middle of the table.
	one(`SELECT request_id FROM request_events WHERE request_id > (SELECT max(id) / 2 FROM requests)
		GROUP BY request_id ORDER BY count(*) DESC LIMIT 1`, &fx.request)
	one(`SELECT p.slug FROM public_pages p JOIN requests r ON r.id = p.request_id
		WHERE r.visibility = 'public' ORDER BY (SELECT count(*) FROM request_events e WHERE e.request_id = r.id) DESC LIMIT 1`, &fx.slug)
	one(`SELECT max(id) FROM mail_messages WHERE state = 'matched'`, &fx.mail)
	one(`SELECT max(id) FROM documents`, &fx.document)
	one(`SELECT max(id) FROM timeline_events`, &fx.event)
	one(`SELECT id FROM documents ORDER BY id DESC LIMIT 1 OFFSET (SELECT count(*) / 2 FROM documents)`, &fx.midDocument)
	one(`SELECT id FROM mail_messages WHERE direction = 'in' ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM mail_messages WHERE direction = 'in')`, &fx.midMail)
	one(`SELECT id FROM requests ORDER BY id DESC LIMIT 1 OFFSET 49 * 50 - 1`, &fx.page50)
	one(`SELECT id FROM requests ORDER BY id DESC LIMIT 1 OFFSET (SELECT count(*) / 2 FROM requests)`, &fx.midRequest)
	return fx, err
}

// pages are the pages driven, and the ones left out because this database
// has nothing for them (a database built otherwise than by dev seed).
func (fx *fixture) pages() (pages []page, leftOut []string) {
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	lacks := func(n int64, what string) string {
		if n > 0 {
			return ""
		}
		return what
	}
	lacksSlug := ""
	if fx.slug == "" {
		lacksSlug = "no public page of a public request"
	}
	all := []page{
		{Name: "static css", Path: "/static/style.css"},
		{Name: "dashboard", Path: "/"},
		{Name: "requests", Path: "/requests"},
		{Name: "requests ?status=", Path: "/requests?status=awaiting_response"},
		{Name: "requests ?open=", Path: "/requests?open=1"},
		{Name: "requests ?tag=", Path: "/requests?tag=" + fx.tag},
		{Name: "requests ?q=", Path: "/requests?q=" + fx.word},
		{Name: "requests page 50", Path: "/requests?after=" + id(fx.page50), lacks: lacks(fx.page50, "fewer than 2,450 requests")},
		{Name: "requests half-way", Path: "/requests?after=" + id(fx.midRequest), lacks: lacks(fx.midRequest, "no requests")},
		{Name: "authorities", Path: "/authorities"},
		{Name: "authority (largest)", Path: "/authorities/" + id(fx.authority), lacks: lacks(fx.authority, "no requests")},
		{Name: "request page", Path: "/requests/" + id(fx.request), lacks: lacks(fx.request, "no request with a history in the upper half of the ids")},
		{Name: "mail", Path: "/mail?view=all"},
		{Name: "mail holding pen", Path: "/mail"},
		{Name: "mail half-way", Path: "/mail?view=all&after=" + id(fx.midMail), lacks: lacks(fx.midMail, "no incoming mail")},
		{Name: "mail message", Path: "/mail/" + id(fx.mail), lacks: lacks(fx.mail, "no mail matched to a request")},
		{Name: "documents", Path: "/documents"},
		{Name: "documents half-way", Path: "/documents?after=" + id(fx.midDocument), lacks: lacks(fx.midDocument, "no documents")},
		{Name: "document page", Path: "/documents/" + id(fx.document), lacks: lacks(fx.document, "no documents")},
		{Name: "document provenance", Path: "/documents/" + id(fx.document) + "/provenance", lacks: lacks(fx.document, "no documents")},
		{Name: "exemptions", Path: "/exemptions"},
		{Name: "timeline", Path: "/timeline"},
		{Name: "timeline event", Path: "/timeline/events/" + id(fx.event), lacks: lacks(fx.event, "no timeline events")},
		{Name: "search", Path: "/search?q=" + fx.word},
		// The search box as people use it (see searchQueries).
		{Name: "search rare word", Path: "/search?q=" + url.QueryEscape(searchQueries.rare)},
		{Name: "search phrase", Path: "/search?q=" + url.QueryEscape(searchQueries.phrase)},
		{Name: "search prefix", Path: "/search?q=" + url.QueryEscape(searchQueries.prefix)},
		{Name: "search exemption:", Path: "/search?q=" + url.QueryEscape(searchQueries.exemption)},
		{Name: "search kind:", Path: "/search?q=" + url.QueryEscape(searchQueries.kind)},
		{Name: "search page 4", Path: "/search?page=4&q=" + fx.word}, // the last: a search lists 200 hits (page 5 until session 8)
		{Name: "insight", Path: "/insight"},
		{Name: "new batch", Path: "/batches/new"}, // its authority chooser
		{Name: "notifications", Path: "/notifications"},
		{Name: "public page", Path: "/p/" + fx.slug, lacks: lacksSlug},
		{Name: "public search", Path: "/p/search?q=" + fx.word},
		{Name: "public search phrase", Path: "/p/search?q=" + url.QueryEscape(searchQueries.phrase)},
		{Name: "api requests", Path: "/api/v1/requests", API: true},
		{Name: "api requests ?status=", Path: "/api/v1/requests?status=awaiting_response", API: true},
		{Name: "api request", Path: "/api/v1/requests/" + id(fx.request), API: true, lacks: lacks(fx.request, "no request with a history in the upper half of the ids")},
		{Name: "api documents", Path: "/api/v1/documents", API: true},
		{Name: "api documents half-way", Path: "/api/v1/documents?after=" + id(fx.midDocument), API: true, lacks: lacks(fx.midDocument, "no documents")},
		{Name: "api mail", Path: "/api/v1/mail", API: true},
		{Name: "api mail holding pen", Path: "/api/v1/mail?holding_pen=true", API: true},
		{Name: "api authorities", Path: "/api/v1/authorities", API: true},
		{Name: "api authority (largest)", Path: "/api/v1/authorities/" + id(fx.authority), API: true, lacks: lacks(fx.authority, "no requests")},
		{Name: "api events", Path: "/api/v1/requests/" + id(fx.request) + "/events", API: true, lacks: lacks(fx.request, "no request with a history in the upper half of the ids")},
		{Name: "api search", Path: "/api/v1/search?q=" + fx.word, API: true},
		// The lists' own search boxes and filters, prefixes elsewhere, and
		// the timeline's two downloads (the whole timeline: files, not
		// pages, streamed; the slowest responses by far).
		{Name: "requests by authority (largest)", Path: "/requests?authority=" + id(fx.authority), lacks: lacks(fx.authority, "no requests")},
		{Name: "requests ?q= prefix", Path: "/requests?q=" + url.QueryEscape(searchQueries.prefix)},
		{Name: "search common prefix", Path: "/search?q=" + url.QueryEscape(searchQueries.commonPrefix)},
		{Name: "mail search", Path: "/mail?q=" + fx.word},
		{Name: "mail search rare word", Path: "/mail?q=" + url.QueryEscape(searchQueries.rare)},
		{Name: "mail search prefix", Path: "/mail?q=" + url.QueryEscape(searchQueries.prefix)},
		{Name: "documents search", Path: "/documents?q=" + fx.word},
		{Name: "documents search foi", Path: "/documents?q=foi"},
		{Name: "timeline search", Path: "/timeline?q=" + fx.word},
		{Name: "public search prefix", Path: "/p/search?q=" + url.QueryEscape(searchQueries.prefix)},
		{Name: "api search prefix", Path: "/api/v1/search?q=" + url.QueryEscape(searchQueries.prefix), API: true},
		{Name: "timeline.json", Path: "/timeline.json"},
		{Name: "timelinejs.json", Path: "/timeline/timelinejs.json"},
	}
	for _, p := range all {
		if p.lacks != "" {
			leftOut = append(leftOut, p.Name+" ("+p.lacks+")")
			continue
		}
		pages = append(pages, p)
	}
	return pages, leftOut
}

// searchQueries are the search box's other pages, each a kind of query
// that costs differently: words the seeded data has (see internal/seed).
// The common word is fixture.word (in every police force's requests).
var searchQueries = struct{ rare, phrase, prefix, commonPrefix, exemption, kind string }{
	rare:         "norfolk",              // one authority's name: a few dozen hits at 10,000 requests
	phrase:       `"facial recognition"`, // a phrase in a fifth of the requests
	prefix:       "survei*",              // surveillance, surveyed…
	commonPrefix: "inform*",              // information, informed…: in most texts
	exemption:    "exemption:s31",        // a filter and no word: the requests that cited it
	kind:         "kind:document foi",    // one kind: documents named FOI-…
}

func (fx *fixture) get(client *http.Client, base string, p page) (status, size int, err error) {
	req, err := http.NewRequest(http.MethodGet, base+p.Path, nil)
	if err != nil {
		return 0, 0, err
	}
	if p.API {
		req.Header.Set("Authorization", "Bearer "+fx.token)
	} else {
		req.AddCookie(&http.Cookie{Name: "foitrack_session", Value: fx.cookie})
	}
	if acceptGzip {
		req.Header.Set("Accept-Encoding", "gzip") // the client does not decompress (DisableCompression)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, int(n), err
}

// drive sends requests for p from conns workers in a closed loop (each sends
// its next request when the last one is answered) for dur.
func drive(client *http.Client, base string, p page, fx *fixture, dur time.Duration, conns, pid int) Result {
	r := Result{Name: p.Name, Path: p.Path}
	status, size, err := fx.get(client, base, p) // warm-up, and what the page is
	r.Status, r.Bytes = status, size
	if err != nil || status != http.StatusOK {
		if err != nil {
			r.Errors = 1
		}
		return r
	}
	if driver == "wrk" {
		return driveWrk(client, base, p, fx, dur, conns, pid, r)
	}
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	stop := time.Now().Add(dur)
	var wg sync.WaitGroup
	stopWatch := watch(client, p.Name, dur, pid)
	began, cpuBefore := time.Now(), cpuTime(pid)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			// At least one request each, however slow the page.
			for len(mine) == 0 || time.Now().Before(stop) {
				t0 := time.Now()
				st, _, err := fx.get(client, base, p)
				if err != nil || st != http.StatusOK {
					bad++
					if time.Now().After(stop) {
						break
					}
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(began), cpuTime(pid)-cpuBefore
	maxRSS := stopWatch()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.Requests, r.Errors, r.RSSMB = len(lat), errs, maxRSS
	if len(lat) > 0 {
		r.P50ms, r.P95ms, r.P99ms, r.MaxMs = ms(pct(lat, 50)), ms(pct(lat, 95)), ms(pct(lat, 99)), ms(lat[len(lat)-1])
		r.PerSecond = float64(len(lat)) / elapsed.Seconds()
		r.CPUms = ms(cpu) / float64(len(lat))
	}
	return r
}

// watch samples the server's resident size while a page is driven and,
// with --profile, saves its CPU profile over dur; stop waits for the
// profile and returns the largest size seen.
func watch(client *http.Client, name string, dur time.Duration, pid int) (stop func() (maxRSS float64)) {
	rssDone, sampled := make(chan struct{}), make(chan struct{})
	var maxRSS float64
	go func() {
		defer close(sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-rssDone:
				return
			case <-t.C:
				if v := rssMB(pid, "VmRSS"); v > maxRSS {
					maxRSS = v
				}
			}
		}
	}()
	profiled := make(chan struct{})
	if profileDir != "" {
		go func() {
			defer close(profiled)
			profile(client, name, dur)
		}()
	} else {
		close(profiled)
	}
	return func() float64 {
		<-profiled
		close(rssDone)
		<-sampled
		return maxRSS
	}
}

// driver is the load generator (--driver).
var driver string

// acceptGzip: --gzip.
var acceptGzip bool

// wrkReport is a Lua script for wrk that prints, at the end, one line this
// program reads: requests, non-2xx answers, socket errors, and the latency
// percentiles in microseconds (wrk's own summary has no p95).
const wrkReport = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("pagebench %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
`

// driveWrk drives p with wrk: the same connections (two threads, as the
// machine has two cores) for the same time, signed in the same way.
func driveWrk(client *http.Client, base string, p page, fx *fixture, dur time.Duration, conns, pid int, r Result) Result {
	script, err := os.CreateTemp("", "pagebench-*.lua")
	if err != nil {
		r.Errors = 1
		return r
	}
	defer os.Remove(script.Name())
	script.WriteString(wrkReport)
	script.Close()
	header := "Cookie: foitrack_session=" + fx.cookie
	if p.API {
		header = "Authorization: Bearer " + fx.token
	}
	threads := min(2, conns)
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", fmt.Sprintf("%ds", max(1, int(dur.Round(time.Second).Seconds()))),
		"--timeout", "30s", "-s", script.Name(), "-H", header}
	if acceptGzip {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	args = append(args, base+p.Path)
	stopWatch := watch(client, p.Name, dur, pid)
	cpuBefore := cpuTime(pid)
	out, err := exec.Command("wrk", args...).Output()
	cpu := cpuTime(pid) - cpuBefore
	r.RSSMB = stopWatch()
	var n, micros, status, sockets, p50, p95, p99, maxLat int64
	found := false
	for _, line := range strings.Split(string(out), "\n") {
		if _, e := fmt.Sscanf(line, "pagebench %d %d %d %d %d %d %d %d", &n, &micros, &status, &sockets, &p50, &p95, &p99, &maxLat); e == nil {
			found = true
		}
	}
	if err != nil || !found {
		fmt.Fprintf(os.Stderr, "pagebench: wrk on %s: %v\n%s", p.Path, err, out)
		r.Errors = max(r.Errors, 1)
		return r
	}
	us := func(v int64) float64 { return float64(v) / 1000 }
	r.Requests, r.Errors = int(n-status), int(status+sockets)
	r.P50ms, r.P95ms, r.P99ms, r.MaxMs = us(p50), us(p95), us(p99), us(maxLat)
	if micros > 0 {
		r.PerSecond = float64(n) / (float64(micros) / 1e6)
	}
	if n > 0 {
		r.CPUms = ms(cpu) / float64(n)
	}
	return r
}

// profileDir and pprofBase: where --profile writes, and the server's
// profiler (FOITRACK_PPROF_ADDR).
var profileDir, pprofBase string

// profile saves the server's CPU profile over dur (whole seconds, at least
// one) as profileDir/<name>.pprof.
func profile(client *http.Client, name string, dur time.Duration) {
	secs := max(1, int(dur.Round(time.Second).Seconds()))
	c := &http.Client{Timeout: time.Duration(secs+30) * time.Second}
	resp, err := c.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", pprofBase, secs))
	if err != nil {
		fmt.Fprintf(os.Stderr, "pagebench: profile of %s: %v\n", name, err)
		return
	}
	defer resp.Body.Close()
	file := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(name))
	f, err := os.Create(filepath.Join(profileDir, file+".pprof"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "pagebench: %v\n", err)
		return
	}
	defer f.Close()
	io.Copy(f, resp.Body)
}

// pct is the nearest-rank percentile of sorted latencies.
func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rssMB reads a memory figure of a process (VmRSS now, VmHWM the peak) in MB.
// settle waits until process pid has used less than 2% of a core over
// half a second, or for at most max, and says how long it waited.
func settle(pid int, max time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < max {
		before := cpuTime(pid)
		time.Sleep(500 * time.Millisecond)
		if cpuTime(pid)-before <= 10*time.Millisecond {
			break
		}
	}
	return time.Since(start)
}

// cpuTime is a process's user and system CPU time so far (/proc/PID/stat,
// in clock ticks of 1/100 s).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces): utime and
	// stime are the 12th and 13th.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond
}

func rssMB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func machine() string {
	cpu := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	n := 0
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		n = strings.Count(string(b), "processor\t:")
	}
	mem := rssLine("/proc/meminfo", "MemTotal")
	return fmt.Sprintf("%d × %s, %s RAM", n, cpu, mem)
}

func rssLine(file, field string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return fmt.Sprintf("%.0f GB", kb/1024/1024)
			}
		}
	}
	return "?"
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func printMarkdown(w io.Writer, rep Report) {
	fmt.Fprintf(w, "%d requests, %d messages (%s); %d connections, %s per page, driven by %s; %s; load average before: %s; %s\n\n",
		rep.Requests, rep.Messages, rep.Data, rep.Connections, rep.Duration, rep.Driver, rep.Machine, rep.LoadAverage, rep.StartedAtUTC)
	fmt.Fprintf(w, "Start-up %.0f ms; idle RSS %.1f MB; peak RSS over the run %.1f MB; waited %.1f s after start-up for the background passes to end.\n\n",
		rep.StartupMs, rep.IdleRSSMB, rep.PeakRSSMB, rep.SettleMs/1000)
	if len(rep.LeftOut) > 0 {
		fmt.Fprintf(w, "Left out, as this database has nothing for them: %s.\n\n", strings.Join(rep.LeftOut, "; "))
	}
	fmt.Fprintln(w, "| page | path | p50 ms | p95 ms | p99 ms | req/s | CPU ms/req | size | RSS MB | note |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rep.Results {
		note := ""
		if r.Status != http.StatusOK {
			note = fmt.Sprintf("HTTP %d", r.Status)
		} else if r.Errors > 0 {
			note = fmt.Sprintf("%d errors", r.Errors)
		}
		fmt.Fprintf(w, "| %s | `%s` | %.1f | %.1f | %.1f | %.0f | %.1f | %s | %.0f | %s |\n", r.Name, clip(r.Path, 40), r.P50ms, r.P95ms, r.P99ms,
			r.PerSecond, r.CPUms, size(r.Bytes), r.RSSMB, note)
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
