package stats

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/masseflyt/masseflyt/core/climate"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// Realized are the region's figures of what actually happened (B5, issue
// 14), from the tracked loads received under signed agreements, shown
// beside the potential ones (the estimate from matches). The privacy rules
// of the potential figures apply: tonnes only as a band, and every figure
// built from fewer than MinCell agreements (or, for the times, listings) is
// suppressed (null).
type Realized struct {
	// Agreements is how many signed agreements have at least one received
	// load; Loads how many delivery loads were received (accepted or partly).
	Agreements int `json:"agreements" doc:"Signed agreements with at least one received load"`
	Loads      int `json:"loads" doc:"Delivery loads received (accepted or partly accepted)"`
	// Suppressed: fewer than three agreements behind the tonnes, the rate
	// and the savings (each of them null, the band empty).
	Suppressed bool `json:"suppressed" doc:"Fewer than 3 agreements with received loads: the tonnes, rate and savings are suppressed"`
	// Reused is the band of the accepted tonnes of received loads.
	Reused string `json:"reused_band" doc:"Tonnes reused (accepted tonnes of received loads delivered to a project or a reuse facility: recycling plant, environmental park, quarry, port; not landfill or intermediate storage) as a band (the listing bands); empty when suppressed"`
	// ReuseRate is reused / the tonnes of surplus registered (every
	// surplus listing ever published), four decimals.
	ReuseRate *float64 `json:"reuse_rate" doc:"Tonnes reused / tonnes of surplus registered (every published surplus listing), 0–1, four decimals; null when suppressed or nothing registered"`
	// CO2eSavedTonnes: Σ (baseline − actual kg CO2e) of received loads with
	// a climate account, in tonnes, two significant digits.
	CO2eSavedTonnes *float64 `json:"co2e_saved_tonnes" doc:"t CO2e saved: the sum over received loads of their baseline kg CO2e less their actual kg CO2e, two significant digits; null when suppressed"`
	// TonneKmAvoided: Σ accepted t × (the baseline's landfill km + quarry
	// km − the load's road km), loaded legs only, two significant digits.
	TonneKmAvoided *float64 `json:"tonne_km_avoided" doc:"Tonne-km avoided: the sum over received loads of accepted tonnes × (the baseline's km to the landfill + km from the quarry − the load's road km), loaded legs; two significant digits; null when suppressed"`
	// Median days from a public listing's publication to its first signed
	// agreement, and to its first received load (one decimal; null with
	// fewer than three listings behind).
	MedianDaysToFirstAgreement *float64 `json:"median_days_to_first_agreement" doc:"Median days from a public listing's publication to its first signed agreement; null with fewer than 3 listings"`
	MedianDaysToFirstDelivery  *float64 `json:"median_days_to_first_delivery" doc:"Median days from a public listing's publication to the first received load under its agreements; null with fewer than 3 listings"`
	// MatchRate is the share of published public listings with at least
	// one match; MatchesToAgreement the share of those matches that led to
	// a signed agreement (between the same two listings).
	MatchRate          float64  `json:"match_rate" doc:"Share of published public listings with at least one match, 0–1"`
	MatchesToAgreement *float64 `json:"matches_to_agreement" doc:"Share of matches between public listings that led to a signed agreement between the same two listings, 0–1; null with fewer than 3 matches"`
	Method             string   `json:"method" doc:"How the realized figures are made"`
}

// ReusePercent is the reuse rate in percent (0 when not published): the
// rate is small where millions of tonnes are registered, so pages show it
// with a decimal.
func (r *Realized) ReusePercent() float64 {
	if r.ReuseRate == nil {
		return 0
	}
	return *r.ReuseRate * 100
}

// RealizedMethod describes how the realized figures are made.
const RealizedMethod = "realized: received delivery loads (accepted or partly accepted) under signed agreements, accepted tonnes; reused = those delivered to a project or a reuse facility (recycling plant, environmental park, quarry, port; not landfill or intermediate storage), as the band of their sum; suppressed with fewer than 3 agreements; reuse rate = reused / tonnes of every published surplus listing; CO2e saved = Σ (load baseline kg CO2e − load kg CO2e), loads with a climate account; tonne-km avoided = Σ accepted t × (baseline landfill km + quarry km − road km), loaded legs, loads with a complete baseline; times: median days from a public listing's publication to its first signed agreement and first received load (fewer than 3 listings: suppressed); a match led to an agreement when a signed agreement joins the same two listings"

// AgreementRow is what the realized figures read of a signed agreement.
type AgreementRow struct {
	ID                   string
	ListingID            *string
	CounterpartListingID *string
	MatchID              *string
	SealedAt             *time.Time
}

// LoadRow is what the realized figures read of a received load.
type LoadRow struct {
	AgreementID    string
	Kind, Status   string
	AcceptedTonnes float64
	KgCO2e         *float64
	BaselineKgCO2e *float64
	RoadKm         *float64
	Baseline       string
	ReceivedAt     *time.Time
	// The delivery site's kind and facility type: whether the tonnes count
	// as reused (climate.Reused), as the climate accounts count them.
	DeliveryKind         string
	DeliveryFacilityType string
}

// Delivered is one agreement's received delivery loads summed (what the
// database aggregates; AggregateLoads is the same in Go).
type Delivered struct {
	AgreementID   string
	Loads         int
	Tonnes        float64 // accepted
	ReusedTonnes  float64 // accepted, at a reuse destination (climate.Reused)
	SavedKg       float64 // Σ baseline − actual kg CO2e, loads with an account
	TonneKm       float64 // Σ accepted t × (landfill km + quarry km − road km), complete baselines
	FirstReceived flexTime
}

// RealizedInput is what ComputeRealized reads: the loads one by one
// (Loads) or summed per agreement (Delivered, which wins when set).
type RealizedInput struct {
	Listings      []ListingRow // public, published (as for Compute)
	Matches       []MatchRow
	Agreements    []AgreementRow // signed (sealed, not cancelled)
	Loads         []LoadRow
	Delivered     []Delivered
	SurplusTonnes float64 // every published surplus listing, any visibility
}

// AggregateLoads sums received delivery loads (accepted or partly
// accepted, accepted tonnes above 0) per agreement: the rules the
// database's aggregate (Service.realized) follows.
func AggregateLoads(ls []LoadRow) []Delivered {
	by := map[string]*Delivered{}
	var order []string
	for _, l := range ls {
		if l.Kind != "" && l.Kind != "delivery" || l.Status != "received" && l.Status != "partly_accepted" || l.AcceptedTonnes <= 0 {
			continue
		}
		d := by[l.AgreementID]
		if d == nil {
			d = &Delivered{AgreementID: l.AgreementID}
			by[l.AgreementID] = d
			order = append(order, l.AgreementID)
		}
		d.Loads++
		d.Tonnes += l.AcceptedTonnes
		if climate.Reused(l.DeliveryKind, l.DeliveryFacilityType) {
			d.ReusedTonnes += l.AcceptedTonnes
		}
		if l.KgCO2e != nil && l.BaselineKgCO2e != nil {
			d.SavedKg += *l.BaselineKgCO2e - *l.KgCO2e
		}
		if l.RoadKm != nil && l.Baseline != "" {
			var b struct {
				LandfillKm float64 `json:"landfill_km"`
				QuarryKm   float64 `json:"quarry_km"`
				Complete   bool    `json:"complete"`
			}
			if json.Unmarshal([]byte(l.Baseline), &b) == nil && b.Complete {
				d.TonneKm += l.AcceptedTonnes * (b.LandfillKm + b.QuarryKm - *l.RoadKm)
			}
		}
		if l.ReceivedAt != nil && (d.FirstReceived.T == nil || l.ReceivedAt.Before(*d.FirstReceived.T)) {
			t := *l.ReceivedAt
			d.FirstReceived.T = &t
		}
	}
	out := make([]Delivered, 0, len(order))
	for _, id := range order {
		out = append(out, *by[id])
	}
	return out
}

// flexTime scans a time the engines answer differently for an aggregate:
// a time on Postgres, text on SQLite.
type flexTime struct{ T *time.Time }

// Value writes the time (flexTime is only read; gorm wants both ways).
func (f flexTime) Value() (driver.Value, error) {
	if f.T == nil {
		return nil, nil
	}
	return *f.T, nil
}

func (f *flexTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		f.T = nil
		return nil
	case time.Time:
		f.T = &x
		return nil
	case []byte:
		v = string(x)
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("stats: cannot scan %T as a time", v)
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			f.T = &t
			return nil
		}
	}
	return fmt.Errorf("stats: cannot read time %q", s)
}

// ComputeRealized derives the realized figures.
func ComputeRealized(in RealizedInput) *Realized {
	r := &Realized{Method: RealizedMethod}
	published := map[string]*ListingRow{}
	for i := range in.Listings {
		l := &in.Listings[i]
		if l.Visibility == "public" && market.Status(l.Status) != market.StatusDraft {
			published[l.ID] = l
		}
	}
	signed := map[string]*AgreementRow{}
	for i := range in.Agreements {
		signed[in.Agreements[i].ID] = &in.Agreements[i]
	}
	// Loads, summed per agreement.
	delivered := in.Delivered
	if delivered == nil {
		delivered = AggregateLoads(in.Loads)
	}
	var reused, savedKg, tkm float64
	behind := map[string]bool{}
	firstLoad := map[string]time.Time{} // agreement → first receipt
	for _, d := range delivered {
		if signed[d.AgreementID] == nil || d.Loads == 0 {
			continue
		}
		r.Loads += d.Loads
		behind[d.AgreementID] = true
		reused += d.ReusedTonnes
		savedKg += d.SavedKg
		tkm += d.TonneKm
		if d.FirstReceived.T != nil {
			firstLoad[d.AgreementID] = *d.FirstReceived.T
		}
	}
	r.Agreements = len(behind)
	if r.Agreements < MinCell {
		r.Suppressed = r.Agreements > 0
	} else {
		r.Reused = market.QuantityBand(reused)
		if in.SurplusTonnes > 0 {
			rate := math.Round(math.Min(reused/in.SurplusTonnes, 1)*10000) / 10000
			r.ReuseRate = &rate
		}
		co2 := roundSig(savedKg/1000, 2)
		r.CO2eSavedTonnes = &co2
		t := roundSig(tkm, 2)
		r.TonneKmAvoided = &t
	}
	// Times from publication, per public listing.
	firstAgreement, firstDelivery := map[string]time.Time{}, map[string]time.Time{}
	note := func(m map[string]time.Time, id *string, at time.Time) {
		if id == nil || published[*id] == nil {
			return
		}
		if t, ok := m[*id]; !ok || at.Before(t) {
			m[*id] = at
		}
	}
	pairs := map[[2]string]bool{}
	matchIDs := map[string]bool{}
	for _, a := range in.Agreements {
		if a.SealedAt != nil {
			note(firstAgreement, a.ListingID, *a.SealedAt)
			note(firstAgreement, a.CounterpartListingID, *a.SealedAt)
		}
		if at, ok := firstLoad[a.ID]; ok {
			note(firstDelivery, a.ListingID, at)
			note(firstDelivery, a.CounterpartListingID, at)
		}
		if a.ListingID != nil && a.CounterpartListingID != nil {
			pairs[[2]string{*a.ListingID, *a.CounterpartListingID}] = true
			pairs[[2]string{*a.CounterpartListingID, *a.ListingID}] = true
		}
		if a.MatchID != nil {
			matchIDs[*a.MatchID] = true
		}
	}
	r.MedianDaysToFirstAgreement = medianDays(published, firstAgreement)
	r.MedianDaysToFirstDelivery = medianDays(published, firstDelivery)
	// Matches between public listings, and those that led to an agreement.
	matched := map[string]bool{}
	var n, led int
	for _, m := range in.Matches {
		if published[m.ListingID] == nil || published[m.CounterpartID] == nil {
			continue
		}
		n++
		matched[m.ListingID], matched[m.CounterpartID] = true, true
		if pairs[[2]string{m.ListingID, m.CounterpartID}] || m.ID != "" && matchIDs[m.ID] {
			led++
		}
	}
	if len(published) > 0 {
		r.MatchRate = math.Round(float64(len(matched))/float64(len(published))*1000) / 1000
	}
	if n >= MinCell {
		share := math.Round(float64(led)/float64(n)*1000) / 1000
		r.MatchesToAgreement = &share
	}
	return r
}

// medianDays is the median of the days from each listing's publication to
// its time in at (one decimal), null with fewer than MinCell listings.
func medianDays(published map[string]*ListingRow, at map[string]time.Time) *float64 {
	var days []float64
	for id, t := range at {
		if p := published[id].PublishedAt; p != nil {
			days = append(days, math.Max(0, t.Sub(*p).Hours()/24))
		}
	}
	if len(days) < MinCell {
		return nil
	}
	sort.Float64s(days)
	med := days[len(days)/2]
	if len(days)%2 == 0 {
		med = (days[len(days)/2-1] + days[len(days)/2]) / 2
	}
	med = math.Round(med*10) / 10
	return &med
}

// realized reads and computes the realized figures in ctx's tenant.
func (s *Service) realized(ctx context.Context, ls []ListingRow, ms []MatchRow) (*Realized, error) {
	in := RealizedInput{Listings: ls, Matches: ms}
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Table("agreements").Select("id, listing_id, counterpart_listing_id, match_id, sealed_at").
			Where("sealed_version > 0 AND status <> ?", "cancelled").Scan(&in.Agreements).Error; err != nil {
			return err
		}
		// Summed per agreement in the database: a region's loads are never
		// read one by one. The baseline's distances are JSON text.
		jsonNum := func(key string) string {
			if s.DB.Dialect == store.Postgres {
				return "COALESCE((baseline::jsonb->>'" + key + "')::float8, 0)"
			}
			return "COALESCE(json_extract(baseline, '$." + key + "'), 0)"
		}
		complete := "json_extract(baseline, '$.complete') = 1"
		if s.DB.Dialect == store.Postgres {
			complete = "(baseline::jsonb->>'complete') = 'true'"
		}
		tkm := "CASE WHEN road_km IS NOT NULL AND baseline LIKE '{%' THEN CASE WHEN " + complete + " THEN accepted_tonnes * (" + jsonNum("landfill_km") + " + " + jsonNum("quarry_km") + " - road_km) ELSE 0 END ELSE 0 END"
		if err := tx.Table("loads").Select("agreement_id, COUNT(*) AS loads, SUM(accepted_tonnes) AS tonnes, "+
			"SUM(CASE WHEN kg_co2e IS NOT NULL AND baseline_kg_co2e IS NOT NULL THEN baseline_kg_co2e - kg_co2e ELSE 0 END) AS saved_kg, "+
			"SUM("+tkm+") AS tonne_km, MIN(received_at) AS first_received").
			Where("status IN ? AND kind = ? AND accepted_tonnes > 0", []string{"received", "partly_accepted"}, "delivery").
			Group("agreement_id").Scan(&in.Delivered).Error; err != nil {
			return err
		}
		// Tonnes reused: deliveries to a project or a reuse facility (not
		// to landfill or intermediate storage), as the climate accounts
		// count them.
		var reused []struct {
			AgreementID string
			Tonnes      float64
		}
		if err := tx.Table("loads").Select("loads.agreement_id AS agreement_id, SUM(loads.accepted_tonnes) AS tonnes").
			Joins("JOIN sites ON sites.tenant_id = loads.tenant_id AND sites.id = loads.delivery_site_id").
			Where("loads.status IN ? AND loads.kind = ? AND loads.accepted_tonnes > 0", []string{"received", "partly_accepted"}, "delivery").
			Where("sites.kind = ? OR (sites.kind = ? AND sites.facility_type IN ?)", "project", "facility", climate.ReuseFacilityTypes()).
			Group("loads.agreement_id").Scan(&reused).Error; err != nil {
			return err
		}
		at := make(map[string]int, len(in.Delivered))
		for i, d := range in.Delivered {
			at[d.AgreementID] = i
		}
		for _, r := range reused {
			if i, ok := at[r.AgreementID]; ok {
				in.Delivered[i].ReusedTonnes = r.Tonnes
			}
		}
		if in.Delivered == nil {
			in.Delivered = []Delivered{}
		}
		return tx.Model(&market.Listing{}).Select("COALESCE(SUM(quantity_tonnes), 0)").
			Where("status <> ? AND kind = ?", string(market.StatusDraft), "surplus").Scan(&in.SurplusTonnes).Error
	})
	if err != nil {
		return nil, err
	}
	return ComputeRealized(in), nil
}
