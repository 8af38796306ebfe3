package tests

import (
	"context"
	"net/url"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The agreements' rows of the authorization matrix (K6, K13). The targets
// are agreements between Fornebu Anlegg (Kari, org admin) and Sandvika Bygg
// (Ola, a member): a draft, a proposal, one accepted and awaiting
// signatures, one sealed after a counter-proposal; and a stored template.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: agreementAPIRows, ui: agreementUIRows, targets: agreementTargets})
}

// agreementActor is a fixture user acting in Bærum with the given
// organization roles at AAL2 (Ola signs as Sandvika's admin here; in the
// fixtures he is a member).
func agreementActor(e *apitest.Env, email string, orgs map[string]string, roles ...string) context.Context {
	t := e.Tenant("baerum")
	p := &auth.Principal{User: e.User(email), AAL: auth.AAL2, Orgs: orgs, Roles: append([]string{auth.RoleAnonymous, auth.RoleAuthenticated}, roles...)}
	return access.With(context.Background(), &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb", Principal: p, Rules: e.App.Roles})
}

// agreementInput is a complete set of terms between Fornebu and Sandvika.
// It draws on no listing: a sealed target must not change the status of the
// listings the other rows act on.
func agreementInput(e *apitest.Env, tonnes float64) *agreement.Input {
	return &agreement.Input{TemplateKey: "delivery", Locale: "nb", Title: "Sprengstein til Sandvika",
		Supplier: agreement.PartyInput{OrganizationID: e.OrgID("baerum", "fornebu-anlegg")}, Receiver: agreement.PartyInput{OrganizationID: e.OrgID("baerum", "sandvika-bygg")},
		Fractions: []string{"sprengstein"}, ConditionClass: 1,
		QuantityTonnes: tonnes, TolerancePct: 10, PriceNOK: 25, PriceUnit: "t", Payer: "receiver_pays", PeriodFrom: apitest.Day(-10), PeriodTo: apitest.Day(200),
		DeliveryPoint: "Sandviksveien 16, 1337 Sandvika", OpeningHours: "Man–fre 07–15", Transport: "supplier", QualityRequirements: "Ren sprengstein",
		VisualCheckEachLoad: true, SampleEveryNLoads: 50, RejectedLoad: "Avvises med bilde.", InvasiveSpecies: "Fri for fremmede arter."}
}

// agreementsIn makes the agreements of the matrix and the isolation suite
// in Bærum: draft, proposed, accepted, sealed.
func agreementsIn(e *apitest.Env) (draft, proposed, accepted, sealed string) {
	s := e.App.Agreements
	fornebu, sandvika := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "sandvika-bygg")
	kari := agreementActor(e, orgAdmin, map[string]string{fornebu: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	ola := agreementActor(e, member, map[string]string{sandvika: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	must := func(ag *agreement.Agreement, err error) *agreement.Agreement {
		if err != nil {
			e.T.Fatalf("agreement targets: %v", err)
		}
		return ag
	}
	draft = must(s.Create(kari, agreementInput(e, 100))).ID
	proposed = must(s.Create(kari, agreementInput(e, 200))).ID
	must(s.Propose(kari, proposed))
	accepted = must(s.Create(kari, agreementInput(e, 300))).ID
	must(s.Propose(kari, accepted))
	must(s.Accept(ola, accepted, 1))
	sealed = must(s.Create(kari, agreementInput(e, 400))).ID
	must(s.Propose(kari, sealed))
	must(s.Counter(ola, sealed, 1, agreementInput(e, 350)))
	must(s.Accept(kari, sealed, 2))
	must(s.Sign(kari, sealed, 2))
	must(s.Sign(ola, sealed, 2))
	return
}

func agreementAmending(e *apitest.Env) string {
	s := e.App.Agreements
	fornebu, sandvika := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "sandvika-bygg")
	kari := agreementActor(e, orgAdmin, map[string]string{fornebu: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	ola := agreementActor(e, member, map[string]string{sandvika: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	ag, err := s.Create(kari, agreementInput(e, 500))
	steps := []func() error{
		func() error { _, err := s.Propose(kari, ag.ID); return err },
		func() error { _, err := s.Accept(ola, ag.ID, 1); return err },
		func() error { _, err := s.Sign(kari, ag.ID, 1); return err },
		func() error { _, err := s.Sign(ola, ag.ID, 1); return err },
		func() error { _, err := s.Amend(kari, ag.ID, agreementInput(e, 450)); return err },
	}
	for _, st := range steps {
		if err == nil {
			err = st()
		}
	}
	if err != nil {
		e.T.Fatalf("agreement targets: %v", err)
	}
	return ag.ID
}

func agreementTemplate(e *apitest.Env) string {
	admin := agreementActor(e, tenantAdmin, map[string]string{}, auth.RoleTenantAdmin)
	t, err := e.App.Agreements.SaveTemplate(admin, "delivery", "nb", &agreement.TemplateInput{Title: "Regionens mal", Body: "Avtale {{number}} om {{quantity_tonnes}} tonn."})
	if err != nil {
		e.T.Fatal(err)
	}
	return t.ID
}

func agreementTargets(e *apitest.Env, tg map[string]string) {
	tg["adraft"], tg["agreement"], tg["aaccepted"], tg["asealed"] = agreementsIn(e)
	tg["template"] = agreementTemplate(e)
	// A sealed agreement with an amendment Kari (Fornebu) proposed: she
	// may withdraw it, Sandvika may reject it.
	tg["aamending"] = agreementAmending(e)
	tg["aamendingb"] = tg["aamending"]
	tg["sorg"] = e.OrgID("baerum", "sandvika-bygg")
}

func agreementAPIRows() []expectation {
	T := "/api/v1/tenants/baerum"
	create := map[string]any{"template_key": "delivery", "title": "M", "supplier": map[string]any{"organization_id": "{org}"}, "receiver": map[string]any{"organization_id": "{sorg}"},
		"listing_ids": []string{"{listing}"}, "fractions": []string{"sprengstein"}, "quantity_tonnes": 10, "tolerance_pct": 10, "price_nok": 25,
		"price_unit": "t", "payer": "receiver_pays", "period_from": apitest.Day(10), "period_to": apitest.Day(40), "delivery_point": "Sandvika", "transport": "supplier"}
	//                                                                      A U M T O S TA SA
	return []expectation{
		{"GET", T + "/agreements", nil, "ddoooooo"},
		{"GET", T + "/agreements/prefill", nil, "ddbbbddb"},
		// A member of either party (Fornebu's admin, Sandvika's member)
		// drafts it; nobody else.
		{"POST", T + "/agreements", create, "ddododdd"},
		{"GET", T + "/agreements/{agreement}", nil, "ddonoooo"},
		{"GET", T + "/agreements/{adraft}", nil, "ddnnonnn"}, // a draft is its author's side's alone
		{"PUT", T + "/agreements/{adraft}", map[string]any{"title": "Ny"}, "ddnnbddn"},
		{"POST", T + "/agreements/{adraft}/propose", nil, "ddnnoddn"},
		{"POST", T + "/agreements/{agreement}/accept", map[string]any{"version": 1}, "ddoncddd"},
		{"POST", T + "/agreements/{agreement}/counter", map[string]any{"version": 1, "terms": map[string]any{"title": "Mot"}}, "ddbncddd"},
		{"POST", T + "/agreements/{aaccepted}/sign", map[string]any{"version": 1}, "dddnoddd"},
		{"POST", T + "/agreements/{asealed}/amend", map[string]any{"title": "Tillegg"}, "ddbnbddd"},
		{"POST", T + "/agreements/{agreement}/cancel", nil, "ddonoddd"},
		// Once sealed, only a party's admin with a second factor cancels
		// or completes (Ola is Sandvika's member).
		{"POST", T + "/agreements/{asealed}/cancel", nil, "dddnoddd"},
		{"POST", T + "/agreements/{asealed}/complete", nil, "dddnoddd"},
		// A pending amendment: its proposer (Kari) withdraws it, the other
		// party (Sandvika) rejects it; an unsigned proposal is rejected.
		{"POST", T + "/agreements/{aamending}/withdraw", nil, "ddcnoddd"},
		{"POST", T + "/agreements/{aamending}/reject", nil, "ddoncddd"},
		{"POST", T + "/agreements/{agreement}/reject", nil, "ddoncddd"},
		{"GET", T + "/agreements/{asealed}/diff", nil, "ddonoooo"},
		{"GET", T + "/agreements/{asealed}/verify", nil, "ddonoooo"},
		{"GET", T + "/agreements/{asealed}/agreement.pdf", nil, "ddonoooo"},
		{"GET", T + "/agreements/{asealed}/invoice-basis.csv", nil, "ddonoodd"},
		{"GET", T + "/agreements/{asealed}/invoice-basis.xlsx", nil, "ddonoodd"},
		{"GET", T + "/agreements/{asealed}/invoice-basis.pdf", nil, "ddonoodd"},
		{"GET", T + "/agreements/{asealed}/invoice-basis.xml", nil, "ddonoodd"},
		{"GET", T + "/templates", nil, "ddddddoo"},
		{"POST", T + "/templates", map[string]any{"key": "delivery", "locale": "nb", "title": "M", "body": "Avtale {{number}}"}, "ddddddoo"},
		{"POST", T + "/templates/preview", map[string]any{"body": "Avtale {{number}}", "locale": "nb"}, "ddddddoo"},
		{"GET", T + "/templates/{template}", nil, "ddddddoo"},
	}
}

func agreementUIRows() []expectation {
	T := "/t/baerum"
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	create := form("template_key", "delivery", "title", "Sprengstein", "supplier.organization_id", "{org}", "receiver.organization_id", "{sorg}",
		"listing_ids", "{listing}", "fractions", "sprengstein", "quantity_tonnes", "1000", "tolerance_pct", "10", "price_nok", "25", "price_unit", "t",
		"payer", "receiver_pays", "period_from", apitest.Day(10), "period_to", apitest.Day(100), "delivery_point", "Sandvika", "transport", "supplier")
	//                                                                 A U M T O S TA SA
	return []expectation{
		{"GET", T + "/agreements", nil, "ddoooooo"},
		{"GET", T + "/agreements/new", nil, "ddoooddo"},
		{"POST", T + "/agreements/new", create, "ddododdd"},
		{"GET", T + "/agreements/{agreement}", nil, "ddonoooo"},
		{"GET", T + "/agreements/{adraft}/edit", nil, "ddnnoddn"},
		{"GET", T + "/agreements/{asealed}/edit", nil, "ddonoddc"},
		{"POST", T + "/agreements/{adraft}/edit", form("title", "Ny"), "ddnnbddn"},
		{"POST", T + "/agreements/{adraft}/propose", nil, "ddnnoddn"},
		{"POST", T + "/agreements/{agreement}/accept", nil, "ddoncddd"},
		{"POST", T + "/agreements/{aaccepted}/sign", form("version", "1"), "dddnoddd"},
		{"POST", T + "/agreements/{agreement}/cancel", nil, "ddonoddd"},
		{"POST", T + "/agreements/{asealed}/cancel", nil, "dddnoddd"},
		{"POST", T + "/agreements/{asealed}/complete", nil, "dddnoddd"},
		// Withdrawing and rejecting a pending amendment post to the cancel
		// route with the step named.
		{"POST", T + "/agreements/{aamending}/cancel", form("step", "withdraw"), "ddcnoddd"},
		{"POST", T + "/agreements/{aamendingb}/cancel", form("step", "reject"), "ddoncddd"},
		{"GET", T + "/agreements/{asealed}/agreement.pdf", nil, "ddonoooo"},
		{"GET", T + "/agreements/{asealed}/invoice-basis", nil, "ddonoodd"},
		{"GET", T + "/admin/templates", nil, "ddddddoo"},
		{"GET", T + "/admin/templates/{template}", nil, "ddddddoo"},
		{"POST", T + "/admin/templates/{template}", form("title", "Regionens mal", "body", "Avtale {{number}}", "action", "save"), "ddddddoo"},
	}
}
