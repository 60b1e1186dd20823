package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
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
