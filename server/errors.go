package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// statusFor maps a domain error code to an HTTP status.
var statusFor = map[string]int{
	tracker.EINVALID:      http.StatusUnprocessableEntity,
	tracker.ENOTFOUND:     http.StatusNotFound,
	tracker.ECONFLICT:     http.StatusConflict,
	tracker.EUNAUTHORIZED: http.StatusUnauthorized,
	tracker.EFORBIDDEN:    http.StatusForbidden,
	tracker.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	tracker.ENOSPACE:      http.StatusInsufficientStorage,
	tracker.EINTERNAL:     http.StatusInternalServerError,
}

// apiError is the JSON body of every API error.
type apiError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

var errorHeadings = map[int]string{
	http.StatusBadRequest:            "Bad request",
	http.StatusUnauthorized:          "Please sign in",
	http.StatusForbidden:             "Not allowed",
	http.StatusNotFound:              "Not found",
	http.StatusMethodNotAllowed:      "Not found",
	http.StatusConflict:              "That clashes with what is there",
	http.StatusRequestEntityTooLarge: "Too large",
	http.StatusUnprocessableEntity:   "Please check what you entered",
	http.StatusTooManyRequests:       "Too many attempts",
	http.StatusInternalServerError:   "Something went wrong",
	http.StatusInsufficientStorage:   "The disk is full",
}

// handleError is echo's error handler: every error a handler or middleware
// returns ends here and becomes a status with a page, or with JSON
// ({"error": "…"}) under /api/. Internal errors are logged with the request
// ID and shown only as a generic message.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		// Too late for a page (the request log records the error), or already
		// handled: the request logger hands errors here before echo does.
		return
	}
	status, msg, fields := s.classify(err, c)
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if isAPI(c) {
		_ = c.JSON(status, apiError{Error: msg, Fields: fields})
		return
	}
	if status == http.StatusUnauthorized {
		_ = c.Redirect(http.StatusSeeOther, loginURL(c))
		return
	}
	heading := errorHeadings[status]
	if heading == "" {
		heading = http.StatusText(status)
	}
	// The store's "request 999 not found" reads as a sentence on the page.
	v := &view{Title: heading, Data: errorPage{Status: status, Heading: heading, Message: tracker.Capitalize(msg)}}
	if rerr := s.render(c, status, "error", v); rerr != nil {
		s.log.Error("unable to render the error page", "err", rerr, "request_id", requestID(c))
		_ = c.String(status, msg)
	}
}

// classify works out the status and the message a person may see.
func (s *Server) classify(err error, c echo.Context) (int, string, map[string]string) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return http.StatusNotFound, "There is no page at this address.", nil
		case http.StatusRequestEntityTooLarge:
			return he.Code, "What you sent is too large.", nil
		}
		if he.Code >= 500 {
			s.logInternal(c, err)
			return he.Code, "Internal error.", nil
		}
		if m, ok := he.Message.(string); ok && m != "" {
			msg = m
		}
		return he.Code, msg, nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("What you sent is too large: the limit here is %s.", formatBytes(mbe.Limit)), nil
	}
	var rl *rateLimited
	if errors.As(err, &rl) {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(rl.retryAfter.Seconds())))
		return http.StatusTooManyRequests, rl.Error(), nil
	}
	code := tracker.ErrorCode(err)
	if code == tracker.EINTERNAL {
		s.logInternal(c, err)
		return http.StatusInternalServerError, "Internal error: it has been logged (request " + requestID(c) + ").", nil
	}
	if code == tracker.ENOSPACE {
		// The operator must hear of it: nothing can be saved until they act.
		s.log.Error("disk full: a change was refused", "method", c.Request().Method, "path", c.Request().URL.Path, "request_id", requestID(c))
	}
	var te *tracker.Error
	var fields map[string]string
	if errors.As(err, &te) {
		fields = te.Fields
	}
	status, ok := statusFor[code]
	if !ok {
		status = http.StatusBadRequest
	}
	return status, tracker.ErrorMessage(err), fields
}

func (s *Server) logInternal(c echo.Context, err error) {
	s.log.Error("internal error", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path, "request_id", requestID(c))
}

func slogLevelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400 && status != http.StatusNotFound:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
