package server

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// timelineForm is the event form's values, as shown and as posted.
type timelineForm struct {
	ID         int64 // 0 for a new event
	Slug       string
	Date       string
	Title      string
	Importance string
	Status     string
	Tags       string // comma-separated
	Actors     string // one per line
	Sources    string // YAML list
	Extra      string // YAML mapping of the other keys
	Body       string
}

func formFromEvent(te store.TimelineEvent) timelineForm {
	ev := te.Event
	f := timelineForm{ID: te.ID, Slug: ev.ID(), Date: ev.Date(), Title: ev.Title(), Status: ev.Status(),
		Tags: strings.Join(ev.Tags(), ", "), Actors: strings.Join(ev.Actors(), "\n"), Sources: ev.SourcesYAML(),
		Extra: ev.ExtraYAML(), Body: ev.Text()}
	if n := ev.Importance(); n > 0 {
		f.Importance = strconv.Itoa(n)
	}
	return f
}

func readTimelineForm(c echo.Context) timelineForm {
	return timelineForm{
		Slug: strings.TrimSpace(c.FormValue("slug")), Date: strings.TrimSpace(c.FormValue("date")),
		Title: strings.TrimSpace(c.FormValue("title")), Importance: strings.TrimSpace(c.FormValue("importance")),
		Status: strings.TrimSpace(c.FormValue("status")), Tags: c.FormValue("tags"), Actors: c.FormValue("actors"),
		Sources: c.FormValue("sources"), Extra: c.FormValue("extra"), Body: c.FormValue("body"),
	}
}

// apply sets the form's values on ev, collecting every field's problem.
func (f timelineForm) apply(ev *timeline.Event) error {
	var v tracker.ValidationError
	if f.Title == "" {
		v.Add("title", "a title is required")
	} else if len(f.Title) > 500 {
		v.Add("title", "at most 500 characters")
	} else {
		ev.SetTitle(f.Title)
	}
	if err := ev.SetDate(f.Date); err != nil {
		v.Add("date", "use YYYY-MM-DD (or YYYY-MM, YYYY)")
	}
	if f.Slug != "" {
		if err := ev.SetID(f.Slug); err != nil {
			v.Add("slug", "letters, digits, '.', '_' and '-' only, at most 200")
		}
	}
	imp := 0
	if f.Importance != "" {
		n, err := strconv.Atoi(f.Importance)
		if err != nil {
			v.Add("importance", "a number from 1 to 10")
		}
		imp = n
	}
	if err := ev.SetImportance(imp); err != nil {
		v.Add("importance", "a number from 1 to 10")
	}
	ev.SetStatus(f.Status)
	ev.SetTags(strings.Split(f.Tags, ","))
	ev.SetActors(strings.Split(strings.ReplaceAll(f.Actors, "\r\n", "\n"), "\n"))
	if err := ev.SetSourcesYAML(f.Sources); err != nil {
		v.Add("sources", err.Error())
	}
	if err := ev.SetExtraYAML(f.Extra); err != nil {
		v.Add("extra", err.Error())
	}
	if len(f.Body) > 200_000 {
		v.Add("body", "at most 200,000 characters")
	} else {
		ev.SetBody(f.Body)
	}
	return v.Err()
}

func (s *Server) renderTimelineForm(c echo.Context, status int, f timelineForm, err error) error {
	title := "New timeline event"
	if f.ID != 0 {
		title = "Edit " + f.Title
	}
	v := &view{Title: title, Section: "timeline", Data: f}
	if err != nil {
		v.Error, v.Fields = "Not saved: "+tracker.ErrorMessage(err), fieldErrors(err)
	}
	return s.render(c, status, "timeline_form", v)
}
