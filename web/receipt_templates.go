package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// The region's receipt check templates (issue 13, K10): the tenant admin
// edits the steps the gate walks through, per fraction and facility; the
// default follows avfallsforskriften § 9-11 (core/haul.DefaultSteps).

// ReceiptTemplatesData feeds the templates' page.
type ReceiptTemplatesData struct {
	Templates []haul.Template
	Default   []haul.Step
	Fractions []string
	// Edit is the template in the form (nil: a new one).
	Edit *haul.Template
}

// stepsText writes steps one a line, "key: text".
func stepsText(steps []haul.Step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(s.Key + ": " + s.Text + "\n")
	}
	return b.String()
}

// parseSteps reads the form's lines: "key: text", or a text whose key is
// made from it (letters a–z, digits and _).
func parseSteps(text string) []haul.Step {
	out := []haul.Step{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, rest, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(key) != "" && !strings.ContainsAny(strings.TrimSpace(key), " \t") {
			out = append(out, haul.Step{Key: strings.ToLower(strings.TrimSpace(key)), Text: strings.TrimSpace(rest)})
			continue
		}
		out = append(out, haul.Step{Key: stepKeyOf(line), Text: line})
	}
	return out
}

func stepKeyOf(text string) string {
	r := strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "Æ", "ae", "Ø", "o", "Å", "a")
	var b strings.Builder
	under := false
	for _, c := range strings.ToLower(r.Replace(text)) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			under = false
		case !under && b.Len() > 0:
			b.WriteByte('_')
			under = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.TrimRight(b.String(), "_")
}

func (u *UI) receiptTemplatesPage(c *fiber.Ctx, ferr error) error {
	ts, err := u.A.Haul.Templates(request.Ctx(c))
	if err != nil {
		return err
	}
	d := &ReceiptTemplatesData{Templates: ts, Default: haul.DefaultSteps, Fractions: fraction.Codes()}
	p := u.page(c, httpx.Loc(c).T("ReceiptTemplatesTitle"), d)
	if id := c.Query("edit"); validID(id) {
		for i := range ts {
			if ts[i].ID == id {
				d.Edit = &ts[i]
				p.Form["fraction"], p.Form["steps"] = ts[i].Fraction, stepsText(ts[i].Steps)
				if ts[i].SiteID != nil {
					p.Form["site_id"] = *ts[i].SiteID
				}
			}
		}
	}
	if ferr != nil {
		return u.formFailed(c, "receipt_templates", p, ferr)
	}
	if p.Form["steps"] == "" {
		steps := make([]haul.Step, len(haul.DefaultSteps))
		for i, s := range haul.DefaultSteps {
			steps[i] = haul.Step{Key: s.Key, Text: p.L.T("ReceiptStep_" + s.Key)}
		}
		p.Form["steps"] = stepsText(steps)
	}
	return u.render(c, "receipt_templates", p)
}

func (u *UI) receiptTemplates(c *fiber.Ctx) error { return u.receiptTemplatesPage(c, nil) }

func (u *UI) receiptTemplateSave(c *fiber.Ctx) error {
	in := haul.TemplateInput{Fraction: c.FormValue("fraction"), SiteID: c.FormValue("site_id"), Steps: parseSteps(c.FormValue("steps"))}
	if _, err := u.A.Haul.SaveTemplate(request.Ctx(c), in); err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind == fail.Invalid {
			return u.receiptTemplatesPage(c, err)
		}
		return err
	}
	return saved(c, "/admin/receipt-templates")
}

func (u *UI) receiptTemplateDelete(c *fiber.Ctx) error {
	if err := u.A.Haul.DeleteTemplate(request.Ctx(c), c.Params("id")); err != nil {
		return err
	}
	return saved(c, "/admin/receipt-templates")
}
