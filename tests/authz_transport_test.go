package tests

import (
	"net/url"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// Transport booking and planned transports' rows of the authorization
// matrix (K7, K8). The targets: a sealed agreement Fornebu Anlegg (Kari,
// org admin) → Sandvika Bygg (Ola, a member) with both parties' sites; a
// pending request from Kari to Lysaker Transport (Lars, the transporter);
// an active order Lars accepted; a plan Lars registered. Sandvika has an
// approved truck of its own, so Ola may make an order directly.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: transportAPIRows, ui: transportUIRows, targets: transportTargets})
}

// transportSealed makes a sealed agreement Fornebu → Sandvika with both
// parties' sites (the matrix and the isolation suite).
func transportSealed(e *apitest.Env) string {
	s := e.App.Agreements
	fornebu, sandvika := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "sandvika-bygg")
	kari := agreementActor(e, orgAdmin, map[string]string{fornebu: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	ola := agreementActor(e, member, map[string]string{sandvika: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	in := agreementInput(e, 600)
	// Not the matrix's {site} (the first of Fornebu's), whose deletion the
	// sites' rows test: an agreement in force keeps its sites.
	in.Supplier.SiteID = e.FirstID("baerum", "sites", "organization_id = ? AND id <> ?", fornebu, e.FirstID("baerum", "sites", "organization_id = ?", fornebu))
	in.Receiver.SiteID = e.FirstID("baerum", "sites", "organization_id = ?", sandvika)
	ag, err := s.Create(kari, in)
	steps := []func() (*agreement.Agreement, error){
		func() (*agreement.Agreement, error) { return s.Propose(kari, ag.ID) },
		func() (*agreement.Agreement, error) { return s.Accept(ola, ag.ID, 1) },
		func() (*agreement.Agreement, error) { return s.Sign(kari, ag.ID, 1) },
		func() (*agreement.Agreement, error) { return s.Sign(ola, ag.ID, 1) },
	}
	for _, st := range steps {
		if err == nil {
			_, err = st()
		}
	}
	if err != nil {
		e.T.Fatalf("transport targets: %v", err)
	}
	return ag.ID
}

// transportWorld makes the targets: the agreement, a pending request, an
// active order and a plan.
func transportWorld(e *apitest.Env) (ag, request, order, plan string) {
	t := e.App.Transport
	fornebu, lysaker := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "lysaker-transport")
	kari := agreementActor(e, orgAdmin, map[string]string{fornebu: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	lars := agreementActor(e, transporter, map[string]string{lysaker: "admin"}, auth.RoleMember, auth.RoleOrgAdmin, auth.RoleTransporter)
	ag = transportSealed(e)
	in := transport.RequestInput{TransporterOrgID: lysaker, SpecInput: transport.SpecInput{DateFrom: apitest.Day(5), DateTo: apitest.Day(30), LoadsPerDay: 6}}
	r1, err := t.Request(kari, ag, in)
	if err != nil {
		e.T.Fatalf("transport targets: %v", err)
	}
	r2, err := t.Request(kari, ag, in)
	if err == nil {
		r2, err = t.Answer(lars, r2.ID, transport.AnswerInput{Answer: transport.AnswerAccept})
	}
	if err != nil {
		e.T.Fatalf("transport targets: %v", err)
	}
	p, err := t.CreatePlan(lars, transport.ScheduleInput{FromSiteID: e.FirstID("baerum", "sites", "name = ?", "Vestmarka pukkverk"), ToName: "Lysaker brygge", ToLat: 59.9133, ToLon: 10.642,
		Fraction: "pukk", Tonnes: 3000, DateFrom: apitest.Day(1), DateTo: apitest.Day(40), LoadsPerDay: 4})
	if err != nil {
		e.T.Fatalf("transport targets: %v", err)
	}
	return ag, r1.ID, *r2.OrderID, p.ID
}

func transportTargets(e *apitest.Env, tg map[string]string) {
	tg["tagreement"], tg["trequest"], tg["torder"], tg["tplan"] = transportWorld(e)
	tg["lysaker"] = e.OrgID("baerum", "lysaker-transport")
	sandvika := e.OrgID("baerum", "sandvika-bygg")
	tg["sandvika"] = sandvika
	err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
		return tx.Create(&directory.Vehicle{ID: store.NewID(), OrganizationID: sandvika, Registration: "EL55667", BodyType: "tipper_3axle", EuroClass: "zero_emission",
			Fuel: "electric", PayloadTonnes: 15, PayloadM3: 9, Status: directory.StatusApproved, CreatedAt: apitest.Now(), UpdatedAt: apitest.Now()}).Error
	})
	if err != nil {
		e.T.Fatal(err)
	}
}

func transportAPIRows() []expectation {
	T := "/api/v1/tenants/baerum"
	req := map[string]any{"transporter_org_id": "{lysaker}", "date_from": apitest.Day(5), "date_to": apitest.Day(20), "loads_per_day": 4}
	direct := map[string]any{"transporter_org_id": "{sandvika}", "date_from": apitest.Day(5), "date_to": apitest.Day(20), "tonnes_per_day": 100}
	plan := map[string]any{"from_site_id": "{site}", "to_name": "Lysaker brygge", "to_lat": 59.9133, "to_lon": 10.642, "fraction": "pukk", "tonnes": 100,
		"date_from": apitest.Day(1), "date_to": apitest.Day(10), "loads_per_day": 2}
	//                                                                      A U M T O S TA SA
	return []expectation{
		{"GET", T + "/agreements/{tagreement}/transport", nil, "ddonoddd"},
		{"POST", T + "/agreements/{tagreement}/transport-requests", req, "ddonoddd"},
		{"POST", T + "/agreements/{tagreement}/transport-orders", direct, "ddonbddd"},
		{"GET", T + "/transport/requests", nil, "ddoooooo"},
		{"GET", T + "/transport/requests/{trequest}", nil, "ddnooooo"},
		{"POST", T + "/transport/requests/{trequest}/answer", map[string]any{"answer": "accept"}, "ddnodddd"},
		{"POST", T + "/transport/requests/{trequest}/withdraw", nil, "ddndoddd"},
		{"GET", T + "/transport/orders", nil, "ddoooooo"},
		{"GET", T + "/transport/orders/{torder}", nil, "ddoooooo"},
		{"POST", T + "/transport/orders/{torder}/cancel", map[string]any{"cancel_reason": "Utsatt"}, "ddoooddd"},
		{"GET", T + "/transport/planned", nil, "ddoooooo"},
		{"POST", T + "/transport/planned", plan, "ddoooddd"},
		{"GET", T + "/transport/planned/{tplan}", nil, "ddoooooo"},
		{"POST", T + "/transport/planned/{tplan}/withdraw", nil, "dddodddd"},
		{"GET", T + "/transport/corridors", nil, "oooooooo"},
		{"GET", "/widgets/v1/data/baerum/transport", nil, "oooooooo"},
	}
}

func transportUIRows() []expectation {
	T := "/t/baerum"
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	req := form("transporter_org_id", "{lysaker}", "date_from", apitest.Day(5), "date_to", apitest.Day(20), "loads_per_day", "4")
	direct := form("transporter_org_id", "{sandvika}", "date_from", apitest.Day(5), "date_to", apitest.Day(20), "tonnes_per_day", "100")
	plan := form("from_site_id", "{site}", "to_name", "Lysaker brygge", "to_lat", "59.9133", "to_lon", "10.642", "fraction", "pukk", "tonnes", "100",
		"date_from", apitest.Day(1), "date_to", apitest.Day(10), "loads_per_day", "2")
	//                                                                      A U M T O S TA SA
	return []expectation{
		{"GET", T + "/transport", nil, "oooooooo"}, // the public and those without transport:read see the anonymised aggregate
		{"GET", T + "/agreements/{tagreement}/transport", nil, "ddonoddd"},
		{"POST", T + "/agreements/{tagreement}/transport-requests", req, "ddonoddd"},
		{"POST", T + "/agreements/{tagreement}/transport-orders", direct, "ddonbddd"},
		{"GET", T + "/transport/requests/{trequest}", nil, "ddnooooo"},
		{"POST", T + "/transport/requests/{trequest}/answer", form("answer", "accept"), "ddnodddd"},
		{"POST", T + "/transport/requests/{trequest}/withdraw", nil, "ddndoddd"},
		{"GET", T + "/transport/orders/{torder}", nil, "ddoooooo"},
		{"POST", T + "/transport/orders/{torder}/cancel", form("cancel_reason", "Utsatt"), "ddoooddd"},
		{"GET", T + "/transport/planned/new", nil, "ddoooddo"},
		{"POST", T + "/transport/planned", plan, "ddoooddd"},
		{"POST", T + "/transport/planned/{tplan}/withdraw", nil, "dddodddd"},
	}
}
