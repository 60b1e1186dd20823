package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

type batchListPage struct {
	Batches []store.Batch
	CanEdit bool
}

// showBatchList lists the batches.
func (s *Server) showBatchList(c echo.Context) error {
	list, err := s.st.Batches(c.Request().Context(), "")
	if err != nil {
		return err
	}
	p := batchListPage{Batches: list, CanEdit: currentUser(c).Role.AtLeast(store.RoleEditor)}
	return s.render(c, http.StatusOK, "batch_list", &view{Title: "Batches", Section: "batches", Data: p})
}

type batchFormPage struct {
	Batch       store.Batch
	Authorities []tracker.Authority
	Selected    map[int64]bool
	Tags        string
}

// showNewBatchPage: a batch's title, text and authorities.
func (s *Server) showNewBatchPage(c echo.Context) error {
	p := &batchFormPage{Batch: store.Batch{ThrottleSeconds: 30,
		Title: "Police drones ({{.ShortName}})",
		Body:  "Please tell me how many drone flights {{.Authority}} made in 2025, by month."}, Selected: map[int64]bool{}}
	return s.renderBatchForm(c, http.StatusOK, p, nil)
}

func (s *Server) renderBatchForm(c echo.Context, status int, p *batchFormPage, err error) error {
	var err2 error
	if p.Authorities, err2 = s.st.Authorities(c.Request().Context(), store.AuthorityFilter{}); err2 != nil {
		return err2
	}
	v := &view{Title: "New batch", Section: "batches", Data: p}
	if err != nil {
		v.Error, v.Fields = "The batch was not created: "+tracker.ErrorMessage(err), fieldErrors(err)
	}
	return s.render(c, status, "batch_form", v)
}

// submitBatch creates the batch and its requests (drafts, owned by the
// creator), all or nothing.
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

type batchPage struct {
	Batch    store.Batch
	Progress remind.BatchProgress
	CanEdit  bool
	Running  bool
	// Summary: "Of the 14 authorities asked, 9 answered on time…" (Insight).
	Summary string
}

// showBatch: the progress of every request of a batch.
func (s *Server) showBatch(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.loadBatch(ctx, id)
	if err != nil {
		return err
	}
	p.CanEdit = currentUser(c).Role.AtLeast(store.RoleEditor)
	return s.render(c, http.StatusOK, "batch_show", &view{Title: p.Batch.Title, Section: "batches", Data: p})
}

func (s *Server) loadBatch(ctx context.Context, id int64) (*batchPage, error) {
	b, err := s.st.BatchByID(ctx, id)
	if err != nil {
		return nil, err
	}
	members, err := s.st.BatchMembers(ctx, id)
	if err != nil {
		return nil, err
	}
	in, err := s.st.Insight(ctx, store.InsightFilter{BatchID: id}, s.today())
	if err != nil {
		return nil, err
	}
	return &batchPage{Batch: b, Progress: remind.BatchReport(members, s.today()), Running: b.State == store.BatchSending,
		Summary: batchSentence(in)}, nil
}

// exportBatchCSV downloads the batch's progress, one row per request.
func (s *Server) exportBatchCSV(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.loadBatch(c.Request().Context(), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := remind.WriteBatchCSV(&buf, p.Progress); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="batch-%d.csv"`, id))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// sendBatch starts (or resumes) sending a batch in the background: throttled,
// it can take a while. The page shows where it stands.
func (s *Server) sendBatch(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	b, err := s.st.BatchByID(ctx, id)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/batches/%d", id)
	sender, err := s.outboundSender(ctx)
	if err != nil {
		return s.redirectWithFlash(c, back, "error", "Not sent: %s", tracker.ErrorMessage(err))
	}
	if err := s.st.SetBatchState(ctx, id, store.BatchSending, ""); err != nil {
		return err
	}
	u := currentUser(c)
	bs := &remind.BatchSender{Sender: sender, SenderName: u.DisplayName()}
	s.background("user:"+u.Email, func(ctx context.Context) {
		res, err := bs.Send(ctx, id)
		if err != nil {
			s.log.Error("batch send", "batch", id, "err", err)
			return
		}
		s.log.Info("batch send", "batch", id, "sent", len(res.Sent), "failed", res.Failed, "not_sent", len(res.NotSent))
	})
	return s.redirectWithFlash(c, back, "info", "Sending “%s”: one request every %d seconds. Reload this page to follow it.", b.Title, b.ThrottleSeconds)
}
