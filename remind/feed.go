package remind

import (
	"fmt"
	"strings"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// FeedOptions say how to write a feed.
type FeedOptions struct {
	Name    string    // the calendar's name
	Now     time.Time // DTSTAMP
	Today   tracker.Date
	BaseURL string // for links back; its host names the UIDs
	// AlarmDays before each deadline (default 1).
	AlarmDays int
}

// FeedEvent is one open window of a request as a calendar event: the
// response or review decision awaited, the regulator's decision, and the
// windows the requester may act in (ask for a review, complain, appeal),
// exactly as "Where it stands" lists them. The UID is built from the request
// and the window's kind, not from the date, so a moved deadline updates its
// event.
func FeedEvent(w store.FeedWindow, opt FeedOptions) CalendarEvent {
	r := w.Request
	host := uidHost(opt.BaseURL)
	link := strings.TrimRight(opt.BaseURL, "/") + RequestPath(r.ID)
	alarm := opt.AlarmDays
	if alarm <= 0 {
		alarm = 1
	}
	what := r.Title
	if r.AuthorityName != "" {
		what += " — " + r.AuthorityName
	}
	desc := w.Explanation
	if r.OurRef != "" {
		desc += "\n\nOur reference: " + r.OurRef
	}
	if r.TheirRef != "" {
		desc += "\nTheir reference: " + r.TheirRef
	}
	desc += "\n\n" + link
	label := "FOI " + strings.ToLower(w.Label[:1]) + w.Label[1:]
	if w.Who == tracker.WhoRequester {
		label = "You: " + w.Label
	}
	if w.Date.Before(opt.Today) {
		label = "Passed: " + label
	}
	return CalendarEvent{
		UID:  fmt.Sprintf("request-%d-%s@%s", r.ID, feedKind(w.Kind), host),
		Date: w.Date, Summary: label + ": " + what, Description: desc, URL: link,
		AlarmDays: alarm, Sequence: int(r.UpdatedAt.Unix() % 1_000_000_000),
	}
}

// feedKind names a window in its UID: an extension or a late complaint
// window moves the event rather than adding one.
func feedKind(k tracker.DeadlineKind) string {
	switch k {
	case tracker.DeadlineResponse, tracker.DeadlineExtended:
		return "response"
	case tracker.DeadlineReviewDue, tracker.DeadlineReviewExtended:
		return "review"
	case tracker.DeadlineRegulatorWindow, tracker.DeadlineRegulatorLate:
		return "regulator-window"
	}
	return strings.ReplaceAll(string(k), "_", "-")
}

// FeedSinceDays: a window still open this many days after its date stays in
// the feed (marked passed), so a missed deadline does not vanish from the
// calendar the day after.
const FeedSinceDays = 60

// BuildFeed is the calendar of every window still open (from
// store.OpenWindowsFrom, given opt.Today minus FeedSinceDays).
func BuildFeed(windows []store.FeedWindow, opt FeedOptions) Calendar {
	c := Calendar{Name: opt.Name, Stamp: opt.Now}
	if c.Name == "" {
		c.Name = "foitrack deadlines"
	}
	for _, w := range windows {
		c.Events = append(c.Events, FeedEvent(w, opt))
	}
	return c
}

// uidHost is the host of the base URL, the right-hand side of every UID.
func uidHost(baseURL string) string {
	h := baseURL
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?#"); i >= 0 {
		h = h[:i]
	}
	if h == "" {
		return "foitrack.invalid"
	}
	return h
}
