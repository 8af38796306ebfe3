package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/core/emissions"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// The climate accounts' pages (issue 14: V8, V9, B3): the index of the
// accounts the reader may open, one account (a time series and splits by
// fraction and municipality as inline SVG, each with its table; CSV, XLSX
// and PDF), the recompute with a newer factor set, and the public method
// page. The row rules are the domain's (core/climate).

// climatePaths are the pages' path segments by scope kind.
var climatePaths = map[string]string{
	climate.ScopeAgreement: "agreements", climate.ScopeProject: "projects", climate.ScopeOrganization: "organizations",
	climate.ScopeMunicipality: "municipalities", climate.ScopeRegion: "region",
}

// climateRoutes are the climate pages' rows of the UI table.
func (u *UI) climateRoutes() []route.Route {
	r := func(method, path string, p access.Permission, h fiber.Handler) route.Route {
		return route.Route{Method: method, Path: path, Perm: p, Handler: h}
	}
	out := []route.Route{
		r("GET", "/climate", access.ClimateRead, u.climateIndex),
		r("GET", "/climate/method", access.Anyone, u.climateMethod),
	}
	for _, kind := range climate.Scopes {
		kind := kind
		path := "/climate/" + climatePaths[kind]
		if kind != climate.ScopeRegion {
			path += "/:id"
		}
		out = append(out,
			r("GET", path, access.ClimateRead, func(c *fiber.Ctx) error { return u.climateAccount(c, kind) }),
			r("POST", path+"/recompute", access.ClimateRecompute, func(c *fiber.Ctx) error { return u.climateRecompute(c, kind) }))
	}
	return out
}

// ClimateIndexData feeds the index.
type ClimateIndexData struct {
	Index *climate.Index
	Paths map[string]string
}

func (u *UI) climateIndex(c *fiber.Ctx) error {
	ix, err := u.A.Climate.List(request.Ctx(c))
	if err != nil {
		return err
	}
	return u.render(c, "climate", u.page(c, httpx.Loc(c).T("ClimateTitle"), &ClimateIndexData{Index: ix, Paths: climatePaths}))
}

// ClimateMethodData feeds the method page.
type ClimateMethodData struct {
	Sets    []ClimateSetView
	Default string
}

// ClimateSetView is a factor set with its factors written out (three
// decimals, the page's language).
type ClimateSetView struct {
	emissions.FactorSet
	Rows     []ClimateFactorRow
	Fuels    []ClimateFactorRow
	Electric string
}

// ClimateFactorRow is a line of a factor table.
type ClimateFactorRow struct {
	Class, Scope string
	Values       []string
}

func (u *UI) climateMethod(c *fiber.Ctx) error {
	l := httpx.Loc(c)
	f3 := func(x float64) string { return numfmt.Number(l.Lang, x, 3) }
	d := &ClimateMethodData{Default: emissions.Default.Name}
	for _, fs := range emissions.Sets() {
		v := ClimateSetView{FactorSet: fs, Electric: f3(fs.ElectricKgPerKm)}
		for _, class := range []string{emissions.Rigid, emissions.Artic} {
			for _, scope := range []string{emissions.TTW, emissions.WTW} {
				f, ok := fs.Factors[class][scope]
				if !ok {
					continue
				}
				v.Rows = append(v.Rows, ClimateFactorRow{Class: class, Scope: scope, Values: []string{f3(f[0]), f3(f[1]), f3(f[2])}})
			}
		}
		for _, fuel := range []string{"diesel", "hvo", "biogas", "hydrogen"} {
			if x, ok := fs.FuelFactor[fuel]; ok {
				v.Fuels = append(v.Fuels, ClimateFactorRow{Class: fuel, Values: []string{f3(x)}})
			}
		}
		d.Sets = append(d.Sets, v)
	}
	return u.render(c, "climate_method", u.page(c, l.T("ClimateMethodTitle"), d))
}

// ClimateData feeds one account's page.
type ClimateData struct {
	Account *climate.Account
	Name    string
	Self    string // the page's path
	Query   string // the period and variant as a query, for the exports
	Period  climate.Period
	Set     string
	Labels  map[string]string // fraction labels
	// Tables are the account's tables: by month, by fraction, by
	// municipality, and month × fraction.
	Tables []ClimateTable
	// Emitted, Baseline and Saving are the totals with their unit (kg
	// CO2e below a tonne, else tonnes).
	Emitted, Baseline, Saving string
}

// ClimateTable is one table of an account's page.
type ClimateTable struct {
	ID, Caption, Key string
	Chart            template.HTML
	Rows             []ClimateTableRow
}

// ClimateTableRow is a labelled row.
type ClimateTableRow struct {
	Label string
	climate.Row
}

func (u *UI) climateAccount(c *fiber.Ctx, kind string) error {
	ctx := request.Ctx(c)
	l := httpx.Loc(c)
	per := climate.Period{From: c.Query("from"), To: c.Query("to")}
	set := c.Query("set")
	self := "/t/" + request.Tenant(c).Slug + "/climate/" + climatePaths[kind]
	if kind != climate.ScopeRegion {
		self += "/" + c.Params("id")
	}
	d := &ClimateData{Self: self, Period: per, Set: set, Labels: map[string]string{}}
	acc, err := u.A.Climate.Get(ctx, kind, c.Params("id"), per, set)
	var p *Page
	if err != nil {
		fe, ok := fail.As(err)
		if !ok || fe.Kind != fail.Invalid {
			return err
		}
		// A bad period or set: the form says so, and the default account is shown.
		p = u.page(c, l.T("ClimateTitle"), d)
		formErrors(p, err)
		c.Status(fiber.StatusUnprocessableEntity)
		if acc, err = u.A.Climate.Get(ctx, kind, c.Params("id"), climate.Period{}, ""); err != nil {
			return err
		}
		d.Set = ""
	}
	d.Account = acc
	d.Emitted, d.Baseline, d.Saving = co2(l, acc.Totals.KgCO2e), co2(l, acc.Totals.BaselineKgCO2e), co2(l, acc.Totals.SavingKgCO2e)
	d.Name = acc.Name
	if kind == climate.ScopeRegion {
		d.Name = request.Tenant(c).Name
	}
	q := url.Values{"from": {acc.From}, "to": {acc.To}}
	if acc.Variant != climate.Recorded {
		q.Set("set", acc.Variant)
	}
	d.Query = q.Encode()
	format := c.Query("format")
	if p != nil { // a bad period or set: the form's message, never a file of another period
		format = ""
	}
	switch format {
	case "csv":
		var b bytes.Buffer
		if err := climate.WriteCSV(&b, l, acc, d.Name); err != nil {
			return err
		}
		return climateFile(c, b.Bytes(), "text/csv; charset=utf-8", kind, acc, "csv")
	case "xlsx":
		b, err := climate.XLSX(l, acc, d.Name)
		if err != nil {
			return err
		}
		return climateFile(c, b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", kind, acc, "xlsx")
	case "pdf":
		b, err := climate.PDF(l, acc, d.Name, u.A.DB.Now())
		if err != nil {
			return err
		}
		return climateFile(c, b, "application/pdf", kind, acc, "pdf")
	}
	for _, r := range acc.Fractions {
		d.Labels[r.Fraction] = climate.FractionLabel(l, r.Fraction)
	}
	for _, r := range acc.Rows {
		d.Labels[r.Fraction] = climate.FractionLabel(l, r.Fraction)
	}
	fracLabel := func(r climate.Row) string { return d.Labels[r.Fraction] }
	muniLabel := func(r climate.Row) string { return r.Label }
	table := func(id, caption, key string, chart template.HTML, rows []climate.Row, label func(climate.Row) string) {
		t := ClimateTable{ID: id, Caption: caption, Key: key, Chart: chart}
		for _, r := range rows {
			t.Rows = append(t.Rows, ClimateTableRow{Label: label(r), Row: r})
		}
		d.Tables = append(d.Tables, t)
	}
	// The chart shows every month; the table the months with loads (or a
	// rejected trip's emissions).
	var busy []climate.Row
	for _, m := range acc.Months {
		if m.Loads > 0 || m.KgCO2e > 0 {
			busy = append(busy, m)
		}
	}
	table("climate-months", l.T("ClimateByMonth"), l.T("ClimateMonth"), seriesSVG(l, acc.Months), busy, func(r climate.Row) string { return r.Month })
	table("climate-fractions", l.T("ClimateByFraction"), l.T("ClimateFraction"), splitSVG(l, "climate-frac", l.T("ClimateByFraction"), acc.Fractions, fracLabel), acc.Fractions, fracLabel)
	table("climate-municipalities", l.T("ClimateByMunicipality"), l.T("ClimateMunicipality"), splitSVG(l, "climate-muni", l.T("ClimateByMunicipality"), acc.Municipalities, muniLabel), acc.Municipalities, muniLabel)
	table("climate-rows", l.T("ClimateByMonthFraction"), l.T("ClimateMonth"), "", acc.Rows, func(r climate.Row) string { return r.Month + " · " + d.Labels[r.Fraction] })
	if p == nil {
		p = u.page(c, l.T("ClimateTitle")+": "+d.Name, d)
	} else {
		p.Title = l.T("ClimateTitle") + ": " + d.Name
	}
	return u.render(c, "climate_account", p)
}

func climateFile(c *fiber.Ctx, b []byte, ctype, kind string, acc *climate.Account, ext string) error {
	name := "klimaregnskap-" + climatePaths[kind]
	if kind != climate.ScopeRegion {
		id := acc.ID
		if len(id) > 8 {
			id = id[:8]
		}
		name += "-" + id
	}
	name += "-" + acc.From + "-" + acc.To + "." + ext
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(b)
}

func (u *UI) climateRecompute(c *fiber.Ctx, kind string) error {
	set := c.FormValue("factor_set")
	_, err := u.A.Climate.Recompute(request.Ctx(c), kind, c.Params("id"), climate.RecomputeInput{FactorSet: set})
	self := "/t/" + request.Tenant(c).Slug + "/climate/" + climatePaths[kind]
	if kind != climate.ScopeRegion {
		self += "/" + c.Params("id")
	}
	if err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind == fail.Invalid {
			return c.Redirect(self+"?notice=ClimateRecomputeRefused", fiber.StatusSeeOther)
		}
		return err
	}
	return c.Redirect(self+"?set="+url.QueryEscape(set)+"&notice=ClimateRecomputed", fiber.StatusSeeOther)
}

// The charts: inline SVG drawn here, each with a title and a description
// (role="img"), and always next to a table with the same figures.

const (
	chartW, chartH = 720.0, 260.0
	padL, padR     = 64.0, 12.0
	padT, padB     = 16.0, 44.0
)

func esc(s string) string { return template.HTMLEscapeString(s) }

// co2 writes kg CO2e with a unit: kilograms below a tonne, else tonnes.
func co2(l *locales.Localizer, kg float64) string {
	if math.Abs(kg) < 1000 {
		return numfmt.Number(l.Lang, kg, 0) + "\u00a0kg CO2e"
	}
	return numfmt.Number(l.Lang, kg/1000, 1) + "\u00a0t CO2e"
}

// niceMax rounds a chart's top up to 1, 2 or 5 × a power of ten.
func niceMax(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// seriesSVG is the time series: emitted and baseline CO2e per month, in
// tonnes (kilograms when the largest month is below ten tonnes).
func seriesSVG(l *locales.Localizer, months []climate.Row) template.HTML {
	top := 0.0
	for _, m := range months {
		top = math.Max(top, math.Max(m.KgCO2e, m.BaselineKgCO2e))
	}
	div, unit := 1000.0, l.T("ClimateChartUnit")
	if top < 10000 {
		div, unit = 1, l.T("ClimateChartUnitKg")
	}
	top = niceMax(top / div)
	step := top / 4
	dec := 0
	for x := step; x < 1 && dec < 3; x *= 10 {
		dec++
	}
	if step != math.Trunc(step) && dec == 0 {
		dec = 1
	}
	var b strings.Builder
	desc := []string{}
	for _, m := range months {
		if m.Loads > 0 || m.KgCO2e > 0 {
			desc = append(desc, l.T("ClimateChartPoint", "Month", m.Month, "Emitted", co2(l, m.KgCO2e), "Baseline", co2(l, m.BaselineKgCO2e)))
		}
	}
	if len(desc) == 0 {
		desc = append(desc, l.T("ClimateNoLoads"))
	}
	fmt.Fprintf(&b, `<svg class="climate-chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="climate-series-t climate-series-d" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="climate-series-t">%s</title><desc id="climate-series-d">%s</desc>`, esc(l.T("ClimateChartSeries")), esc(strings.Join(desc, "; ")))
	plotH := chartH - padT - padB
	for i := 0; i <= 4; i++ {
		v := step * float64(i)
		y := padT + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" class="grid"/><text x="%.0f" y="%.1f" class="axis" text-anchor="end">%s</text>`,
			padL, chartW-padR, y, y, padL-6, y+4, esc(numfmt.Number(l.Lang, v, dec)))
	}
	n := len(months)
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	slot := (chartW - padL - padR) / float64(n)
	bw := math.Max(1, slot*0.36)
	every := int(math.Ceil(float64(n) / 12))
	for i, m := range months {
		x := padL + slot*float64(i) + slot*0.1
		for j, v := range []float64{m.BaselineKgCO2e / div, m.KgCO2e / div} {
			h := plotH * v / top
			cls := []string{"baseline", "emitted"}[j]
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="%s"/>`, x+float64(j)*bw, padT+plotH-h, bw, h, cls)
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" class="axis" text-anchor="middle">%s</text>`, x+bw, chartH-padB+16, esc(m.Month))
		}
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="axis">%s</text>`, padL, chartH-6, esc(unit))
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" class="baseline"/><text x="%.0f" y="%.0f" class="axis">%s</text>`, chartW-300, chartH-16, chartW-284, chartH-6, esc(l.T("ClimateBaseline")))
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" class="emitted"/><text x="%.0f" y="%.0f" class="axis">%s</text>`, chartW-150, chartH-16, chartW-134, chartH-6, esc(l.T("ClimateEmitted")))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// splitSVG is a split of tonnes as horizontal bars (the ten largest).
func splitSVG(l *locales.Localizer, id, title string, rows []climate.Row, label func(climate.Row) string) template.HTML {
	if len(rows) > 10 {
		rows = rows[:10]
	}
	top := 0.0
	for _, r := range rows {
		top = math.Max(top, r.Tonnes)
	}
	top = niceMax(top)
	const lw, rowH = 200.0, 26.0
	h := padT + rowH*float64(len(rows)) + 8
	var b strings.Builder
	desc := []string{}
	for _, r := range rows {
		desc = append(desc, label(r)+": "+numfmt.Number(l.Lang, r.Tonnes, 0)+" t")
	}
	fmt.Fprintf(&b, `<svg class="climate-chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, chartW, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(strings.Join(desc, "; ")))
	for i, r := range rows {
		y := padT + rowH*float64(i)
		w := (chartW - lw - 110) * r.Tonnes / top
		name := []rune(label(r))
		if len(name) > 28 {
			name = append(name[:27], '…')
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" class="axis" text-anchor="end">%s</text>`, lw-8, y+15, esc(string(name)))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="18" class="emitted"/>`, lw, y+2, math.Max(1, w))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis">%s t</text>`, lw+math.Max(1, w)+6, y+15, esc(numfmt.Number(l.Lang, r.Tonnes, 0)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
