package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

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
