// Package emissions holds versioned emission factor sets and the transport
// CO2 model: per-vehicle-km factors for the loaded and the empty return leg,
// divided by the tonnes actually carried (never DEFRA's tonne-km factors,
// which assume payloads far below a Norwegian tipper's).
package emissions

import (
	"fmt"
	"math"
	"sync"
)

// Vehicle classes of the factor tables.
const (
	Rigid = "rigid" // rigid > 17 t, ≈ 4-axle tipper
	Artic = "artic" // articulated > 33 t, ≈ tipper semi / road train
)

// Scopes.
const (
	TTW = "ttw" // tailpipe
	WTW = "wtw" // tailpipe plus fuel production
)

// FactorSet is a named, versioned set of factors; reports name the set they used.
type FactorSet struct {
	Name   string
	Source string
	// Factors[class][scope] holds kg CO2e per vehicle-km at 0 %, 50 % and 100 % laden.
	Factors map[string]map[string][3]float64
	// FuelFactor scales the diesel WTW factor per fuel; Uncertain marks ⚠ values.
	FuelFactor map[string]float64
	// ElectricKgPerKm is used for battery-electric trucks whatever the load.
	ElectricKgPerKm float64
	Uncertain       []string
}

// DEFRA2025 is UK DESNZ/DEFRA "Greenhouse gas reporting: conversion factors
// 2025", HGV diesel tables, with Norwegian fuel adjustments (REFERENCE.md).
var DEFRA2025 = FactorSet{
	Name:   "defra-2025",
	Source: "UK DESNZ/DEFRA GHG conversion factors 2025 (HGV, diesel); HVO −80 % WTW; NVE 2023 grid 15 g/kWh × 1.4 kWh/km",
	Factors: map[string]map[string][3]float64{
		Rigid: {TTW: {0.774, 0.942, 1.109}, WTW: {0.956, 1.163, 1.371}},
		Artic: {TTW: {0.647, 0.858, 1.069}, WTW: {0.799, 1.061, 1.322}},
	},
	FuelFactor:      map[string]float64{"diesel": 1, "hvo": 0.2, "biogas": 0.3, "hydrogen": 0.3},
	ElectricKgPerKm: 1.4 * 0.015,
	Uncertain:       []string{"hvo", "electric", "biogas", "hydrogen"},
}

// Default is the factor set in force.
var Default = DEFRA2025

// PerKm returns kg CO2e per vehicle-km for a class, scope and laden share
// (0–1), interpolating linearly between the 0, 50 and 100 % points.
func (fs FactorSet) PerKm(class, scope string, laden float64) (float64, error) {
	byScope, ok := fs.Factors[class]
	if !ok {
		return 0, fmt.Errorf("emissions: unknown vehicle class %q", class)
	}
	f, ok := byScope[scope]
	if !ok {
		return 0, fmt.Errorf("emissions: unknown scope %q", scope)
	}
	laden = math.Max(0, math.Min(1, laden))
	if laden <= 0.5 {
		return f[0] + (f[1]-f[0])*laden/0.5, nil
	}
	return f[1] + (f[2]-f[1])*(laden-0.5)/0.5, nil
}

// Vehicle is what a transport is driven with.
type Vehicle struct {
	Class         string  // Rigid or Artic
	PayloadTonnes float64 // usable payload
	Fuel          string  // diesel, hvo, electric, biogas, hydrogen
}

// DefaultVehicle is a 4-axle diesel tipper with 18 t payload (REFERENCE.md:
// 17–19 t ⚠), used when no vehicle is known.
var DefaultVehicle = Vehicle{Class: Rigid, PayloadTonnes: 18, Fuel: "diesel"}

// ClassOf maps a vehicle body type to a factor class.
func ClassOf(bodyType string) string {
	switch bodyType {
	case "semi_tipper", "road_train":
		return Artic
	}
	return Rigid
}

// Estimate is the outcome of a transport estimate.
type Estimate struct {
	FactorSet    string  `json:"factor_set"`
	Scope        string  `json:"scope"`
	Tonnes       float64 `json:"tonnes"`
	Loads        int     `json:"loads"`
	RoadKm       float64 `json:"road_km"`
	LoadedKm     float64 `json:"loaded_km"`
	EmptyKm      float64 `json:"empty_km"`
	KgCO2e       float64 `json:"kg_co2e"`
	KgPerTonne   float64 `json:"kg_co2e_per_tonne"`
	VehicleClass string  `json:"vehicle_class"`
	Payload      float64 `json:"payload_tonnes"`
	Fuel         string  `json:"fuel"`
}

// Transport estimates moving tonnes over roadKm one way: every load drives
// loaded there and empty back; the last load carries the remainder.
func (fs FactorSet) Transport(tonnes, roadKm float64, v Vehicle, scope string) (Estimate, error) {
	e := Estimate{FactorSet: fs.Name, Scope: scope, Tonnes: tonnes, RoadKm: roadKm, VehicleClass: v.Class, Payload: v.PayloadTonnes, Fuel: v.Fuel}
	if tonnes < 0 || roadKm < 0 || math.IsNaN(tonnes) || math.IsNaN(roadKm) {
		return e, fmt.Errorf("emissions: negative or invalid tonnes %v or distance %v", tonnes, roadKm)
	}
	if v.PayloadTonnes <= 0 {
		return e, fmt.Errorf("emissions: payload must be positive")
	}
	perKm := func(laden float64) (float64, error) { return fs.LegKm(v, scope, laden) }
	// The vehicle, fuel and scope are checked even for nothing to move.
	fullKm, err := perKm(1)
	if err != nil {
		return e, err
	}
	emptyKm, err := perKm(0)
	if err != nil {
		return e, err
	}
	if tonnes == 0 {
		return e, nil
	}
	full := math.Floor(tonnes / v.PayloadTonnes)
	rest := tonnes - full*v.PayloadTonnes
	loads := int(full)
	if rest > 1e-9 {
		loads++
	}
	kg := full * roadKm * fullKm
	if rest > 1e-9 {
		partKm, err := perKm(rest / v.PayloadTonnes)
		if err != nil {
			return e, err
		}
		kg += roadKm * partKm
	}
	kg += float64(loads) * roadKm * emptyKm
	e.Loads = loads
	e.LoadedKm = float64(loads) * roadKm
	e.EmptyKm = float64(loads) * roadKm
	e.KgCO2e = kg
	e.KgPerTonne = kg / tonnes
	return e, nil
}

// LegKm is kg CO2e per km driven by v at a laden share (0–1), fuel included.
func (fs FactorSet) LegKm(v Vehicle, scope string, laden float64) (float64, error) {
	if v.Fuel == "electric" {
		return fs.ElectricKgPerKm, nil
	}
	f, err := fs.PerKm(v.Class, scope, laden)
	if err != nil {
		return 0, err
	}
	fuel, ok := fs.FuelFactor[v.Fuel]
	if !ok {
		return 0, fmt.Errorf("emissions: unknown fuel %q", v.Fuel)
	}
	return f * fuel, nil
}

// The registry of named factor sets (issue 14): a climate account names the
// set it used, and a later set is added here, never edited into an old one.
// Sets are listed oldest first; Default stays the set new loads use until
// it is moved on purpose.
var (
	regMu    sync.RWMutex
	registry = []FactorSet{DEFRA2025}
)

// Sets lists the registered factor sets, oldest first.
func Sets() []FactorSet {
	regMu.RLock()
	defer regMu.RUnlock()
	return append([]FactorSet(nil), registry...)
}

// Lookup returns the registered set of that name.
func Lookup(name string) (FactorSet, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	for _, fs := range registry {
		if fs.Name == name {
			return fs, true
		}
	}
	return FactorSet{}, false
}

// Register adds a newer factor set (at start-up, or in a test). A name is
// registered once: a set is never changed after accounts used it.
func Register(fs FactorSet) error {
	if fs.Name == "" || len(fs.Factors) == 0 {
		return fmt.Errorf("emissions: a factor set needs a name and factors")
	}
	if _, ok := Lookup(fs.Name); ok {
		return fmt.Errorf("emissions: factor set %q is registered already", fs.Name)
	}
	regMu.Lock()
	defer regMu.Unlock()
	registry = append(registry, fs)
	return nil
}

// Unregister removes a set registered by a test.
func Unregister(name string) {
	regMu.Lock()
	defer regMu.Unlock()
	for i, fs := range registry {
		if fs.Name == name && i > 0 {
			registry = append(registry[:i:i], registry[i+1:]...)
			return
		}
	}
}

// Newer lists the registered sets after name (every set but name when name
// is unknown): what an account using name may be recomputed with.
func Newer(name string) []FactorSet {
	regMu.RLock()
	defer regMu.RUnlock()
	for i, fs := range registry {
		if fs.Name == name {
			return append([]FactorSet(nil), registry[i+1:]...)
		}
	}
	var out []FactorSet
	for _, fs := range registry {
		if fs.Name != name {
			out = append(out, fs)
		}
	}
	return out
}

// TripKg is one shipment's kg CO2e by the ISO 14083 / GLEC method, well to
// wheel: roadKm driven by v carrying carried tonnes, and the return over
// the same distance: empty, or, when backLoaded (a load the receiver
// rejected and that goes back to its sender), with the same tonnes.
func (fs FactorSet) TripKg(v Vehicle, roadKm, carried float64, backLoaded bool) (float64, error) {
	if v.PayloadTonnes <= 0 {
		v.PayloadTonnes = DefaultVehicle.PayloadTonnes
	}
	full, err := fs.LegKm(v, WTW, carried/v.PayloadTonnes)
	if err != nil {
		return 0, err
	}
	back := full
	if !backLoaded {
		if back, err = fs.LegKm(v, WTW, 0); err != nil {
			return 0, err
		}
	}
	return roadKm * (full + back), nil
}

// VehicleFor is the vehicle of a register entry (its body type, payload
// and fuel) as fs computes it: the default tipper's payload when none is
// given, and diesel for a fuel fs has no factor for.
func VehicleFor(fs FactorSet, bodyType string, payloadTonnes float64, fuel string) Vehicle {
	v := Vehicle{Class: ClassOf(bodyType), PayloadTonnes: payloadTonnes, Fuel: fuel}
	if v.PayloadTonnes <= 0 {
		v.PayloadTonnes = DefaultVehicle.PayloadTonnes
	}
	if _, ok := fs.FuelFactor[v.Fuel]; !ok && v.Fuel != "electric" {
		v.Fuel = "diesel"
	}
	return v
}

// BaselineKg is a load's counterfactual: tonnes driven each of the given
// distances by the default diesel tipper, loaded there and empty back.
func (fs FactorSet) BaselineKg(tonnes float64, kms ...float64) (float64, error) {
	kg := 0.0
	for _, km := range kms {
		if km > 0 && tonnes > 0 {
			e, err := fs.Transport(tonnes, km, DefaultVehicle, WTW)
			if err != nil {
				return 0, err
			}
			kg += e.KgCO2e
		}
	}
	return kg, nil
}

// ZeroEmission reports whether a fuel is carried without tailpipe
// emissions (battery-electric and hydrogen fuel-cell trucks).
func ZeroEmission(fuel string) bool { return fuel == "electric" || fuel == "hydrogen" }
