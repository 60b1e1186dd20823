package server

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// mailRows is the mail list's messages, each with its filing forms for an
// editor (csrf is the page's token), built here rather than by the
// template: a page of 50 messages, each value escaped by reflection there,
// was most of the holding pen's CPU and a third of a search's. It writes
// what the template wrote, byte for byte (TestMailRowsIsWhatTheTemplateWrote).
func mailRows(rows []mailRow, editor bool, csrf string, loc *time.Location) template.HTML {
	var b strings.Builder
	b.Grow(1200 * len(rows))
	for _, m := range rows {
		id := strconv.FormatInt(m.ID, 10)
		b.WriteString("\n  <li id=\"mail-")
		b.WriteString(id)
		b.WriteString("\">\n    <a class=\"rowtitle\" href=\"/mail/")
		b.WriteString(id)
		b.WriteString(`">`)
		if m.Subject != "" {
			htmlText(&b, m.Subject)
		} else {
			b.WriteString("(no subject)")
		}
		b.WriteString("</a>\n    <div class=\"rowmeta\">from ")
		if m.FromName != "" {
			htmlText(&b, m.FromName)
			b.WriteString(" ")
		}
		b.WriteString("&lt;")
		htmlText(&b, m.FromAddr)
		b.WriteString("&gt; · ")
		htmlText(&b, formatDatetime(m.SentAt, loc))
		b.WriteString(" · ")
		b.WriteString(string(mailStateBadge(m.State)))
		b.WriteString("\n      ")
		if m.Proposal.Label != "" {
			b.WriteString(" · reads as ")
			htmlText(&b, m.Proposal.Label)
		}
		b.WriteString("\n      ")
		if m.RequestID != 0 {
			b.WriteString(" · on <a href=\"/requests/")
			b.WriteString(strconv.FormatInt(m.RequestID, 10))
			b.WriteString(`">`)
			htmlText(&b, m.RequestTitle)
			b.WriteString("</a>")
		}
		b.WriteString("</div>\n    ")
		if m.Error != "" {
			b.WriteString(`<div class="small error-text">`)
			htmlText(&b, m.Error)
			b.WriteString("</div>")
		}
		b.WriteString("\n    ")
		if m.fileable(editor) {
			b.WriteString("\n    <form method=\"post\" action=\"/mail/")
			b.WriteString(id)
			b.WriteString("/assign\" class=\"inline\">\n      ")
			csrfInput(&b, csrf)
			b.WriteString("\n      <input id=\"assign-")
			b.WriteString(id)
			b.WriteString("\" name=\"request_id\" required list=\"request-choices\" autocomplete=\"off\" size=\"14\"\n" +
				"        placeholder=\"Request no. or FT-…\" aria-label=\"The request this message is about (its number or reference)\">\n" +
				"      <button type=\"submit\" class=\"small\">File</button>\n    </form>\n    ")
			if m.State != store.MailNotFOI {
				b.WriteString("<form method=\"post\" action=\"/mail/")
				b.WriteString(id)
				b.WriteString("/not-foi\" class=\"inline\">")
				csrfInput(&b, csrf)
				b.WriteString("<button type=\"submit\" class=\"secondary small\">Not FOI</button></form>")
			}
			b.WriteString("\n    ")
		}
		b.WriteString("\n  </li>\n")
	}
	return template.HTML(b.String())
}

// csrfInput is the form field the "csrf" template writes.
func csrfInput(b *strings.Builder, token string) {
	b.WriteString(`<input type="hidden" name="` + csrfField + `" value="`)
	htmlText(b, token)
	b.WriteString(`">`)
}

// mailStateBadge is a message's state as a badge (the "mailstate" template).
func mailStateBadge(state string) template.HTML {
	switch state {
	case store.MailMatched:
		return `<span class="badge green">filed</span>`
	case store.MailUnmatched:
		return `<span class="badge amber">holding pen</span>`
	case store.MailFailed:
		return `<span class="badge red">unreadable</span>`
	case store.MailOverLimit:
		return `<span class="badge red">over the size limit</span>`
	case store.MailNotFOI:
		return `<span class="badge">not FOI</span>`
	case store.MailNew:
		return `<span class="badge blue">being processed</span>`
	}
	var b strings.Builder
	b.WriteString(`<span class="badge">`)
	htmlText(&b, state)
	b.WriteString(`</span>`)
	return template.HTML(b.String())
}

// requestChoiceList is the datalist of requests to file a message on
// (requestChoices), for the field of list="request-choices".
func requestChoiceList(reqs []tracker.Request) template.HTML {
	var b strings.Builder
	b.Grow(100 * len(reqs))
	b.WriteString(`<datalist id="request-choices">`)
	for _, r := range reqs {
		b.WriteString(`<option value="`)
		b.WriteString(strconv.FormatInt(r.ID, 10))
		b.WriteString(`">`)
		htmlText(&b, r.OurRef)
		b.WriteString(" · ")
		htmlText(&b, r.Title)
		b.WriteString(" (")
		htmlText(&b, r.AuthorityName)
		b.WriteString(")</option>")
	}
	b.WriteString(`</datalist>`)
	return template.HTML(b.String())
}
