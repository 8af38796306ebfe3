package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// The region's contract templates (K6), managed by its tenant admins: each
// edit is a new version; agreements keep the version they were written on.

type templatesAPI struct{ s *agreement.Service }

type templateList struct {
	Items []agreement.Template `json:"items"`
}

// templateInput is a new version of a template (key and language name it).
type templateInput struct {
	Key    string `json:"key"`
	Locale string `json:"locale"`
	Title  string `json:"title"`
	Body   string `json:"body"`
}

type templateDetail struct {
	Template agreement.Template   `json:"template"`
	Versions []agreement.Template `json:"versions"`
}

type previewInput struct {
	Body   string `json:"body"`
	Locale string `json:"locale"`
}

type previewOut struct {
	Text string `json:"text"`
}

func templateRoutes(a *app.App) []route.Route {
	h := &templatesAPI{s: a.Agreements}
	ex := map[string]any{"key": "delivery", "locale": "nb", "title": "Avtale om levering av overskuddsmasser", "body": "Avtale nr. {{number}}: {{quantity_tonnes}} tonn {{fractions}} til {{delivery_point}}."}
	return []route.Route{
		{Method: "GET", Path: "/templates", Perm: access.TemplatesManage, Handler: h.list,
			Doc: &route.Doc{ID: "listTemplates", Summary: "The region's contract templates, the latest version of each kind and language (built-in defaults until edited)", Tag: "Agreements", Out: templateList{}}},
		{Method: "POST", Path: "/templates", Perm: access.TemplatesManage, Handler: h.save,
			Doc: &route.Doc{ID: "saveTemplate", Summary: "Store a new version of a contract template", Tag: "Agreements", In: templateInput{}, Out: agreement.Template{}, Status: 201, Example: ex, Errors: []int{409}}},
		{Method: "POST", Path: "/templates/preview", Perm: access.TemplatesManage, Handler: h.preview,
			Doc: &route.Doc{ID: "previewTemplate", Summary: "Render a template text with sample values", Tag: "Agreements", In: previewInput{}, Out: previewOut{}}},
		{Method: "GET", Path: "/templates/:id", Perm: access.TemplatesManage, Handler: h.get,
			Doc: &route.Doc{ID: "getTemplate", Summary: "One version of a template, with every stored version of its kind and language", Tag: "Agreements", Out: templateDetail{}}},
	}
}

func (h *templatesAPI) list(c *fiber.Ctx) error {
	ts, err := h.s.Templates(request.Ctx(c))
	if err != nil {
		return err
	}
	return c.JSON(templateList{Items: ts})
}

func (h *templatesAPI) get(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	t, err := h.s.TemplateByID(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	vs, err := h.s.TemplateVersions(ctx, t.Key, t.Locale)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []agreement.Template{}
	}
	return c.JSON(templateDetail{Template: *t, Versions: vs})
}

func (h *templatesAPI) save(c *fiber.Ctx) error {
	var in templateInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v := &fail.Validation{}
	if !inList(in.Key, agreement.TemplateKeys) {
		v.Add("key", "enum", "ErrFieldEnum", "Allowed", "delivery, receipt, storage")
	}
	if !inList(in.Locale, agreement.Locales) {
		v.Add("locale", "enum", "ErrFieldEnum", "Allowed", "nb, nn, en")
	}
	if err := v.Err(); err != nil {
		return err
	}
	t, err := h.s.SaveTemplate(request.Ctx(c), in.Key, in.Locale, &agreement.TemplateInput{Title: in.Title, Body: in.Body})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(t)
}

func (h *templatesAPI) preview(c *fiber.Ctx) error {
	var in previewInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if !inList(in.Locale, agreement.Locales) {
		in.Locale = httpx.Loc(c).Lang
	}
	return c.JSON(previewOut{Text: agreement.Preview(in.Body, in.Locale)})
}

func inList(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}
