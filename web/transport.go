package web

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// The transport pages (K7, K8): the overview of planned transports (map,
// week calendar, list, filters), booking transport from a sealed
// agreement, a request with the company's answer, an order with its
// planned loads, and the form that registers a plan agreed outside
// Masseflyt. The routes' permissions are in routes.go; the row rules are
// the domain's (core/transport).

// choice is a value with its label, for a filter's options.
type choice struct{ ID, Name string }

// CalRow is one transport's row of the week calendar.
type CalRow struct {
	Item  transport.Planned
	Cells []int
}

// TransportData feeds the overview.
type TransportData struct {
	Ov        *transport.Overview
	Filter    transport.Filter
	Fractions []string
	Sites     []choice
	Orgs      []choice
	Weeks     []string
	Rows      []CalRow
	Totals    []int
	Requests  []transport.Request
	Orders    []transport.Order
	CanWrite  bool
	API       string
	// MaxItems is the overview's cap, named by the note when Ov.Truncated.
	MaxItems int
}

// weeksBetween names the ISO weeks from from to to.
func weeksBetween(from, to time.Time) []string {
	var out []string
	seen := map[string]bool{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		y, w := d.ISOWeek()
		k := strconv.Itoa(y) + "-W" + twoDigits(w)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (u *UI) transportOverview(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	if a := access.From(ctx); a.Anonymous() || !a.Can(access.TransportRead.Object, access.TransportRead.Action) {
		return u.transportPublic(c)
	}
	f := transport.Filter{From: c.Query("from"), To: c.Query("to"), Fraction: c.Query("fraction"), SiteID: c.Query("site_id"), OrganizationID: c.Query("organization_id")}
	d := &TransportData{Filter: f, Fractions: fractionCodes(), CanWrite: len(request.Principal(c).Orgs) > 0,
		API: "/api/v1/tenants/" + request.Tenant(c).Slug, MaxItems: transport.MaxOverviewItems}
	ov, err := u.A.Transport.Planned(ctx, f)
	p := u.page(c, httpx.Loc(c).T("TransportTitle"), d)
	if err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind == fail.Invalid {
			formErrors(p, err)
			c.Status(fiber.StatusUnprocessableEntity)
			ov, err = u.A.Transport.Planned(ctx, transport.Filter{})
		}
		if err != nil {
			return err
		}
	}
	d.Ov = ov
	// The filters' choices: the sites and organizations of the period's
	// transports (whatever the other filters).
	all, err := u.A.Transport.Planned(ctx, transport.Filter{From: ov.From.Format(time.DateOnly), To: ov.To.Format(time.DateOnly)})
	if err != nil {
		return err
	}
	sites, orgs := map[string]string{}, map[string]string{}
	for _, it := range all.Items {
		for _, pl := range []transport.Place{it.From, it.To} {
			if pl.SiteID != "" {
				sites[pl.SiteID] = pl.Name
			}
		}
		for i, id := range it.OrgIDs {
			orgs[id] = it.Organizations[i]
		}
	}
	d.Sites, d.Orgs = choices(sites), choices(orgs)
	d.Weeks = weeksBetween(ov.From, ov.To)
	d.Totals = make([]int, len(d.Weeks))
	col := map[string]int{}
	for i, w := range d.Weeks {
		col[w] = i
	}
	for _, it := range ov.Items {
		r := CalRow{Item: it, Cells: make([]int, len(d.Weeks))}
		for _, w := range it.Weeks {
			if i, ok := col[w.Week]; ok {
				r.Cells[i] += w.Loads
				d.Totals[i] += w.Loads
			}
		}
		d.Rows = append(d.Rows, r)
	}
	if rq, err := u.A.Transport.Requests(ctx, transport.ListFilter{Page: page.Request{Limit: 20}}); err == nil {
		d.Requests = rq.Items
	}
	if os, err := u.A.Transport.Orders(ctx, transport.ListFilter{Page: page.Request{Limit: 20}}); err == nil {
		d.Orders = os.Items
	}
	for _, k := range []string{"from", "to", "fraction", "site_id", "organization_id"} {
		p.Form[k] = c.Query(k)
	}
	if p.Form["from"] == "" {
		p.Form["from"], p.Form["to"] = ov.From.Format(time.DateOnly), ov.To.Format(time.DateOnly)
	}
	return u.render(c, "transport", p)
}

func choices(m map[string]string) []choice {
	out := make([]choice, 0, len(m))
	for id, n := range m {
		out = append(out, choice{ID: id, Name: n})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Name < out[j].Name || (out[i].Name == out[j].Name && out[i].ID < out[j].ID)
	})
	return out
}

// BookingData feeds the booking page of an agreement.
type BookingData struct {
	B         *transport.Booking
	EuroClass []string
	Fuels     []string
	Units     []string
	Requests  []transport.Request
	Orders    []transport.Order
}

func (u *UI) bookingData(c *fiber.Ctx) (*BookingData, error) {
	ctx := request.Ctx(c)
	b, err := u.A.Transport.Booking(ctx, c.Params("id"))
	if err != nil {
		return nil, err
	}
	d := &BookingData{B: b, EuroClass: directory.EuroClasses, Fuels: directory.Fuels, Units: transport.PriceUnits}
	if rq, err := u.A.Transport.Requests(ctx, transport.ListFilter{AgreementID: b.AgreementID, Page: page.Request{Limit: 50}}); err == nil {
		d.Requests = rq.Items
	}
	if os, err := u.A.Transport.Orders(ctx, transport.ListFilter{AgreementID: b.AgreementID, Page: page.Request{Limit: 50}}); err == nil {
		d.Orders = os.Items
	}
	return d, nil
}

func (u *UI) transportBooking(c *fiber.Ctx) error {
	d, err := u.bookingData(c)
	if err != nil {
		return err
	}
	p := u.page(c, httpx.Loc(c).T("TransportBookTitle", "Number", d.B.AgreementNumber), d)
	p.Form["date_from"], p.Form["date_to"] = d.B.PeriodFrom, d.B.PeriodTo
	if c.Query("to") != "" {
		p.Form["transporter_org_id"] = c.Query("to")
	}
	return u.render(c, "transport_booking", p)
}

// specForm reads the shared fields of a request or an order.
func specForm(c *fiber.Ctx) transport.SpecInput {
	in := transport.SpecInput{DateFrom: c.FormValue("date_from"), DateTo: c.FormValue("date_to"), TimeWindows: c.FormValue("time_windows"),
		LoadsPerDay: formCount(c, "loads_per_day"), TonnesPerDay: formNumber(c, "tonnes_per_day"), MinEuroClass: c.FormValue("min_euro_class"),
		MaxAxles: formCount(c, "max_axles"), PriceUnit: c.FormValue("price_unit")}
	for _, f := range c.Request().PostArgs().PeekMulti("fuels") {
		in.Fuels = append(in.Fuels, string(f))
	}
	if s := strings.TrimSpace(c.FormValue("price_nok")); s != "" {
		p := formNumber(c, "price_nok")
		in.PriceNOK = &p
	}
	return in
}

// formCount reads a whole number from a form; what is not one is -1, which
// every count refuses.
func formCount(c *fiber.Ctx, key string) int {
	s := strings.TrimSpace(c.FormValue(key))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// formNumber reads a decimal number (comma or point) from a form; what is
// not one is -1.
func formNumber(c *fiber.Ctx, key string) float64 {
	s := strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(c.FormValue(key)), " ", ""), ",", ".")
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return f
}

func (u *UI) bookingFailed(c *fiber.Ctx, ferr error) error {
	d, err := u.bookingData(c)
	if err != nil {
		return ferr
	}
	return u.formFailed(c, "transport_booking", u.page(c, httpx.Loc(c).T("TransportBookTitle", "Number", d.B.AgreementNumber), d), ferr)
}

func editable(err error) bool {
	fe, ok := fail.As(err)
	return ok && (fe.Kind == fail.Invalid || fe.Kind == fail.Conflict)
}

func (u *UI) transportRequestCreate(c *fiber.Ctx) error {
	in := transport.RequestInput{TransporterOrgID: c.FormValue("transporter_org_id"), OrganizationID: c.FormValue("organization_id"), SpecInput: specForm(c), Message: c.FormValue("message")}
	r, err := u.A.Transport.Request(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		if editable(err) {
			return u.bookingFailed(c, err)
		}
		return err
	}
	return saved(c, transport.RequestLink(r.ID))
}

func (u *UI) transportOrderCreate(c *fiber.Ctx) error {
	in := transport.OrderInput{TransporterOrgID: c.FormValue("transporter_org_id"), SpecInput: specForm(c)}
	o, err := u.A.Transport.CreateOrder(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		if editable(err) {
			return u.bookingFailed(c, err)
		}
		return err
	}
	return saved(c, transport.OrderLink(o.ID))
}

// RequestData feeds a request's page.
type RequestData struct {
	R       *transport.Request
	Answers []string
}

func (u *UI) transportRequestShow(c *fiber.Ctx) error {
	r, err := u.A.Transport.GetRequest(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return u.render(c, "transport_request", u.page(c, httpx.Loc(c).T("TransportRequestTitle", "Number", r.AgreementNumber), &RequestData{R: r, Answers: transport.Answers}))
}

func (u *UI) transportAnswer(c *fiber.Ctx) error {
	in := transport.AnswerInput{Answer: c.FormValue("answer"), AnswerReason: c.FormValue("answer_reason"), DateFrom: c.FormValue("date_from"), DateTo: c.FormValue("date_to"),
		LoadsPerDay: formCount(c, "loads_per_day"), TonnesPerDay: formNumber(c, "tonnes_per_day")}
	ctx := request.Ctx(c)
	r, err := u.A.Transport.Answer(ctx, c.Params("id"), in)
	if err != nil {
		if editable(err) {
			r, gerr := u.A.Transport.GetRequest(ctx, c.Params("id"))
			if gerr != nil {
				return err
			}
			return u.formFailed(c, "transport_request", u.page(c, httpx.Loc(c).T("TransportRequestTitle", "Number", r.AgreementNumber), &RequestData{R: r, Answers: transport.Answers}), err)
		}
		return err
	}
	if r.OrderID != nil {
		return saved(c, transport.OrderLink(*r.OrderID))
	}
	return saved(c, transport.RequestLink(r.ID))
}

// OrderData feeds an order's page.
type OrderData struct{ O *transport.Order }

func (u *UI) transportOrderShow(c *fiber.Ctx) error {
	o, err := u.A.Transport.GetOrder(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return u.render(c, "transport_order", u.page(c, httpx.Loc(c).T("TransportOrderTitle", "Number", o.AgreementNumber), &OrderData{O: o}))
}

func (u *UI) transportCancel(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	_, err := u.A.Transport.CancelOrder(ctx, c.Params("id"), transport.CancelInput{CancelReason: c.FormValue("cancel_reason")})
	if err != nil {
		if editable(err) {
			o, gerr := u.A.Transport.GetOrder(ctx, c.Params("id"))
			if gerr != nil {
				return err
			}
			return u.formFailed(c, "transport_order", u.page(c, httpx.Loc(c).T("TransportOrderTitle", "Number", o.AgreementNumber), &OrderData{O: o}), err)
		}
		return err
	}
	return saved(c, transport.OrderLink(c.Params("id")))
}

// PlanFormData feeds the plan form.
type PlanFormData struct {
	Orgs      []orgChoice
	Sites     []choice
	Fractions []string
}

func (u *UI) planFormData(c *fiber.Ctx) (*PlanFormData, error) {
	d := &PlanFormData{Fractions: fractionCodes()}
	var err error
	if d.Orgs, err = u.myOrgs(c); err != nil {
		return nil, err
	}
	rows, err := u.A.Directory.ListSites(request.Ctx(c), directory.SiteFilter{Page: page.Request{Limit: 500}})
	if err != nil {
		return nil, err
	}
	for _, s := range rows.Items {
		d.Sites = append(d.Sites, choice{ID: s.ID, Name: s.Name})
	}
	sort.Slice(d.Sites, func(i, j int) bool { return d.Sites[i].Name < d.Sites[j].Name })
	return d, nil
}

func (u *UI) transportPlanNew(c *fiber.Ctx) error {
	d, err := u.planFormData(c)
	if err != nil {
		return err
	}
	return u.render(c, "transport_plan_form", u.page(c, httpx.Loc(c).T("TransportPlanTitle"), d))
}

func (u *UI) transportPlanCreate(c *fiber.Ctx) error {
	in := transport.ScheduleInput{OrganizationID: c.FormValue("organization_id"), FromSiteID: c.FormValue("from_site_id"), FromName: c.FormValue("from_name"),
		FromLat: formNumber(c, "from_lat"), FromLon: formNumber(c, "from_lon"), ToSiteID: c.FormValue("to_site_id"), ToName: c.FormValue("to_name"),
		ToLat: formNumber(c, "to_lat"), ToLon: formNumber(c, "to_lon"), Fraction: c.FormValue("fraction"), Tonnes: formNumber(c, "tonnes"),
		DateFrom: c.FormValue("date_from"), DateTo: c.FormValue("date_to"), LoadsPerDay: formCount(c, "loads_per_day"), Note: c.FormValue("note")}
	if _, err := u.A.Transport.CreatePlan(request.Ctx(c), in); err != nil {
		if editable(err) {
			d, derr := u.planFormData(c)
			if derr != nil {
				return err
			}
			return u.formFailed(c, "transport_plan_form", u.page(c, httpx.Loc(c).T("TransportPlanTitle"), d), err)
		}
		return err
	}
	return saved(c, "/transport")
}

func (u *UI) transportPlanWithdraw(c *fiber.Ctx) error {
	if _, err := u.A.Transport.WithdrawPlan(request.Ctx(c), c.Params("id")); err != nil {
		return err
	}
	return saved(c, "/transport")
}

func (u *UI) transportWithdraw(c *fiber.Ctx) error {
	if _, err := u.A.Transport.WithdrawRequest(request.Ctx(c), c.Params("id")); err != nil {
		return err
	}
	return saved(c, transport.RequestLink(c.Params("id")))
}

// PublicTransportData feeds the public overview: the anonymised aggregate
// only (corridors between ~1 km cells, loads per ISO week, no parties).
type PublicTransportData struct {
	Items     []transport.Planned // one per corridor and fraction, named "Strekning n"
	Weeks     []string
	Rows      []CalRow
	Totals    []int
	Fractions []string
	API       string
}

// transportPublic is the overview for visitors and for those without
// transport:read: what the open data says, drawn.
func (u *UI) transportPublic(c *fiber.Ctx) error {
	l := httpx.Loc(c)
	f := transport.Filter{From: c.Query("from"), To: c.Query("to"), Fraction: c.Query("fraction")}
	d := &PublicTransportData{Fractions: fractionCodes(), API: "/api/v1/tenants/" + request.Tenant(c).Slug + "/transport/corridors"}
	p := u.page(c, l.T("TransportTitle"), d)
	out, err := u.A.Transport.Corridors(request.Ctx(c), f)
	if err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind == fail.Invalid {
			formErrors(p, err)
			c.Status(fiber.StatusUnprocessableEntity)
			out, err = u.A.Transport.Corridors(request.Ctx(c), transport.Filter{})
		}
		if err != nil {
			return err
		}
	}
	d.Weeks = weeksBetween(out.From, out.To)
	col := map[string]int{}
	for i, w := range d.Weeks {
		col[w] = i
	}
	d.Totals = make([]int, len(d.Weeks))
	type key struct {
		a, b, c, d float64
		fr         string
	}
	index := map[key]int{}
	for _, cr := range out.Items {
		k := key{cr.FromLat, cr.FromLon, cr.ToLat, cr.ToLon, cr.Fraction}
		i, ok := index[k]
		if !ok {
			i = len(d.Items)
			index[k] = i
			name := l.T("TransportCorridorN", "N", i+1)
			d.Items = append(d.Items, transport.Planned{Kind: "corridor", ID: strconv.Itoa(i + 1), Fraction: cr.Fraction,
				From: transport.Place{Name: name, Lat: cr.FromLat, Lon: cr.FromLon, Approximate: true}, To: transport.Place{Name: name, Lat: cr.ToLat, Lon: cr.ToLon, Approximate: true},
				Organizations: []string{}})
			d.Rows = append(d.Rows, CalRow{Cells: make([]int, len(d.Weeks))})
		}
		d.Items[i].Loads += cr.Loads
		if j, ok := col[cr.Week]; ok {
			d.Rows[i].Cells[j] += cr.Loads
			d.Totals[j] += cr.Loads
		}
	}
	for i := range d.Rows {
		d.Rows[i].Item = d.Items[i]
	}
	// The corridors too few transports use: a sum per week, not on the map.
	if len(out.Other) > 0 {
		row := CalRow{Item: transport.Planned{Kind: "other", From: transport.Place{Name: l.T("TransportCorridorOther")}}, Cells: make([]int, len(d.Weeks))}
		for _, w := range out.Other {
			if j, ok := col[w.Week]; ok {
				row.Cells[j] += w.Loads
				d.Totals[j] += w.Loads
			}
		}
		d.Rows = append(d.Rows, row)
	}
	p.Form["from"], p.Form["to"], p.Form["fraction"] = out.From.Format(time.DateOnly), out.To.Format(time.DateOnly), c.Query("fraction")
	return u.render(c, "transport_public", p)
}
