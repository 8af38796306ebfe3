package emissions

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6*math.Max(1, math.Abs(b)) }

func TestPerKmInterpolates(t *testing.T) {
	for _, c := range []struct {
		class, scope string
		laden, want  float64
	}{
		{Rigid, WTW, 0, 0.956}, {Rigid, WTW, 0.5, 1.163}, {Rigid, WTW, 1, 1.371},
		{Rigid, WTW, 0.25, (0.956 + 1.163) / 2}, {Artic, TTW, 0.75, (0.858 + 1.069) / 2},
		{Rigid, TTW, 2, 1.109}, {Rigid, TTW, -1, 0.774},
	} {
		got, err := DEFRA2025.PerKm(c.class, c.scope, c.laden)
		if err != nil || !near(got, c.want) {
			t.Errorf("%s %s %.2f: %v %v, want %v", c.class, c.scope, c.laden, got, err, c.want)
		}
	}
	if _, err := DEFRA2025.PerKm("bicycle", WTW, 1); err == nil {
		t.Error("unknown class accepted")
	}
}

// transport is DEFRA2025.Transport that fails the test on an error.
func transport(t *testing.T, tonnes, roadKm float64, v Vehicle, scope string) Estimate {
	t.Helper()
	e, err := DEFRA2025.Transport(tonnes, roadKm, v, scope)
	if err != nil {
		t.Fatalf("Transport(%v t, %v km, %+v, %s): %v", tonnes, roadKm, v, scope, err)
	}
	return e
}

func TestTransport(t *testing.T) {
	// 100 t over 10 km with an 18 t rigid diesel tipper, WTW:
	// 5 full loads + 1 load of 10 t (55.6 % laden), each returning empty.
	e, err := DEFRA2025.Transport(100, 10, DefaultVehicle, WTW)
	if err != nil {
		t.Fatal(err)
	}
	part, err := DEFRA2025.PerKm(Rigid, WTW, 10.0/18)
	if err != nil {
		t.Fatal(err)
	}
	want := 5*10*1.371 + 10*part + 6*10*0.956
	if e.Loads != 6 || !near(e.KgCO2e, want) || !near(e.KgPerTonne, want/100) || e.FactorSet != "defra-2025" {
		t.Fatalf("estimate %+v, want %.3f kg", e, want)
	}
	// The rule of thumb: about 1 kg CO2 per km for a loaded tipper (tailpipe).
	e = transport(t, 18, 1, DefaultVehicle, TTW)
	if e.Loads != 1 || !near(e.KgCO2e, 1.109+0.774) || e.KgCO2e < 1.5 || e.KgCO2e > 2.2 {
		t.Fatalf("one loaded km plus the empty km back: %+v", e)
	}
	// A road train carries more per trip: less per tonne than a tipper.
	rt := transport(t, 1000, 20, Vehicle{Class: Artic, PayloadTonnes: 30, Fuel: "diesel"}, WTW)
	tp := transport(t, 1000, 20, DefaultVehicle, WTW)
	if rt.KgPerTonne <= 0 || rt.KgPerTonne >= tp.KgPerTonne {
		t.Fatalf("road train %.3f ≥ tipper %.3f kg/t", rt.KgPerTonne, tp.KgPerTonne)
	}
	// HVO cuts WTW by 80 %; electric is almost nothing.
	hvo := transport(t, 100, 10, Vehicle{Class: Rigid, PayloadTonnes: 18, Fuel: "hvo"}, WTW)
	diesel := transport(t, 100, 10, DefaultVehicle, WTW)
	if diesel.KgCO2e <= 0 || !near(hvo.KgCO2e, 0.2*diesel.KgCO2e) {
		t.Fatalf("hvo %.3f vs diesel %.3f", hvo.KgCO2e, diesel.KgCO2e)
	}
	// 100 t in 16 t loads: 7 loads, each 10 km there and 10 km back, at
	// 1.4 kWh/km × 15 g/kWh whatever the load.
	el := transport(t, 100, 10, Vehicle{Class: Rigid, PayloadTonnes: 16, Fuel: "electric"}, WTW)
	if el.Loads != 7 || !near(el.KgCO2e, 7*2*10*1.4*0.015) || el.KgCO2e > 3 {
		t.Fatalf("electric %+v, want %.3f kg", el, 7*2*10*1.4*0.015)
	}
	// Zero, negative and bad input.
	if e, err := DEFRA2025.Transport(0, 10, DefaultVehicle, WTW); err != nil || e.KgCO2e != 0 || e.Loads != 0 {
		t.Fatalf("zero tonnes: %+v %v", e, err)
	}
	for _, bad := range [][2]float64{{-1, 10}, {10, -1}, {math.NaN(), 1}} {
		if _, err := DEFRA2025.Transport(bad[0], bad[1], DefaultVehicle, WTW); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if _, err := DEFRA2025.Transport(10, 10, Vehicle{Class: Rigid, PayloadTonnes: 0, Fuel: "diesel"}, WTW); err == nil {
		t.Error("zero payload accepted")
	}
	if _, err := DEFRA2025.Transport(10, 10, Vehicle{Class: Rigid, PayloadTonnes: 18, Fuel: "coal"}, WTW); err == nil {
		t.Error("unknown fuel accepted")
	}
}

// TestTransportRefusesBadVehicleEvenForNothing: an unknown fuel, class or
// scope is an error whatever the tonnage, zero included.
func TestTransportRefusesBadVehicleEvenForNothing(t *testing.T) {
	for _, tonnes := range []float64{0, 100} {
		for name, v := range map[string]Vehicle{
			"fuel":  {Class: Rigid, PayloadTonnes: 18, Fuel: "coal"},
			"class": {Class: "spaceship", PayloadTonnes: 18, Fuel: "diesel"},
		} {
			if _, err := DEFRA2025.Transport(tonnes, 10, v, WTW); err == nil {
				t.Errorf("%v t with a bad %s: no error", tonnes, name)
			}
		}
		if _, err := DEFRA2025.Transport(tonnes, 10, DefaultVehicle, "nowhere"); err == nil {
			t.Errorf("%v t with a bad scope: no error", tonnes)
		}
	}
	if e := transport(t, 0, 10, DefaultVehicle, WTW); e.Loads != 0 || e.KgCO2e != 0 {
		t.Errorf("nothing to move: %+v", e)
	}
}

// REFERENCE.md's worked example: a 12 km reuse haul with a full 18 t rigid
// tipper ≈ 27.9 kg CO2e per load; a baseline of 30 km to landfill plus 25
// km for new aggregate ≈ 128 kg.
func TestLoadAndBaselineWorkedExample(t *testing.T) {
	kg, err := DEFRA2025.TripKg(DefaultVehicle, 12, 18, false)
	if err != nil || math.Abs(kg-12*(1.371+0.956)) > 1e-9 || math.Abs(kg-27.9) > 0.05 {
		t.Fatalf("load %v, %v", kg, err)
	}
	base, err := DEFRA2025.BaselineKg(18, 30, 25)
	if err != nil || math.Abs(base-55*(1.371+0.956)) > 1e-9 || math.Abs(base-128) > 0.1 {
		t.Fatalf("baseline %v, %v", base, err)
	}
	// An empty truck still drives both legs; no distance, no emissions.
	if kg, _ := DEFRA2025.TripKg(DefaultVehicle, 10, 0, false); math.Abs(kg-10*2*0.956) > 1e-9 {
		t.Errorf("empty both ways %v", kg)
	}
	// A rejected load goes back loaded: the full leg twice.
	if kg, _ := DEFRA2025.TripKg(DefaultVehicle, 12, 18, true); math.Abs(kg-12*2*1.371) > 1e-9 {
		t.Errorf("loaded both ways %v", kg)
	}
	// An unknown fuel is computed as diesel; an electric truck by its own
	// factor; no payload is the default tipper's.
	if v := VehicleFor(DEFRA2025, "tipper_4axle", 0, "coal"); v.Fuel != "diesel" || v.PayloadTonnes != DefaultVehicle.PayloadTonnes {
		t.Errorf("unknown fuel: %+v", v)
	}
	if v := VehicleFor(DEFRA2025, "tipper_4axle", 16, "electric"); v.Fuel != "electric" || v.PayloadTonnes != 16 {
		t.Errorf("electric: %+v", v)
	}
	if kg, _ := DEFRA2025.BaselineKg(18, 0, -5); kg != 0 {
		t.Errorf("no baseline distance %v", kg)
	}
	if !ZeroEmission("electric") || !ZeroEmission("hydrogen") || ZeroEmission("hvo") {
		t.Error("zero-emission fuels")
	}
}

func TestRegistry(t *testing.T) {
	if fs, ok := Lookup("defra-2025"); !ok || fs.Name != Default.Name {
		t.Fatal("defra-2025 is not registered")
	}
	if err := Register(DEFRA2025); err == nil {
		t.Error("a name registered twice")
	}
	if err := Register(FactorSet{Name: "empty"}); err == nil {
		t.Error("a set without factors")
	}
	later := DEFRA2025
	later.Name = "test-later"
	if err := Register(later); err != nil {
		t.Fatal(err)
	}
	defer Unregister("test-later")
	if n := Newer("defra-2025"); len(n) != 1 || n[0].Name != "test-later" {
		t.Errorf("newer than defra-2025: %v", n)
	}
	if n := Newer("test-later"); len(n) != 0 {
		t.Errorf("newer than the latest: %v", n)
	}
	Unregister("defra-2025") // the first set stays
	if _, ok := Lookup("defra-2025"); !ok {
		t.Error("defra-2025 was removed")
	}
}
