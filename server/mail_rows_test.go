package server

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// mailRowsTemplate is the templates mailRows, mailStateBadge and
// requestChoiceList replaced, as they were.
const mailRowsTemplate = `{{define "csrf"}}<input type="hidden" name="csrf_token" value="{{.CSRF}}">{{end}}
{{define "mailstate"}}{{if eq . "matched"}}<span class="badge green">filed</span>{{else if eq . "unmatched"}}<span class="badge amber">holding pen</span>{{else if eq . "failed"}}<span class="badge red">unreadable</span>{{else if eq . "over_limit"}}<span class="badge red">over the size limit</span>{{else if eq . "not_foi"}}<span class="badge">not FOI</span>{{else if eq . "new"}}<span class="badge blue">being processed</span>{{else}}<span class="badge">{{.}}</span>{{end}}{{end}}
{{define "rows"}}{{$d := .Data}}{{$editor := .User.Role.AtLeast "editor"}}{{$root := .}}{{range $d.Messages}}
  <li id="mail-{{.ID}}">
    <a class="rowtitle" href="/mail/{{.ID}}">{{with .Subject}}{{.}}{{else}}(no subject){{end}}</a>
    <div class="rowmeta">from {{with .FromName}}{{.}} {{end}}&lt;{{.FromAddr}}&gt; · {{datetime .SentAt}} · {{template "mailstate" .State}}
      {{with .Proposal.Label}} · reads as {{.}}{{end}}
      {{if .RequestID}} · on <a href="/requests/{{.RequestID}}">{{.RequestTitle}}</a>{{end}}</div>
    {{with .Error}}<div class="small error-text">{{.}}</div>{{end}}
    {{if and $editor (not .RequestID) (ne .State "new")}}
    <form method="post" action="/mail/{{.ID}}/assign" class="inline">
      {{template "csrf" $root}}
      <input id="assign-{{.ID}}" name="request_id" required list="request-choices" autocomplete="off" size="14"
        placeholder="Request no. or FT-…" aria-label="The request this message is about (its number or reference)">
      <button type="submit" class="small">File</button>
    </form>
    {{if ne .State "not_foi"}}<form method="post" action="/mail/{{.ID}}/not-foi" class="inline">{{template "csrf" $root}}<button type="submit" class="secondary small">Not FOI</button></form>{{end}}
    {{end}}
  </li>
{{end}}{{end}}
{{define "choices"}}<datalist id="request-choices">{{range .}}<option value="{{.ID}}">{{.OurRef}} · {{.Title}} ({{.AuthorityName}})</option>{{end}}</datalist>{{end}}`

// mailRows (with mailStateBadge) and requestChoiceList write what the
// templates wrote, byte for byte, for an editor and a viewer, every state
// and one unknown, each optional part present and absent, and values to
// escape (quotes, markup, "+", a NUL, unicode).
func TestMailRowsIsWhatTheTemplateWrote(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		loc = time.FixedZone("BST", 3600)
	}
	s := &Server{cfg: Config{Location: loc}}
	tmpl := template.Must(template.New("t").Funcs(s.templateFuncs()).Parse(mailRowsTemplate))
	sent := time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC) // the next day in London
	tricky := `<script>alert("x")</script> & 'quoted' + más ✓ ` + "\x00"
	msgs := []mailRow{
		{MailMessage: store.MailMessage{ID: 1, Subject: tricky, FromName: `O'Brien "Legal" <Dept>`, FromAddr: "foi+reply@example.org",
			SentAt: sent, State: store.MailUnmatched}, Proposal: mailsync.Proposal{Label: "Refusal & <exemption>"}},
		{MailMessage: store.MailMessage{ID: 2, FromAddr: "a@b.example", State: store.MailMatched, RequestID: 42,
			RequestTitle: `Speed "cameras" & <fines>`}},
		{MailMessage: store.MailMessage{ID: 3, Subject: "Unreadable", FromAddr: "x@y.example", State: store.MailFailed,
			Error: `parse: bad header "From" <here>`, SentAt: sent}},
		{MailMessage: store.MailMessage{ID: 4, Subject: "Big", FromAddr: "big@y.example", State: store.MailOverLimit, Error: "over 25 MB"}},
		{MailMessage: store.MailMessage{ID: 5, Subject: "Not about FOI", FromAddr: "n@y.example", State: store.MailNotFOI}},
		{MailMessage: store.MailMessage{ID: 6, Subject: "Arriving", FromAddr: "new@y.example", State: store.MailNew}},
		{MailMessage: store.MailMessage{ID: 7, Subject: "Odd", FromName: "Ünïcødé 名前", FromAddr: "o@y.example", State: `<odd & "state">`}},
		{MailMessage: store.MailMessage{ID: 8, Subject: "", FromAddr: "", State: ""}},
	}
	reqs := []tracker.Request{
		{ID: 9, OurRef: "FT-2026-0009", Title: tricky, AuthorityName: `Borsetshire & <Felpersham> "Council"`},
		{ID: 10, OurRef: "", Title: "", AuthorityName: ""},
	}
	for _, role := range []store.Role{store.RoleEditor, store.RoleViewer} {
		for _, rows := range [][]mailRow{msgs, nil} {
			v := &view{User: &store.User{Role: role}, CSRF: `tok+en/"=<&>`, Data: mailListPage{Messages: rows}}
			var want strings.Builder
			if err := tmpl.ExecuteTemplate(&want, "rows", v); err != nil {
				t.Fatal(err)
			}
			if got := string(mailRows(rows, role.AtLeast(store.RoleEditor), v.CSRF, loc)); got != want.String() {
				t.Errorf("mailRows (%s) wrote\n%s\nthe template wrote\n%s", role, got, want.String())
			}
		}
	}
	for _, rs := range [][]tracker.Request{reqs, nil} {
		var want strings.Builder
		if err := tmpl.ExecuteTemplate(&want, "choices", rs); err != nil {
			t.Fatal(err)
		}
		if got := string(requestChoiceList(rs)); got != want.String() {
			t.Errorf("requestChoiceList wrote\n%s\nthe template wrote\n%s", got, want.String())
		}
	}
}
