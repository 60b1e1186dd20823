package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// The JSON API (/api/v1): handlers are grouped by resource in api_*.go.
// Errors are {"error": "…"} (with "fields" for validation errors) and the
// status of their kind (errors.go).

// apiLimit reads ?limit= and ?offset= (default 100, at most 1000).
func apiLimit(c echo.Context) (limit, offset int) {
	limit, offset = 100, 0
	if n, err := strconv.Atoi(c.QueryParam("limit")); err == nil && n > 0 {
		limit = min(n, 1000)
	}
	if n, err := strconv.Atoi(c.QueryParam("offset")); err == nil && n > 0 {
		offset = n
	}
	return limit, offset
}

// decodeJSON reads a JSON body into v, refusing unknown fields and trailing data.
func decodeJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return err // 413, from the error handler
		case errors.Is(err, io.EOF):
			return tracker.Errorf(tracker.EINVALID, "the body is empty: send a JSON object")
		}
		return tracker.Errorf(tracker.EINVALID, "the body is not the JSON expected: %v", err)
	}
	if dec.More() {
		return tracker.Errorf(tracker.EINVALID, "the body has data after the JSON object")
	}
	return nil
}
