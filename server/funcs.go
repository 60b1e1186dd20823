package server

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// templateFuncs are the helpers templates may call. They only format:
// anything that decides belongs in a handler or in tracker, and anything
// read from the store is in the view before rendering
// (TestTemplateFuncsDoNotReadTheStore).
func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"asset": s.assetURL,
		// passwordRule is the rule for new passwords, said on every form that sets one.
		"passwordRule": func() string { return store.PasswordRule },
		"date": func(d tracker.Date) string {
			if d.IsZero() {
				return "—"
			}
			return d.Long()
		},
		"isodate":   func(d tracker.Date) string { return d.String() },
		"eventDate": eventDate,
		"datetime": func(t time.Time) string {
			return formatDatetime(t, s.cfg.Location)
		},
		"statusLabel":      func(st tracker.Status) string { return st.Label() },
		"ariaInvalid":      ariaInvalid,
		"flashInvalid":     flashInvalid,
		"errFor":           func(fields map[string]string, name string) fieldErr { return fieldErr{Name: name, Msg: fields[name]} },
		"actionLabel":      func(a tracker.Action) string { return a.Label() },
		"actionLetter":     actionLetter,
		"statusClass":      statusClass,
		"eventLabel":       func(k tracker.EventKind) string { return k.Label() },
		"outcomeLabel":     tracker.OutcomeLabel,
		"lawShort":         lawShort,
		"chooserMax":       func() int { return chooserMax },
		"requestTable":     requestTable,
		"timelineItems":    timelineItems,
		"lawName":          lawName,
		"jurisdiction":     jurisdictionLabel,
		"dispositionLabel": dispositionLabel,
		"dispositionClass": dispositionClass,
		"bytes":            formatBytes,
		"snippet":          snippetHTML,
		"thousands":        thousands,
		"join":             strings.Join,
		"contains":         slices.Contains[[]string],
		"percent":          func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"median":           func(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") },
		"listSearchBound":  func() int { return store.ListSearchBound },
		"listSearchSpan":   func() string { return "100,000" }, // store.ListSearchSpan as people write it (TestListSearchBoxesSayTheyAreBounded)
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		},
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
		// actor is who recorded something, without the audit log's "user:" prefix.
		"actor": func(s string) string { return strings.TrimPrefix(s, "user:") },
		// The mail list's rows and their parts, written in Go (mail_rows.go).
		"mailRows": func(rows []mailRow, editor bool, csrf string) template.HTML {
			return mailRows(rows, editor, csrf, s.cfg.Location)
		},
		"mailStateBadge":    mailStateBadge,
		"requestChoiceList": requestChoiceList,
	}
}

// formatDatetime is a moment as the pages show it, in the server's time zone.
func formatDatetime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2 Jan 2006 15:04")
}

// eventDate shows a timeline event's date like the app's other dates when
// it is a whole day; "2026-03" or "2026" stay as they are.
func eventDate(s string) string {
	if d, err := tracker.ParseDate(s); err == nil && len(s) == len("2006-01-02") {
		return d.Long()
	}
	return s
}

func lawShort(code tracker.LawCode) string {
	if l, ok := tracker.LawByCode(code); ok {
		return l.ShortName
	}
	return string(code)
}

func lawName(code tracker.LawCode) string {
	if l, ok := tracker.LawByCode(code); ok {
		return l.Name
	}
	return string(code)
}

func jurisdictionLabel(code string) string {
	for _, j := range tracker.Jurisdictions {
		if j.Code == code {
			return j.Label
		}
	}
	return code
}

// statusClass is the colour of a status badge.
func statusClass(st tracker.Status) string {
	switch st {
	case tracker.StatusAwaitingResponse, tracker.StatusReviewRequested, tracker.StatusRegulatorComplaint:
		return "blue"
	case tracker.StatusAwaitingClarification, tracker.StatusAwaitingFee:
		return "amber"
	case tracker.StatusAnswered, tracker.StatusReviewDecided, tracker.StatusRegulatorDecided:
		return "green"
	}
	return ""
}

var dispositions = []struct{ Code, Label string }{
	{tracker.DispositionReleased, "Released"},
	{tracker.DispositionReleasedRedacted, "Released with redactions"},
	{tracker.DispositionWithheld, "Withheld"},
}

func dispositionLabel(d string) string {
	for _, x := range dispositions {
		if x.Code == d {
			return x.Label
		}
	}
	return d
}

func dispositionClass(d string) string {
	switch d {
	case tracker.DispositionReleased:
		return "green"
	case tracker.DispositionReleasedRedacted:
		return "amber"
	case tracker.DispositionWithheld:
		return "red"
	}
	return ""
}

// formatBytes is a size for people: "512 bytes", "1.4 MB".
func formatBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}

// fieldErr is a field's error with the field's name, so that the message
// gets the id its input points to (aria-describedby).
type fieldErr struct{ Name, Msg string }

// flashInvalid marks the control of field as refused by the error message
// at the top of the page (id flash-error), when that message is about it
// (redirectWithFieldError).
func flashInvalid(f *flash, field string) template.HTMLAttr {
	if f == nil || f.Kind != "error" || f.Field != field {
		return ""
	}
	return `aria-invalid="true" aria-describedby="flash-error"`
}

// ariaInvalid marks a form control whose value was refused and ties it to
// its message (rendered by the "fielderrfor" partial, id NAME-error), after
// the ids it is described by already (a hint): every form field that can
// carry an error gets it, so that a screen reader announces the error with
// the field.
func ariaInvalid(fields map[string]string, name string, describedBy ...string) template.HTMLAttr {
	ids := strings.Join(describedBy, " ")
	if fields[name] == "" {
		if ids == "" {
			return ""
		}
		return template.HTMLAttr(`aria-describedby="` + template.HTMLEscapeString(ids) + `"`)
	}
	ids = strings.TrimSpace(ids + " " + name + "-error")
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(ids) + `"`)
}

// thousands writes a count as people read it: 2,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
