package remind

import (
	"fmt"
	"strings"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Kinds of feed event: the UID is built from the request and this kind, not
// from the date, so a moved deadline updates its event.
const (
	FeedResponse        = "response"
	FeedReview          = "review"
	FeedReviewAskBy     = "review-ask-by"
	FeedRegulatorWindow = "regulator-window"
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

// FeedEvents lists the open deadlines of one request as calendar events:
// the response (or extended response) awaited, the review decision awaited,
// and the windows the requester must act in while they are still open.
func FeedEvents(h store.RequestHistory, opt FeedOptions) []CalendarEvent {
	r := h.Request
	law, ok := tracker.LawByCode(r.Law)
	if !ok {
		return nil
	}
	ds := tracker.ComputeDeadlines(law, h.Events)
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
	ev := func(kind, label string, d tracker.Deadline) CalendarEvent {
		desc := d.Explanation
		if r.OurRef != "" {
			desc += "\n\nOur reference: " + r.OurRef
		}
		if r.TheirRef != "" {
			desc += "\nTheir reference: " + r.TheirRef
		}
		desc += "\n\n" + link
		return CalendarEvent{
			UID:  fmt.Sprintf("request-%d-%s@%s", r.ID, kind, host),
			Date: d.Date, Summary: label + ": " + what, Description: desc, URL: link,
			AlarmDays: alarm, Sequence: len(h.Events),
		}
	}
	var out []CalendarEvent
	switch ds.Status {
	case tracker.StatusAwaitingResponse, tracker.StatusAwaitingClarification, tracker.StatusAwaitingFee:
		// While the clock is stopped there is no date to show.
		if cur := ds.Current(); !cur.Date.IsZero() && ds.Stopped.IsZero() {
			label := "FOI response due"
			if cur.Kind == tracker.DeadlineExtended {
				label = "FOI extended response due"
			}
			out = append(out, ev(FeedResponse, label, cur))
		}
	case tracker.StatusReviewRequested:
		if cur := ds.CurrentReview(); !cur.Date.IsZero() {
			out = append(out, ev(FeedReview, tracker.Capitalize(law.ReviewName)+" decision due", cur))
			if opt.Today.After(cur.Date) && open(ds.RegulatorWindow, opt.Today) {
				out = append(out, ev(FeedRegulatorWindow, "Complain to the regulator by", ds.RegulatorWindow))
			}
		}
	case tracker.StatusAnswered:
		if unfavourable(r.Outcome) && open(ds.ReviewAskBy, opt.Today) {
			out = append(out, ev(FeedReviewAskBy, "Ask for "+law.AReview()+" by", ds.ReviewAskBy))
		}
	case tracker.StatusReviewDecided:
		if (r.Outcome == tracker.OutcomeUpheld || r.Outcome == tracker.OutcomePartlyUpheld) && open(ds.RegulatorWindow, opt.Today) {
			out = append(out, ev(FeedRegulatorWindow, "Complain to the regulator by", ds.RegulatorWindow))
		}
	}
	return out
}

// open reports whether a window has a date not yet past.
func open(d tracker.Deadline, today tracker.Date) bool {
	return !d.IsZero() && !d.Date.IsZero() && !today.After(d.Date)
}

// BuildFeed is the calendar of every open deadline of the given requests.
func BuildFeed(histories []store.RequestHistory, opt FeedOptions) Calendar {
	c := Calendar{Name: opt.Name, Stamp: opt.Now}
	if c.Name == "" {
		c.Name = "foitrack deadlines"
	}
	for _, h := range histories {
		c.Events = append(c.Events, FeedEvents(h, opt)...)
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
