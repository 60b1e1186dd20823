package tracker

import (
	"encoding/json"
	"testing"
	"time"
)

// TestDateAgreesWithTime: the day-number Date gives what time.Time gives
// for every day from 1600 to 2400 and at the edges: the fields, the
// weekday, both text forms, parsing them back, the instant, adding days
// and the normalisation of out-of-range fields.
func TestDateAgreesWithTime(t *testing.T) {
	check := func(tm time.Time) {
		t.Helper()
		d := DateOf(tm)
		y, m, dd := tm.Date()
		if d.Year() != y || d.Month() != m || d.Day() != dd || d.Weekday() != tm.Weekday() {
			t.Fatalf("%s: got %d-%d-%d %s", tm, d.Year(), d.Month(), d.Day(), d.Weekday())
		}
		if !d.Time().Equal(tm) || d.Time() != tm {
			t.Fatalf("%s: Time() %s", tm, d.Time())
		}
		if s := tm.Format(DateLayout); tm.IsZero() {
			if d.String() != "" {
				t.Fatalf("the zero Date's String is %q", d.String())
			}
		} else if d.String() != s {
			t.Fatalf("%s: String %q, want %q", tm, d.String(), s)
		} else if p, err := ParseDate(s); y >= 0 && y <= 9999 && (err != nil || p != d) {
			t.Fatalf("%s: ParseDate(%q) = %v, %v", tm, s, p, err)
		}
		if s := tm.Format("Mon 2 Jan 2006"); d.Long() != s {
			t.Fatalf("%s: Long %q, want %q", tm, d.Long(), s)
		}
		want, _ := json.Marshal(tm.Format(DateLayout))
		if tm.IsZero() {
			want = []byte("null")
		}
		got, err := json.Marshal(d)
		if err != nil || string(got) != string(want) {
			t.Fatalf("%s: JSON %s, %v; want %s", tm, got, err, want)
		}
		var back Date
		if y >= 0 && y <= 9999 && (json.Unmarshal(got, &back) != nil || back != d) {
			t.Fatalf("%s: JSON %s read back as %v", tm, got, back)
		}
		if NewDate(y, m, dd) != d || d.IsZero() != tm.IsZero() {
			t.Fatalf("%s: NewDate %v, IsZero %v", tm, NewDate(y, m, dd), d.IsZero())
		}
		if n := d.AddDays(1); n != DateOf(tm.AddDate(0, 0, 1)) || !n.After(d) || !d.Before(n) || d.DaysUntil(n) != 1 {
			t.Fatalf("%s: the day after is %v", tm, n)
		}
	}
	for tm := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2400; tm = tm.AddDate(0, 0, 1) {
		check(tm)
	}
	for _, tm := range []time.Time{{}, time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(-45, 6, 7, 0, 0, 0, 0, time.UTC), time.Date(12000, 2, 29, 0, 0, 0, 0, time.UTC)} {
		check(tm)
	}
	for _, c := range []struct {
		y, m, d int
	}{{2026, 13, 1}, {2026, 0, 0}, {2026, 2, 30}, {2026, -14, 40}, {2024, 2, 29}, {2026, 25, -400}} {
		want := DateOf(time.Date(c.y, time.Month(c.m), c.d, 0, 0, 0, 0, time.UTC))
		if got := NewDate(c.y, time.Month(c.m), c.d); got != want {
			t.Errorf("NewDate(%d, %d, %d) = %s, want %s", c.y, c.m, c.d, got, want)
		}
	}
	for _, bad := range []string{"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01", "2026-01-32", "2026-01-00", "", "2026/01/01", "2026-01-01T00"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	if d := MustParseDate("2026-03-02"); d.AddDate(0, 1, 0).String() != "2026-04-02" || d.Format("2 January") != "2 March" {
		t.Errorf("AddDate/Format: %s %s", d.AddDate(0, 1, 0), d.Format("2 January"))
	}
}

// TestDateWordsFromTheTable: String, AppendISO and Long give, on every day
// of the years the words are kept for and a few either side, what they
// work out for a day outside them.
func TestDateWordsFromTheTable(t *testing.T) {
	lo, hi := NewDate(tableFirst, time.January, 1), NewDate(tableLast+1, time.January, 1)
	for d := lo.AddDays(-40); !d.After(hi.AddDays(40)); d = d.AddDays(1) {
		iso, long := string(d.appendISO(nil)), string(d.appendLong(nil))
		if d.String() != iso || string(d.AppendISO([]byte("x"))) != "x"+iso || d.Long() != long {
			t.Fatalf("day %d: %q, %q, %q; want %q, %q", d.n, d.String(), d.AppendISO([]byte("x")), d.Long(), iso, long)
		}
	}
	if d := MustParseDate("2026-03-02"); d.String() != "2026-03-02" || d.Long() != "Mon 2 Mar 2026" {
		t.Fatalf("%q, %q", d.String(), d.Long())
	}
	if (Date{}).String() != "" {
		t.Fatalf("zero Date: %q", Date{}.String())
	}
}

// TestUnitWordsKept: the kept words of a count are those made for it,
// and "1 working day", "2 days" as ever.
func TestUnitWordsKept(t *testing.T) {
	for _, unit := range []DayUnit{WorkingDays, CalendarDays, ""} {
		for n := -3; n < 450; n++ {
			if got, want := unitWords(n, unit), unitWordsOf(n, unit); got != want {
				t.Fatalf("%d %q: %q, want %q", n, unit, got, want)
			}
		}
	}
	if unitWords(1, WorkingDays) != "1 working day" || unitWords(2, CalendarDays) != "2 days" {
		t.Fatal(unitWords(1, WorkingDays), unitWords(2, CalendarDays))
	}
}
