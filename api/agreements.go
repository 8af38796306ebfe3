package api

import (
	"bytes"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// agreementsAPI holds the agreements' REST handlers (K6, K13).
type agreementsAPI struct{ s *agreement.Service }

type agreementsQuery struct {
	Status   string `query:"status" doc:"draft, proposed, accepted, sealed, cancelled or completed"`
	Awaiting bool   `query:"awaiting" doc:"Only those waiting for my organization (an answer or a signature)"`
}

type prefillQuery struct {
	Listing     string `query:"listing" doc:"The listing the agreement draws from (required)"`
	Counterpart string `query:"counterpart" doc:"The counterpart listing of a match"`
	Dialog      string `query:"dialog" doc:"The dialog it came from"`
	Match       string `query:"match" doc:"The match it came from"`
}

type diffQuery struct {
	From int `query:"from" doc:"Version compared from (default: the one before to)"`
	To   int `query:"to" doc:"Version compared to (default: the current)"`
}

type periodQuery struct {
	From string `query:"from" doc:"First day of the period (YYYY-MM-DD); with to, or neither for this month"`
	To   string `query:"to" doc:"Last day of the period, inclusive (YYYY-MM-DD)"`
}

// versionInput names the version of the terms a step answers: a step on a
// version that is no longer the current is refused (409 old_version).
type versionInput struct {
	Version int `json:"version"`
}

// counterInput is a counter-proposal: new terms to the current version.
type counterInput struct {
	Version int             `json:"version"`
	Terms   agreement.Input `json:"terms"`
}

type changeList struct {
	Items []agreement.Change `json:"items"`
}

// agreementRoutes are the agreements' routes under /api/v1/tenants/:tenant.
func agreementRoutes(a *app.App) []route.Route {
	h := &agreementsAPI{s: a.Agreements}
	ex := map[string]any{"template_key": "delivery", "title": "Sprengstein til Vestmarka", "supplier": map[string]any{"organization_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d"},
		"receiver": map[string]any{"organization_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8e"}, "listing_ids": []string{"0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8f"},
		"fractions": []string{"sprengstein"}, "condition_class": 1, "quantity_tonnes": 20000, "tolerance_pct": 10, "price_nok": 45, "price_unit": "t",
		"payer": "receiver_pays", "period_from": "2027-03-01", "period_to": "2027-12-31", "delivery_point": "Isiveien 45, 1340 Skui",
		"opening_hours": "Man–fre 06:30–16:00", "transport": "supplier", "visual_check_each_load": true, "sample_every_n_loads": 50}
	step := func(method, path, id, summary string, perm access.Permission, fn fiber.Handler, in any) route.Route {
		return route.Route{Method: method, Path: "/agreements/:id/" + path, Perm: perm, Handler: fn,
			Doc: &route.Doc{ID: id, Summary: summary, Tag: "Agreements", In: in, InOptional: in == nil, Out: agreement.Agreement{}, Errors: []int{409, 422}}}
	}
	basis := func(ext, id, typ string) route.Route {
		return route.Route{Method: "GET", Path: "/agreements/:id/invoice-basis." + ext, Perm: access.AgreementsRead, Handler: h.invoiceBasis(ext),
			Doc: &route.Doc{ID: id, Summary: "The invoice basis of a signed agreement for a period (" + ext + "); quantities from the agreed terms are marked planned. Parties and supervisors", Tag: "Agreements", Query: periodQuery{}, Files: []string{typ}, Errors: []int{409, 422}}}
	}
	return []route.Route{
		{Method: "GET", Path: "/agreements", Perm: access.AgreementsRead, Handler: h.list,
			Doc: &route.Doc{ID: "listAgreements", Summary: "Agreements of my organizations (all of them for supervisors and tenant admins), last changed first (cursor pagination)", Tag: "Agreements",
				Query: agreementsQuery{}, Page: agreement.Bounds, Out: page.Page[agreement.Agreement]{}, Errors: []int{422}}},
		{Method: "GET", Path: "/agreements/prefill", Perm: access.AgreementsWrite, Handler: h.prefill,
			Doc: &route.Doc{ID: "prefillAgreement", Summary: "Terms of a new agreement prefilled from a listing (and a match's counterpart) and my organization", Tag: "Agreements", Query: prefillQuery{}, Out: agreement.Input{}, Errors: []int{422}}},
		{Method: "POST", Path: "/agreements", Perm: access.AgreementsWrite, Handler: h.create,
			Doc: &route.Doc{ID: "createAgreement", Summary: "Draft an agreement for my organization from a template", Tag: "Agreements", In: agreement.Input{}, Out: agreement.Agreement{}, Status: 201, Example: ex}},
		{Method: "GET", Path: "/agreements/:id", Perm: access.AgreementsRead, Handler: h.get,
			Doc: &route.Doc{ID: "getAgreement", Summary: "An agreement with its terms, versions, signatures, timeline and text (parties; supervisors and tenant admins read)", Tag: "Agreements", Out: agreement.Detail{}}},
		{Method: "PUT", Path: "/agreements/:id", Perm: access.AgreementsWrite, Handler: h.update,
			Doc: &route.Doc{ID: "updateAgreement", Summary: "Replace the terms of a draft", Tag: "Agreements", In: agreement.Input{}, Out: agreement.Agreement{}, Errors: []int{409}, Example: ex}},
		step("POST", "propose", "proposeAgreement", "Propose a draft to the other party", access.AgreementsWrite, h.propose, nil),
		step("POST", "accept", "acceptAgreement", "Accept the other party's proposal of a version; both sign next", access.AgreementsWrite, h.accept, versionInput{}),
		step("POST", "counter", "counterAgreement", "Counter-propose new terms (a new version)", access.AgreementsWrite, h.counter, counterInput{}),
		step("POST", "sign", "signAgreement", "Sign a version for my organization (its admin, with a second factor; never with a token). The second signature seals the terms", access.AgreementsSign, h.sign, versionInput{}),
		step("POST", "amend", "amendAgreement", "Propose an amendment to a signed agreement (both parties sign it)", access.AgreementsWrite, h.amend, agreement.Input{}),
		step("POST", "cancel", "cancelAgreement", "Cancel an agreement (a signed one: a party's admin, with a second factor; never with a token)", access.AgreementsWrite, h.cancel, nil),
		step("POST", "complete", "completeAgreement", "Mark a signed agreement completed (a party's admin, with a second factor; never with a token)", access.AgreementsWrite, h.complete, nil),
		step("POST", "withdraw", "withdrawAgreementAmendment", "Withdraw my organization's pending amendment; the signed version stays in force", access.AgreementsWrite, h.withdraw, nil),
		step("POST", "reject", "rejectAgreementProposal", "Reject the other party's pending amendment (the signed version stays in force) or its proposal of an unsigned agreement (which ends it)", access.AgreementsWrite, h.reject, nil),
		{Method: "GET", Path: "/agreements/:id/diff", Perm: access.AgreementsRead, Handler: h.diff,
			Doc: &route.Doc{ID: "diffAgreement", Summary: "The terms that differ between two versions", Tag: "Agreements", Query: diffQuery{}, Out: changeList{}, Errors: []int{422}}},
		{Method: "GET", Path: "/agreements/:id/verify", Perm: access.AgreementsRead, Handler: h.verify,
			Doc: &route.Doc{ID: "verifyAgreement", Summary: "Recompute the seal from the stored terms; names any term changed since signing", Tag: "Agreements", Out: agreement.Verification{}}},
		{Method: "GET", Path: "/agreements/:id/agreement.pdf", Perm: access.AgreementsRead, Handler: h.pdf,
			Doc: &route.Doc{ID: "agreementPDF", Summary: "The agreement as PDF, with both signatures and the document hash once signed", Tag: "Agreements", Files: []string{pdfType}}},
		basis("csv", "invoiceBasisCSV", "text/csv"),
		basis("xlsx", "invoiceBasisXLSX", xlsxType),
		basis("pdf", "invoiceBasisPDF", pdfType),
		basis("xml", "invoiceBasisEHF", "application/xml"),
	}
}

func (h *agreementsAPI) list(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, agreement.Bounds)
	if err != nil {
		return err
	}
	p, err := h.s.List(request.Ctx(c), agreement.Filter{Status: c.Query("status"), Awaiting: c.QueryBool("awaiting"), Page: pr})
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *agreementsAPI) prefill(c *fiber.Ctx) error {
	if c.Query("listing") == "" {
		v := &fail.Validation{}
		v.Add("listing", "required", "ErrFieldRequired")
		return v.Err()
	}
	in, err := h.s.NewInput(request.Ctx(c), agreement.Start{ListingID: c.Query("listing"), CounterpartID: c.Query("counterpart"), DialogID: c.Query("dialog"), MatchID: c.Query("match")})
	if err != nil {
		return err
	}
	return c.JSON(in)
}

func (h *agreementsAPI) create(c *fiber.Ctx) error {
	var in agreement.Input
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ag, err := h.s.Create(request.Ctx(c), &in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ag)
}

func (h *agreementsAPI) get(c *fiber.Ctx) error {
	d, err := h.s.Get(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (h *agreementsAPI) update(c *fiber.Ctx) error {
	var in agreement.Input
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ag, err := h.s.Update(request.Ctx(c), c.Params("id"), &in)
	if err != nil {
		return err
	}
	return c.JSON(ag)
}

func (h *agreementsAPI) answer(c *fiber.Ctx, ag *agreement.Agreement, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(ag)
}

func (h *agreementsAPI) version(c *fiber.Ctx) (int, error) {
	var in versionInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return 0, err
	}
	if in.Version <= 0 {
		v := &fail.Validation{}
		v.Add("version", "required", "ErrFieldRequired")
		return 0, v.Err()
	}
	return in.Version, nil
}

func (h *agreementsAPI) propose(c *fiber.Ctx) error {
	ag, err := h.s.Propose(request.Ctx(c), c.Params("id"))
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) accept(c *fiber.Ctx) error {
	v, err := h.version(c)
	if err != nil {
		return err
	}
	ag, err := h.s.Accept(request.Ctx(c), c.Params("id"), v)
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) sign(c *fiber.Ctx) error {
	v, err := h.version(c)
	if err != nil {
		return err
	}
	ag, err := h.s.Sign(request.Ctx(c), c.Params("id"), v)
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) counter(c *fiber.Ctx) error {
	var in counterInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		v := &fail.Validation{}
		v.Add("version", "required", "ErrFieldRequired")
		return v.Err()
	}
	ag, err := h.s.Counter(request.Ctx(c), c.Params("id"), in.Version, &in.Terms)
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) amend(c *fiber.Ctx) error {
	var in agreement.Input
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	ag, err := h.s.Amend(request.Ctx(c), c.Params("id"), &in)
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) cancel(c *fiber.Ctx) error {
	ag, err := h.s.Cancel(request.Ctx(c), c.Params("id"))
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) complete(c *fiber.Ctx) error {
	ag, err := h.s.Complete(request.Ctx(c), c.Params("id"))
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) withdraw(c *fiber.Ctx) error {
	ag, err := h.s.Withdraw(request.Ctx(c), c.Params("id"))
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) reject(c *fiber.Ctx) error {
	ag, err := h.s.Reject(request.Ctx(c), c.Params("id"))
	return h.answer(c, ag, err)
}

func (h *agreementsAPI) diff(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	d, err := h.s.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	to, from := c.QueryInt("to", d.Agreement.Version), c.QueryInt("from", 0)
	if from == 0 {
		from = to - 1
	}
	if from < 1 || to < 1 || from > d.Agreement.Version || to > d.Agreement.Version {
		v := &fail.Validation{}
		v.Add("from", "range", "ErrFieldRange", "Min", 1, "Max", d.Agreement.Version)
		return v.Err()
	}
	ch, err := h.s.Diff(ctx, d.Agreement.ID, from, to)
	if err != nil {
		return err
	}
	return c.JSON(changeList{Items: ch})
}

func (h *agreementsAPI) verify(c *fiber.Ctx) error {
	v, err := h.s.Verify(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (h *agreementsAPI) pdf(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if err := h.s.PDF(request.Ctx(c), c.Params("id"), &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, pdfType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="avtale.pdf"`)
	return c.Send(buf.Bytes())
}

// Period reads from and to (YYYY-MM-DD) of an invoice basis; a missing or
// unreadable date is left zero, which the domain refuses by name.
func Period(from, to string, v *fail.Validation) (time.Time, time.Time) {
	parse := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			v.Add(field, "date", "ErrFieldInvalid")
		}
		return t
	}
	return parse("from", from), parse("to", to)
}

func (h *agreementsAPI) invoiceBasis(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := &fail.Validation{}
		from, to := Period(c.Query("from"), c.Query("to"), v)
		if err := v.Err(); err != nil {
			return err
		}
		if c.Query("from") == "" && c.Query("to") == "" { // this month
			from, to = agreement.Month(h.s.Now())
		}
		b, err := h.s.InvoiceBasis(request.Ctx(c), c.Params("id"), from, to)
		if err != nil {
			return err
		}
		data, typ, name, err := agreement.WriteBasis(b, format, httpx.Loc(c).Lang)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, typ)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
		c.Set("X-Invoice-Basis-Lines", strconv.Itoa(len(b.Lines)))
		return c.Send(data)
	}
}
