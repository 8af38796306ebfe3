// Package climate is the climate accounts from actual loads (issue 14: V8,
// V9, B3). core/haul writes each delivered load's own account (kg CO2e well
// to wheel from its actual vehicle and distance, both the loaded leg and
// the empty return, ISO 14083 / GLEC; the factor set; its baseline). This
// package sums them per agreement, project, organization, municipality and
// region, by month (Oslo) and fraction, incrementally from load.received,
// each delivered load once.
//
// What counts:
//   - a load: a delivery (not a return) received or partly accepted, whose
//     own climate account core/haul has written;
//   - a rejected delivery is not a load and has no tonnes, but its trip
//     counts: it drove there loaded and went back to the sender with the
//     same masses (its return carries no account of its own), so its
//     emissions, tonne-km (both legs) and negative saving are in the
//     accounts;
//   - tonnes: the accepted tonnes; tonne-km: the carried (weighed) tonnes ×
//     the loaded road distance;
//   - tonnes reused: accepted tonnes delivered to a project site (direct
//     reuse) or to a facility that puts masses back to use (a recycling
//     plant, an environmental park, a quarry, a port); tonnes to a landfill,
//     an intermediate storage or a bare receiving site are not counted
//     (they count when they leave the storage for a reuse);
//   - saving: the loads' baseline (the surplus to the nearest landfill that
//     may take it, plus the same tonnes fetched from the nearest quarry)
//     minus what was emitted, rejected trips included;
//   - zero-emission tonnes: accepted tonnes carried by a battery-electric or
//     hydrogen truck; the share is zero-emission tonnes / tonnes.
//
// A load's vehicle is the one it departed with, as it was then (its body
// type, payload and fuel are kept with the load): a truck converted to
// another fuel later does not change its earlier loads.
//
// Factor sets are versioned: the recorded account sums each load's own
// figures under the set it was computed with. A recompute with a newer
// set (on request, by a tenant admin or the organization's admin) is kept
// beside it as a variant of its own, with who asked and when; new loads
// update both. Nothing changes a recorded account.
package climate

import (
	"time"

	"github.com/masseflyt/masseflyt/core/store"
)

// Scope kinds.
const (
	ScopeAgreement    = "agreement"
	ScopeProject      = "project"
	ScopeOrganization = "organization"
	ScopeMunicipality = "municipality"
	ScopeRegion       = "region"
)

// Scopes lists the scope kinds.
var Scopes = []string{ScopeAgreement, ScopeProject, ScopeOrganization, ScopeMunicipality, ScopeRegion}

// RegionID is the region scope's ID (one per tenant).
const RegionID = "all"

// Recorded is the variant of the loads' own figures.
const Recorded = "recorded"

// Figures are the sums of a cell, a row or an account.
type Figures struct {
	Loads          int     `json:"loads"`
	Tonnes         float64 `json:"tonnes"`
	TonnesReused   float64 `json:"tonnes_reused"`
	TonneKm        float64 `gorm:"column:tonne_km" json:"tonne_km"`
	KgCO2e         float64 `gorm:"column:kg_co2e" json:"kg_co2e"`
	BaselineKgCO2e float64 `gorm:"column:baseline_kg_co2e" json:"baseline_kg_co2e"`
	SavingKgCO2e   float64 `gorm:"column:saving_kg_co2e" json:"saving_kg_co2e"`
	ZeroTonnes     float64 `gorm:"column:zero_tonnes" json:"zero_emission_tonnes"`
}

// ZeroShare is the share of the tonnes carried by zero-emission vehicles (0–1).
func (f Figures) ZeroShare() float64 {
	if f.Tonnes <= 0 {
		return 0
	}
	return f.ZeroTonnes / f.Tonnes
}

func (f *Figures) add(o Figures) {
	f.Loads += o.Loads
	f.Tonnes += o.Tonnes
	f.TonnesReused += o.TonnesReused
	f.TonneKm += o.TonneKm
	f.KgCO2e += o.KgCO2e
	f.BaselineKgCO2e += o.BaselineKgCO2e
	f.SavingKgCO2e += o.SavingKgCO2e
	f.ZeroTonnes += o.ZeroTonnes
}

// Cell is one stored account cell (a tenant table): a scope's figures for
// one variant, month (YYYY-MM, Oslo), fraction, pickup municipality and
// factor set.
type Cell struct {
	store.TenantRow
	ID             string `gorm:"primaryKey" json:"-"`
	ScopeKind      string `json:"-"`
	ScopeID        string `json:"-"`
	Variant        string `json:"-"`
	Month          string `json:"month"`
	Fraction       string `json:"fraction"`
	MunicipalityNo string `json:"municipality_no"`
	FactorSet      string `json:"factor_set"`
	Figures        `gorm:"embedded"`
	CreatedAt      time.Time `json:"-"`
	UpdatedAt      time.Time `json:"-"`
}

func (Cell) TableName() string { return "climate_accounts" }

// applied marks a load counted (a tenant table keyed by the load's ID).
type applied struct {
	store.TenantRow
	ID        string `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (applied) TableName() string { return "climate_loads" }

// Recompute is a scope's account recomputed with a named factor set (a
// tenant table): who asked, when, over how many loads.
type Recompute struct {
	store.TenantRow
	ID           string    `gorm:"primaryKey" json:"id"`
	ScopeKind    string    `json:"scope"`
	ScopeID      string    `json:"scope_id"`
	FactorSet    string    `json:"factor_set"`
	Loads        int       `json:"loads"`
	RecomputedBy string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"recomputed_at"`
}

func (Recompute) TableName() string { return "climate_sets" }

// Row is a line of an account: a month, a fraction, a municipality, or a
// month and fraction.
type Row struct {
	Month          string  `json:"month,omitempty"`
	Fraction       string  `json:"fraction,omitempty"`
	MunicipalityNo string  `json:"municipality_no,omitempty"`
	Label          string  `json:"label,omitempty"`
	ZeroShare      float64 `json:"zero_emission_share"`
	Figures
}

// Account is a scope's climate account over a period.
type Account struct {
	Scope string `json:"scope"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	// From and To are the first and last month (YYYY-MM, Oslo).
	From string `json:"from"`
	To   string `json:"to"`
	// Variant is "recorded" (the loads' own figures) or the factor set the
	// account was recomputed with.
	Variant string `json:"variant"`
	// FactorSets are the sets the figures were computed with.
	FactorSets []string `json:"factor_sets"`
	Totals     Figures  `json:"totals"`
	ZeroShare  float64  `json:"zero_emission_share"`
	// Months (every month of the period), Fractions and Municipalities
	// (largest first), and Rows: month × fraction.
	Months         []Row `json:"months"`
	Fractions      []Row `json:"fractions"`
	Municipalities []Row `json:"municipalities"`
	Rows           []Row `json:"rows"`
	// Recomputes are the variants recomputed with other sets; Newer the
	// registered sets it may be recomputed with; CanRecompute whether the
	// reader may.
	Recomputes   []Recompute `json:"recomputes"`
	Newer        []string    `json:"newer_sets"`
	CanRecompute bool        `json:"can_recompute"`
}
