package haul

import (
	"context"
	"encoding/json"
	"errors"
	"math"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/emissions"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/geo"
)

// ClimateSubscriber is the outbox subscriber that writes a received load's
// climate account; its name is recorded with every delivery: never rename
// it.
const ClimateSubscriber = "haul.climate"

// Subscribe registers the loads' outbox subscribers.
func (s *Service) Subscribe(d *events.Dispatcher) {
	events.Handle(d, ClimateSubscriber, s.onReceived)
}

// onReceived writes the climate account of a delivered load, out of the
// request (road routing may be slow). Running it twice writes the same.
func (s *Service) onReceived(ctx context.Context, _ events.Envelope, e events.LoadReceived) error {
	var l Load
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", e.LoadID).Take(&l).Error }); err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		return err
	}
	if l.Kind != KindDelivery || !l.Final() {
		return nil
	}
	return s.DB.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.Climate(ctx, tx, &l)
		if err != nil {
			return err
		}
		return tx.Model(&Load{}).Where("id = ?", l.ID).Updates(c.columns()).Error
	})
}

// FillClimate writes the climate account of every received (or rejected) delivery load
// of ctx's tenant that has none yet (its load.received event was given up
// on, or the load predates the subscriber) and returns how many it wrote.
// `masseflyt climate rebuild` runs it before rebuilding the accounts.
func (s *Service) FillClimate(ctx context.Context) (int, error) {
	var missing []Load
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Where("kind = ? AND status IN ? AND kg_co2e IS NULL", KindDelivery, []string{StatusReceived, StatusPartly, StatusRejected}).Order("id").Find(&missing).Error
	}); err != nil {
		return 0, err
	}
	n := 0
	for i := range missing {
		l := &missing[i]
		err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			c, err := s.Climate(ctx, tx, l)
			if err != nil {
				return err
			}
			res := tx.Model(&Load{}).Where("id = ? AND kg_co2e IS NULL", l.ID).Updates(c.columns())
			n += int(res.RowsAffected)
			return res.Error
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Account is a received load's climate account (V8): kg CO2e well to
// wheel from its vehicle (as it departed) and distance, both legs (loaded
// there, empty back; a rejected load loaded both ways), the factor set,
// and its own baseline (none for a rejected load).
type Account struct {
	KgCO2e    float64
	RoadKm    float64
	Method    string
	FactorSet string
	Baseline  ClimateBaseline
}

// columns are the load's columns that hold its account.
func (c *Account) columns() map[string]any {
	b, _ := json.Marshal(c.Baseline)
	return map[string]any{"kg_co2e": c.KgCO2e, "road_km": c.RoadKm, "distance_method": c.Method,
		"factor_set": c.FactorSet, "baseline_kg_co2e": c.Baseline.KgCO2e, "baseline": string(b)}
}

// road is the driving distance between two points: the routing plugin's,
// else the straight line × geo.DefaultDetour.
func (s *Service) road(ctx context.Context, a, b geo.Point) (float64, string) {
	if s.Router != nil {
		if km, err := s.Router.RoadKm(ctx, a, b); err == nil && km > 0 {
			return km, s.Router.Name()
		}
	}
	return geo.HaversineKm(a, b) * geo.DefaultDetour, "haversine×1.3"
}

// vehicle is the load's vehicle for its climate account: as it was at
// departure, else (a load from before that was kept) its register entry
// now, else the default tipper.
func (l *Load) vehicle(tx *gorm.DB, fs emissions.FactorSet) emissions.Vehicle {
	body, payload, fuel := l.VehicleBodyType, l.VehiclePayloadTonnes, l.VehicleFuel
	if body == "" {
		var vh directory.Vehicle
		if err := tx.Where("id = ?", l.VehicleID).Take(&vh).Error; err != nil {
			return emissions.DefaultVehicle
		}
		body, payload, fuel = vh.BodyType, vh.PayloadTonnes, vh.Fuel
	}
	return emissions.VehicleFor(fs, body, payload, fuel)
}

// Climate computes a load's climate account, reading its sites in tx. A
// rejected delivery drove there and back loaded (its return to the sender
// is part of the same trip and carries no account of its own); it has no
// baseline, since nothing was reused.
func (s *Service) Climate(ctx context.Context, tx *gorm.DB, l *Load) (*Account, error) {
	fs := s.factors()
	v := l.vehicle(tx, fs)
	from, okA := sitePoint(tx, l.PickupSiteID)
	if !okA && l.DepLat != nil {
		from, okA = geo.Point{Lat: *l.DepLat, Lon: *l.DepLon}, true
	}
	to, okB := sitePoint(tx, l.DeliverySiteID)
	if !okB && l.ArrLat != nil {
		to, okB = geo.Point{Lat: *l.ArrLat, Lon: *l.ArrLon}, true
	}
	acc := &Account{FactorSet: fs.Name}
	if okA && okB {
		acc.RoadKm, acc.Method = s.road(ctx, from, to)
	}
	kg, err := fs.TripKg(v, acc.RoadKm, l.WeightTonnes, l.Status == StatusRejected)
	if err != nil {
		return nil, err
	}
	acc.KgCO2e = round3(kg)
	acc.RoadKm = round3(acc.RoadKm)
	if l.Status == StatusRejected {
		acc.Baseline = ClimateBaseline{}
		return acc, nil
	}
	// The baseline: the tonnes driven to the nearest landfill that may
	// take the fraction, and the same tonnes fetched for the receiver from
	// the nearest quarry, each by a default diesel tipper.
	b := ClimateBaseline{Complete: okA && okB}
	tonnes := l.AcceptedTonnes
	if okA {
		if id, name, km, ok := nearest(tx, from, "landfill", l.Fraction); ok {
			b.LandfillSiteID, b.LandfillName = id, name
			b.LandfillKm, _ = s.road(ctx, from, km)
		} else {
			b.Complete = false
		}
	}
	if okB {
		if id, name, km, ok := nearest(tx, to, "quarry", ""); ok {
			b.QuarrySiteID, b.QuarryName = id, name
			b.QuarryKm, _ = s.road(ctx, km, to)
		} else {
			b.Complete = false
		}
	}
	for _, km := range []float64{b.LandfillKm, b.QuarryKm} {
		if km > 0 && tonnes > 0 {
			e, err := fs.Transport(tonnes, km, emissions.DefaultVehicle, emissions.WTW)
			if err != nil {
				return nil, err
			}
			b.KgCO2e += e.KgCO2e
		}
	}
	b.KgCO2e, b.LandfillKm, b.QuarryKm = round3(b.KgCO2e), round3(b.LandfillKm), round3(b.QuarryKm)
	acc.Baseline = b
	return acc, nil
}

// nearest is the facility of a type nearest to p; for a landfill, one with
// a valid landfill or receiving permit for the fraction.
func nearest(tx *gorm.DB, p geo.Point, facilityType, fr string) (id, name string, at geo.Point, ok bool) {
	var sites []directory.Site
	if err := tx.Where("kind = ? AND facility_type = ?", "facility", facilityType).Find(&sites).Error; err != nil || len(sites) == 0 {
		return "", "", geo.Point{}, false
	}
	accepts := map[string]bool{}
	if fr != "" {
		ids := make([]string, len(sites))
		for i, st := range sites {
			ids[i] = st.ID
		}
		var permits []directory.Permit
		if err := tx.Where("site_id IN ? AND kind IN ?", ids, []string{"landfill", "receiving"}).Find(&permits).Error; err != nil {
			return "", "", geo.Point{}, false
		}
		for _, pm := range permits {
			if pm.Fractions.Has(fr) {
				accepts[pm.SiteID] = true
			}
		}
	}
	best := math.Inf(1)
	for _, st := range sites {
		if fr != "" && !accepts[st.ID] {
			continue
		}
		q := geo.Point{Lat: st.Lat, Lon: st.Lon}
		if d := geo.HaversineKm(p, q); d < best {
			best, id, name, at, ok = d, st.ID, st.Name, q, true
		}
	}
	return id, name, at, ok
}
