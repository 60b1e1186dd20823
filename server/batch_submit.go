package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// submitBatch creates the batch and its requests (drafts, owned by the
// creator), all or nothing; or, from the chooser's Find button, shows the
// form again with the authorities found.
func (s *Server) submitBatch(c echo.Context) error {
	ctx := c.Request().Context()
	throttle, _ := strconv.Atoi(strings.TrimSpace(c.FormValue("throttle_seconds")))
	p := &batchFormPage{Batch: store.Batch{Title: c.FormValue("title"), Body: strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"),
		Tags: formList(c, "tags"), ThrottleSeconds: throttle}, Selected: map[int64]bool{}, Tags: c.FormValue("tags")}
	var ids []int64
	for _, v := range c.Request().Form["authority_id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
			p.Selected[id] = true
		}
	}
	if c.FormValue("finding") != "" {
		// The chooser's Find button: the form again, as typed and
		// ticked, with the authorities it found.
		p.Find = strings.TrimSpace(c.FormValue("find"))
		return s.renderBatchForm(c, http.StatusOK, p, nil)
	}
	text, err := remind.BatchText(p.Batch.Title, p.Batch.Body)
	if err == nil {
		err = s.st.CreateBatch(ctx, &p.Batch, ids, currentUser(c).ID, text)
	}
	if code := tracker.ErrorCode(err); code == tracker.EINVALID {
		return s.renderBatchForm(c, http.StatusUnprocessableEntity, p, err)
	} else if err != nil {
		return err
	}
	return s.redirectWithFlash(c, fmt.Sprintf("/batches/%d", p.Batch.ID), "ok",
		"Batch created: %d draft requests, one per authority. Check them, then send.", p.Batch.Size)
}
