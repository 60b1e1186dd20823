package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/tracker"
)

// letterTemplateForm is one template on the admin page.
type letterTemplateForm struct {
	Kind    remind.LetterKind
	Label   string
	Help    string
	Law     string
	Subject string
	Body    string
	Custom  bool
	Preview string // the template filled with sample data
	Error   string
}

type letterTemplatesPage struct {
	Forms  []letterTemplateForm
	Laws   []tracker.Law
	Fields []string
	Sample remind.LetterData
}

// letterFields lists the fields a template may use, for the help text.
var letterFields = []string{".Today", ".Title", ".RequestText", ".OurRef", ".TheirRef", ".Authority", ".AuthorityEmail",
	".LawName", ".LawShort", ".Citation", ".SentOn", ".DueDate", ".DueExplanation", ".Late", ".WorkingDaysLate",
	".ResponseDate", ".Outcome", ".Exemptions (each: .Code .Title .Qualified .Absolute)", ".PublicInterest (a list)",
	".ReviewName", ".AReview (with its article: an internal review)", ".ReviewPeriod", ".ReviewAskBy", ".ReviewRequestedOn", ".ReviewDue", ".ReviewDueExplanation", ".ReviewLate",
	".ReviewOutcome", ".ReviewDate", ".Regulator", ".RegulatorURL", ".RegulatorWindow", ".RegulatorExplain", ".SenderName", ".ReplyAddress"}

// showLetterTemplates: every letter's template in force (for all laws), editable.
func (s *Server) showLetterTemplates(c echo.Context) error {
	return s.renderLetterTemplates(c, http.StatusOK, nil)
}

func (s *Server) renderLetterTemplates(c echo.Context, status int, failed *letterTemplateForm) error {
	ctx := c.Request().Context()
	p := letterTemplatesPage{Laws: tracker.Laws, Fields: letterFields, Sample: remind.SampleLetterData()}
	for _, k := range remind.LetterKinds {
		f := letterTemplateForm{Kind: k.Kind, Label: k.Label, Help: k.Help}
		if failed != nil && failed.Kind == k.Kind {
			f = *failed
			f.Label, f.Help = k.Label, k.Help
		} else {
			t, err := remind.LoadTemplate(ctx, s.st, k.Kind, "")
			if err != nil {
				return err
			}
			f.Subject, f.Body, f.Custom = t.Subject, t.Body, t.Custom
			if subj, body, err := t.Render(p.Sample); err == nil {
				f.Preview = "Subject: " + subj + "\n\n" + body
			}
		}
		p.Forms = append(p.Forms, f)
	}
	// Templates an admin made for one law only are listed too.
	custom, err := s.st.LetterTemplates(ctx)
	if err != nil {
		return err
	}
	for _, t := range custom {
		if t.Law == "" {
			continue
		}
		k := remind.LetterKind(t.Kind)
		p.Forms = append(p.Forms, letterTemplateForm{Kind: k, Label: k.Label(), Law: t.Law, Subject: t.Subject, Body: t.Body, Custom: true})
	}
	v := &view{Title: "Letter templates", Section: "admin", Data: p}
	if failed != nil {
		v.Error = "The template was not saved: " + failed.Error
	}
	return s.render(c, status, "letter_templates", v)
}
