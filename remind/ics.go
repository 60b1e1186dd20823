package remind

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/foitrack/foitrack/tracker"
)

// CalendarEvent is one all-day event of a feed.
type CalendarEvent struct {
	// UID must stay the same when the date moves (an extension), so that
	// calendar apps update the event rather than add a second one.
	UID         string
	Date        tracker.Date
	Summary     string
	Description string
	URL         string
	// AlarmDays before the day (at the start of the day); 0 for no alarm.
	AlarmDays int
	// Sequence grows when the event changes (RFC 5545 3.8.7.4).
	Sequence int
}

// Calendar is an iCalendar (RFC 5545) object with its events.
type Calendar struct {
	Name   string
	Stamp  time.Time // DTSTAMP: when the feed was made
	Events []CalendarEvent
}

// WriteICS writes c as text/calendar: CRLF line endings, lines folded at 75
// octets (never inside a UTF-8 character), TEXT values escaped.
func WriteICS(w io.Writer, c Calendar) error {
	bw := bufio.NewWriter(w)
	l := icsWriter{w: bw}
	l.line("BEGIN:VCALENDAR")
	l.line("VERSION:2.0")
	l.line("PRODID:-//foitrack//deadlines//EN")
	l.line("CALSCALE:GREGORIAN")
	l.line("METHOD:PUBLISH")
	if c.Name != "" {
		l.line("X-WR-CALNAME:" + escapeText(c.Name))
	}
	stamp := c.Stamp.UTC().Format("20060102T150405Z")
	for _, e := range c.Events {
		l.line("BEGIN:VEVENT")
		l.line("UID:" + escapeText(e.UID))
		l.line("DTSTAMP:" + stamp)
		l.line("DTSTART;VALUE=DATE:" + e.Date.Format("20060102"))
		l.line("DTEND;VALUE=DATE:" + e.Date.AddDays(1).Format("20060102"))
		l.line(fmt.Sprintf("SEQUENCE:%d", e.Sequence))
		l.line("SUMMARY:" + escapeText(e.Summary))
		if e.Description != "" {
			l.line("DESCRIPTION:" + escapeText(e.Description))
		}
		if e.URL != "" {
			l.line("URL;VALUE=URI:" + e.URL)
		}
		l.line("TRANSP:TRANSPARENT") // a deadline does not make anyone busy
		if e.AlarmDays > 0 {
			l.line("BEGIN:VALARM")
			l.line("ACTION:DISPLAY")
			l.line("DESCRIPTION:" + escapeText(e.Summary))
			l.line(fmt.Sprintf("TRIGGER:-P%dD", e.AlarmDays))
			l.line("END:VALARM")
		}
		l.line("END:VEVENT")
	}
	l.line("END:VCALENDAR")
	if l.err != nil {
		return l.err
	}
	return bw.Flush()
}

type icsWriter struct {
	w   *bufio.Writer
	err error
}

// line writes one content line, folded: at most 75 octets per physical line,
// continuation lines starting with a space (RFC 5545 3.1).
func (l *icsWriter) line(s string) {
	if l.err != nil {
		return
	}
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		_, l.err = l.w.WriteString(s[:cut] + "\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	if l.err == nil {
		_, l.err = l.w.WriteString(s + "\r\n")
	}
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and newline; other control characters are dropped.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
