package server

import (
	"html/template"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/tracker"
)

// requestTableTemplate is the template requestTable replaced, as it was.
const requestTableTemplate = `{{define "status"}}<span class="badge {{statusClass .}}">{{statusLabel .}}</span>{{end}}
{{define "tags"}}{{range .}}<span class="tag">{{.}}</span>{{end}}{{end}}
{{define "requesttable"}}
<div class="tablewrap" tabindex="0">
<table class="requests">
  <thead><tr><th>Request</th><th>Authority</th><th class="col-law">Law</th><th>Status</th><th>Due</th><th>Next</th></tr></thead>
  <tbody>
  {{range .}}{{$r := .Request}}
  <tr>
    <td><a class="rowtitle" href="/requests/{{$r.ID}}">{{$r.Title}}</a><div class="rowmeta">{{$r.OurRef}}{{with $r.TheirRef}} · their ref {{.}}{{end}} {{template "tags" $r.Tags}}</div></td>
    <td><a href="/authorities/{{$r.AuthorityID}}">{{$r.AuthorityName}}</a></td>
    <td class="nowrap col-law">{{lawShort $r.Law}}</td>
    <td>{{template "status" $r.Status}}{{with $r.Outcome}}<div class="rowmeta">{{outcomeLabel .}}</div>{{end}}</td>
    <td class="nowrap">{{if $r.DueDate.IsZero}}<span class="muted">—</span>{{else}}{{date $r.DueDate}}{{with .Standing}}<div><span class="badge {{.Class}}">{{.Label}}</span></div>{{end}}{{end}}</td>
    <td class="next-cell">{{if eq (print .Next.Action) "nothing" ""}}<span class="muted">—</span>{{else}}<span class="badge {{if eq (print .Next.Who) "requester"}}{{if .Next.Overdue}}red{{else}}amber{{end}}{{else}}blue{{end}}">{{actionLabel .Next.Action}}</span>{{if not .Next.By.IsZero}}<div class="rowmeta">by {{date .Next.By}}</div>{{end}}{{end}}</td>
  </tr>
  {{else}}
  <tr><td colspan="6" class="muted">No requests match.</td></tr>
  {{end}}
  </tbody>
</table>
</div>
{{end}}`

// requestTable writes the table the template wrote, byte for byte, for
// rows with and without each optional part, and names to escape.
func TestRequestTableIsWhatTheTemplateWrote(t *testing.T) {
	tmpl := template.Must(template.New("t").Funcs((&Server{}).templateFuncs()).Parse(requestTableTemplate))
	due := tracker.MustParseDate("2026-03-02")
	rows := []requestRow{
		{Request: tracker.Request{ID: 1, Title: `Speed cameras & "fines" <2026> + 'more'`, OurRef: "FT-2026-0001", TheirRef: "FOI/123+4",
			Tags: []string{"roads", "a&b"}, AuthorityID: 7, AuthorityName: "Borsetshire & <Felpersham> Council", Law: "uk-foia",
			Status: tracker.StatusAwaitingResponse, DueDate: due},
			Standing: &badge{Label: "overdue 3 working days", Class: "red"},
			Next:     tracker.NextAction{Who: tracker.WhoRequester, Action: tracker.ActionNothing}},
		{Request: tracker.Request{ID: 2, Title: "A draft", OurRef: "FT-2026-0002", AuthorityID: 8, AuthorityName: "Home Office",
			Law: "scot-foisa", Status: tracker.StatusDraft},
			Next: tracker.NextAction{Who: tracker.WhoRequester, Action: tracker.ActionSendClarification, By: due, Overdue: true}},
		{Request: tracker.Request{ID: 3, Title: "Answered", OurRef: "FT-2026-0003", AuthorityID: 9, AuthorityName: "Kent Police",
			Law: "no-such-law", Status: tracker.StatusAnswered, Outcome: "partial", DueDate: due},
			Next: tracker.NextAction{Who: tracker.WhoRequester, Action: "ask_review", By: due}},
		{Request: tracker.Request{ID: 4, Title: "Waiting", OurRef: "FT-2026-0004", AuthorityID: 9, AuthorityName: "Kent Police",
			Law: "uk-eir", Status: tracker.StatusReviewRequested, DueDate: due},
			Standing: &badge{Label: "due in 2 working days", Class: "amber"},
			Next:     tracker.NextAction{Who: "authority", Action: "respond"}},
	}
	for _, rs := range [][]requestRow{rows, nil} {
		var want strings.Builder
		if err := tmpl.ExecuteTemplate(&want, "requesttable", rs); err != nil {
			t.Fatal(err)
		}
		if got := string(requestTable(rs)); got != want.String() {
			t.Errorf("requestTable wrote\n%s\nthe template wrote\n%s", got, want.String())
		}
	}
}
