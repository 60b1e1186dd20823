package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// The JSON API (/api/v1): handlers are grouped by resource in api_*.go.
// Errors are {"error": "…"} (with "fields" for validation errors) and the
// status of their kind (errors.go).

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
