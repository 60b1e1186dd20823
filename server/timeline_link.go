package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// linkToTimelineEvent links a document, message or request to an event
// with a role. The form comes from the event page (target kind and number)
// or from a document or request page (hidden target, event chosen); either
// way the browser returns to the page it came from.
func (s *Server) linkToTimelineEvent(c echo.Context) error {
	ctx := c.Request().Context()
	l := store.EventLink{
		EventID:    formInt(c, "event_id"),
		Role:       c.FormValue("role"),
		Exemptions: formList(c, "exemptions"),
		Tier:       int(formInt(c, "tier")),
		Note:       strings.TrimSpace(c.FormValue("note")),
	}
	id, target := formInt(c, "target_id"), c.FormValue("target")
	// The event page names its choice as "document:12" or "request:3", so
	// that one list can hold both without mistaking one for the other.
	if kind, num, ok := strings.Cut(c.FormValue("target_ref"), ":"); ok {
		target = kind
		id, _ = strconv.ParseInt(num, 10, 64)
	}
	switch target {
	case "document":
		l.DocumentID = id
	case "message":
		l.MessageID = id
	case "request":
		l.RequestID = id
	}
	back := localPath(c.FormValue("back"), fmt.Sprintf("/timeline/events/%d", l.EventID))
	if l.EventID == 0 {
		return s.redirectWithFlash(c, back, "error", "Not linked: choose an event.")
	}
	if id == 0 {
		return s.redirectWithFlash(c, back, "error", "Not linked: give the number of the document, message or request.")
	}
	err := s.st.LinkToEvent(ctx, &l)
	switch tracker.ErrorCode(err) {
	case "":
	case tracker.EINVALID, tracker.ENOTFOUND, tracker.ECONFLICT:
		return s.redirectWithFlash(c, back, "error", "Not linked: %s", tracker.ErrorMessage(err))
	default:
		return err
	}
	msg := fmt.Sprintf("Linked as %s.", l.Role)
	if len(l.Exemptions) > 0 {
		msg = fmt.Sprintf("Linked as %s under %s.", l.Role, strings.Join(l.Exemptions, ", "))
	}
	return s.redirectWithFlash(c, back, "ok", "%s", msg)
}
