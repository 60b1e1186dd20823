package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
)

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
