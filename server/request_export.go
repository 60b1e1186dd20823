package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// exportRequestsCSV sends the requests matching the list's filters as CSV,
// with their due dates and where they stand today.
func (s *Server) exportRequestsCSV(c echo.Context) error {
	ctx := c.Request().Context()
	f, _ := s.requestFilter(c)
	reqs, states, today, err := s.listRequests(ctx, f)
	if err != nil {
		return err
	}
	rows := requestRowsOf(reqs, states, today)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="foitrack-requests-%s.csv"`, s.today()))
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"ID", "Our ref", "Their ref", "Title", "Authority", "Law", "Status", "Outcome", "Sent",
		"Due", "Standing", "Visibility", "Tags", "URL"})
	for _, r := range rows {
		standing := string(r.StandingNow.Code)
		_ = w.Write(csvSafe([]string{fmt.Sprint(r.ID), r.OurRef, r.TheirRef, r.Title, r.AuthorityName, string(r.Law),
			string(r.Status), r.Outcome, r.SentOn.String(), r.DueDate.String(), standing, r.Visibility,
			strings.Join(r.Tags, " "), s.absURL(fmt.Sprintf("/requests/%d", r.ID))}))
	}
	w.Flush()
	return w.Error()
}

// csvSafe defuses every cell of a record (tracker.CSVSafe).
func csvSafe(rec []string) []string {
	for i, v := range rec {
		rec[i] = tracker.CSVSafe(v)
	}
	return rec
}
