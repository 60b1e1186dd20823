package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/tracker"
)

// apiListEvents: GET /api/v1/requests/:id/events, the history in order.
func (s *Server) apiListEvents(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.st.RequestByID(c.Request().Context(), id); err != nil {
		return err
	}
	events, err := s.st.Events(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"events": nonNil(events)})
}

// apiNewEvent is the body of POST /api/v1/requests/:id/events.
type apiNewEvent struct {
	Kind       tracker.EventKind `json:"kind"`
	Date       tracker.Date      `json:"date"`
	Outcome    string            `json:"outcome"`
	NewDueDate tracker.Date      `json:"new_due_date"`
	Reason     string            `json:"reason"`
	Note       string            `json:"note"`
	Exemptions []string          `json:"exemptions"`
}

// apiRecordEvent: POST /api/v1/requests/:id/events (editors). The answer
// is the event and the request as it now stands, with its new deadlines.
func (s *Server) apiRecordEvent(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.st.RequestByID(ctx, id); err != nil {
		return err
	}
	var in apiNewEvent
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	e := tracker.Event{RequestID: id, Kind: in.Kind, Date: in.Date, Outcome: in.Outcome, NewDueDate: in.NewDueDate,
		Reason: in.Reason, Note: in.Note, Exemptions: in.Exemptions}
	if err := s.st.AddEvent(ctx, &e); err != nil {
		return err
	}
	r, err := s.st.RequestByID(ctx, id)
	if err != nil {
		return err
	}
	row, err := s.requestRowWithDeadlines(ctx, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"event": e, "request": s.apiRequestOf(row)})
}
