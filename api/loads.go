package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// loadAPI holds the REST handlers of tracked loads, receipt control and the
// driver and gate app (issue 13: K9, K10, T5).
type loadAPI struct{ h *haul.Service }

// loadsQuery documents the load list's filters.
type loadsQuery struct {
	AgreementID string `query:"agreement_id" doc:"Only the loads of this agreement"`
	Status      string `query:"status" doc:"Only loads in this status (awaiting_release, released, received, partly_accepted, rejected)"`
	Flagged     bool   `query:"flagged" doc:"Only loads with plausibility flags"`
	Code        string `query:"code" doc:"The load whose code the receiver scanned or typed"`
	Driver      bool   `query:"driver" doc:"Only your own loads as a driver"`
	Gate        bool   `query:"gate" doc:"The loads expected at your organizations' gates (on the road or awaiting release) and those received today"`
}

// receiptTemplateList is the region's receipt check templates with the default.
type receiptTemplateList struct {
	Items   []haul.Template `json:"items"`
	Default []haul.Step     `json:"default"`
}

// idemKey is the step's idempotency key: the body's, else the
// Idempotency-Key header's.
func idemKey(c *fiber.Ctx, body string) string {
	if body != "" {
		return body
	}
	return c.Get("Idempotency-Key")
}

func loadRoutes(a *app.App) []route.Route {
	h := &loadAPI{h: a.Haul}
	photos := 2*a.Config.MaxUpload + httpx.MultipartSlack
	images := []string{"image/png", "image/jpeg", "image/webp"}
	return []route.Route{
		{Method: "GET", Path: "/loads", Perm: access.LoadsRead, Handler: h.list,
			Doc: &route.Doc{ID: "listLoads", Summary: "Tracked loads of your organizations (as supplier, receiver or transporter), newest first; supervisors and tenant admins see every load. The codes are shown to the driver's company only", Tag: "Loads",
				Query: loadsQuery{}, Page: haul.Bounds, Out: page.Page[haul.Load]{}}},
		{Method: "POST", Path: "/loads", Perm: access.LoadsDrive, Handler: h.depart, BodyLimit: photos,
			Doc: &route.Doc{ID: "departLoad", Summary: "Depart with a load (the driver, a member of the order's transport company, with one of its approved vehicles meeting the order): estimated tonnes or m³, photos (base64), position and device time. Send an Idempotency-Key header (or idempotency_key): a resend returns the first answer. A release code the sender issued releases the load at once; otherwise the sender confirms the release_code shown on the driver's phone", Tag: "Loads",
				In: haul.DepartInput{}, Out: haul.Load{}, Status: 201, Errors: []int{409, 413, 415},
				Example: map[string]any{"order_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", "vehicle_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8e", "est_tonnes": 17.5, "lat": 59.8955, "lon": 10.629, "device_at": "2026-11-26T07:45:00+01:00"}}},
		{Method: "POST", Path: "/loads/release", Perm: access.LoadsReceive, Handler: h.release,
			Doc: &route.Doc{ID: "releaseLoad", Summary: "Release a load at the sender's site: a representative of the supplier types or scans the one-time code on the driver's phone (a code already used is refused)", Tag: "Loads",
				In: haul.ReleaseInput{}, Out: haul.Load{}, Errors: []int{409}, Example: map[string]any{"code": "7KQ2MX"}}},
		{Method: "GET", Path: "/loads/:id", Perm: access.LoadsRead, Handler: h.get,
			Doc: &route.Doc{ID: "getLoad", Summary: "One load with its steps (each with its ledger hash), photos, flags and climate account", Tag: "Loads", Out: haul.Load{}}},
		{Method: "GET", Path: "/loads/:id/guide", Perm: access.LoadsRead, Handler: h.guide,
			Doc: &route.Doc{ID: "getLoadGuide", Summary: "The receipt check for a load: the steps of the region's template for its fraction and facility (default: avfallsforskriften § 9-11), and whether this load is the one to sample", Tag: "Loads", Out: haul.Guide{}}},
		{Method: "POST", Path: "/loads/:id/receipt", Perm: access.LoadsReceive, Handler: h.receive, BodyLimit: photos,
			Doc: &route.Doc{ID: "receiveLoad", Summary: "Record the receipt of a load (a member of the receiving organization, with the load's code): weight from a weighbridge or volume × density, the check steps, accepted / partly accepted / rejected with reason and photos. Exactly one receipt per load; a rejected load's return becomes a load of its own", Tag: "Loads",
				In: haul.ReceiptInput{}, Out: haul.Load{}, Errors: []int{409, 413, 415},
				Example: map[string]any{"code": "K7M2Q9XD", "weight_tonnes": 17.42, "result": "accepted"}}},
		{Method: "POST", Path: "/loads/:id/sample", Perm: access.LoadsReceive, Handler: h.sample,
			Doc: &route.Doc{ID: "sampleLoad", Summary: "Register the sample taken of a received load into lab results (the receiver's listing of the agreement)", Tag: "Loads",
				In: market.SampleInput{}, Out: market.Sample{}, Status: 201, Errors: []int{409}}},
		{Method: "GET", Path: "/load-photos/:id", Perm: access.LoadsRead, Handler: h.photo,
			Doc: &route.Doc{ID: "downloadLoadPhoto", Summary: "A load's photo (checked against its SHA-256)", Tag: "Loads", Files: images}},
		{Method: "GET", Path: "/driver", Perm: access.LoadsDrive, Handler: h.driver,
			Doc: &route.Doc{ID: "getDriverSetup", Summary: "What a driver picks from: the open transport orders of your transport companies and their approved vehicles", Tag: "Loads", Out: haul.DriverSetup{}}},
		{Method: "POST", Path: "/release-codes", Perm: access.LoadsReceive, Handler: h.issue,
			Doc: &route.Doc{ID: "issueReleaseCode", Summary: "Issue a release code for an order (a representative of its supplier): the driver enters it at departure and the load leaves released. Valid once, for 24 hours", Tag: "Loads",
				In: haul.IssueCodeInput{}, Out: haul.ReleaseCode{}, Status: 201, Errors: []int{409}}},
		{Method: "GET", Path: "/agreements/:id/load-tally", Perm: access.LoadsRead, Handler: h.tally,
			Doc: &route.Doc{ID: "getLoadTally", Summary: "An agreement's loads in numbers: loads departed and received, tonnes delivered, the last quantity alarm, automatic completion", Tag: "Loads", Out: haul.Tally{}}},
		{Method: "PUT", Path: "/agreements/:id/auto-complete", Perm: access.LoadsReceive, Handler: h.autoComplete,
			Doc: &route.Doc{ID: "setAutoComplete", Summary: "Let the agreement complete by itself when its agreed quantity is received (an admin of a party)", Tag: "Loads", In: haul.AutoCompleteInput{}, Out: haul.Tally{}, Errors: []int{409}}},
		{Method: "GET", Path: "/receipt-templates", Perm: access.ReceiptTemplates, Handler: h.templates,
			Doc: &route.Doc{ID: "listReceiptTemplates", Summary: "The region's receipt check templates per fraction and facility, and the default steps", Tag: "Loads", Out: receiptTemplateList{}}},
		{Method: "PUT", Path: "/receipt-templates", Perm: access.ReceiptTemplates, Handler: h.saveTemplate,
			Doc: &route.Doc{ID: "saveReceiptTemplate", Summary: "Store the receipt check for a fraction and/or facility (replacing the one there was)", Tag: "Loads", In: haul.TemplateInput{}, Out: haul.Template{},
				Example: map[string]any{"fraction": "sprengstein", "steps": []map[string]string{{"key": "colour", "text": "Grå stein uten jord"}}}}},
		{Method: "DELETE", Path: "/receipt-templates/:id", Perm: access.ReceiptTemplates, Handler: h.deleteTemplate,
			Doc: &route.Doc{ID: "deleteReceiptTemplate", Summary: "Remove a receipt check template; the next general one applies", Tag: "Loads", Status: 204}},
	}
}

func (h *loadAPI) list(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, haul.Bounds)
	if err != nil {
		return err
	}
	p, err := h.h.List(request.Ctx(c), haul.Filter{AgreementID: c.Query("agreement_id"), Status: c.Query("status"), Flagged: c.QueryBool("flagged"),
		Code: c.Query("code"), Driver: c.QueryBool("driver"), Gate: c.QueryBool("gate"), Page: pr})
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *loadAPI) depart(c *fiber.Ctx) error {
	var in haul.DepartInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	in.Key = idemKey(c, in.Key)
	l, err := h.h.Depart(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(l)
}

func (h *loadAPI) release(c *fiber.Ctx) error {
	var in haul.ReleaseInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	in.Key = idemKey(c, in.Key)
	l, err := h.h.Release(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (h *loadAPI) get(c *fiber.Ctx) error {
	l, err := h.h.Get(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (h *loadAPI) guide(c *fiber.Ctx) error {
	g, err := h.h.Guide(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(g)
}

func (h *loadAPI) receive(c *fiber.Ctx) error {
	var in haul.ReceiptInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	in.Key = idemKey(c, in.Key)
	l, err := h.h.Receive(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (h *loadAPI) sample(c *fiber.Ctx) error {
	var in market.SampleInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	sm, err := h.h.RegisterSample(request.Ctx(c), c.Params("id"), &in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sm)
}

func (h *loadAPI) photo(c *fiber.Ctx) error {
	p, data, err := h.h.Photo(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	SendFile(c, p.ContentType, p.Filename, p.SHA256, data)
	return c.Send(data)
}

func (h *loadAPI) driver(c *fiber.Ctx) error {
	d, err := h.h.Driver(request.Ctx(c))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (h *loadAPI) issue(c *fiber.Ctx) error {
	var in haul.IssueCodeInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	rc, err := h.h.IssueCode(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(rc)
}

func (h *loadAPI) tally(c *fiber.Ctx) error {
	t, err := h.h.TallyOf(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (h *loadAPI) autoComplete(c *fiber.Ctx) error {
	var in haul.AutoCompleteInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := h.h.SetAutoComplete(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (h *loadAPI) templates(c *fiber.Ctx) error {
	ts, err := h.h.Templates(request.Ctx(c))
	if err != nil {
		return err
	}
	return c.JSON(receiptTemplateList{Items: ts, Default: haul.DefaultSteps})
}

func (h *loadAPI) saveTemplate(c *fiber.Ctx) error {
	var in haul.TemplateInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := h.h.SaveTemplate(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

func (h *loadAPI) deleteTemplate(c *fiber.Ctx) error {
	if err := h.h.DeleteTemplate(request.Ctx(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
