package web

import (
	"context"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// The tracked loads' pages (issue 13, K9, K10, T5): the driver app and the
// gate app (phone width, large touch targets, working offline through
// static/haul.js, which queues each step with an idempotency key and sends
// it to the API when the phone is online again), the list of loads and
// one load. Without JavaScript the forms post here. The row rules are the
// domain's (core/haul).

// DriverData feeds the driver app.
type DriverData struct {
	Setup *haul.DriverSetup
	Loads []haul.Load
	API   string
	// Sites names the orders' sites.
	Sites map[string]string
}

// GateData feeds the gate app.
type GateData struct {
	Expected []haul.Load
	Load     *haul.Load
	Guide    *haul.Guide
	Code     string
	API      string
	Results  []string
	// IssueOrders are the open orders the reader's organizations send
	// loads on (a sender issues a release code in advance); Issued is the
	// code just issued; Sites names the orders' sites.
	IssueOrders []haul.Order
	Issued      *haul.ReleaseCode
	Sites       map[string]string
}

// LoadsData feeds the list of loads.
type LoadsData struct {
	Items      []haul.Load
	NextCursor string
	Flagged    bool
	Status     string
	Statuses   []string
	// Agreement filters on one agreement, whose Tally is shown.
	Agreement string
	Tally     *haul.Tally
}

// LoadTally is an agreement's tally of loads as its page shows it: the
// loads, the received tonnes against the agreed quantity, and the highest
// quantity alarm reached (80, 100, 110 %).
type LoadTally struct {
	*haul.Tally
	Agreed float64
	Pct    int
	// Alarm is the highest level in haul.AlarmLevels reached (0: none).
	Alarm int
}

// loadTally is the tally of an agreement's loads for its page; nil when
// the reader does not see its loads.
func (u *UI) loadTally(ctx context.Context, agreementID string, agreed float64) *LoadTally {
	if u.A.Haul == nil {
		return nil
	}
	t, err := u.A.Haul.TallyOf(ctx, agreementID)
	if err != nil {
		return nil
	}
	out := &LoadTally{Tally: t, Agreed: agreed}
	if agreed > 0 {
		out.Pct = int(math.Floor(t.DeliveredTonnes / agreed * 100))
	}
	for _, lvl := range haul.AlarmLevels {
		if out.Pct >= lvl {
			out.Alarm = lvl
		}
	}
	return out
}

func apiBase(c *fiber.Ctx) string { return "/api/v1/tenants/" + request.Tenant(c).Slug }

func (u *UI) driver(c *fiber.Ctx) error {
	d, err := u.driverData(c)
	if err != nil {
		return err
	}
	return u.render(c, "driver", u.page(c, httpx.Loc(c).T("DriverTitle"), d))
}

func (u *UI) driverData(c *fiber.Ctx) (*DriverData, error) {
	ctx := request.Ctx(c)
	setup, err := u.A.Haul.Driver(ctx)
	if err != nil {
		return nil, err
	}
	mine, err := u.A.Haul.List(ctx, haul.Filter{Driver: true, Page: page.Request{Limit: 10}})
	if err != nil {
		return nil, err
	}
	d := &DriverData{Setup: setup, Loads: mine.Items, API: apiBase(c), Sites: map[string]string{}}
	for _, o := range setup.Orders {
		for _, id := range []string{o.PickupSiteID, o.DeliverySiteID} {
			if _, ok := d.Sites[id]; !ok && validID(id) {
				if st, err := u.A.Directory.GetSite(ctx, id); err == nil {
					d.Sites[id] = st.Name
				}
			}
		}
	}
	return d, nil
}

// loadNumber reads a decimal the way people type it (comma or point).
func loadNumber(c *fiber.Ctx, name string) float64 {
	s := strings.ReplaceAll(strings.TrimSpace(c.FormValue(name)), ",", ".")
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1 // refused as negative: the domain names the field
	}
	return f
}

// formPhotos reads the photos of a form (multipart).
func formPhotos(c *fiber.Ctx, field string) ([]haul.PhotoInput, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, nil
	}
	var out []haul.PhotoInput
	for _, fh := range form.File[field] {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, market.MaxDocument+1))
		_ = f.Close()
		if err != nil {
			return nil, err
		}
		if fh.Filename == "" && len(data) == 0 {
			continue
		}
		out = append(out, haul.PhotoInput{Filename: fh.Filename, Data: data, CheckKey: c.FormValue("photo_check")})
	}
	return out, nil
}

func (u *UI) driverDepart(c *fiber.Ctx) error {
	photos, err := formPhotos(c, "photos")
	if err != nil {
		return err
	}
	in := haul.DepartInput{OrderID: c.FormValue("order_id"), VehicleID: c.FormValue("vehicle_id"), EstTonnes: loadNumber(c, "est_tonnes"), EstM3: loadNumber(c, "est_m3"),
		ReleaseCode: c.FormValue("release_code"), Photos: photos, Key: c.FormValue("idempotency_key")}
	if _, err := u.A.Haul.Depart(request.Ctx(c), in); err != nil {
		if fe, ok := fail.As(err); ok && (fe.Kind == fail.Invalid || fe.Kind == fail.Conflict || fe.Kind == fail.Forbidden) {
			d, derr := u.driverData(c)
			if derr != nil {
				return derr
			}
			return u.formFailed(c, "driver", u.page(c, httpx.Loc(c).T("DriverTitle"), d), err)
		}
		return err
	}
	return c.Redirect(dialogBase(c)+"/driver?notice=LoadDeparted", fiber.StatusSeeOther)
}

func (u *UI) gate(c *fiber.Ctx) error {
	return u.gatePage(c, nil)
}

func (u *UI) gatePage(c *fiber.Ctx, ferr error) error { return u.gatePageWith(c, ferr, nil) }

// sendOrders are the open orders where the reader's organizations are the
// sender, with their sites' names.
func (u *UI) sendOrders(c *fiber.Ctx, sites map[string]string) []haul.Order {
	ctx := request.Ctx(c)
	out := []haul.Order{}
	if u.A.Haul.Orders == nil {
		return out
	}
	seen := map[string]bool{}
	for org := range request.Principal(c).Orgs {
		os, err := u.A.Haul.Orders.OpenOrders(ctx, org)
		if err != nil {
			continue
		}
		for _, o := range os {
			if o.SupplierOrgID != org || seen[o.ID] {
				continue
			}
			seen[o.ID] = true
			out = append(out, o)
			for _, id := range []string{o.PickupSiteID, o.DeliverySiteID} {
				if _, ok := sites[id]; !ok && validID(id) {
					if st, err := u.A.Directory.GetSite(ctx, id); err == nil {
						sites[id] = st.Name
					}
				}
			}
		}
	}
	return out
}

func (u *UI) gatePageWith(c *fiber.Ctx, ferr error, issued *haul.ReleaseCode) error {
	ctx := request.Ctx(c)
	d := &GateData{API: apiBase(c), Code: haul.NormalizeCode(c.Query("code", c.FormValue("code"))), Results: haul.Results, Issued: issued, Sites: map[string]string{}}
	d.IssueOrders = u.sendOrders(c, d.Sites)
	exp, err := u.A.Haul.List(ctx, haul.Filter{Gate: true, Page: page.Request{Limit: 50}})
	if err != nil {
		return err
	}
	d.Expected = exp.Items
	id := c.Query("load", c.Params("id"))
	if d.Code != "" && id == "" {
		found, err := u.A.Haul.List(ctx, haul.Filter{Code: d.Code, Page: page.Request{Limit: 1}})
		if err != nil {
			return err
		}
		if len(found.Items) == 1 {
			id = found.Items[0].ID
		}
	}
	p := u.page(c, httpx.Loc(c).T("GateTitle"), d)
	if d.Code != "" && id == "" {
		p.Errors["code"] = httpx.Loc(c).T("ErrLoadCodeUnknown")
	}
	if validID(id) {
		if d.Load, err = u.A.Haul.Get(ctx, id); err != nil {
			return err
		}
		if d.Guide, err = u.A.Haul.Guide(ctx, id); err != nil {
			return err
		}
	}
	if ferr != nil {
		return u.formFailed(c, "gate", p, ferr)
	}
	return u.render(c, "gate", p)
}

func (u *UI) gateRelease(c *fiber.Ctx) error {
	if _, err := u.A.Haul.Release(request.Ctx(c), haul.ReleaseInput{Code: c.FormValue("release_code"), Key: c.FormValue("idempotency_key")}); err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind != fail.Internal && fe.Kind != fail.Unavailable {
			return u.gatePage(c, err)
		}
		return err
	}
	return c.Redirect(dialogBase(c)+"/gate?notice=LoadReleased", fiber.StatusSeeOther)
}

// gateIssue issues a release code in advance: the sender's representative
// hands it to the driver (or shows its QR), who enters it at departure.
func (u *UI) gateIssue(c *fiber.Ctx) error {
	rc, err := u.A.Haul.IssueCode(request.Ctx(c), haul.IssueCodeInput{OrderID: c.FormValue("order_id")})
	if err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind != fail.Internal && fe.Kind != fail.Unavailable {
			return u.gatePage(c, err)
		}
		return err
	}
	return u.gatePageWith(c, nil, rc)
}

// loadSample registers the sample taken of a received load straight into
// lab results (the sampling rule said so at the gate).
func (u *UI) loadSample(c *fiber.Ctx) error {
	in := &market.SampleInput{Name: strings.TrimSpace(c.FormValue("name")), TakenOn: c.FormValue("taken_on"), Lab: strings.TrimSpace(c.FormValue("lab"))}
	for i := 0; i < sampleRows; i++ {
		k := strconv.Itoa(i)
		param := strings.TrimSpace(c.FormValue("parameter_" + k))
		if param == "" && strings.TrimSpace(c.FormValue("value_"+k)) == "" {
			continue
		}
		in.Values = append(in.Values, market.SampleValue{Parameter: param, Value: loadNumber(c, "value_"+k), Unit: strings.TrimSpace(c.FormValue("unit_" + k))})
	}
	id := c.Params("id")
	if _, err := u.A.Haul.RegisterSample(request.Ctx(c), id, in); err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind != fail.Internal && fe.Kind != fail.Unavailable && fe.Kind != fail.NotFound {
			l, gerr := u.A.Haul.Get(request.Ctx(c), id)
			if gerr != nil {
				return gerr
			}
			return u.formFailed(c, "load", u.loadPage(c, l), err)
		}
		return err
	}
	return c.Redirect(dialogBase(c)+"/loads/"+id+"?notice=LoadSampled#sample", fiber.StatusSeeOther)
}

// sampleRows is how many measured values the gate's sample form offers.
const sampleRows = 4

func (u *UI) loadReceive(c *fiber.Ctx) error {
	photos, err := formPhotos(c, "photos")
	if err != nil {
		return err
	}
	in := haul.ReceiptInput{Code: c.FormValue("code"), WeightTonnes: loadNumber(c, "weight_tonnes"), VolumeM3: loadNumber(c, "volume_m3"), Density: loadNumber(c, "density"),
		Result: c.FormValue("result"), Reason: c.FormValue("reason"), Photos: photos, Key: c.FormValue("idempotency_key")}
	if in.Result == "" {
		in.Result = haul.ResultAccepted
	}
	if s := strings.TrimSpace(c.FormValue("accepted_tonnes")); s != "" {
		v := loadNumber(c, "accepted_tonnes")
		in.Accepted = &v
	}
	for _, key := range c.Request().PostArgs().PeekMulti("check") {
		k := string(key)
		in.Checks = append(in.Checks, haul.Check{Key: k, OK: c.FormValue("check_"+k) != "no", Note: c.FormValue("note_" + k)})
	}
	if form, err := c.MultipartForm(); err == nil {
		for _, k := range form.Value["check"] {
			in.Checks = append(in.Checks, haul.Check{Key: k, OK: c.FormValue("check_"+k) != "no", Note: c.FormValue("note_" + k)})
		}
	}
	id := c.Params("id")
	if _, err := u.A.Haul.Receive(request.Ctx(c), id, in); err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind != fail.Internal && fe.Kind != fail.Unavailable && fe.Kind != fail.NotFound {
			c.Request().URI().QueryArgs().Set("load", id)
			return u.gatePage(c, err)
		}
		return err
	}
	return c.Redirect(dialogBase(c)+"/loads/"+id+"?notice=LoadReceived", fiber.StatusSeeOther)
}

func (u *UI) loadList(c *fiber.Ctx) error {
	f := haul.Filter{Flagged: c.QueryBool("flagged"), Status: c.Query("status"), Page: page.Request{Limit: haul.Bounds.Default, Cursor: c.Query("cursor")}}
	if a := c.Query("agreement"); validID(a) {
		f.AgreementID = a // the loads of one agreement (from its page)
	}
	if f.Status != "" && !contains(haul.Statuses, f.Status) {
		f.Status = ""
	}
	p, err := u.A.Haul.List(request.Ctx(c), f)
	if err != nil {
		return err
	}
	d := &LoadsData{Items: p.Items, NextCursor: p.NextCursor, Flagged: f.Flagged, Status: f.Status, Statuses: haul.Statuses, Agreement: f.AgreementID}
	if f.AgreementID != "" {
		if d.Tally, err = u.A.Haul.TallyOf(request.Ctx(c), f.AgreementID); err != nil {
			return err
		}
	}
	return u.render(c, "loads", u.page(c, httpx.Loc(c).T("LoadsTitle"), d))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (u *UI) loadShow(c *fiber.Ctx) error {
	l, err := u.A.Haul.Get(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return u.render(c, "load", u.loadPage(c, l))
}

func (u *UI) loadPage(c *fiber.Ctx, l *haul.Load) *Page {
	p := u.page(c, httpx.Loc(c).T("LoadTitle", "Number", l.Number), l)
	if p.Form["taken_on"] == "" {
		p.Form["taken_on"] = numfmt.ISODate(u.A.Haul.DB.Now())
	}
	return p
}

func (u *UI) loadPhoto(c *fiber.Ctx) error {
	p, data, err := u.A.Haul.Photo(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, p.ContentType)
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(data)
}
