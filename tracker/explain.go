package tracker

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Small wording helpers for the explanations of deadline.go.

// ordinal is "1st", "2nd", "3rd", "4th", "11th", "20th", "21st"…
func ordinal(n int) string {
	suffix := "th"
	switch n % 100 {
	case 11, 12, 13:
	default:
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// unitWords is "20 working days", "1 working day", "30 days".
func unitWords(n int, unit DayUnit) string {
	if n >= 0 && n < len(unitWordsKept[0]) {
		if unit == WorkingDays {
			return unitWordsKept[1][n]
		}
		return unitWordsKept[0][n]
	}
	return unitWordsOf(n, unit)
}

// unitWordsKept are unitWords of 0 to 399 days and working days, made
// once: every explanation counts some.
var unitWordsKept = func() (kept [2][400]string) {
	for n := range kept[0] {
		kept[0][n], kept[1][n] = unitWordsOf(n, CalendarDays), unitWordsOf(n, WorkingDays)
	}
	return kept
}()

func unitWordsOf(n int, unit DayUnit) string {
	word := "day"
	if unit == WorkingDays {
		word = "working day"
	}
	if n != 1 {
		word += "s"
	}
	return strconv.Itoa(n) + " " + word
}

// joinSkipped lists holidays: "Fri 29 Mar 2024, Good Friday (all of the UK); Mon 1 Apr 2024, …".
func joinSkipped(days []SkippedDay) string {
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = d.String()
	}
	return strings.Join(parts, "; ")
}

// Capitalize starts a phrase with a capital letter, for the head of a
// sentence or a label ("internal review" -> "Internal review").
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func prefixSpace(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// sentence ends s with a full stop unless it has one ("… Jr." stays as it is).
func sentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
