package agreement

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/locales"
)

// fieldRef is a field in a template's text: {{name}}.
var fieldRef = regexp.MustCompile(`\{\{\s*([a-z_0-9]+)\s*\}\}`)

// TemplateFields are the fields a template may use, each with the term a
// missing value is reported on.
var TemplateFields = map[string]string{
	"number": "", "supplier_name": "supplier", "supplier_org_number": "supplier", "supplier_site": "supplier",
	"receiver_name": "receiver", "receiver_org_number": "receiver", "receiver_site": "receiver",
	"fractions": "fractions", "condition_class": "condition_class", "listings": "listing_ids",
	"samples": "sample_ids", "documents": "document_ids",
	"quantity_tonnes": "quantity_tonnes", "quantity_m3": "quantity_m3", "volume_state": "volume_state",
	"density": "density", "tolerance_pct": "tolerance_pct", "price": "price_nok", "price_unit": "price_unit",
	"payment": "payer", "period_from": "period_from", "period_to": "period_to", "delivery_point": "delivery_point",
	"opening_hours": "opening_hours", "transport": "transport", "quality_requirements": "quality_requirements",
	"visual_check": "visual_check_each_load", "sample_every_n_loads": "sample_every_n_loads",
	"rejected_load": "rejected_load", "invasive_species": "invasive_species", "free_text": "free_text",
	"title": "title",
}

// optionalFields may be empty: they render as a dash.
var optionalFields = map[string]bool{"samples": true, "documents": true, "free_text": true, "supplier_site": true, "receiver_site": true, "listings": true, "number": true}

// bundle is loaded once: the message files are embedded.
var bundle = sync.OnceValue(locales.MustBundle)

func tr(lang, id string, kv ...any) string {
	return locales.New(bundle(), lang).T(id, kv...)
}

// fieldValues are the values of a template's fields for terms in a
// language; "" means missing.
func fieldValues(number string, t Terms, lang string) map[string]string {
	num := func(f float64, n int) string {
		if f == 0 {
			return ""
		}
		return numfmt.Number(lang, f, n)
	}
	site := func(p Party) string { return p.SiteName }
	var fr []string
	for _, f := range t.Fractions {
		fr = append(fr, strings.ToLower(tr(lang, "Fraction_"+f)))
	}
	v := map[string]string{
		"number": number, "title": t.Title,
		"supplier_name": t.Supplier.Name, "supplier_org_number": t.Supplier.OrgNumber, "supplier_site": site(t.Supplier),
		"receiver_name": t.Receiver.Name, "receiver_org_number": t.Receiver.OrgNumber, "receiver_site": site(t.Receiver),
		"fractions": strings.Join(fr, ", "), "condition_class": strconv.Itoa(t.ConditionClass),
		"listings": strings.Join(t.ListingIDs, ", "), "samples": strings.Join(t.SampleIDs, ", "), "documents": strings.Join(t.DocumentIDs, ", "),
		"quantity_tonnes": num(t.QuantityTonnes, 0), "quantity_m3": num(t.QuantityM3, 0), "density": num(t.Density, 2),
		"tolerance_pct": numfmt.Number(lang, t.TolerancePct, 0),
		"price":         "", "price_unit": "", "payment": "",
		"period_from": t.PeriodFrom, "period_to": t.PeriodTo, "delivery_point": t.DeliveryPoint, "opening_hours": t.OpeningHours,
		"quality_requirements": t.QualityRequirements, "rejected_load": t.RejectedLoad, "invasive_species": t.InvasiveSpecies,
		"free_text": t.FreeText, "volume_state": "", "transport": "", "visual_check": "",
		"sample_every_n_loads": "",
	}
	if t.PriceUnit != "" {
		v["price"] = "NOK " + numfmt.Number(lang, t.PriceNOK, 2)
		v["price_unit"] = tr(lang, "AgreementUnit_"+t.PriceUnit)
	}
	if t.Payer != "" {
		payer := t.Payer
		if t.PriceNOK < 0 { // a negative price turns the payment around
			payer = map[string]string{"receiver_pays": "supplier_pays", "supplier_pays": "receiver_pays"}[payer]
		}
		v["payment"] = tr(lang, "AgreementPayment_"+payer)
	}
	if t.VolumeState != "" {
		v["volume_state"] = tr(lang, "AgreementVolume_"+t.VolumeState)
	}
	if t.Transport != "" {
		v["transport"] = tr(lang, "AgreementTransport_"+t.Transport)
		if t.Transporter != "" {
			v["transport"] += " (" + t.Transporter + ")"
		}
	}
	if t.VisualCheckEachLoad {
		v["visual_check"] = tr(lang, "AgreementVisualCheckYes")
	}
	if t.SampleEveryNLoads > 0 {
		v["sample_every_n_loads"] = strconv.Itoa(t.SampleEveryNLoads)
	}
	for _, p := range []string{"period_from", "period_to"} {
		if d, ok := parseDate(v[p]); ok {
			v[p] = numfmt.Date(d)
		}
	}
	return v
}

// Render fills a template's fields. Missing lists the terms of required
// fields without a value (sorted, once each).
func Render(body string, values map[string]string) (text string, missing []string) {
	seen := map[string]bool{}
	text = fieldRef.ReplaceAllStringFunc(body, func(m string) string {
		name := fieldRef.FindStringSubmatch(m)[1]
		val := strings.TrimSpace(values[name])
		if val == "" {
			if !optionalFields[name] {
				term := TemplateFields[name]
				if term == "" {
					term = name
				}
				if !seen[term] {
					seen[term] = true
					missing = append(missing, term)
				}
			}
			return "–"
		}
		return val
	})
	sort.Strings(missing)
	return text, missing
}

// checkFields refuses a template whose text names a field that does not
// exist.
func checkFields(body string, v *fail.Validation) {
	for _, m := range fieldRef.FindAllStringSubmatch(body, -1) {
		if _, ok := TemplateFields[m[1]]; !ok {
			v.Add("body", "unknown_field", "ErrTemplateUnknownField", "Name", m[1])
			return
		}
	}
}

// requireValues refuses terms that leave a field of the template without a
// value, naming each term.
func requireValues(tpl *Template, number string, t Terms, lang string) error {
	_, missing := Render(tpl.Body, fieldValues(number, t, lang))
	if len(missing) == 0 {
		return nil
	}
	v := &fail.Validation{}
	for _, term := range missing {
		v.Add(term, "template_field_missing", "ErrTemplateFieldMissing")
	}
	return v.Err()
}

// defaultTemplate is version 0 of a key in a language.
func defaultTemplate(key, locale string) (*Template, bool) {
	d, ok := defaults[key][locale]
	if !ok {
		return nil, false
	}
	return &Template{ID: "default-" + key + "-" + locale, Key: key, Locale: locale, Version: 0, Title: d.title, Body: d.body}, true
}

// Template returns a version of a template of the tenant in ctx; version
// < 0 is the latest (the tenant's newest, or the built-in default).
func (s *Service) Template(ctx context.Context, key, locale string, version int) (*Template, error) {
	if _, ok := defaultTemplate(key, locale); !ok {
		return nil, fail.NotFoundErr()
	}
	if version == 0 {
		t, _ := defaultTemplate(key, locale)
		return t, nil
	}
	var t Template
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Where("template_key = ? AND locale = ?", key, locale)
		if version > 0 {
			q = q.Where("version = ?", version)
		}
		return q.Order("version DESC").Limit(1).Find(&t).Error
	})
	if err != nil {
		return nil, err
	}
	if t.ID == "" {
		if version > 0 {
			return nil, fail.NotFoundErr()
		}
		d, _ := defaultTemplate(key, locale)
		return d, nil
	}
	return &t, nil
}

// Templates lists the latest version of every template of the tenant in
// ctx, by key and language.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	var out []Template
	for _, k := range TemplateKeys {
		for _, l := range Locales {
			t, err := s.Template(ctx, k, l, -1)
			if err != nil {
				return nil, err
			}
			out = append(out, *t)
		}
	}
	return out, nil
}

// TemplateVersions lists every stored version of a template, newest first.
func (s *Service) TemplateVersions(ctx context.Context, key, locale string) ([]Template, error) {
	var out []Template
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("template_key = ? AND locale = ?", key, locale).Order("version DESC").Find(&out).Error
	})
	return out, err
}

// TemplateInput is a new version of a template.
type TemplateInput struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// SaveTemplate stores a new version of a template (the tenant admin's
// edit); agreements written on older versions keep theirs.
func (s *Service) SaveTemplate(ctx context.Context, key, locale string, in *TemplateInput) (*Template, error) {
	a := access.From(ctx)
	if !a.IsAdmin() {
		return nil, fail.ForbiddenErr()
	}
	if _, ok := defaultTemplate(key, locale); !ok {
		return nil, fail.NotFoundErr()
	}
	v := &fail.Validation{}
	title, body := strings.TrimSpace(in.Title), strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	switch {
	case title == "":
		v.Add("title", "required", "ErrFieldRequired")
	case len([]rune(title)) > 200:
		v.Add("title", "too_long", "ErrFieldTooLong", "Max", 200)
	}
	switch {
	case body == "":
		v.Add("body", "required", "ErrFieldRequired")
	case len(body) > 100_000:
		v.Add("body", "too_long", "ErrFieldTooLong", "Max", 100_000)
	default:
		checkFields(body, v)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := &Template{ID: store.NewID(), Key: key, Locale: locale, Title: title, Body: body, CreatedBy: a.UserID(), CreatedAt: s.DB.Now()}
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var max int
		if err := tx.Model(&Template{}).Where("template_key = ? AND locale = ?", key, locale).Select("COALESCE(MAX(version), 0)").Scan(&max).Error; err != nil {
			return err
		}
		t.Version = max + 1
		return tx.Create(t).Error
	})
	if store.IsUniqueViolation(err) {
		return nil, fail.ConflictErr("ErrTemplateChanged")
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// SampleTerms are the values a template preview is shown with.
func SampleTerms() Terms {
	return Terms{
		Title:     "Sprengstein fra Fornebubanen",
		Supplier:  Party{Name: "Fornebu Anlegg AS", OrgNumber: "928157040", SiteName: "Fornebubanen, stasjon Flytårnet", SignatoryName: "Kari Anlegg"},
		Receiver:  Party{Name: "Vestmarka Pukk AS", OrgNumber: "928158411", SiteName: "Vestmarka pukkverk", SignatoryName: "Nina Pukkverk"},
		Fractions: []string{"sprengstein"}, ConditionClass: 1, SampleIDs: []string{"PR-1", "PR-2"},
		QuantityTonnes: 20000, QuantityM3: 7407, VolumeState: "in_place", Density: 2.7, TolerancePct: 10,
		PriceNOK: 45, PriceUnit: "t", Payer: "receiver_pays", PeriodFrom: "2027-03-01", PeriodTo: "2027-12-31",
		DeliveryPoint: "Vestmarka pukkverk, Isiveien 45, 1340 Skui", OpeningHours: "Man–fre 06:30–16:00",
		Transport: "supplier", QualityRequirements: "Ren sprengstein uten jord, leire, armering eller plast; største blokk 1 m³.",
		VisualCheckEachLoad: true, SampleEveryNLoads: 50, RejectedLoad: "Avviste lass registreres med bilde og begrunnelse.",
		InvasiveSpecies: "Massene er fri for fremmede skadelige plantearter.",
	}
}

// Preview renders a template text with the sample values.
func Preview(body, lang string) string {
	text, _ := Render(body, fieldValues("AVT-0000-0000", SampleTerms(), lang))
	return text
}

// TemplateByID reads a stored template version of the tenant in ctx, or a
// built-in default by its ID ("default-delivery-nb").
func (s *Service) TemplateByID(ctx context.Context, id string) (*Template, error) {
	if rest, ok := strings.CutPrefix(id, "default-"); ok {
		if k, l, ok := strings.Cut(rest, "-"); ok {
			if t, ok := defaultTemplate(k, l); ok {
				return t, nil
			}
		}
		return nil, fail.NotFoundErr()
	}
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var t Template
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&t).Error }); err != nil {
		return nil, store.NotFoundOr(err)
	}
	return &t, nil
}
