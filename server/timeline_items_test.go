package server

import (
	"html/template"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// timelineItemsTemplate is the template timelineItems replaced, as it was.
const timelineItemsTemplate = `{{define "tags"}}{{range .}}<span class="tag">{{.}}</span>{{end}}{{end}}
{{define "items"}}{{range .}}
<section class="card timeline-event" id="event-{{.ID}}">
  <div class="rowmeta">{{eventDate .Date}}{{with .Importance}} · importance {{.}}{{end}}{{with .Status}} · {{.}}{{end}}</div>
  <h2><a href="/timeline/events/{{.ID}}">{{.Title}}</a></h2>
  <div>{{template "tags" .Tags}}</div>
  {{with .Actors}}<div class="rowmeta">{{join . ", "}}</div>{{end}}
  {{if .Links}}
  <ul class="plain">
    {{range .Requests}}<li>Request <a href="/requests/{{.ID}}">{{.Title}}</a> to {{.Authority}}</li>{{end}}
    {{range .Links}}{{if .DocumentID}}<li><span class="badge {{if eq .Role "released"}}green{{else if eq .Role "withheld"}}red{{end}}">{{.Role}}</span>
      <a href="/documents/{{.DocumentID}}">{{.Label}}</a>{{if eq .Role "withheld"}} — {{.AuthorityName}} withheld this{{with .CitedExemptions}} under {{join . ", "}}{{end}}{{end}}</li>{{end}}{{end}}
  </ul>
  {{end}}
</section>
{{end}}{{end}}`

// timelineItems writes the events the template wrote, byte for byte, with
// and without each optional part, and names to escape.
func TestTimelineItemsIsWhatTheTemplateWrote(t *testing.T) {
	tmpl := template.Must(template.New("t").Funcs((&Server{}).templateFuncs()).Parse(timelineItemsTemplate))
	doc := func(id int64, role, name string, ex ...string) store.EventLinkDetail {
		return store.EventLinkDetail{EventLink: store.EventLink{DocumentID: id, Role: role, Exemptions: ex}, DocumentFilename: name,
			AuthorityName: "Kent & <Medway> Police", RequestTitle: "Drones"}
	}
	items := []timelineItem{
		{TimelineSummary: store.TimelineSummary{ID: 1, Date: "2026-03-30", Title: `Met "discloses" <records> & more + 'so'`, Importance: 7, Status: "confirmed",
			Tags: []string{"foi", "a&b"}, Actors: []string{"Metropolitan Police Service", "Home <Office>"}},
			Links: []store.EventLinkDetail{doc(4, "released", "record.pdf"), doc(5, "withheld", "criteria & <list>.pdf", "s31(1)(a)", "s40+2"),
				doc(6, "withheld", "none.pdf"), doc(7, "context", "background.pdf"),
				{EventLink: store.EventLink{RequestID: 3, Role: "context"}, RequestTitle: "Drones"}},
			Requests: []requestRef{{ID: 3, Title: "Drones & <flights>", Authority: "Kent Police"}, {ID: 9, Title: "Cameras", Authority: "Home Office"}}},
		{TimelineSummary: store.TimelineSummary{ID: 2, Date: "2026-03", Title: "A month"}},
		{TimelineSummary: store.TimelineSummary{ID: 3, Date: "2026", Title: "A year", Actors: []string{"ICO"}},
			Links:    []store.EventLinkDetail{{EventLink: store.EventLink{RequestID: 3, Role: "context"}}},
			Requests: []requestRef{{ID: 3, Title: "Drones", Authority: "Kent Police"}}},
	}
	var want strings.Builder
	if err := tmpl.ExecuteTemplate(&want, "items", items); err != nil {
		t.Fatal(err)
	}
	if got := string(timelineItems(items)); got != want.String() {
		t.Errorf("timelineItems wrote\n%s\nthe template wrote\n%s", got, want.String())
	}
}
