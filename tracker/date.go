package tracker

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Date is a calendar day with no time of day and no zone. Statutory periods are
// counted in days, so a deadline must never drift across midnight because of a
// time zone or a daylight-saving change.
//
// It is held as a day number (days since 1 January of year 1, proleptic
// Gregorian, the zero time.Time's day): adding days, comparing, and telling
// the weekday are integer arithmetic, which the deadline engine does for
// every day it counts.
type Date struct {
	n int64 // days since 0001-01-01; the zero value is the zero Date (that day, as time.Time's zero)
}

// DateLayout is the one textual form of a Date: ISO 8601, YYYY-MM-DD.
const DateLayout = "2006-01-02"

// unixDay0 is the day number of 1970-01-01.
const unixDay0 = 719162

// daysFromCivil is the day number of year y, month m (1-12), day d (1-31),
// after Howard Hinnant's days_from_civil.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468 + unixDay0
}

// civil is the year, month and day of day number n (civil_from_days).
func civil(n int64) (y int, m time.Month, d int) {
	z := n - unixDay0 + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd := doy - (153*mp+2)/5 + 1
	mm := mp + 3
	if mp >= 10 {
		mm = mp - 9
	}
	yy := yoe + era*400
	if mm <= 2 {
		yy++
	}
	return int(yy), time.Month(mm), int(dd)
}

// NewDate returns the given calendar day. Out-of-range values normalise as time.Date does.
func NewDate(year int, month time.Month, day int) Date {
	m := int64(month) - 1
	y := int64(year) + m/12
	if m %= 12; m < 0 {
		m += 12
		y--
	}
	return Date{daysFromCivil(y, m+1, 1) + int64(day) - 1}
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// Today returns the current day in the given location (time.Local when nil).
func Today(loc *time.Location) Date {
	if loc == nil {
		loc = time.Local
	}
	return DateOf(time.Now().In(loc))
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		if ok1 && ok2 && ok3 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(time.Month(m), y) {
			return NewDate(y, time.Month(m), d), nil
		}
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// MustParseDate is ParseDate for literals in tests and tables; it panics on a bad literal.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) IsZero() bool { return d.n == 0 }

// Time is the day's midnight UTC.
func (d Date) Time() time.Time {
	return time.Unix((d.n-unixDay0)*86400, 0).UTC()
}
func (d Date) Year() int         { y, _, _ := civil(d.n); return y }
func (d Date) Month() time.Month { _, m, _ := civil(d.n); return m }
func (d Date) Day() int          { _, _, dd := civil(d.n); return dd }
func (d Date) Weekday() time.Weekday {
	w := (d.n + 1) % 7 // day 0 was a Monday
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}
func (d Date) AddDays(n int) Date          { return Date{d.n + int64(n)} }
func (d Date) AddDate(y, m, n int) Date    { return DateOf(d.Time().AddDate(y, m, n)) }
func (d Date) Before(o Date) bool          { return d.n < o.n }
func (d Date) After(o Date) bool           { return d.n > o.n }
func (d Date) Equal(o Date) bool           { return d.n == o.n }
func (d Date) IsWeekend() bool             { w := d.Weekday(); return w == time.Saturday || w == time.Sunday }
func (d Date) Format(layout string) string { return d.Time().Format(layout) }

// DaysUntil is the number of calendar days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.n - d.n) }

// String is YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if w := dayWords(d); w != nil {
		return w.iso
	}
	var b [10]byte
	return string(d.appendISO(b[:0]))
}

// AppendISO appends d.String() to b.
func (d Date) AppendISO(b []byte) []byte {
	if w := dayWords(d); w != nil {
		return append(b, w.iso...)
	}
	return d.appendISO(b)
}

func (d Date) appendISO(b []byte) []byte {
	if d.IsZero() {
		return b
	}
	y, m, dd := civil(d.n)
	if y < 0 || y > 9999 {
		return d.Time().AppendFormat(b, DateLayout)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+int(m)/10), byte('0'+int(m)%10), '-', byte('0'+dd/10), byte('0'+dd%10))
}

var (
	shortDays   = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	shortMonths = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// Long is the form used in explanations: "Mon 2 Mar 2026".
func (d Date) Long() string {
	if w := dayWords(d); w != nil {
		return w.long
	}
	return string(d.appendLong(make([]byte, 0, 16)))
}

func (d Date) appendLong(b []byte) []byte {
	y, m, dd := civil(d.n)
	if y < 0 || y > 9999 {
		return d.Time().AppendFormat(b, "Mon 2 Jan 2006")
	}
	b = append(b, shortDays[d.Weekday()]...)
	b = append(b, ' ')
	if dd >= 10 {
		b = append(b, byte('0'+dd/10))
	}
	b = append(b, byte('0'+dd%10), ' ')
	b = append(b, shortMonths[m-1]...)
	return append(b, ' ', byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
}

// words are a day's String and Long.
type words struct{ iso, long string }

// dayWords are the words of d when d lies in the years of the holiday
// tables (tableFirst to tableLast), nil otherwise: made once for all of
// them, so that the explanations of a recompute of every request (a
// dozen dates each) do not make them again.
func dayWords(d Date) *words {
	t := wordsKept.Load()
	if t == nil {
		t = wordsTable()
		wordsKept.Store(t)
	}
	if i := d.n - t.lo; i >= 0 && i < int64(len(t.days)) {
		return &t.days[i]
	}
	return nil
}

// wordsKept is wordsTable once it is made (a load, not sync.Once's
// call, for each of the dozens of dates of every request's words).
var wordsKept atomic.Pointer[wordsOfDays]

type wordsOfDays struct {
	lo   int64
	days []words
}

var wordsTable = sync.OnceValue(func() *wordsOfDays {
	lo, hi := NewDate(tableFirst, time.January, 1).n, NewDate(tableLast+1, time.January, 1).n
	t := &wordsOfDays{lo: lo, days: make([]words, hi-lo)}
	// One string for all, the words of each day slices of it.
	b := make([]byte, 0, (hi-lo)*26)
	ends := make([][2]int, hi-lo)
	for n := lo; n < hi; n++ {
		b = Date{n}.appendISO(b)
		ends[n-lo][0] = len(b)
		b = Date{n}.appendLong(b)
		ends[n-lo][1] = len(b)
	}
	all, start := string(b), 0
	for i, e := range ends {
		t.days[i] = words{iso: all[start:e[0]], long: all[e[0]:e[1]]}
		start = e[1]
	}
	return t
})

func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	// Quoted as it is: a date's text (digits and '-') has nothing JSON
	// escapes, and json.Marshal of it, an encoder of its own each, was most
	// of the cost of the API's lists' dozens of dates a request.
	b := make([]byte, 0, 12)
	b = append(b, '"')
	b = d.AppendISO(b)
	return append(b, '"'), nil
}

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Value stores a Date as TEXT YYYY-MM-DD (NULL for the zero Date).
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a Date stored as TEXT (or a time the driver parsed).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		if v == "" {
			*d = Date{}
			return nil
		}
		if len(v) > 10 {
			v = v[:10]
		}
		p, err := ParseDate(v)
		if err != nil {
			return err
		}
		*d = p
		return nil
	case []byte:
		return d.Scan(string(v))
	case time.Time:
		*d = DateOf(v.UTC())
		return nil
	}
	return fmt.Errorf("tracker: cannot scan %T into Date", src)
}
