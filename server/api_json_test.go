package server

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// jsonOddStrings are texts encoding/json writes escaped or with care:
// quotes, backslashes, every kind of control character, HTML's < > &,
// U+2028/2029, invalid and truncated UTF-8, DEL, non-ASCII letters and
// emoji.
var jsonOddStrings = []string{
	"", "plain title", `say "no"`, `back\slash`, "tab\there", "line\nbreak", "cr\rlf", "\b\f", "\x00\x01\x1f",
	"<script>alert(1)</script>", "fish & chips", "a>b", "\u2028sep\u2029", "caf\xc3", "\xff\xfe bad", "\xe2\x80",
	"\x7f del", "Ærø — straße ✓", "emoji 🙂 ok", "mixed \"<&>\" \u2028 \xed\xa0\x80 end", strings.Repeat("long ", 200),
}

// randomAPIRequest is a request of the list with fields drawn from every
// status, law, standing and window state, with and without the optional
// fields, dates and windows, and with odd texts.
func randomAPIRequest(rnd *rand.Rand) apiRequest {
	text := func() string {
		if rnd.IntN(3) == 0 {
			return jsonOddStrings[rnd.IntN(len(jsonOddStrings))] + jsonOddStrings[rnd.IntN(len(jsonOddStrings))]
		}
		return jsonOddStrings[rnd.IntN(len(jsonOddStrings))]
	}
	date := func() tracker.Date {
		if rnd.IntN(4) == 0 {
			return tracker.Date{}
		}
		return tracker.NewDate(1990+rnd.IntN(60), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28))
	}
	zones := []*time.Location{time.UTC, time.FixedZone("", 5*3600+1800), time.FixedZone("X", -8*3600), time.Local}
	moment := func() time.Time {
		switch rnd.IntN(5) {
		case 0:
			return time.Time{}
		case 1:
			return time.Date(2026, 12, 5, 1, 2, 3, 0, time.UTC)
		}
		return time.Unix(rnd.Int64N(4e9), rnd.Int64N(1e9)).In(zones[rnd.IntN(len(zones))])
	}
	num := func() int64 {
		switch rnd.IntN(3) {
		case 0:
			return 0
		case 1:
			return -rnd.Int64N(1 << 62)
		}
		return rnd.Int64N(1 << 62)
	}
	var r apiRequest
	r.ID, r.AuthorityID, r.OwnerID, r.BatchID = num(), num(), num(), num()
	r.Title, r.Body, r.OurRef, r.TheirRef, r.Visibility = text(), text(), text(), text(), text()
	r.Law = tracker.Laws[rnd.IntN(len(tracker.Laws))].Code
	if rnd.IntN(5) == 0 {
		r.Law = tracker.LawCode(text())
	}
	switch rnd.IntN(3) {
	case 1:
		r.Tags = []string{}
	case 2:
		for range 1 + rnd.IntN(4) {
			r.Tags = append(r.Tags, text())
		}
	}
	if rnd.IntN(2) == 0 {
		r.ReplyToken, r.Notes, r.Outcome, r.AuthorityName = text(), text(), text(), text()
	}
	r.Status = tracker.Statuses[rnd.IntN(len(tracker.Statuses))].Status
	r.SentOn, r.DueDate, r.Due = date(), date(), date()
	r.CreatedAt, r.UpdatedAt = moment(), moment()
	codes := []tracker.StandingCode{tracker.StandingNotStarted, tracker.StandingOnTime, tracker.StandingDueSoon, tracker.StandingDueToday,
		tracker.StandingOverdue, tracker.StandingLongOverdue, tracker.StandingPaused, tracker.StandingAnswered, tracker.StandingClosed, ""}
	r.Standing = tracker.Standing{Code: codes[rnd.IntN(len(codes))], Date: date(), WorkingDays: int(num() % 100), Text: text()}
	r.NextAction = tracker.NextAction{Status: r.Status, Who: tracker.Who(text()), Action: tracker.Action(text()), By: date(),
		Overdue: rnd.IntN(2) == 0, Explanation: text()}
	states := []tracker.WindowState{tracker.WindowOpen, tracker.WindowMet, tracker.WindowMissed}
	switch rnd.IntN(4) {
	case 0: // nil: null
	case 1:
		r.NextAction.Windows = []tracker.Window{}
	default:
		for range 1 + rnd.IntN(5) {
			r.NextAction.Windows = append(r.NextAction.Windows, tracker.Window{Kind: tracker.DeadlineKind(text()), Who: tracker.Who(text()),
				Label: text(), Date: date(), State: states[rnd.IntN(len(states))], Optional: rnd.IntN(2) == 0, Explanation: text()})
		}
	}
	if rnd.IntN(3) == 0 {
		r.PublicURL = "https://foi.example/p/" + text()
	}
	return r
}

// TestAPIRequestJSONIsEncodingJSONs: the hand-written JSON of a page of
// the API's request list is byte for byte what echo's c.JSON (encoding/json
// with HTML escaping, then a newline) writes of it, for thousands of
// varied requests (every status and law, odd texts, with and without the
// optional fields, dates and windows), on pages with and without a page
// after (whose address is escaped too) and with no rows.
func TestAPIRequestJSONIsEncodingJSONs(t *testing.T) {
	s := &Server{cfg: Config{BaseURL: "https://foi.example/x?a=<b>&c"}}
	e := echo.New()
	rnd := rand.New(rand.NewPCG(1, 2))
	targets := []string{"/api/v1/requests", "/api/v1/requests?status=answered&before=abc&q=%3Cb%3E%26%E2%80%A8", "/api/v1/requests?limit=3&after=x"}
	checked := 0
	for page := range 300 {
		var p keysetPage[apiRequest]
		for range page % 12 {
			p.Rows = append(p.Rows, randomAPIRequest(rnd))
		}
		if page%5 == 0 {
			p.Rows = nil
		}
		if page%3 != 0 {
			p.After = jsonOddStrings[page%len(jsonOddStrings)] + "cursor"
		}
		c := e.NewContext(httptest.NewRequest(http.MethodGet, targets[page%len(targets)], nil), httptest.NewRecorder())
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(apiList(s, c, "requests", p)); err != nil {
			t.Fatal(err)
		}
		got, ok := appendAPIList(s, c, nil, "requests", p, appendAPIRequest)
		if !ok {
			t.Fatalf("page %d: not written by hand", page)
		}
		if !bytes.Equal(got, want.Bytes()) {
			i := 0
			for i < min(len(got), len(want.Bytes())) && got[i] == want.Bytes()[i] {
				i++
			}
			t.Fatalf("page %d differs at byte %d:\n got %q\nwant %q", page, i, got[max(i-80, 0):min(i+80, len(got))], want.Bytes()[max(i-80, 0):min(i+80, want.Len())])
		}
		// The list's own path: its rows as read (requestRow), written
		// without making their apiRequests, as c.JSON writes those.
		rows := keysetPage[requestRow]{Before: p.Before, After: p.After}
		asAPI := keysetPage[apiRequest]{Rows: []apiRequest{}, Before: p.Before, After: p.After}
		for _, r := range p.Rows {
			row := requestRow{Request: r.Request, StandingNow: r.Standing, Next: r.NextAction}
			rows.Rows = append(rows.Rows, row)
			asAPI.Rows = append(asAPI.Rows, s.apiRequestOf(row))
		}
		want.Reset()
		if err := json.NewEncoder(&want).Encode(apiList(s, c, "requests", asAPI)); err != nil {
			t.Fatal(err)
		}
		if got, ok := appendAPIList(s, c, nil, "requests", rows, appendRequestRow); !ok || !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("page %d of rows (written by hand: %v):\n got %s\nwant %s", page, ok, got, want.Bytes())
		}
		checked += len(p.Rows)
	}
	if checked < 1000 {
		t.Fatalf("only %d requests compared", checked)
	}
}

// TestAPIRequestJSONLeavesToEncodingJSONWhatItCannotWrite: a request with
// deadlines, or with a time outside what RFC 3339 writes, is not written
// by hand (the list falls back to c.JSON, which writes the deadlines, or
// refuses the time as it always did); ?pretty is indented by c.JSON.
func TestAPIRequestJSONLeavesToEncodingJSONWhatItCannotWrite(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	r := randomAPIRequest(rnd)
	if _, ok := appendAPIRequest(nil, &r); !ok {
		t.Fatal("a plain request is not written by hand")
	}
	withDeadlines := r
	withDeadlines.Deadlines.Law = "foia"
	if _, ok := appendAPIRequest(nil, &withDeadlines); ok {
		t.Error("a request with deadlines written by hand")
	}
	late := r
	late.UpdatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := appendAPIRequest(nil, &late); ok {
		t.Error("a time in year 10000 written by hand")
	}

	s := &Server{cfg: Config{BaseURL: "https://foi.example"}}
	e := echo.New()
	for _, tc := range []struct {
		target string
		row    apiRequest
	}{{"/api/v1/requests?pretty", r}, {"/api/v1/requests", withDeadlines}} {
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, tc.target, nil), rec)
		p := keysetPage[apiRequest]{Rows: []apiRequest{r, tc.row}, After: "next"}
		slow := func() error { return c.JSON(http.StatusOK, apiList(s, c, "requests", p)) }
		if err := writeAPIList(s, c, "requests", p, appendAPIRequest, slow); err != nil {
			t.Fatal(err)
		}
		want := httptest.NewRecorder()
		if err := e.NewContext(httptest.NewRequest(http.MethodGet, tc.target, nil), want).JSON(http.StatusOK, apiList(s, c, "requests", p)); err != nil {
			t.Fatal(err)
		}
		if rec.Body.String() != want.Body.String() || rec.Header().Get("Content-Type") != want.Header().Get("Content-Type") || rec.Code != want.Code {
			t.Errorf("%s: writeAPIList wrote %d %q %q, c.JSON %d %q %q", tc.target, rec.Code, rec.Header().Get("Content-Type"),
				rec.Body.String(), want.Code, want.Header().Get("Content-Type"), want.Body.String())
		}
	}
}

// FuzzAppendJSONString: any string is written as encoding/json writes it.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonOddStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

// BenchmarkAPIRequestListJSON: a page of 100 requests of the API's list,
// written by encoding/json (as c.JSON did) and by hand.
func BenchmarkAPIRequestListJSON(b *testing.B) {
	s := &Server{cfg: Config{BaseURL: "https://foi.example"}}
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/api/v1/requests", nil), httptest.NewRecorder())
	rnd := rand.New(rand.NewPCG(5, 6))
	p := keysetPage[apiRequest]{After: "12345"}
	for range 100 {
		r := randomAPIRequest(rnd)
		r.Title, r.Body = "Police use of facial recognition in "+strconv.Itoa(rnd.IntN(1000)), strings.Repeat("Please send me the records. ", 30)
		r.NextAction.Windows = []tracker.Window{{Kind: "response", Who: "authority", Label: "Response due", Date: tracker.NewDate(2026, 1, 2), State: tracker.WindowOpen, Explanation: "The authority must answer within 20 working days (FOIA s.10)."},
			{Kind: "review_ask_by", Who: "requester", Label: "Ask for a review by", Date: tracker.NewDate(2026, 3, 2), State: tracker.WindowOpen, Optional: true, Explanation: "A review may be asked for within 40 working days of the answer."}}
		p.Rows = append(p.Rows, r)
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := json.NewEncoder(&buf).Encode(apiList(s, c, "requests", p)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("by-hand", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var ok bool
			if buf, ok = appendAPIList(s, c, buf[:0], "requests", p, appendAPIRequest); !ok {
				b.Fatal("not written by hand")
			}
		}
	})
}

// TestAllZeroBytesIsZeroForDeadlines: the check that sends a row with
// deadlines to encoding/json says zero only of the zero Deadlines, and
// not zero of one with any field set, an empty list of pauses included
// (which omitzero writes too).
func TestAllZeroBytesIsZeroForDeadlines(t *testing.T) {
	var d tracker.Deadlines
	if !allZeroBytes(&d) {
		t.Error("the zero Deadlines is not zero")
	}
	for name, set := range map[string]func(*tracker.Deadlines){
		"law":          func(d *tracker.Deadlines) { d.Law = "foia" },
		"empty pauses": func(d *tracker.Deadlines) { d.Pauses = []tracker.Pause{} },
		"stopped":      func(d *tracker.Deadlines) { d.Stopped.From = tracker.NewDate(2026, 1, 2) },
		"response":     func(d *tracker.Deadlines) { d.Response.Days = 20 },
		"complained":   func(d *tracker.Deadlines) { d.Complained = tracker.NewDate(2026, 1, 2) },
		"ended":        func(d *tracker.Deadlines) { d.Ended = tracker.NewDate(2026, 1, 2) },
		"warnings":     func(d *tracker.Deadlines) { d.Warnings = []string{} }, // the last field
	} {
		var d tracker.Deadlines
		set(&d)
		if allZeroBytes(&d) {
			t.Errorf("%s: Deadlines taken for zero", name)
		}
		r := randomAPIRequest(rand.New(rand.NewPCG(7, 8)))
		r.Deadlines = d
		if _, ok := appendAPIRequest(nil, &r); ok {
			t.Errorf("%s: a request with deadlines written by hand", name)
		}
	}
}

// fillEveryField sets every settable field of v (recursively) to a value
// that is not its zero: texts, numbers, booleans, dates, times, one
// element in each slice. Fields named in skip stay zero.
func fillEveryField(t *testing.T, v reflect.Value, skip map[string]bool) {
	t.Helper()
	switch v.Type() {
	case reflect.TypeFor[tracker.Date]():
		v.Set(reflect.ValueOf(tracker.NewDate(2026, 12, 5)))
		return
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2026, 12, 5, 1, 2, 3, 4, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x<&>")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fillEveryField(t, s.Index(0), skip)
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || skip[f.Name] {
				continue
			}
			fillEveryField(t, v.Field(i), skip)
		}
	default:
		t.Fatalf("fillEveryField: no value for a %s (%s): teach the test, and appendAPIRequestOf, this field", v.Type(), v.Kind())
	}
}

// TestAPIRequestJSONWritesEveryField: a request with every field set
// (Deadlines aside: a list's rows have none, and a row with them goes to
// encoding/json) is written by hand exactly as encoding/json writes it. A
// field added to tracker.Request, Standing, NextAction or Window and not
// to the hand-written encoder (omitempty or not) makes it fail, where the
// random requests of the test above, which set only the fields known when
// it was written, would not.
func TestAPIRequestJSONWritesEveryField(t *testing.T) {
	s := &Server{cfg: Config{BaseURL: "https://foi.example"}}
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/api/v1/requests", nil), httptest.NewRecorder())
	var r apiRequest
	fillEveryField(t, reflect.ValueOf(&r).Elem(), map[string]bool{"Deadlines": true})
	p := keysetPage[apiRequest]{Rows: []apiRequest{r}, After: "next"}
	var want bytes.Buffer
	if err := json.NewEncoder(&want).Encode(apiList(s, c, "requests", p)); err != nil {
		t.Fatal(err)
	}
	got, ok := appendAPIList(s, c, nil, "requests", p, appendAPIRequest)
	if !ok {
		t.Fatal("a request with every field set was not written by hand")
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("a request with every field set:\n got %s\nwant %s", got, want.Bytes())
	}
}
