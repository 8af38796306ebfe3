package market

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Parameter is one analyte of the TA-2553 condition-class table.
type Parameter struct {
	Key  string
	Name string
	// Limits are the upper limits of classes 1–5 in mg/kg dry matter; class
	// 1's limit is the reference value (normverdi).
	Limits [5]float64
	// Uncertain marks ⚠ rows of REFERENCE.md.
	Uncertain bool
}

// TA2553 is Miljødirektoratet TA-2553/2009 (in force until its update).
var TA2553 = []Parameter{
	{Key: "as", Name: "Arsen (As)", Limits: [5]float64{8, 20, 50, 600, 1000}},
	{Key: "pb", Name: "Bly (Pb)", Limits: [5]float64{60, 100, 300, 700, 2500}},
	{Key: "cd", Name: "Kadmium (Cd)", Limits: [5]float64{1.5, 10, 15, 30, 1000}},
	{Key: "cu", Name: "Kobber (Cu)", Limits: [5]float64{100, 200, 1000, 8500, 25000}},
	{Key: "cr", Name: "Krom (III/total)", Limits: [5]float64{50, 200, 500, 2800, 25000}},
	{Key: "cr6", Name: "Krom VI", Limits: [5]float64{2, 5, 20, 80, 1000}, Uncertain: true},
	{Key: "hg", Name: "Kvikksølv (Hg)", Limits: [5]float64{1, 2, 4, 10, 1000}},
	{Key: "ni", Name: "Nikkel (Ni)", Limits: [5]float64{60, 135, 200, 1200, 2500}},
	{Key: "zn", Name: "Sink (Zn)", Limits: [5]float64{200, 500, 1000, 5000, 25000}},
	{Key: "pcb7", Name: "PCB7", Limits: [5]float64{0.01, 0.5, 1, 5, 50}},
	{Key: "pah16", Name: "PAH16", Limits: [5]float64{2, 8, 50, 150, 2500}},
	{Key: "bap", Name: "Benzo(a)pyren", Limits: [5]float64{0.1, 0.5, 5, 15, 100}},
	{Key: "c8_c10", Name: "Alifater C8–C10", Limits: [5]float64{10, 10, 40, 50, 20000}},
	{Key: "c10_c12", Name: "Alifater >C10–C12", Limits: [5]float64{50, 60, 130, 300, 20000}, Uncertain: true},
	{Key: "c12_c35", Name: "Alifater >C12–C35", Limits: [5]float64{100, 300, 600, 2000, 20000}},
	{Key: "benzene", Name: "Benzen", Limits: [5]float64{0.01, 0.015, 0.04, 0.05, 1000}, Uncertain: true},
}

// HazardousClass is the class above 5: hazardous waste.
const HazardousClass = 6

var paramByKey = func() map[string]*Parameter {
	m := map[string]*Parameter{}
	for i := range TA2553 {
		m[TA2553[i].Key] = &TA2553[i]
	}
	return m
}()

// ParameterByKey returns a TA-2553 parameter.
func ParameterByKey(key string) (*Parameter, bool) {
	p, ok := paramByKey[strings.ToLower(strings.TrimSpace(key))]
	return p, ok
}

// Class returns the condition class (1–5, or 6 for hazardous) of a value.
// A value equal to a class limit belongs to that class.
func (p *Parameter) Class(mgPerKg float64) int {
	for i, lim := range p.Limits {
		if mgPerKg <= lim {
			return i + 1
		}
	}
	return HazardousClass
}

// MaxMgPerKg is all of the dry matter.
const MaxMgPerKg = 1_000_000

// ErrMoreThanAll: a value above all of the dry matter (a typo or a unit
// mix-up, e.g. 1e308 g/kg).
var ErrMoreThanAll = errors.New("more than all of the dry matter")

// ToMgPerKg converts a lab value to mg/kg dry matter; anything that is not a
// mass fraction of dry matter (mg/l, %, …) is refused.
func ToMgPerKg(value float64, unit string) (float64, error) {
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return 0, fmt.Errorf("invalid value")
	}
	if value < 0 {
		return 0, fmt.Errorf("negative value")
	}
	u := normUnit(unit)
	var mg float64
	switch u {
	case "mg/kg", "ppm":
		mg = value
	case "µg/kg", "ug/kg", "mcg/kg":
		mg = value / 1000
	case "g/kg":
		mg = value * 1000
	default:
		return 0, fmt.Errorf("unit %q is not mg/kg dry matter", unit)
	}
	// A part of the dry matter is at most all of it: 1 000 000 mg/kg.
	if mg > MaxMgPerKg || math.IsInf(mg, 0) {
		return 0, ErrMoreThanAll
	}
	return mg, nil
}

// BelowLimitPrefix marks, in a sample's results, a value reported below
// the lab's detection limit ("<0,5"): results["<as"] is the limit, and
// results["as"] holds the same limit, which is what is classified (the
// value is at most the limit, so its class is at most the limit's class;
// a limit at or below the reference value is class 1, as TA-2553 practice
// reads "not detected").
const BelowLimitPrefix = "<"

// Result is a sample's classification.
type Result struct {
	Class int `json:"class"`
	// Deciding names the parameter(s) that set the class (the worst decides).
	Deciding []string `json:"deciding"`
	// PerParameter is each parameter's own class.
	PerParameter map[string]int `json:"per_parameter"`
}

// Classify classifies one sample of values in mg/kg dry matter.
func Classify(values map[string]float64) (Result, error) {
	r := Result{Class: 1, PerParameter: map[string]int{}}
	if len(values) == 0 {
		return r, fmt.Errorf("no values")
	}
	for k, v := range values {
		if strings.HasPrefix(k, BelowLimitPrefix) {
			continue // a marker: the value under its key is a detection limit
		}
		p, ok := ParameterByKey(k)
		if !ok {
			return r, fmt.Errorf("unknown parameter %q", k)
		}
		if v < 0 || math.IsNaN(v) {
			return r, fmt.Errorf("%s: negative or invalid value", p.Key)
		}
		c := p.Class(v)
		r.PerParameter[p.Key] = c
		switch {
		case c > r.Class:
			r.Class, r.Deciding = c, []string{p.Key}
		case c == r.Class && c > 1:
			r.Deciding = append(r.Deciding, p.Key)
		}
	}
	if r.Class == 1 {
		r.Deciding = nil
	}
	sort.Strings(r.Deciding)
	return r, nil
}
