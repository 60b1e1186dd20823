package tracker

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day with no time of day and no zone. Statutory periods are
// counted in days, so a deadline must never drift across midnight because of a
// time zone or a daylight-saving change.
type Date struct {
	t time.Time // always midnight UTC; the zero value is the zero Date
}

// DateLayout is the one textual form of a Date: ISO 8601, YYYY-MM-DD.
const DateLayout = "2006-01-02"

// NewDate returns the given calendar day. Out-of-range values normalise as time.Date does.
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
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
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustParseDate is ParseDate for literals in tests and tables; it panics on a bad literal.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) IsZero() bool                { return d.t.IsZero() }
func (d Date) Time() time.Time             { return d.t }
func (d Date) Year() int                   { return d.t.Year() }
func (d Date) Month() time.Month           { return d.t.Month() }
func (d Date) Day() int                    { return d.t.Day() }
func (d Date) Weekday() time.Weekday       { return d.t.Weekday() }
func (d Date) AddDays(n int) Date          { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) AddDate(y, m, n int) Date    { return Date{d.t.AddDate(y, m, n)} }
func (d Date) Before(o Date) bool          { return d.t.Before(o.t) }
func (d Date) After(o Date) bool           { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool           { return d.t.Equal(o.t) }
func (d Date) IsWeekend() bool             { w := d.t.Weekday(); return w == time.Saturday || w == time.Sunday }
func (d Date) Format(layout string) string { return d.t.Format(layout) }

// DaysUntil is the number of calendar days from d to o (negative when o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.t.Sub(d.t).Hours() / 24) }

// String is YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(DateLayout)
}

// Long is the form used in explanations: "Mon 2 Mar 2026".
func (d Date) Long() string { return d.t.Format("Mon 2 Jan 2006") }

func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
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
