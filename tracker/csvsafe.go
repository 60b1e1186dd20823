package tracker

import "strings"

// csvFormulaStart are the first characters that make a spreadsheet run a
// CSV cell as a formula (CSV injection).
const csvFormulaStart = "=+-@\t\r"

// CSVSafe defuses a cell a spreadsheet would run as a formula by putting a
// quote mark in front (every CSV foitrack writes goes through it: a value an
// authority, a mail sender or a server error chose could start with =).
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune(csvFormulaStart, rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvUnsafe takes off the quote mark CSVSafe put in front, so that a file
// foitrack exported imports unchanged.
func csvUnsafe(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(csvFormulaStart, rune(s[1])) {
		return s[1:]
	}
	return s
}
