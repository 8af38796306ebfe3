// Package haultest sets up tracked loads in the fixture region for tests:
// a sealed agreement between Fornebu Anlegg (supplier, Kari) and Sandvika
// Bygg (receiver, Ola), a transport order for Lysaker Transport (Lars, the
// driver), and the actors of the protocol. The orders are an in-test
// haul.Orders (Static) until core/transport's are used.
package haultest

import (
	"context"
	"sync"
	"time"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// Static is a fixed set of orders; the actor sees those of its
// organizations (and supervisors and tenant admins all).
type Static struct {
	mu     sync.Mutex
	orders map[string]haul.Order
}

var _ haul.Orders = (*Static)(nil)

// Add adds an order.
func (s *Static) Add(o haul.Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.orders == nil {
		s.orders = map[string]haul.Order{}
	}
	s.orders[o.ID] = o
}

// Order is one order the actor may see.
func (s *Static) Order(ctx context.Context, id string) (*haul.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	a := access.From(ctx)
	p := a.Principal
	if !ok || !(a.IsAdmin() || p.Has(auth.RoleSupervisor) || p.Orgs[o.TransporterOrgID] != "" || p.Orgs[o.SupplierOrgID] != "" || p.Orgs[o.ReceiverOrgID] != "") {
		return nil, fail.NotFoundErr()
	}
	return &o, nil
}

// OpenOrders are the active orders of an organization.
func (s *Static) OpenOrders(_ context.Context, orgID string) ([]haul.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []haul.Order{}
	for _, o := range s.orders {
		if o.Status == "active" && (o.TransporterOrgID == orgID || o.SupplierOrgID == orgID || o.ReceiverOrgID == orgID) {
			out = append(out, o)
		}
	}
	return out, nil
}

// World is the protocol's cast in Bærum.
type World struct {
	E                                   *apitest.Env
	S                                   *haul.Service
	Orders                              *Static
	Lars, Kari, Ola, Supervisor, Admin  context.Context
	OtherDriver                         context.Context // a transporter-role member of another company (Sandvika)
	Fornebu, Sandvika, Lysaker          string
	FornebuSite, SandvikaSite           string
	Vehicle, PendingVehicle, OtherTruck string
	Agreement                           *agreement.Agreement
	Order                               haul.Order
}

// Actor is a fixture user acting in Bærum with organization roles, at AAL2.
func Actor(e *apitest.Env, email string, orgs map[string]string, roles ...string) context.Context {
	t := e.Tenant("baerum")
	p := &auth.Principal{User: e.User(email), AAL: auth.AAL2, Orgs: orgs, Roles: append([]string{auth.RoleAnonymous, auth.RoleAuthenticated}, roles...)}
	return access.With(context.Background(), &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb", Principal: p, Rules: e.App.Roles})
}

// New sets up the world on e: the app's haul service reads orders from
// the world's Static orders.
func New(e *apitest.Env) *World {
	w := &World{E: e, Orders: &Static{}, Fornebu: e.OrgID("baerum", "fornebu-anlegg"), Sandvika: e.OrgID("baerum", "sandvika-bygg"), Lysaker: e.OrgID("baerum", "lysaker-transport")}
	w.S = e.App.Haul
	w.S.Orders = w.Orders
	w.Lars = Actor(e, apitest.Transporter, map[string]string{w.Lysaker: "admin"}, auth.RoleMember, auth.RoleOrgAdmin, auth.RoleTransporter)
	w.Kari = Actor(e, apitest.OrgAdmin, map[string]string{w.Fornebu: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	w.Ola = Actor(e, apitest.Member, map[string]string{w.Sandvika: "member"}, auth.RoleMember)
	w.Supervisor = Actor(e, apitest.Supervisor, map[string]string{}, auth.RoleSupervisor)
	w.Admin = Actor(e, apitest.TenantAdmin, map[string]string{}, auth.RoleTenantAdmin)
	w.OtherDriver = Actor(e, apitest.Member, map[string]string{w.Sandvika: "member"}, auth.RoleMember, auth.RoleTransporter)
	// Not the site the authorization matrix deletes (Fornebu's first).
	w.FornebuSite = e.FirstID("baerum", "sites", "name = ?", "E18 Vestkorridoren, Ramstadsletta–Nesbru")
	w.SandvikaSite = e.FirstID("baerum", "sites", "name = ?", "Nye Sandvika sentrum, byggetrinn 2")
	w.Vehicle = e.FirstID("baerum", "vehicles", "registration = ?", "EB12345")
	w.PendingVehicle = e.FirstID("baerum", "vehicles", "registration = ?", "EB45678")
	w.OtherTruck = e.FirstID("trondelag", "vehicles", "registration = ?", "ZT11223")
	w.Agreement, w.Order = w.Sealed(400, 10, 50)
	return w
}

// Must fails the test on err.
func (w *World) Must(err error) {
	w.E.T.Helper()
	if err != nil {
		w.E.T.Fatal(err)
	}
}

// Sealed makes a sealed agreement of tonnes (tolerance and sampling rule
// as given) with an active order for Lysaker Transport.
func (w *World) Sealed(tonnes, tolerance float64, sampleEvery int) (*agreement.Agreement, haul.Order) {
	e := w.E
	s := e.App.Agreements
	kari := Actor(e, apitest.OrgAdmin, map[string]string{w.Fornebu: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	ola := Actor(e, apitest.Member, map[string]string{w.Sandvika: "admin"}, auth.RoleMember, auth.RoleOrgAdmin)
	in := &agreement.Input{TemplateKey: "delivery", Locale: "nb", Title: "Sprengstein til Sandvika",
		Supplier: agreement.PartyInput{OrganizationID: w.Fornebu, SiteID: w.FornebuSite}, Receiver: agreement.PartyInput{OrganizationID: w.Sandvika, SiteID: w.SandvikaSite},
		Fractions: []string{"sprengstein"}, ConditionClass: 1, QuantityTonnes: tonnes, TolerancePct: tolerance, PriceNOK: 25, PriceUnit: "t", Payer: "receiver_pays",
		PeriodFrom: apitest.Day(-10), PeriodTo: apitest.Day(200), DeliveryPoint: "Sandviksveien 16, 1337 Sandvika", OpeningHours: "Man–fre 07–15",
		Transport: "third_party", Transporter: "Lysaker Transport", QualityRequirements: "Ren sprengstein", VisualCheckEachLoad: true, SampleEveryNLoads: sampleEvery,
		RejectedLoad: "Avvises med bilde.", InvasiveSpecies: "Fri for fremmede arter."}
	ag, err := s.Create(kari, in)
	w.Must(err)
	_, err = s.Propose(kari, ag.ID)
	w.Must(err)
	_, err = s.Accept(ola, ag.ID, 1)
	w.Must(err)
	_, err = s.Sign(kari, ag.ID, 1)
	w.Must(err)
	ag, err = s.Sign(ola, ag.ID, 1)
	w.Must(err)
	now := apitest.Now()
	o := haul.Order{ID: store.NewID(), AgreementID: ag.ID, TransporterOrgID: w.Lysaker, SupplierOrgID: w.Fornebu, ReceiverOrgID: w.Sandvika,
		PickupSiteID: w.FornebuSite, DeliverySiteID: w.SandvikaSite, Fraction: "sprengstein", Status: "active",
		From: now.AddDate(0, 0, -10), To: now.AddDate(0, 0, 200), LoadsPerDay: 20, TonnesPerDay: 360}
	w.Orders.Add(o)
	return ag, o
}

// Depart departs a load of the order with the approved truck.
func (w *World) Depart(o haul.Order, tonnes float64) *haul.Load {
	w.E.T.Helper()
	l, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: o.ID, VehicleID: w.Vehicle, EstTonnes: tonnes})
	w.Must(err)
	return l
}

// OnTheRoad departs and releases a load (Kari releases it).
func (w *World) OnTheRoad(o haul.Order, tonnes float64) *haul.Load {
	w.E.T.Helper()
	l := w.Depart(o, tonnes)
	_, err := w.S.Release(w.Kari, haul.ReleaseInput{Code: l.ReleaseCode})
	w.Must(err)
	return l
}

// Received takes a load through to an accepted receipt at weight tonnes.
func (w *World) Received(o haul.Order, tonnes float64) *haul.Load {
	w.E.T.Helper()
	l := w.OnTheRoad(o, tonnes)
	r, err := w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: tonnes, Result: haul.ResultAccepted})
	w.Must(err)
	r.Code = l.Code
	return r
}

// Ago is a device time d before the harness clock, as the app sends it.
func Ago(d time.Duration) string { return apitest.Now().Add(-d).Format(time.RFC3339) }

// TransportOrder makes a real transport order (core/transport) on a sealed
// agreement: Kari (Fornebu) asks Lysaker Transport, Lars accepts. It
// returns the order's ID.
func (w *World) TransportOrder(ag *agreement.Agreement) string {
	w.E.T.Helper()
	e := w.E
	req, err := e.App.Transport.Request(w.Kari, ag.ID, transport.RequestInput{TransporterOrgID: w.Lysaker,
		SpecInput: transport.SpecInput{DateFrom: apitest.Day(-5), DateTo: apitest.Day(100), LoadsPerDay: 20}})
	w.Must(err)
	_, err = e.App.Transport.Answer(w.Lars, req.ID, transport.AnswerInput{Answer: "accept"})
	w.Must(err)
	return e.FirstID("baerum", "transport_orders", "agreement_id = ?", ag.ID)
}
