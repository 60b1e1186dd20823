package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The mailbox over the JSON API, in the shapes of `foitrack mail list/show`
// (mailsync.MessageSummary, mailsync.MessageView).

// apiListMail: GET /api/v1/mail?holding_pen=true&request_id=&limit=&after=,
// oldest first; "next" is the page after.
func (s *Server) apiListMail(c echo.Context) error {
	f := store.MailFilter{}
	limit, cur, err := apiPage(c, false)
	if err != nil {
		return err
	}
	f.Limit, f.Cursor = limit+1, cur
	if v := c.QueryParam("request_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return tracker.Errorf(tracker.EINVALID, "request_id must be a request ID")
		}
		f.RequestID = id
	}
	if v := c.QueryParam("holding_pen"); v != "" {
		pen, err := strconv.ParseBool(v)
		if err != nil {
			return tracker.Errorf(tracker.EINVALID, "holding_pen must be true or false")
		}
		if pen {
			if f.RequestID != 0 {
				return tracker.Errorf(tracker.EINVALID, "give holding_pen or request_id, not both")
			}
			f.Direction, f.State = "in", store.MailUnmatched
		}
	}
	msgs, err := mailsync.ListMessages(c.Request().Context(), s.st, f)
	if err != nil {
		return err
	}
	page := pageOf(msgs, cur, limit, false, func(m mailsync.MessageSummary) store.Cursor { return store.Cursor{ID: m.ID} })
	return c.JSON(http.StatusOK, apiList(s, c, "messages", page))
}

// apiGetMail: GET /api/v1/mail/:id
func (s *Server) apiGetMail(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := mailsync.ViewMessage(c.Request().Context(), s.st, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"message": v})
}

// apiFileMail: POST /api/v1/mail/:id/file {"request_id": N} or
// {"holding_pen": true}: files a message from the holding pen, moves a filed
// one to another request, or puts it back in the holding pen (the web app's
// audited action).
func (s *Server) apiFileMail(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		RequestID  int64 `json:"request_id"`
		HoldingPen bool  `json:"holding_pen"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if (in.RequestID > 0) == in.HoldingPen || in.RequestID < 0 {
		return tracker.Errorf(tracker.EINVALID, "give request_id (a request ID) or holding_pen: true")
	}
	cfg, err := mailsync.LoadConfig(ctx, s.st)
	if err != nil {
		return err
	}
	ing := cfg.Ingester(s.st, s.log)
	res, err := ing.File(ctx, id, in.RequestID)
	if err != nil {
		return err
	}
	v, err := mailsync.ViewMessage(ctx, s.st, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"message": v, "recorded": string(res.Applied)})
}
