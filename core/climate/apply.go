package climate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/emissions"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/store"
)

// Subscriber is the outbox subscriber that adds a received load to the
// accounts; its name is recorded with every delivery: never rename it.
const Subscriber = "climate.accounts"

// Service is the climate accounts. Its methods take a context carrying
// the actor (core/access) and return fail errors.
type Service struct {
	DB *store.DB
}

func (s *Service) now() time.Time { return s.DB.Now() }

// Subscribe registers the accounts' subscriber. Register it after core/haul's
// (haul.climate writes the load's own account first; a load without it is
// retried).
func (s *Service) Subscribe(d *events.Dispatcher) {
	events.Handle(d, Subscriber, s.onReceived)
}

// ErrNoLoadAccount: the load's own climate account is not written yet (the
// event is delivered again).
var ErrNoLoadAccount = errors.New("climate: the load's own climate account is not written yet")

func (s *Service) onReceived(ctx context.Context, _ events.Envelope, e events.LoadReceived) error {
	return s.Apply(ctx, e.LoadID)
}

// Apply adds one delivered load to every account it belongs to, once: a
// replayed event finds the load counted and changes nothing.
func (s *Service) Apply(ctx context.Context, loadID string) error {
	return s.DB.Tx(ctx, func(tx *gorm.DB) error { return s.apply(tx, loadID) })
}

// lock serializes the writers of one tenant's accounts (an applied load,
// a rebuild, a recompute) on Postgres; SQLite has one writer at a time.
func (s *Service) lock(tx *gorm.DB) error {
	if s.DB.Dialect != store.Postgres {
		return nil
	}
	tid, _ := store.TenantID(tx.Statement.Context)
	var out []string
	return store.Raw(tx, `SELECT pg_advisory_xact_lock(hashtext(@key))::text`, map[string]any{"key": "climate:" + tid}).Scan(&out).Error
}

func (s *Service) apply(tx *gorm.DB, loadID string) error {
	if err := s.lock(tx); err != nil {
		return err
	}
	ls, err := loadRows(tx, "l.id = @id", map[string]any{"id": loadID})
	if err != nil || len(ls) == 0 {
		return err
	}
	l := &ls[0]
	if !l.countable() {
		if l.pending() {
			return ErrNoLoadAccount
		}
		return nil
	}
	now := s.now()
	var ids []string
	if err := store.Raw(tx, `INSERT INTO climate_loads (tenant_id, id, created_at) VALUES (@tenant, @id, @now) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id`,
		map[string]any{"id": l.ID, "now": now}).Scan(&ids).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil // counted already
	}
	var sets []Recompute
	if err := tx.Find(&sets).Error; err != nil {
		return err
	}
	for _, k := range l.contributions(sets) {
		if err := upsert(tx, k.key, k.fig, now); err != nil {
			return err
		}
	}
	return nil
}

type cellKey struct {
	kind, id, variant, month, fraction, muni, set string
}

type contribution struct {
	key cellKey
	fig Figures
}

// upsert adds f to a cell.
func upsert(tx *gorm.DB, k cellKey, f Figures, now time.Time) error {
	var ids []string
	return store.Raw(tx, `INSERT INTO climate_accounts (tenant_id, id, scope_kind, scope_id, variant, month, fraction, municipality_no, factor_set,
			loads, tonnes, tonnes_reused, tonne_km, kg_co2e, baseline_kg_co2e, saving_kg_co2e, zero_tonnes, created_at, updated_at)
		VALUES (@tenant, @nid, @kind, @sid, @variant, @month, @fraction, @muni, @set, @loads, @tonnes, @reused, @tkm, @kg, @base, @saving, @zero, @now, @now)
		ON CONFLICT (tenant_id, scope_kind, scope_id, variant, month, fraction, municipality_no, factor_set) DO UPDATE SET
			loads = climate_accounts.loads + excluded.loads, tonnes = climate_accounts.tonnes + excluded.tonnes,
			tonnes_reused = climate_accounts.tonnes_reused + excluded.tonnes_reused, tonne_km = climate_accounts.tonne_km + excluded.tonne_km,
			kg_co2e = climate_accounts.kg_co2e + excluded.kg_co2e, baseline_kg_co2e = climate_accounts.baseline_kg_co2e + excluded.baseline_kg_co2e,
			saving_kg_co2e = climate_accounts.saving_kg_co2e + excluded.saving_kg_co2e, zero_tonnes = climate_accounts.zero_tonnes + excluded.zero_tonnes,
			updated_at = excluded.updated_at
		RETURNING id`, map[string]any{"nid": store.NewID(), "kind": k.kind, "sid": k.id, "variant": k.variant, "month": k.month, "fraction": k.fraction,
		"muni": k.muni, "set": k.set, "loads": f.Loads, "tonnes": f.Tonnes, "reused": f.TonnesReused, "tkm": f.TonneKm, "kg": f.KgCO2e,
		"base": f.BaselineKgCO2e, "saving": f.SavingKgCO2e, "zero": f.ZeroTonnes, "now": now}).Scan(&ids).Error
}

// loadRow is what the accounts read of a load, its vehicle and its sites.
type loadRow struct {
	ID             string
	Kind           string
	Status         string
	AgreementID    string
	SupplierOrgID  string
	ReceiverOrgID  string
	PickupSiteID   *string
	DeliverySiteID *string
	Fraction       string
	ReceivedAt     *time.Time
	WeightTonnes   float64
	AcceptedTonnes float64
	KgCO2e         *float64 `gorm:"column:kg_co2e"`
	RoadKm         *float64
	FactorSet      string
	BaselineKgCO2e *float64 `gorm:"column:baseline_kg_co2e"`
	Baseline       string
	BodyType       *string
	PayloadTonnes  *float64
	Fuel           *string
	PickupKind     *string
	MunicipalityNo *string
	DeliveryKind   *string
	FacilityType   *string
}

const loadSelect = `SELECT l.id, l.kind, l.status, l.agreement_id, l.supplier_org_id, l.receiver_org_id, l.pickup_site_id, l.delivery_site_id, l.fraction,
	l.received_at, l.weight_tonnes, l.accepted_tonnes, l.kg_co2e, l.road_km, l.factor_set, l.baseline_kg_co2e, l.baseline,
	CASE WHEN l.vehicle_body_type <> '' THEN l.vehicle_body_type ELSE v.body_type END AS body_type,
	CASE WHEN l.vehicle_body_type <> '' THEN l.vehicle_payload_tonnes ELSE v.payload_tonnes END AS payload_tonnes,
	CASE WHEN l.vehicle_body_type <> '' THEN l.vehicle_fuel ELSE v.fuel END AS fuel, ps.kind AS pickup_kind, ps.municipality_no, ds.kind AS delivery_kind, ds.facility_type
	FROM loads l
	LEFT JOIN vehicles v ON v.tenant_id = l.tenant_id AND v.id = l.vehicle_id
	LEFT JOIN sites ps ON ps.tenant_id = l.tenant_id AND ps.id = l.pickup_site_id
	LEFT JOIN sites ds ON ds.tenant_id = l.tenant_id AND ds.id = l.delivery_site_id
	WHERE l.tenant_id = @tenant AND `

func loadRows(tx *gorm.DB, cond string, args map[string]any) ([]loadRow, error) {
	var out []loadRow
	err := store.Raw(tx, loadSelect+cond, args).Scan(&out).Error
	return out, err
}

// arrived: a delivery whose receipt is recorded: received (fully or
// partly) or rejected at the gate.
func (l *loadRow) arrived() bool {
	return l.Kind == "delivery" && (l.Status == "received" || l.Status == "partly_accepted" || l.Status == "rejected")
}

// countable: a delivery received or rejected, with its own account.
func (l *loadRow) countable() bool {
	return l.arrived() && l.KgCO2e != nil && l.ReceivedAt != nil
}

// pending: a delivery received or rejected whose own account is still to
// be written.
func (l *loadRow) pending() bool {
	return l.arrived() && l.KgCO2e == nil
}

// rejected: the receiver turned the load away; it goes back loaded.
func (l *loadRow) rejected() bool { return l.Status == "rejected" }

// reuseFacilities are the facility types whose receipts count as reused.
var reuseFacilities = map[string]bool{"recycling_plant": true, "environmental_park": true, "quarry": true, "port": true}

// ReuseFacilityTypes lists the facility types whose receipts count as
// reused (with every project), for queries that filter in SQL.
func ReuseFacilityTypes() []string {
	out := make([]string, 0, len(reuseFacilities))
	for t := range reuseFacilities {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Reused reports whether a delivery to a site of this kind and facility
// type counts as reused (see the package comment).
func Reused(kind, facilityType string) bool {
	return kind == "project" || (kind == "facility" && reuseFacilities[facilityType])
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Month is t's month in Oslo, YYYY-MM.
func Month(t time.Time) string { return t.In(numfmt.Oslo).Format("2006-01") }

// scopes are the accounts a load belongs to.
func (l *loadRow) scopes() [][2]string {
	out := [][2]string{{ScopeAgreement, l.AgreementID}}
	if str(l.PickupKind) == "project" {
		out = append(out, [2]string{ScopeProject, *l.PickupSiteID})
	}
	if str(l.DeliveryKind) == "project" && str(l.DeliverySiteID) != str(l.PickupSiteID) {
		out = append(out, [2]string{ScopeProject, *l.DeliverySiteID})
	}
	out = append(out, [2]string{ScopeOrganization, l.SupplierOrgID})
	if l.ReceiverOrgID != l.SupplierOrgID {
		out = append(out, [2]string{ScopeOrganization, l.ReceiverOrgID})
	}
	if m := str(l.MunicipalityNo); m != "" {
		out = append(out, [2]string{ScopeMunicipality, m})
	}
	return append(out, [2]string{ScopeRegion, RegionID})
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// vehicle is the load's vehicle (as it was at departure) as core/haul
// reads it for a set.
func (l *loadRow) vehicle(fs emissions.FactorSet) emissions.Vehicle {
	if l.BodyType == nil {
		return emissions.DefaultVehicle
	}
	payload := 0.0
	if l.PayloadTonnes != nil {
		payload = *l.PayloadTonnes
	}
	return emissions.VehicleFor(fs, *l.BodyType, payload, str(l.Fuel))
}

// figures are the load's figures: its own (fs nil), or recomputed with fs
// from its stored distances (the road distance and the baseline's).
func (l *loadRow) figures(fs *emissions.FactorSet) (Figures, error) {
	f := Figures{Loads: 1, Tonnes: l.AcceptedTonnes}
	road := 0.0
	if l.RoadKm != nil {
		road = *l.RoadKm
	}
	f.TonneKm = round3(l.WeightTonnes * road)
	if l.rejected() { // a trip, not a delivered load: the masses went there and back
		f.Loads, f.TonneKm = 0, round3(2*l.WeightTonnes*road)
	}
	if Reused(str(l.DeliveryKind), str(l.FacilityType)) {
		f.TonnesReused = l.AcceptedTonnes
	}
	if l.Fuel != nil && emissions.ZeroEmission(*l.Fuel) {
		f.ZeroTonnes = l.AcceptedTonnes
	}
	if fs == nil {
		f.KgCO2e = *l.KgCO2e
		if l.BaselineKgCO2e != nil {
			f.BaselineKgCO2e = *l.BaselineKgCO2e
		}
	} else {
		kg, err := fs.TripKg(l.vehicle(*fs), road, l.WeightTonnes, l.rejected())
		if err != nil {
			return f, err
		}
		var b struct {
			LandfillKm float64 `json:"landfill_km"`
			QuarryKm   float64 `json:"quarry_km"`
		}
		if l.Baseline != "" {
			if err := json.Unmarshal([]byte(l.Baseline), &b); err != nil {
				return f, fmt.Errorf("climate: load %s baseline: %w", l.ID, err)
			}
		}
		base, err := fs.BaselineKg(l.AcceptedTonnes, b.LandfillKm, b.QuarryKm)
		if err != nil {
			return f, err
		}
		f.KgCO2e, f.BaselineKgCO2e = round3(kg), round3(base)
	}
	f.SavingKgCO2e = round3(f.BaselineKgCO2e - f.KgCO2e)
	return f, nil
}

// contributions are what the load adds: to each of its scopes' recorded
// account, and to each recompute of those scopes with its set.
func (l *loadRow) contributions(sets []Recompute) []contribution {
	month, muni := Month(*l.ReceivedAt), str(l.MunicipalityNo)
	own, _ := l.figures(nil)
	var out []contribution
	cache := map[string]*Figures{}
	for _, sc := range l.scopes() {
		out = append(out, contribution{cellKey{sc[0], sc[1], Recorded, month, l.Fraction, muni, l.FactorSet}, own})
		for _, r := range sets {
			if r.ScopeKind != sc[0] || r.ScopeID != sc[1] {
				continue
			}
			f, ok := cache[r.FactorSet]
			if !ok {
				if fs, found := emissions.Lookup(r.FactorSet); found {
					if x, err := l.figures(&fs); err == nil {
						f = &x
					}
				}
				cache[r.FactorSet] = f
			}
			if f != nil {
				out = append(out, contribution{cellKey{sc[0], sc[1], r.FactorSet, month, l.Fraction, muni, r.FactorSet}, *f})
			}
		}
	}
	return out
}

// sum folds contributions into cells.
func sum(into map[cellKey]*Figures, cs []contribution) {
	for _, c := range cs {
		f := into[c.key]
		if f == nil {
			f = &Figures{}
			into[c.key] = f
		}
		f.add(c.fig)
	}
}

// insertCells writes folded cells in batches.
func insertCells(tx *gorm.DB, cells map[cellKey]*Figures, now time.Time) error {
	batch := make([]Cell, 0, 500)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := tx.CreateInBatches(batch, 500).Error
		batch = batch[:0]
		return err
	}
	for k, f := range cells {
		batch = append(batch, Cell{ID: store.NewID(), ScopeKind: k.kind, ScopeID: k.id, Variant: k.variant, Month: k.month, Fraction: k.fraction,
			MunicipalityNo: k.muni, FactorSet: k.set, Figures: roundFig(*f), CreatedAt: now, UpdatedAt: now})
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func roundFig(f Figures) Figures {
	return Figures{Loads: f.Loads, Tonnes: round3(f.Tonnes), TonnesReused: round3(f.TonnesReused), TonneKm: round3(f.TonneKm), KgCO2e: round3(f.KgCO2e),
		BaselineKgCO2e: round3(f.BaselineKgCO2e), SavingKgCO2e: round3(f.SavingKgCO2e), ZeroTonnes: round3(f.ZeroTonnes)}
}

// countableCond selects the loads the accounts count.
const countableCond = `l.kind = 'delivery' AND l.status IN ('received', 'partly_accepted', 'rejected') AND l.kg_co2e IS NOT NULL AND l.received_at IS NOT NULL`

// Rebuild recomputes all of the context's tenant's accounts from its loads
// (the demo seed, a repair): every counted load once, the recorded
// accounts and the recomputed variants. Run as a system job or by a tenant
// admin.
func (s *Service) Rebuild(ctx context.Context) error {
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.lock(tx); err != nil {
			return err
		}
		if err := tx.Where("1 = 1").Delete(&Cell{}).Error; err != nil {
			return err
		}
		if err := tx.Where("1 = 1").Delete(&applied{}).Error; err != nil {
			return err
		}
		var sets []Recompute
		if err := tx.Find(&sets).Error; err != nil {
			return err
		}
		// The loads are streamed: a region's million loads fold into
		// their cells without being held at once.
		rows, err := store.Raw(tx, loadSelect+countableCond, nil).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		now := s.now()
		cells := map[cellKey]*Figures{}
		var ids []string
		for rows.Next() {
			var l loadRow
			if err := tx.ScanRows(rows, &l); err != nil {
				return err
			}
			sum(cells, l.contributions(sets))
			ids = append(ids, l.ID)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for len(ids) > 0 {
			n := min(len(ids), 500)
			marks := make([]applied, n)
			for i, id := range ids[:n] {
				marks[i] = applied{ID: id, CreatedAt: now}
			}
			if err := tx.Create(&marks).Error; err != nil {
				return err
			}
			ids = ids[n:]
		}
		return insertCells(tx, cells, now)
	})
}
