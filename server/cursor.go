package server

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
)

// Lists of large tables are read a page at a time by cursor (keyset
// pagination, never OFFSET): ?after=C gives the rows after the row C names,
// ?before=C those before it. A cursor is the row's id ("123"), or for a
// list not in id order its id and sort key ("123.<base64url of the key>").

// cursorString is the text of a row's cursor in a link.
func cursorString(k store.Cursor, keyed bool) string {
	id := strconv.FormatInt(k.ID, 10)
	if !keyed {
		return id
	}
	return id + "." + base64.RawURLEncoding.EncodeToString([]byte(k.Key))
}

// errBadCursor answers a cursor no list gave (typed or cut short): a 400
// that says what to do, never a 500 nor a page of the wrong rows.
func errBadCursor(param string) error {
	return echo.NewHTTPError(http.StatusBadRequest,
		"The position in this list ("+param+"=) is not one this list gives: start again from its first page.")
}

// parseCursor reads a cursor's text.
func parseCursor(s string, keyed bool) (store.Cursor, bool) {
	idText, keyText, hasKey := strings.Cut(s, ".")
	if hasKey != keyed || idText == "" || idText[0] == '+' || idText[0] == '-' {
		return store.Cursor{}, false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return store.Cursor{}, false
	}
	k := store.Cursor{ID: id}
	if keyed {
		key, err := base64.RawURLEncoding.DecodeString(keyText)
		if err != nil || !utf8.Valid(key) || len(key) > 1000 {
			return store.Cursor{}, false
		}
		k.Key = string(key)
	}
	return k, true
}

// cursorParam reads ?after= or ?before= (the zero Cursor, the start of the
// list, when neither is given); a malformed one, or both, is a 400.
func cursorParam(c echo.Context, keyed bool) (store.Cursor, error) {
	after, before := c.QueryParam("after"), c.QueryParam("before")
	switch {
	case after != "" && before != "":
		return store.Cursor{}, echo.NewHTTPError(http.StatusBadRequest, "Give after= or before=, not both.")
	case after != "":
		k, ok := parseCursor(after, keyed)
		if !ok {
			return k, errBadCursor("after")
		}
		return k, nil
	case before != "":
		k, ok := parseCursor(before, keyed)
		if !ok {
			return k, errBadCursor("before")
		}
		k.Back = true
		return k, nil
	}
	return store.Cursor{}, nil
}

// keysetPage is a page of rows read by cursor: the rows to show, and the
// cursors of the pages on either side ("" when there is none that way).
type keysetPage[T any] struct {
	Rows          []T
	Before, After string // cursors for ?before= and ?after=
	First         bool   // the first page of the list
}

// pageOf trims rows, read with a limit of size+1 from cur in the list's
// order, to one page, and works out where the pages around it start. key
// is a row's cursor.
func pageOf[T any](rows []T, cur store.Cursor, size int, keyed bool, key func(T) store.Cursor) keysetPage[T] {
	more := len(rows) > size
	if more {
		if cur.Back {
			rows = rows[len(rows)-size:] // the extra row is the farthest back
		} else {
			rows = rows[:size]
		}
	}
	p := keysetPage[T]{Rows: rows, First: !cur.Set()}
	// Rows lie behind this page when it was read forward from a row, or
	// read back and there were more; ahead when it was read back from a
	// row, or forward and there were more.
	behind, ahead := cur.Set() && !cur.Back || cur.Back && more, cur.Back || more
	first, last := cur, cur
	if len(rows) > 0 {
		first, last = key(rows[0]), key(rows[len(rows)-1])
	}
	if behind {
		p.Before = cursorString(first, keyed)
	}
	if ahead {
		p.After = cursorString(last, keyed)
	}
	return p
}

// keysetPager is the pager of a page read by cursor: links to the pages
// before and after (the other filters kept), and on the first page its
// place in the total (total < 0: not known).
func keysetPager[T any](c echo.Context, p keysetPage[T], total int) pager {
	out := pager{Total: max(total, 0)}
	if p.First && len(p.Rows) > 0 {
		out.Page, out.From, out.To = 1, 1, len(p.Rows)
	}
	link := func(param, cur string) string {
		q := c.Request().URL.Query()
		q.Del("page")
		q.Del("after")
		q.Del("before")
		q.Set(param, cur)
		return withQuery(c.Request().URL.Path, q)
	}
	if p.Before != "" {
		out.PrevURL = link("before", p.Before)
	}
	if p.After != "" {
		out.NextURL = link("after", p.After)
	}
	return out
}

// apiPage reads an API list's ?limit= (default 100, at most 1000) and
// cursor (?after=, ?before=). ?offset= is refused, not ignored: a client
// stepping through by offset would read the first page for ever.
func apiPage(c echo.Context, keyed bool) (int, store.Cursor, error) {
	if n, err := strconv.Atoi(c.QueryParam("offset")); err == nil && n > 0 {
		return 0, store.Cursor{}, echo.NewHTTPError(http.StatusBadRequest,
			"This list is read by cursor, not offset: follow its \"next\" link (?after=).")
	}
	limit := 100
	if n, err := strconv.Atoi(c.QueryParam("limit")); err == nil && n > 0 {
		limit = min(n, 1000)
	}
	cur, err := cursorParam(c, keyed)
	return limit, cur, err
}

// apiList is the JSON of a page of an API list: its rows under name, and
// "next", the address of the page after it, when there is one.
func apiList[T any](s *Server, c echo.Context, name string, p keysetPage[T]) map[string]any {
	rows := p.Rows
	if rows == nil {
		rows = []T{}
	}
	out := map[string]any{name: rows}
	if p.After != "" {
		q := c.Request().URL.Query()
		q.Del("before")
		q.Set("after", p.After)
		out["next"] = s.absURL(withQuery(c.Request().URL.Path, q))
	}
	return out
}
