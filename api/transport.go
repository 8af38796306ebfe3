package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// transportAPI holds the REST handlers of transport booking and planned
// transports (K7, K8).
type transportAPI struct{ t *transport.Service }

// transportListQuery documents the request and order lists' filters.
type transportListQuery struct {
	AgreementID string `query:"agreement_id" doc:"Only those under this agreement"`
	Status      string `query:"status" doc:"Requests only: pending, accepted, partly_accepted, declined or withdrawn"`
}

// plannedQuery documents the overview's filters.
type plannedQuery struct {
	From           string `query:"from" doc:"Period start (YYYY-MM-DD; default this week's Monday)"`
	To             string `query:"to" doc:"Period end (YYYY-MM-DD; default 12 weeks on; at most 371 days)"`
	Fraction       string `query:"fraction" doc:"Fraction code"`
	SiteID         string `query:"site_id" doc:"Only transports from or to this site"`
	OrganizationID string `query:"organization_id" doc:"Only transports with this organization as a party"`
}

// corridorQuery documents the public aggregate's filters.
type corridorQuery struct {
	From     string `query:"from" doc:"Period start (YYYY-MM-DD; default this week's Monday)"`
	To       string `query:"to" doc:"Period end (YYYY-MM-DD; default 12 weeks on; at most 371 days)"`
	Fraction string `query:"fraction" doc:"Fraction code"`
}

func transportRoutes(a *app.App) []route.Route {
	h := &transportAPI{t: a.Transport}
	return []route.Route{
		{Method: "GET", Path: "/agreements/:id/transport", Perm: access.TransportRead, Handler: h.booking,
			Doc: &route.Doc{ID: "getTransportBooking", Summary: "Book transport for a sealed agreement (its parties): the agreement's period and sites, and the region's transport companies with their services, approved vehicles and distance to the pickup site, nearest first", Tag: "Transport",
				Out: transport.Booking{}, Errors: []int{409}}},
		{Method: "POST", Path: "/agreements/:id/transport-requests", Perm: access.TransportWrite, Handler: h.request,
			Doc: &route.Doc{ID: "requestTransport", Summary: "Send a transport request to one company (a party of a sealed agreement): period within the agreement's, daily time windows, loads or tonnes per day, vehicle requirements and your own price; the sites are the agreement's", Tag: "Transport",
				In: transport.RequestInput{}, Out: transport.Request{}, Status: 201, Errors: []int{409},
				Example: map[string]any{"transporter_org_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", "date_from": "2027-03-01", "date_to": "2027-03-26", "time_windows": "07:00-15:00", "loads_per_day": 12, "min_euro_class": "euro6", "fuels": []string{"hvo", "electric"}, "max_axles": 4}}},
		{Method: "POST", Path: "/agreements/:id/transport-orders", Perm: access.TransportWrite, Handler: h.direct,
			Doc: &route.Doc{ID: "createTransportOrder", Summary: "Make a transport order directly: a party of a sealed agreement that drives itself (its organization has an approved vehicle)", Tag: "Transport",
				In: transport.OrderInput{}, Out: transport.Order{}, Status: 201, Errors: []int{409}}},
		{Method: "GET", Path: "/transport/requests", Perm: access.TransportRead, Handler: h.requests,
			Doc: &route.Doc{ID: "listTransportRequests", Summary: "The transport requests your organizations sent or got, newest first (every one for supervisors and tenant admins)", Tag: "Transport",
				Query: transportListQuery{}, Page: transport.RequestBounds, Out: page.Page[transport.Request]{}}},
		{Method: "GET", Path: "/transport/requests/:id", Perm: access.TransportRead, Handler: h.getRequest,
			Doc: &route.Doc{ID: "getTransportRequest", Summary: "One transport request (the requesting organization and the company asked)", Tag: "Transport", Out: transport.Request{}}},
		{Method: "POST", Path: "/transport/requests/:id/answer", Perm: access.TransportWrite, Handler: h.answer,
			Doc: &route.Doc{ID: "answerTransportRequest", Summary: "The transport company's answer: accept (an order under the agreement with its planned loads), accept part of it (fewer loads or tonnes per day, or a shorter period) or decline with a reason. Once: a second answer is 409", Tag: "Transport",
				In: transport.AnswerInput{}, Out: transport.Request{}, Errors: []int{409}, Example: map[string]any{"answer": "partly", "loads_per_day": 8}}},
		{Method: "POST", Path: "/transport/requests/:id/withdraw", Perm: access.TransportWrite, Handler: h.withdrawRequest,
			Doc: &route.Doc{ID: "withdrawTransportRequest", Summary: "Take back a request that waits for its answer (the requesting organization's members); 409 once answered", Tag: "Transport",
				Out: transport.Request{}, Errors: []int{409}}},
		{Method: "GET", Path: "/transport/orders", Perm: access.TransportRead, Handler: h.orders,
			Doc: &route.Doc{ID: "listTransportOrders", Summary: "The transport orders your organizations are a side of (company, supplier, receiver), newest first (every one for supervisors and tenant admins)", Tag: "Transport",
				Query: transportListQuery{}, Page: transport.OrderBounds, Out: page.Page[transport.Order]{}}},
		{Method: "GET", Path: "/transport/orders/:id", Perm: access.TransportRead, Handler: h.getOrder,
			Doc: &route.Doc{ID: "getTransportOrder", Summary: "One transport order with its planned loads per day", Tag: "Transport", Out: transport.Order{}}},
		{Method: "POST", Path: "/transport/orders/:id/cancel", Perm: access.TransportWrite, Handler: h.cancel,
			Doc: &route.Doc{ID: "cancelTransportOrder", Summary: "Cancel an active transport order with a reason (any of its sides); the others are notified", Tag: "Transport",
				In: transport.CancelInput{}, Out: transport.Order{}, Errors: []int{409}}},
		{Method: "GET", Path: "/transport/planned", Perm: access.TransportRead, Handler: h.planned,
			Doc: &route.Doc{ID: "listPlannedTransports", Summary: "Planned transports in the region (K8): transport orders and registered plans in a period, with their parties, places and loads per ISO week", Tag: "Transport",
				Query: plannedQuery{}, Out: transport.Overview{}}},
		{Method: "POST", Path: "/transport/planned", Perm: access.TransportWrite, Handler: h.createPlan,
			Doc: &route.Doc{ID: "createTransportPlan", Summary: "Register a transport agreed outside Masseflyt (from a site or a point in Norway to a site or a point), so the region's overview is complete", Tag: "Transport",
				In: transport.ScheduleInput{}, Out: transport.Schedule{}, Status: 201}},
		{Method: "GET", Path: "/transport/planned/:id", Perm: access.TransportRead, Handler: h.getPlan,
			Doc: &route.Doc{ID: "getTransportPlan", Summary: "One registered plan", Tag: "Transport", Out: transport.Schedule{}}},
		{Method: "POST", Path: "/transport/planned/:id/withdraw", Perm: access.TransportWrite, Handler: h.withdrawPlan,
			Doc: &route.Doc{ID: "withdrawTransportPlan", Summary: "Withdraw a registered plan (its organization's members)", Tag: "Transport", Out: transport.Schedule{}, Errors: []int{409}}},
		{Method: "GET", Path: "/transport/corridors", Perm: access.Anyone, Handler: h.corridors,
			Doc: &route.Doc{ID: "listTransportCorridors", Summary: "Open data: planned mass transports as anonymised aggregates, loads per corridor (ends coarsened to ~1 km cells) and ISO week, by fraction; no parties. CORS open", Tag: "Open data",
				Query: corridorQuery{}, Out: transport.Corridors{}}},
	}
}

func (h *transportAPI) booking(c *fiber.Ctx) error {
	b, err := h.t.Booking(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (h *transportAPI) request(c *fiber.Ctx) error {
	var in transport.RequestInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.t.Request(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

func (h *transportAPI) direct(c *fiber.Ctx) error {
	var in transport.OrderInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	o, err := h.t.CreateOrder(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(o)
}

func (h *transportAPI) requests(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, transport.RequestBounds)
	if err != nil {
		return err
	}
	p, err := h.t.Requests(request.Ctx(c), transport.ListFilter{AgreementID: c.Query("agreement_id"), Status: c.Query("status"), Page: pr})
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *transportAPI) getRequest(c *fiber.Ctx) error {
	r, err := h.t.GetRequest(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (h *transportAPI) answer(c *fiber.Ctx) error {
	var in transport.AnswerInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	r, err := h.t.Answer(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (h *transportAPI) orders(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, transport.OrderBounds)
	if err != nil {
		return err
	}
	p, err := h.t.Orders(request.Ctx(c), transport.ListFilter{AgreementID: c.Query("agreement_id"), Page: pr})
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *transportAPI) getOrder(c *fiber.Ctx) error {
	o, err := h.t.GetOrder(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func (h *transportAPI) cancel(c *fiber.Ctx) error {
	var in transport.CancelInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	o, err := h.t.CancelOrder(request.Ctx(c), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func plannedFilter(c *fiber.Ctx) transport.Filter {
	return transport.Filter{From: c.Query("from"), To: c.Query("to"), Fraction: c.Query("fraction"), SiteID: c.Query("site_id"), OrganizationID: c.Query("organization_id")}
}

func (h *transportAPI) planned(c *fiber.Ctx) error {
	ov, err := h.t.Planned(request.Ctx(c), plannedFilter(c))
	if err != nil {
		return err
	}
	return c.JSON(ov)
}

func (h *transportAPI) createPlan(c *fiber.Ctx) error {
	var in transport.ScheduleInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := h.t.CreatePlan(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

func (h *transportAPI) getPlan(c *fiber.Ctx) error {
	p, err := h.t.GetPlan(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *transportAPI) withdrawPlan(c *fiber.Ctx) error {
	p, err := h.t.WithdrawPlan(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *transportAPI) corridors(c *fiber.Ctx) error {
	f := plannedFilter(c)
	out, err := h.t.Corridors(request.Ctx(c), transport.Filter{From: f.From, To: f.To, Fraction: f.Fraction})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*") // open data; no credentials
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.JSON(out)
}

func (h *transportAPI) withdrawRequest(c *fiber.Ctx) error {
	r, err := h.t.WithdrawRequest(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}
