package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/plugins/esign/simple"
	"github.com/masseflyt/masseflyt/tenants"
)

// The demo's history (issue 14): four agreements signed in Bærum some
// months ago on the region's real projects, and the loads delivered under
// them since, so that the realized figures, the climate accounts, the
// supervision package and the usage export have months of data. Each
// step goes through the domain as its people would have done it, on a
// clock set back to the day (a copy of the store with its own manual
// clock: the app's clock is never touched), so the ledger chains verify.
//
// The history has deviations (loads weighed by the driver's estimate only,
// one implausibly fast, one far from the receiving site, two partly
// accepted after a failed check) and no rejected load: the demo's one
// rejected load is today's (loads.go).

// historyUsers are the people who signed, released and received the
// history's loads.
var historyUsers = []seed.User{
	{Email: "eva@e18-vestkorridoren.no", Name: "Eva Vestli", Tenant: "baerum", Org: "vestkorridoren", OrgRole: directory.AdminRole, Message: "Massekoordinator på E18 Vestkorridoren."},
	{Email: "ali@avtjerna.no", Name: "Ali Haugen", Tenant: "baerum", Org: "avtjerna", OrgRole: directory.AdminRole, Message: "Driftsleder på Avtjerna mellomlager."},
	{Email: "terje@oslofjord-terminal.no", Name: "Terje Kai", Tenant: "baerum", Org: "oslofjord-terminal", OrgRole: directory.AdminRole, Message: "Terminalsjef på Sjursøya."},
	{Email: "vilde@vanntunnel.no", Name: "Vilde Tunnel", Tenant: "baerum", Org: "vanntunnel", OrgRole: directory.AdminRole, Message: "Anleggsleder for råvannstunnelen."},
	{Email: "lene@lier-veianlegg.no", Name: "Lene Lier", Tenant: "baerum", Org: "lier-veianlegg", OrgRole: directory.AdminRole, Message: "Prosjektleder på Rv 23."},
}

func init() { Users = append(Users, historyUsers...) }

// pastAgreement is one agreement of the history and its haulage.
type pastAgreement struct {
	Title                                  string
	Supplier, SupplierEmail, SupplierSite  string // organization key, the person acting, the project
	Receiver, ReceiverEmail, ReceiverSite  string
	Listing, Counterpart                   string // listing titles; "" for an agreement made before the region's market (no listing)
	Fraction                               string
	Tonnes                                 float64
	SignedDaysAgo                          int // without listings: sealed this many days before today
	DaysAfterPublication                   int // with listings: sealed this many days after the later one's publication
	LastDay, Every, LoadsPerDay, StartDays int // haul days: from StartDays after sealing to LastDay days ago, every Every days (weekdays only)
}

// History is the history's agreements: the region's largest flow, E18
// Vestkorridoren's rock to the Avtjerna storage area, agreed directly five
// months ago (before the region's market opened), and three agreed on the
// market since, a week or two after their listings were published.
var History = []pastAgreement{
	{Title: "Sprengstein fra E18 Vestkorridoren til Avtjerna mellomlager", Supplier: "vestkorridoren", SupplierEmail: "eva@e18-vestkorridoren.no", SupplierSite: "E18 Vestkorridoren, Lysaker–Ramstadsletta",
		Receiver: "avtjerna", ReceiverEmail: "ali@avtjerna.no", ReceiverSite: "Avtjerna mellomlager",
		Fraction: "sprengstein", Tonnes: 40000, SignedDaysAgo: 150, StartDays: 4, LastDay: 3, Every: 3, LoadsPerDay: 3},
	{Title: "Sprengstein fra Fornebubanen til utskiping på Sjursøya", Supplier: "fornebu-anlegg", SupplierEmail: "kari@fornebu-anlegg.no", Receiver: "oslofjord-terminal", ReceiverEmail: "terje@oslofjord-terminal.no",
		Listing: KeyListing, Counterpart: "Utskiping av kvalitetsstein til Lynetteholmen", Fraction: "sprengstein", Tonnes: 25000, DaysAfterPublication: 8, StartDays: 4, LastDay: 4, Every: 2, LoadsPerDay: 4},
	{Title: "Sprengstein fra råvannstunnelen til Rv 23 Dagslett–Linnes", Supplier: "vanntunnel", SupplierEmail: "vilde@vanntunnel.no", Receiver: "lier-veianlegg", ReceiverEmail: "lene@lier-veianlegg.no",
		Listing: "Sprengstein fra råvannstunnelen til Huseby", Counterpart: "Fyllmasser til Rv 23 Dagslett–Linnes", Fraction: "sprengstein", Tonnes: 30000, DaysAfterPublication: 11, StartDays: 5, LastDay: 2, Every: 3, LoadsPerDay: 4},
	{Title: "Morene fra E18-lokket ved Stabekk til Avtjerna", Supplier: "vestkorridoren", SupplierEmail: "eva@e18-vestkorridoren.no", Receiver: "avtjerna", ReceiverEmail: "ali@avtjerna.no",
		Listing: "Morene og løsmasser fra E18-lokket ved Stabekk", Counterpart: "Mellomlagring på Avtjerna", Fraction: "morene", Tonnes: 8000, DaysAfterPublication: 6, StartDays: 3, LastDay: 6, Every: 4, LoadsPerDay: 2},
}

// seedHistory adds the history to the new region t.
func seedHistory(ctx context.Context, s seed.Services, t *tenants.Tenant) error {
	if s.Haul == nil || s.Haul.Ledger == nil {
		return nil
	}
	lg, ok := s.Haul.Ledger.(*ledger.Ledger)
	if !ok {
		return nil
	}
	base := access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb"})
	id := func(table, where string, args ...any) (string, error) {
		return firstID(base, s, "history", table, where, args...)
	}
	orgOf := func(key string) (string, error) { return demoOrgID(base, s, "history", t, key) }
	as := func(email, org string, roles ...string) (context.Context, error) {
		u, err := s.Users.ByEmail(ctx, email)
		if err != nil {
			return nil, fmt.Errorf("demo history: %s: %w", email, err)
		}
		p := &auth.Principal{User: u, AAL: auth.AAL2, Orgs: map[string]string{org: "admin"}, Roles: append([]string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember, auth.RoleOrgAdmin}, roles...)}
		return access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb", Principal: p}), nil
	}
	lysaker, err := orgOf("lysaker-transport")
	if err != nil {
		return err
	}
	lars, err := as("lars@lysaker-transport.no", lysaker, auth.RoleTransporter)
	if err != nil {
		return err
	}
	var vehicles []string
	for _, reg := range []string{"EB23456", "EB12345", "EL34567"} { // the semitrailer, the HVO tipper, the electric tipper
		v, err := id("vehicles", "registration = ?", reg)
		if err != nil {
			return err
		}
		vehicles = append(vehicles, v)
	}
	payload := []float64{30, 18, 16}

	// The past, on a clock of its own: a copy of the store whose clock is
	// set to each step's moment, and the services on it.
	now := s.DB.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	past := clock.NewManual(today)
	db := *s.DB
	db.Clock = past
	ags := &agreement.Service{DB: &db, Market: s.Market, Signer: simple.Signer{}}
	ts := &transport.Service{DB: &db}
	h := *s.Haul
	h.DB, h.Ledger, h.Orders = &db, &ledger.Ledger{DB: &db, Keys: lg.Keys}, ts.HaulOrders()

	type running struct {
		pa                 pastAgreement
		first              int // the first haul day, days ago
		order              string
		supplier, receiver context.Context
		from, to           [2]float64 // the sites' points
		delivered          float64
	}
	point := func(siteID string) [2]float64 {
		var st directory.Site
		_ = s.DB.Read(base, func(tx *gorm.DB) error { return tx.Where("id = ?", siteID).Take(&st).Error })
		return [2]float64{st.Lat, st.Lon}
	}
	var runs []*running
	for _, pa := range History {
		supOrg, err := orgOf(pa.Supplier)
		if err != nil {
			return err
		}
		recOrg, err := orgOf(pa.Receiver)
		if err != nil {
			return err
		}
		sup, err := as(pa.SupplierEmail, supOrg)
		if err != nil {
			return err
		}
		rec, err := as(pa.ReceiverEmail, recOrg)
		if err != nil {
			return err
		}
		var in *agreement.Input
		if pa.Listing == "" {
			// Agreed before the market: the terms in full, no listing.
			past.Set(today.AddDate(0, 0, -pa.SignedDaysAgo).Add(9 * time.Hour))
			from, err := id("sites", "name = ? AND organization_id = ?", pa.SupplierSite, supOrg)
			if err != nil {
				return err
			}
			to, err := id("sites", "name = ? AND organization_id = ?", pa.ReceiverSite, recOrg)
			if err != nil {
				return err
			}
			in = &agreement.Input{TemplateKey: "delivery", Locale: "nb", Supplier: agreement.PartyInput{OrganizationID: supOrg, SiteID: from}, Receiver: agreement.PartyInput{OrganizationID: recOrg, SiteID: to},
				ConditionClass: 1, TolerancePct: 10, PriceNOK: 35, PriceUnit: "t", Payer: "supplier_pays", DeliveryPoint: pa.ReceiverSite, Transport: "third_party", Transporter: "Lysaker Massetransport AS",
				QualityRequirements: "Ren sprengstein uten jord, armering eller betong.", VisualCheckEachLoad: true, RejectedLoad: "Avvises med bilde og returneres avsender.", InvasiveSpecies: "Fri for fremmede arter."}
		} else {
			// Agreed on the market, a week or two after both listings were published.
			var published []time.Time
			if err := s.DB.Read(base, func(tx *gorm.DB) error {
				return tx.Table("listings").Where("title IN ?", []string{pa.Listing, pa.Counterpart}).Pluck("published_at", &published).Error
			}); err != nil {
				return err
			}
			later := today.AddDate(0, -3, 0)
			for _, p := range published {
				if p.After(later) {
					later = p
				}
			}
			day := later.UTC().Truncate(24*time.Hour).AddDate(0, 0, pa.DaysAfterPublication)
			if !day.Before(today.AddDate(0, 0, -7)) {
				day = today.AddDate(0, 0, -7) // a week of loads at least, whenever the demo is seeded
			}
			past.Set(day.Add(9 * time.Hour))
			listing, err := id("listings", "title = ?", pa.Listing)
			if err != nil {
				return err
			}
			counterpart, err := id("listings", "title = ?", pa.Counterpart)
			if err != nil {
				return err
			}
			if in, err = ags.NewInput(sup, agreement.Start{ListingID: listing, CounterpartID: counterpart}); err != nil {
				return fmt.Errorf("demo history %q: %w", pa.Title, detail(err))
			}
		}
		in.Title, in.QuantityTonnes, in.Fractions = pa.Title, pa.Tonnes, []string{pa.Fraction}
		in.PeriodFrom, in.PeriodTo = past.Now().Format(time.DateOnly), today.AddDate(0, 6, 0).Format(time.DateOnly)
		in.SampleEveryNLoads = 500 // a sample every 500 loads: none in the history
		if in.OpeningHours == "" {
			in.OpeningHours = "Man–fre 06:30–16:00"
		}
		if in.DeliveryPoint == "" {
			in.DeliveryPoint = pa.Counterpart
		}
		if in.Transport == "" {
			in.Transport = "third_party"
		}
		ag, err := ags.Create(sup, in)
		if err == nil {
			past.Advance(20 * time.Minute)
			_, err = ags.Propose(sup, ag.ID)
		}
		if err == nil {
			past.Advance(26 * time.Hour)
			_, err = ags.Accept(rec, ag.ID, 1)
		}
		if err == nil {
			past.Advance(2 * time.Hour)
			_, err = ags.Sign(sup, ag.ID, 1)
		}
		if err == nil {
			past.Advance(3 * time.Hour)
			ag, err = ags.Sign(rec, ag.ID, 1)
		}
		if err != nil {
			return fmt.Errorf("demo history %q: %w", pa.Title, detail(err))
		}
		// Trucks from Lysaker Transport for the agreement's months.
		past.Advance(time.Hour)
		r, err := ts.Request(sup, ag.ID, transport.RequestInput{TransporterOrgID: lysaker,
			SpecInput: transport.SpecInput{DateFrom: past.Now().Format(time.DateOnly), DateTo: today.AddDate(0, 3, 0).Format(time.DateOnly), LoadsPerDay: pa.LoadsPerDay * 2}})
		if err == nil {
			past.Advance(30 * time.Minute)
			_, err = ts.Answer(lars, r.ID, transport.AnswerInput{Answer: "accept"})
		}
		if err != nil {
			return fmt.Errorf("demo history transport %q: %w", pa.Title, detail(err))
		}
		order, err := id("transport_orders", "agreement_id = ?", ag.ID)
		if err != nil {
			return err
		}
		var o transport.Order
		if err := s.DB.Read(base, func(tx *gorm.DB) error { return tx.Where("id = ?", order).Take(&o).Error }); err != nil {
			return err
		}
		first := int(today.Sub(ag.SealedAt.UTC().Truncate(24*time.Hour)).Hours()/24) - pa.StartDays
		runs = append(runs, &running{pa: pa, first: first, order: order, supplier: sup, receiver: rec, from: point(o.PickupSiteID), to: point(o.DeliverySiteID)})
	}

	// The haul days, oldest first: on each, the agreements due that day
	// drive in rounds of one load per truck (the three never in two places
	// at once), 65 minutes a round from 06:30.
	at := func(t time.Time) string { return t.Format(time.RFC3339) }
	seq := 0
	oldest := 0
	for _, r := range runs {
		oldest = max(oldest, r.first)
	}
	for d := oldest; d >= 1; d-- {
		day := today.AddDate(0, 0, -d)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		var queue []*running
		for _, r := range runs {
			if d <= r.first && d >= r.pa.LastDay && (r.first-d)%r.pa.Every == 0 {
				for i := 0; i < r.pa.LoadsPerDay; i++ {
					queue = append(queue, r)
				}
			}
		}
		start := day.Add(6*time.Hour + 30*time.Minute)
		for len(queue) > 0 {
			round := queue[:min(len(vehicles), len(queue))]
			queue = queue[len(round):]
			type trip struct {
				r *running
				l *haul.Load
				v int
			}
			var trips []trip
			for j, r := range round {
				seq++
				past.Set(start.Add(time.Duration(j) * 3 * time.Minute))
				est := math.Round(payload[j]*(0.88+0.02*float64(seq%5))*10) / 10
				l, err := h.Depart(lars, haul.DepartInput{OrderID: r.order, VehicleID: vehicles[j], EstTonnes: est, Lat: &r.from[0], Lon: &r.from[1], DeviceAt: at(past.Now())})
				if err != nil {
					return fmt.Errorf("demo history load %d (%s): %w", seq, r.pa.Title, detail(err))
				}
				past.Advance(4 * time.Minute)
				if _, err := h.Release(r.supplier, haul.ReleaseInput{Code: l.ReleaseCode, Lat: &r.from[0], Lon: &r.from[1], DeviceAt: at(past.Now())}); err != nil {
					return fmt.Errorf("demo history release %d: %w", seq, detail(err))
				}
				trips = append(trips, trip{r, l, seq})
			}
			for j, tr := range trips {
				r, l := tr.r, tr.l
				past.Set(start.Add(50*time.Minute + time.Duration(j)*3*time.Minute))
				weight := math.Round((l.EstTonnes+0.1*float64(tr.v%7-3))*10) / 10
				in := haul.ReceiptInput{Code: l.Code, WeightTonnes: weight, Result: haul.ResultAccepted, Lat: &r.to[0], Lon: &r.to[1], DeviceAt: at(past.Now())}
				switch tr.v {
				case 17, 131: // the weighbridge was down: the driver's estimate only (flagged)
					in.WeightTonnes = 0
				case 58: // the phone says it arrived eight minutes after it left (flagged: too fast)
					in.DeviceAt = at(start.Add(time.Duration(j)*3*time.Minute + 8*time.Minute))
				case 96: // received by the gate away from the site (flagged: far from the site)
					lat, lon := r.to[0]+0.09, r.to[1]
					in.Lat, in.Lon = &lat, &lon
				case 44, 163: // a failed check: partly accepted
					part := math.Round(weight*0.6*10) / 10
					in.Result, in.Accepted = haul.ResultPartly, &part
					in.Reason = "Innslag av armeringsjern og betongrester i bakre del av lasset; den delen går i retur."
					in.Checks = []haul.Check{{Key: "foreign_objects", OK: false, Note: "Armeringsjern og betongrester."}}
				}
				got, err := h.Receive(r.receiver, l.ID, in)
				if err != nil {
					return fmt.Errorf("demo history receipt %d (%s): %w", tr.v, r.pa.Title, detail(err))
				}
				r.delivered += got.AcceptedTonnes
			}
			start = start.Add(65 * time.Minute)
		}
	}
	return nil
}

// detail names a validation error's fields (a seeding mistake's cause).
func detail(err error) error {
	if fe, ok := fail.As(err); ok && len(fe.Fields) > 0 {
		return fmt.Errorf("%w: %+v", err, fe.Fields)
	}
	return err
}
