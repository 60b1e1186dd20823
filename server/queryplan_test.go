package server

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// largeTables grow with the number of requests (or faster): a page may not
// read one of them whole. The others (authorities, users, settings…) stay
// small whatever the volume.
var largeTables = map[string]bool{
	"requests": true, "request_events": true, "exemption_claims": true, "documents": true, "mail_messages": true,
	"audit_log": true, "event_links": true, "blobs": true, "request_windows": true, "notifications": true,
	"reminder_log": true, "request_tags": true, "public_pages": true, "outbound_sends": true, "request_watchers": true,
}

// planExceptions are full scans that are known and left, each with why:
// the query (spaces folded) exactly, or the start of it when the key ends
// with "…". bench/HISTORY.md reports them ("Not yet within the targets
// (honestly)").
var planExceptions = map[string]string{
	// The number of all requests, for the request list's pager: SQLite
	// counts the entries of the smallest index (OP_Count), a few ms at a
	// million; the figures are in bench/README.md.
	"SELECT count(*) FROM requests r": "the request list's total",
}

// idLookup: rows of one request, document, message… (a small set).
var idLookup = regexp.MustCompile(`\((?:[a-z_]*_id|rowid)=\?`)

var fromRe = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+([a-z_]+)(?:\s+(?:AS\s+)?([a-z_]+))?`)

// tableOf maps the names a query gives its tables (aliases too) to the tables.
func tableOf(query string) map[string]string {
	m := map[string]string{}
	keywords := map[string]bool{"where": true, "join": true, "on": true, "left": true, "inner": true, "order": true,
		"group": true, "limit": true, "using": true, "natural": true, "cross": true, "union": true, "and": true}
	for _, g := range fromRe.FindAllStringSubmatch(query, -1) {
		t := strings.ToLower(g[1])
		m[t] = t
		if a := strings.ToLower(g[2]); a != "" && !keywords[a] {
			m[a] = t
		}
	}
	return m
}

type planRow struct {
	id, parent int
	detail     string
}

// TestPagesNeverScanALargeTable opens every page of a seeded database and
// asks SQLite how it runs each query the page ran (EXPLAIN QUERY PLAN): none
// may read a large table whole, except by walking it in the order asked for
// with a LIMIT (it stops after a page of rows). Plans do not depend on the
// number of rows (the app keeps no statistics), so a small database shows
// the plans a million requests get.
func TestPagesNeverScanALargeTable(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	if _, err := seed.Run(ctx, app.st, seed.Options{Requests: 60, Messages: 150, Seed: 1, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string][]any{}
	page := map[string]string{}
	current := ""
	deep := map[string]string{} // a query that read a large table with OFFSET > 0: a page
	app.st.TraceReads(func(q string, args []any) {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := seen[q]; !ok {
			seen[q], page[q] = args, current
		}
		if _, ok := deep[q]; !ok && offsetOnLargeTable(q, args) != "" {
			deep[q] = current
		}
	})
	defer app.st.TraceReads(nil)

	db := app.st.Reader()
	one := func(q string) string {
		var v string
		if err := db.QueryRowContext(ctx, q).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	authority := one(`SELECT authority_id FROM requests GROUP BY authority_id ORDER BY count(*) DESC LIMIT 1`)
	request := one(`SELECT max(request_id) FROM request_events`)
	slug := one(`SELECT p.slug FROM public_pages p JOIN requests r ON r.id = p.request_id WHERE r.visibility = 'public' LIMIT 1`)
	mail := one(`SELECT max(id) FROM mail_messages WHERE state = 'matched'`)
	document := one(`SELECT max(id) FROM documents`)
	event := one(`SELECT max(id) FROM timeline_events`)
	midDocument := one(`SELECT id FROM documents ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM documents)`)
	midMail := one(`SELECT id FROM mail_messages ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM mail_messages)`)
	midAuthority := one(`SELECT id FROM authorities ORDER BY name COLLATE NOCASE, id LIMIT 1 OFFSET 3`)
	authorityName := one(`SELECT name FROM authorities WHERE id = ` + midAuthority)
	midRequest := one(`SELECT id FROM requests ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM requests)`)
	dueKey := base64.RawURLEncoding.EncodeToString([]byte(one(`SELECT max(due_date) FROM requests`)))
	needsKey := base64.RawURLEncoding.EncodeToString([]byte("1 " + one(`SELECT max(needs_sort) FROM requests`)))

	if err := app.st.AddCensorRule(store.WithActor(ctx, "test"), &tracker.CensorRule{Scope: tracker.CensorRequest, ScopeID: atoi64(request), Pattern: "zzyzx"}); err != nil {
		t.Fatal(err)
	}
	if n := one(`SELECT count(*) FROM event_links WHERE role = 'context'`); n == "0" {
		t.Error("the seed links no event as background: the timeline downloads' second query is not checked")
	}

	c := app.login("admin@example.org")
	admin, err := app.st.UserByEmail(ctx, "admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := app.st.CreateAPIToken(ctx, admin.ID, "plans")
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"/", "/requests", "/requests?status=awaiting_response", "/requests?tag=surveillance",
		"/authorities", "/authorities/" + authority, "/requests/" + request, "/mail",
		"/mail?state=unmatched", "/mail/" + mail, "/documents", "/documents/" + document, "/documents/" + document + "/provenance", "/timeline",
		"/timeline/events/" + event, "/notifications", "/p/" + slug, "/api/v1/requests", "/api/v1/requests/" + request,
		"/api/v1/documents", "/requests?open=1", "/requests?overdue=1", "/requests?q=police", "/requests?q=police&open=1", "/requests?q=police&status=awaiting_response", "/requests?tag=surveillance&open=1",
		// The exemptions catalogue: counts kept on each write. Not
		// /insight: its figures are too, but those overdue today read the
		// range of open requests due before it (bench/HISTORY.md, "Session 7:
		// timeline pages and insight figures").
		"/exemptions", "/exemptions?law=uk-eir",
		// The timeline's downloads, a chunk of events at a time with their
		// links (and, with a rule scoped to a request, their background
		// links' requests).
		"/timeline.json", "/timeline/timelinejs.json",
		"/search?q=police", "/p/search?q=police", "/api/v1/search?q=police",
		"/api/v1/requests?status=awaiting_response", "/api/v1/requests?open=1",
		// Lists read by cursor: a page after and before a row, with filters.
		"/documents?after=" + midDocument, "/documents?before=" + midDocument, "/documents?disposition=withheld&after=" + midDocument,
		"/mail?after=" + midMail, "/mail?view=all&after=" + midMail, "/mail?view=all&before=" + midMail, "/mail?view=not_foi",
		"/mail?view=failed", "/mail?view=all",
		// The mail list's search box: its selection, counted and paged.
		"/mail?q=police", "/mail?view=pen&q=police", "/mail?view=failed&q=police", "/mail?q=police&after=" + midMail,
		"/authorities?after=" + cursorString(store.Cursor{Key: authorityName, ID: atoi64(midAuthority)}, true),
		"/authorities?before=" + cursorString(store.Cursor{Key: authorityName, ID: atoi64(midAuthority)}, true),
		"/api/v1/documents?after=" + midDocument, "/api/v1/documents?request_id=" + request + "&limit=1",
		"/api/v1/mail", "/api/v1/mail?after=" + midMail, "/api/v1/mail?holding_pen=true", "/api/v1/mail?request_id=" + request,
		"/api/v1/mail/" + mail, "/api/v1/authorities", "/api/v1/authorities/" + authority, "/api/v1/requests/" + request + "/events",
		"/notifications?unread=1", "/notifications?after=999999", "/notifications?before=1",
		// The request lists and "Needs you" by cursor, in both orders and
		// from a dated and an undated row.
		"/requests?after=" + midRequest, "/requests?before=" + midRequest, "/requests?tag=surveillance&after=" + midRequest,
		"/requests?q=police&after=" + midRequest, "/requests?open=1&after=" + midRequest + "." + dueKey,
		"/requests?open=1&before=" + midRequest + "." + dueKey, "/requests?open=1&after=" + midRequest + ".",
		"/requests?open=1&before=" + midRequest + ".", "/requests?status=answered&after=" + midRequest + "." + dueKey,
		"/requests?status=answered&before=" + midRequest + ".", "/requests?overdue=1&after=" + midRequest + "." + dueKey,
		"/requests?open=1&authority=" + authority + "&after=" + midRequest + "." + dueKey,
		"/?after=" + midRequest + "." + needsKey, "/?before=" + midRequest + "." + needsKey,
		"/api/v1/requests?after=" + midRequest, "/api/v1/requests?open=1&after=" + midRequest + "." + dueKey}
	for _, p := range paths {
		mu.Lock()
		current = p
		mu.Unlock()
		status := 0
		if strings.HasPrefix(p, "/api/") {
			req, _ := http.NewRequest(http.MethodGet, app.ts.URL+p, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			status = res.StatusCode
		} else {
			res, _ := c.get(p)
			status = res.StatusCode
		}
		if status != http.StatusOK {
			t.Errorf("GET %s: status %d", p, status)
		}
	}
	// The second page of the request list, as its first page's Next
	// link gives it (whatever paging the list uses).
	for _, p := range []string{"/requests"} {
		_, body := c.get(p)
		m := nextLink.FindStringSubmatch(body)
		if m == nil {
			t.Errorf("%s has no Next link: the test needs more than a page", p)
			continue
		}
		next := html.UnescapeString(m[1])
		mu.Lock()
		current = next
		mu.Unlock()
		if res, _ := c.get(next); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", next, res.StatusCode)
		}
	}
	app.st.TraceReads(nil)

	var problems []string
	for q, args := range seen {
		if strings.HasPrefix(strings.TrimSpace(strings.ToUpper(q)), "PRAGMA") {
			continue
		}
		rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Errorf("EXPLAIN %s: %v", q, err)
			continue
		}
		var plan []planRow
		for rows.Next() {
			var r planRow
			var notused int
			if err := rows.Scan(&r.id, &r.parent, &notused, &r.detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, r)
		}
		rows.Close()
		msg := fullScan(q, plan)
		if msg == "" {
			msg = optionalFilterScan(q, args, plan)
		}

		if msg != "" {
			if why, ok := exceptionIn(planExceptions, q); ok {
				t.Logf("known full scan (%s) on %s: %s", why, page[q], msg)
				continue
			}
			problems = append(problems, fmt.Sprintf("%s runs a full scan of %s:\n  %s\n  plan: %s", page[q], msg,
				strings.Join(strings.Fields(q), " "), planText(plan)))
		}
	}
	for q, p := range deep {
		if why, ok := exceptionIn(offsetExceptions, q); ok {
			t.Logf("known OFFSET (%s) on %s", why, p)
			continue
		}
		problems = append(problems, fmt.Sprintf("%s reads %s:\n  %s", p, offsetOnLargeTable(q, nil), strings.Join(strings.Fields(q), " ")))
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// optionalRe is a filter that applies only when its parameter is set:
// "(? = 0 OR d.request_id = ?)". SQLite cannot use an index for it.
var optionalRe = regexp.MustCompile(`\(\? = (?:0|'') OR `)

// optionalFilterScan names the large table a plan walks whole (in order,
// which fullScan allows with a LIMIT) while an optional filter of the query
// is set: the walk stops after a page only when enough rows match, so a
// filter for one request's rows reads the whole table to find them.
func optionalFilterScan(q string, args []any, plan []planRow) string {
	active := false
	for _, loc := range optionalRe.FindAllStringIndex(q, -1) {
		i := strings.Count(q[:loc[0]], "?")
		if i < len(args) {
			switch v := args[i].(type) {
			case int64:
				active = active || v != 0
			case int:
				active = active || v != 0
			case string:
				active = active || v != ""
			default:
				active = true
			}
		}
	}
	if !active {
		return ""
	}
	tables := tableOf(q)
	for _, r := range plan {
		if !strings.HasPrefix(r.detail, "SCAN ") {
			continue
		}
		name := strings.Fields(strings.TrimPrefix(r.detail, "SCAN "))[0]
		if t := tables[strings.ToLower(name)]; largeTables[t] {
			return fmt.Sprintf("%s with a set optional filter (? = 0 OR …), which no index serves (%s)", t, r.detail)
		}
	}
	return ""
}

// offsetExceptions are reads with OFFSET that are known and left, each
// with why (keys as planExceptions').
var offsetExceptions = map[string]string{
	// The median of one authority's response times: the middle entry of
	// its range of a covering index (half of one authority's entries).
	"SELECT response_days FROM requests INDEXED BY requests_authority_record WHERE authority_id = ? AND response_days IS NOT NULL ORDER BY response_days LIMIT 1 OFFSET ?": "one authority's median, in its index range",
}

// offsetRe is a page read with OFFSET, which reads and drops every row
// before the page (page 10,000 of a large table reads 500,000 rows): lists
// of large tables are read by cursor (store.Cursor, keyset pagination).
var offsetRe = regexp.MustCompile(`(?i)\bOFFSET\s+(\?|\d+)`)

// offsetOnLargeTable names the large table a query reads past rows of with
// OFFSET (a literal one, or a parameter that args sets above 0; nil args:
// any).
func offsetOnLargeTable(q string, args []any) string {
	m := offsetRe.FindStringSubmatchIndex(q)
	if m == nil {
		return ""
	}
	if n := q[m[2]:m[3]]; n != "?" {
		if n == "0" {
			return ""
		}
	} else if i := strings.Count(q[:m[2]], "?"); args != nil && i < len(args) {
		switch v := args[i].(type) {
		case int:
			if v <= 0 {
				return ""
			}
		case int64:
			if v <= 0 {
				return ""
			}
		}
	}
	for _, t := range tableOf(q) {
		if largeTables[t] {
			return t + " with OFFSET (a page far down reads every row before it: read it by cursor)"
		}
	}
	return ""
}

// exceptionIn gives why q is a known exception of m.
func exceptionIn(m map[string]string, q string) (string, bool) {
	q = strings.Join(strings.Fields(q), " ")
	for key, why := range m {
		if prefix, ok := strings.CutSuffix(key, "…"); ok && strings.HasPrefix(q, prefix) || q == key {
			return why, true
		}
	}
	return "", false
}

func planText(plan []planRow) string {
	var parts []string
	for _, r := range plan {
		parts = append(parts, r.detail)
	}
	return strings.Join(parts, " | ")
}

// fullScan names the large table a plan reads whole, or "".
func fullScan(q string, plan []planRow) string {
	tables := tableOf(q)
	upper := strings.ToUpper(q)
	hasLimit := strings.Contains(upper, " LIMIT ")
	sorts := false
	for _, r := range plan {
		if strings.Contains(r.detail, "USE TEMP B-TREE") {
			sorts = true
		}
	}
	// The rows of the outermost level: a scan there with a LIMIT and no
	// sort stops after a page.
	outer := map[int]bool{0: true}
	inSub := map[int]bool{}
	for _, r := range plan {
		if strings.Contains(r.detail, "SUBQUERY") || strings.HasPrefix(r.detail, "CO-ROUTINE") || strings.HasPrefix(r.detail, "MATERIALIZE") ||
			strings.HasPrefix(r.detail, "LIST SUBQUERY") || inSub[r.parent] {
			inSub[r.id] = true
		}
	}
	// A LIMIT after a sort reads and sorts every matching row first: fine
	// for a small set (one request's events), not for a large table's range.
	fullSort := false
	for _, r := range plan {
		if strings.Contains(r.detail, "USE TEMP B-TREE FOR ORDER BY") {
			fullSort = true // not "FOR LAST TERM OF ORDER BY": rows come in order but for ties
		}
	}
	if hasLimit && fullSort {
		for _, r := range plan {
			for _, pfx := range []string{"SEARCH ", "SCAN "} {
				if !strings.HasPrefix(r.detail, pfx) || inSub[r.id] || !outer[r.parent] {
					continue
				}
				name := strings.Fields(strings.TrimPrefix(r.detail, pfx))[0]
				table := tables[strings.ToLower(name)]
				if largeTables[table] && !idLookup.MatchString(r.detail) {
					return fmt.Sprintf("%s, sorted whole before its LIMIT (%s)", table, r.detail)
				}
			}
		}
	}
	first := true
	for _, r := range plan {
		if !strings.HasPrefix(r.detail, "SCAN ") {
			if outer[r.parent] && !inSub[r.id] && strings.HasPrefix(r.detail, "SEARCH ") {
				first = false
			}
			continue
		}
		name := strings.Fields(strings.TrimPrefix(r.detail, "SCAN "))[0]
		table := tables[strings.ToLower(name)]
		if table == "" {
			table = strings.ToLower(name)
		}
		if !largeTables[table] {
			if outer[r.parent] && !inSub[r.id] {
				first = false
			}
			continue
		}
		if hasLimit && !sorts && first && outer[r.parent] && !inSub[r.id] {
			first = false
			continue // walked in order, stops after LIMIT rows
		}
		return fmt.Sprintf("%s (%s)", table, r.detail)
	}
	return ""
}

func atoi64(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}
