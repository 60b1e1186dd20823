package store

import "slices"

// Cursor is a position in a list that is read a page at a time by its
// sort key (keyset pagination): the sort key and id of a row. A list given
// a cursor reads on from just after that row; with Back, the rows just
// before it (the page before), still returned in the list's order. Unlike
// OFFSET, which reads and drops every row before the page, a cursor's page
// is found by the index, so page 10,000 costs what page 1 does.
type Cursor struct {
	Key  string // the row's sort key, for lists not in id order ("" for those)
	ID   int64
	Back bool
}

// Set says whether c names a row (the zero Cursor is the start of the list).
func (c Cursor) Set() bool { return c.ID != 0 || c.Key != "" }

// idKeyset is the condition and ORDER BY that read the page at c of a list
// in order of the integer key col (newest first when desc), and whether the
// rows come back reversed (Back reads towards the start of the list).
func idKeyset(col string, desc bool, c Cursor) (cond string, args []any, order string, reversed bool) {
	if !c.Set() {
		c.Back = false // the start of the list
	}
	// Reading back walks the other way and the rows are turned round.
	forward := desc == c.Back
	order = col + " DESC"
	if forward {
		order = col
	}
	if !c.Set() {
		return "1 = 1", nil, order, false
	}
	if forward {
		return col + " > ?", []any{c.ID}, order, c.Back
	}
	return col + " < ?", []any{c.ID}, order, c.Back
}

// inListOrder turns rows read back (towards the start) into the list's order.
func inListOrder[T any](rows []T, reversed bool) []T {
	if reversed {
		slices.Reverse(rows)
	}
	return rows
}
