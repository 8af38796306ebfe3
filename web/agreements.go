package web

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// The agreements' pages (K6): my agreements, a new one from a listing or a
// match, the agreement with its terms, changes, signatures and timeline, the
// form for a draft, a counter-proposal or an amendment, and the region's
// contract templates for its admins.

// AgreementList feeds the list page.
type AgreementList struct {
	Items      []agreement.Agreement
	Status     string
	Awaiting   bool
	Statuses   []string
	NextCursor string
}

func (u *UI) agreementList(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, agreement.Bounds)
	if err != nil {
		return err
	}
	d := &AgreementList{Status: c.Query("status"), Awaiting: c.Query("awaiting") == "1", Statuses: agreement.Statuses}
	p, err := u.A.Agreements.List(request.Ctx(c), agreement.Filter{Status: d.Status, Awaiting: d.Awaiting, ListingID: c.Query("listing"), Page: pr})
	if err != nil {
		return err
	}
	d.Items, d.NextCursor = p.Items, p.NextCursor
	return u.render(c, "agreements", u.page(c, httpx.Loc(c).T("AgreementsTitle"), d))
}

// AgreementForm feeds the form of a new agreement, a draft, a
// counter-proposal or an amendment.
type AgreementForm struct {
	Mode       string // new, draft, counter, amend
	Agreement  *agreement.Agreement
	Orgs       []directory.Organization
	Sites      []directory.Site
	Fractions  []string
	Picked     []string
	Listings   []string
	Keys       []string
	States     []string
	Units      []string
	Payers     []string
	Transports []string
}

func (u *UI) agreementFormData(c *fiber.Ctx, mode string, ag *agreement.Agreement, in *agreement.Input) (*AgreementForm, error) {
	ctx := request.Ctx(c)
	f := &AgreementForm{Mode: mode, Agreement: ag, Fractions: fraction.Codes(), Keys: agreement.TemplateKeys, States: agreement.VolumeStates,
		Units: agreement.PriceUnits, Payers: agreement.Payers, Transports: agreement.Transports, Picked: in.Fractions, Listings: in.ListingIDs}
	orgs, err := u.A.Directory.ListOrgs(ctx, directory.OrgFilter{Page: page.Request{Limit: 200}})
	if err != nil {
		return nil, err
	}
	f.Orgs = orgs.Items
	for _, id := range []string{in.Supplier.OrganizationID, in.Receiver.OrganizationID} {
		if id == "" {
			continue
		}
		sites, err := u.A.Directory.ListSites(ctx, directory.SiteFilter{OrganizationID: id, Page: page.Request{Limit: 200}})
		if err == nil {
			f.Sites = append(f.Sites, sites.Items...)
		}
	}
	return f, nil
}

// formOf writes terms into the form's fields.
func formOf(p *Page, in *agreement.Input) {
	num := func(f float64) string {
		if f == 0 {
			return ""
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	for k, v := range map[string]string{
		"template_key": in.TemplateKey, "title": in.Title, "dialog_id": in.DialogID, "match_id": in.MatchID,
		"supplier.organization_id": in.Supplier.OrganizationID, "supplier.site_id": in.Supplier.SiteID,
		"receiver.organization_id": in.Receiver.OrganizationID, "receiver.site_id": in.Receiver.SiteID,
		"condition_class": strconv.Itoa(in.ConditionClass), "quantity_tonnes": num(in.QuantityTonnes), "quantity_m3": num(in.QuantityM3),
		"volume_state": in.VolumeState, "density": num(in.Density), "tolerance_pct": num(in.TolerancePct), "price_nok": num(in.PriceNOK),
		"price_unit": in.PriceUnit, "payer": in.Payer, "period_from": in.PeriodFrom, "period_to": in.PeriodTo,
		"delivery_point": in.DeliveryPoint, "opening_hours": in.OpeningHours, "transport": in.Transport, "transporter": in.Transporter,
		"quality_requirements": in.QualityRequirements, "sample_every_n_loads": strconv.Itoa(in.SampleEveryNLoads),
		"rejected_load": in.RejectedLoad, "invasive_species": in.InvasiveSpecies, "free_text": in.FreeText,
	} {
		p.Form[k] = v
	}
	if in.VisualCheckEachLoad {
		p.Form["visual_check_each_load"] = "on"
	}
}

// inputOf reads the form into terms.
func inputOf(c *fiber.Ctx, v *fail.Validation) *agreement.Input {
	f := func(key string) float64 {
		if p := optFloat(c, key, v); p != nil {
			return *p
		}
		return 0
	}
	i := func(key string) int {
		s := strings.TrimSpace(c.FormValue(key))
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			v.Add(key, "type", "ErrFieldType", "Expected", "integer")
		}
		return n
	}
	return &agreement.Input{TemplateKey: c.FormValue("template_key"), Locale: httpx.Loc(c).Lang, DialogID: c.FormValue("dialog_id"), MatchID: c.FormValue("match_id"),
		Title:      c.FormValue("title"),
		Supplier:   agreement.PartyInput{OrganizationID: c.FormValue("supplier.organization_id"), SiteID: c.FormValue("supplier.site_id")},
		Receiver:   agreement.PartyInput{OrganizationID: c.FormValue("receiver.organization_id"), SiteID: c.FormValue("receiver.site_id")},
		ListingIDs: multi(c, "listing_ids"), Fractions: multi(c, "fractions"), ConditionClass: i("condition_class"),
		QuantityTonnes: f("quantity_tonnes"), QuantityM3: f("quantity_m3"), VolumeState: c.FormValue("volume_state"), Density: f("density"),
		TolerancePct: f("tolerance_pct"), PriceNOK: f("price_nok"), PriceUnit: c.FormValue("price_unit"), Payer: c.FormValue("payer"),
		PeriodFrom: c.FormValue("period_from"), PeriodTo: c.FormValue("period_to"), DeliveryPoint: c.FormValue("delivery_point"),
		OpeningHours: c.FormValue("opening_hours"), Transport: c.FormValue("transport"), Transporter: c.FormValue("transporter"),
		QualityRequirements: c.FormValue("quality_requirements"), VisualCheckEachLoad: c.FormValue("visual_check_each_load") == "on",
		SampleEveryNLoads: i("sample_every_n_loads"), RejectedLoad: c.FormValue("rejected_load"), InvasiveSpecies: c.FormValue("invasive_species"),
		FreeText: c.FormValue("free_text")}
}

func (u *UI) agreementNew(c *fiber.Ctx) error {
	in := &agreement.Input{TemplateKey: "delivery", TolerancePct: 10, VisualCheckEachLoad: true, SampleEveryNLoads: 50, PriceUnit: "t", Payer: "receiver_pays", Transport: "supplier"}
	if l := c.Query("listing"); l != "" {
		var err error
		in, err = u.A.Agreements.NewInput(request.Ctx(c), agreement.Start{ListingID: l, CounterpartID: c.Query("counterpart"), DialogID: c.Query("dialog"), MatchID: c.Query("match")})
		if err != nil {
			return err
		}
	}
	for id := range request.Principal(c).Orgs { // my organization as a party when the listing did not name it
		if in.Supplier.OrganizationID == "" && in.Receiver.OrganizationID != id {
			in.Supplier.OrganizationID = id
		} else if in.Receiver.OrganizationID == "" && in.Supplier.OrganizationID != id {
			in.Receiver.OrganizationID = id
		}
		break
	}
	f, err := u.agreementFormData(c, "new", nil, in)
	if err != nil {
		return err
	}
	p := u.page(c, httpx.Loc(c).T("AgreementNew"), f)
	formOf(p, in)
	return u.render(c, "agreement_form", p)
}

func (u *UI) agreementCreate(c *fiber.Ctx) error {
	v := &fail.Validation{}
	in := inputOf(c, v)
	var ag *agreement.Agreement
	err := v.Err()
	if err == nil {
		ag, err = u.A.Agreements.Create(request.Ctx(c), in)
	}
	if err != nil {
		return u.agreementFormFailed(c, "new", nil, in, err)
	}
	return saved(c, "/agreements/"+ag.ID)
}

func (u *UI) agreementFormFailed(c *fiber.Ctx, mode string, ag *agreement.Agreement, in *agreement.Input, err error) error {
	f, ferr := u.agreementFormData(c, mode, ag, in)
	if ferr != nil {
		return ferr
	}
	p := u.page(c, httpx.Loc(c).T("AgreementNew"), f)
	return u.formFailed(c, "agreement_form", p, err)
}

// AgreementPage feeds the agreement's page.
type AgreementPage struct {
	*agreement.Detail
	Changes      []agreement.Change
	ChangesFrom  int
	Verification *agreement.Verification
	Month        string
	Supplier     string
	Receiver     string
	// ListingTitles names the listings the agreement draws on, those the
	// reader may see.
	ListingTitles map[string]string
	// Loads is the tally of the agreement's tracked loads (web/loads.go),
	// for those who see them; nil before it is sealed.
	Loads *LoadTally
}

func (u *UI) agreementShow(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	d, err := u.A.Agreements.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	ap := &AgreementPage{Detail: d, Month: numfmt.Local(u.A.Agreements.Now()).Format("2006-01"), Supplier: d.Agreement.SupplierName, Receiver: d.Agreement.ReceiverName}
	if v := d.Agreement.Version; v > 1 {
		ap.ChangesFrom = v - 1
		if ap.Changes, err = u.A.Agreements.Diff(ctx, d.Agreement.ID, v-1, v); err != nil {
			return err
		}
	}
	if d.Agreement.SealedVersion > 0 {
		if ap.Verification, err = u.A.Agreements.Verify(ctx, d.Agreement.ID); err != nil {
			return err
		}
	}
	if d.Agreement.SealedVersion > 0 {
		ap.Loads = u.loadTally(ctx, d.Agreement.ID, d.Terms.QuantityTonnes)
	}
	ap.ListingTitles = map[string]string{}
	for _, id := range d.Terms.ListingIDs {
		if l, err := u.A.Market.Get(ctx, id); err == nil {
			ap.ListingTitles[id] = l.Title
		}
	}
	return u.render(c, "agreement", u.page(c, d.Agreement.Number, ap))
}

func (u *UI) agreementEdit(c *fiber.Ctx) error {
	d, err := u.A.Agreements.Get(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	mode := editMode(d)
	if mode == "" {
		return fail.ConflictErr("ErrAgreementNotDraft")
	}
	in := agreement.InputOf(d.Agreement, d.Terms)
	f, err := u.agreementFormData(c, mode, d.Agreement, &in)
	if err != nil {
		return err
	}
	p := u.page(c, d.Agreement.Number, f)
	formOf(p, &in)
	p.Form["version"] = strconv.Itoa(d.Agreement.Version)
	return u.render(c, "agreement_form", p)
}

// editMode is what the form does to the agreement for the caller: edit a
// draft, counter-propose, or propose an amendment.
func editMode(d *agreement.Detail) string {
	switch {
	case d.Can.Edit:
		return "draft"
	case d.Can.Counter:
		return "counter"
	case d.Can.Amend:
		return "amend"
	}
	return ""
}

func (u *UI) agreementUpdate(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	d, err := u.A.Agreements.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	v := &fail.Validation{}
	in := inputOf(c, v)
	version, _ := strconv.Atoi(c.FormValue("version"))
	mode := editMode(d)
	if err = v.Err(); err == nil {
		switch mode {
		case "draft":
			_, err = u.A.Agreements.Update(ctx, d.Agreement.ID, in)
		case "counter":
			_, err = u.A.Agreements.Counter(ctx, d.Agreement.ID, version, in)
		case "amend":
			_, err = u.A.Agreements.Amend(ctx, d.Agreement.ID, in)
		default:
			err = fail.ConflictErr("ErrAgreementNotDraft")
		}
	}
	if err != nil {
		if mode == "" {
			return err
		}
		return u.agreementFormFailed(c, mode, d.Agreement, in, err)
	}
	return saved(c, "/agreements/"+d.Agreement.ID)
}

// agreementStep runs one step from the agreement's page; a refusal is shown
// on the page.
func (u *UI) agreementStep(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := request.Ctx(c)
		id := c.Params("id")
		version, _ := strconv.Atoi(c.FormValue("version"))
		s := u.A.Agreements
		var err error
		do := step
		if step == "cancel" {
			// Withdrawing or rejecting a pending amendment posts to the
			// cancel route with the step named (the route table is shared).
			if w := c.FormValue("step"); w == "withdraw" || w == "reject" {
				do = w
			}
		}
		switch do {
		case "propose":
			_, err = s.Propose(ctx, id)
		case "accept":
			_, err = s.Accept(ctx, id, version)
		case "sign":
			_, err = s.Sign(ctx, id, version)
		case "cancel":
			_, err = s.Cancel(ctx, id)
		case "complete":
			_, err = s.Complete(ctx, id)
		case "withdraw":
			_, err = s.Withdraw(ctx, id)
		case "reject":
			_, err = s.Reject(ctx, id)
		}
		if err == nil {
			return saved(c, "/agreements/"+id)
		}
		e := httpx.AsError(err)
		if e.Status == 404 || e.Status >= 500 {
			return err
		}
		d, gerr := s.Get(ctx, id)
		if gerr != nil {
			return err
		}
		p := u.page(c, d.Agreement.Number, &AgreementPage{Detail: d, Month: numfmt.Local(s.Now()).Format("2006-01"), Supplier: d.Agreement.SupplierName, Receiver: d.Agreement.ReceiverName})
		if ferr := formErrors(p, err); ferr != nil {
			return ferr
		}
		c.Status(e.Status)
		return u.render(c, "agreement", p)
	}
}

func (u *UI) agreementPDF(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if err := u.A.Agreements.PDF(request.Ctx(c), c.Params("id"), &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="avtale.pdf"`)
	return c.Send(buf.Bytes())
}

// agreementBasis downloads the invoice basis of a month (?month=2026-12)
// in a format (?format=csv, xlsx, pdf or xml).
func (u *UI) agreementBasis(c *fiber.Ctx) error {
	format := c.Query("format", "pdf")
	if format != "csv" && format != "xlsx" && format != "pdf" && format != "xml" {
		v := &fail.Validation{}
		v.Add("format", "enum", "ErrFieldEnum", "Allowed", "csv, xlsx, pdf, xml")
		return v.Err()
	}
	from, to := agreement.Month(u.A.Agreements.Now())
	if m := c.Query("month"); m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			v := &fail.Validation{}
			v.Add("month", "date", "ErrFieldInvalid")
			return v.Err()
		}
		from, to = agreement.Month(t)
	}
	b, err := u.A.Agreements.InvoiceBasis(request.Ctx(c), c.Params("id"), from, to)
	if err != nil {
		return err
	}
	data, typ, name, err := agreement.WriteBasis(b, format, httpx.Loc(c).Lang)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, typ)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(data)
}

// TemplatePage feeds the contract template pages.
type TemplatePage struct {
	Items    []agreement.Template
	Template *agreement.Template
	Versions []agreement.Template
	Preview  string
	Fields   []string
}

func (u *UI) templateList(c *fiber.Ctx) error {
	ts, err := u.A.Agreements.Templates(request.Ctx(c))
	if err != nil {
		return err
	}
	return u.render(c, "contract_templates", u.page(c, httpx.Loc(c).T("TemplatesTitle"), &TemplatePage{Items: ts}))
}

func (u *UI) templatePage(c *fiber.Ctx, t *agreement.Template) (*Page, error) {
	ctx := request.Ctx(c)
	vs, err := u.A.Agreements.TemplateVersions(ctx, t.Key, t.Locale)
	if err != nil {
		return nil, err
	}
	var fields []string
	for f := range agreement.TemplateFields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	return u.page(c, t.Title, &TemplatePage{Template: t, Versions: vs, Fields: fields}), nil
}

func (u *UI) templateEdit(c *fiber.Ctx) error {
	t, err := u.A.Agreements.TemplateByID(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	p, err := u.templatePage(c, t)
	if err != nil {
		return err
	}
	p.Form["title"], p.Form["body"] = t.Title, t.Body
	p.Data.(*TemplatePage).Preview = agreement.Preview(t.Body, t.Locale)
	return u.render(c, "contract_template", p)
}

// templateSave previews a text (button "preview") or stores it as a new
// version and opens it.
func (u *UI) templateSave(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	t, err := u.A.Agreements.TemplateByID(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	if c.FormValue("action") == "preview" {
		p, err := u.templatePage(c, t)
		if err != nil {
			return err
		}
		keepForm(c, p)
		p.Data.(*TemplatePage).Preview = agreement.Preview(c.FormValue("body"), t.Locale)
		return u.render(c, "contract_template", p)
	}
	nt, err := u.A.Agreements.SaveTemplate(ctx, t.Key, t.Locale, &agreement.TemplateInput{Title: c.FormValue("title"), Body: c.FormValue("body")})
	if err != nil {
		p, perr := u.templatePage(c, t)
		if perr != nil {
			return perr
		}
		return u.formFailed(c, "contract_template", p, err)
	}
	return saved(c, "/admin/templates/"+nt.ID)
}

// MineAgreements is the "Mitt" page's share of agreements: those waiting
// for my organization (an answer or a signature), and the others under way.
type MineAgreements struct {
	Awaiting, InProgress []agreement.Agreement
}

func (u *UI) mineAgreements(c *fiber.Ctx) (*MineAgreements, error) {
	if len(request.Principal(c).Orgs) == 0 {
		return nil, nil
	}
	ctx := request.Ctx(c)
	m := &MineAgreements{}
	aw, err := u.A.Agreements.List(ctx, agreement.Filter{Awaiting: true, Mine: true, Page: page.Request{Limit: 20}})
	if err != nil {
		return nil, err
	}
	m.Awaiting = aw.Items
	waiting := map[string]bool{}
	for _, a := range aw.Items {
		waiting[a.ID] = true
	}
	for _, st := range []agreement.Status{agreement.StatusDraft, agreement.StatusProposed, agreement.StatusAccepted} {
		p, err := u.A.Agreements.List(ctx, agreement.Filter{Status: string(st), Mine: true, Page: page.Request{Limit: 20}})
		if err != nil {
			return nil, err
		}
		for _, a := range p.Items {
			if !waiting[a.ID] {
				m.InProgress = append(m.InProgress, a)
			}
		}
	}
	return m, nil
}
