package market

import (
	"math"
	"reflect"
	"testing"
)

func TestCatalogue(t *testing.T) {
	if len(Fractions) != 13 {
		t.Fatalf("%d fractions", len(Fractions))
	}
	for _, f := range Fractions {
		if f.DensityLoose <= 0 || f.EAL == "" {
			t.Errorf("%s: incomplete", f.Code)
		}
		for _, u := range f.Uses {
			found := false
			for _, x := range Uses {
				found = found || x == u
			}
			if !found {
				t.Errorf("%s: unknown use %s", f.Code, u)
			}
		}
	}
	for _, code := range []string{"asfalt", "betong"} {
		if f := fraction(t, code); f.Clean {
			t.Errorf("%s is marked clean: asphalt and concrete are never clean masses", code)
		}
	}
	if s := fraction(t, "sprengstein"); !s.Clean {
		t.Error("blasted rock is a clean mass")
	}
	al := fraction(t, "alunskifer")
	if !al.AcidForming || al.Clean || len(al.Uses) != 0 || al.FitFor("fill") {
		t.Errorf("alum shale must be flagged and fit for nothing: %+v", al)
	}
	if f, ok := FractionByCode("gullsand"); ok || f != nil {
		t.Errorf("an unknown code found %+v", f)
	}
}

// fraction looks a code up in the catalogue and fails the test if it is not there.
func fraction(t *testing.T, code string) *Fraction {
	t.Helper()
	f, ok := FractionByCode(code)
	if !ok || f == nil || f.Code != code {
		t.Fatalf("%s is not in the catalogue (%+v, %v)", code, f, ok)
	}
	return f
}

func TestConversions(t *testing.T) {
	s := fraction(t, "sprengstein")
	if v, err := s.ToTonnes(1000, M3InPlace); err != nil || v != 2700 {
		t.Fatalf("1000 pfm³ rock = %v t (%v)", v, err)
	}
	if v, err := s.ToTonnes(1000, M3Loose); err != nil || v != 1750 {
		t.Fatalf("1000 lm³ rock = %v t (%v)", v, err)
	}
	g := fraction(t, "grus")
	if v, err := g.FromTonnes(1930, M3Loose); err != nil || math.Abs(v-1000) > 1e-9 {
		t.Fatalf("round trip %v (%v)", v, err)
	}
	p := fraction(t, "pukk")
	if _, err := p.ToTonnes(10, M3InPlace); err != ErrUnitNotApplicable {
		t.Fatalf("crushed rock has no in-place volume: %v", err)
	}
	if _, err := g.ToTonnes(10, "liters"); err == nil {
		t.Fatal("unknown unit accepted")
	}
}

func TestClassify(t *testing.T) {
	r, err := Classify(map[string]float64{"as": 5, "pb": 40, "zn": 150})
	if err != nil || r.Class != 1 || r.Deciding != nil {
		t.Fatalf("clean sample: %+v %v", r, err)
	}
	// The worst parameter decides; a value on the limit belongs to that class.
	r, _ = Classify(map[string]float64{"as": 8, "pb": 100, "pah16": 12, "cu": 50})
	if r.Class != 3 || !reflect.DeepEqual(r.Deciding, []string{"pah16"}) || r.PerParameter["as"] != 1 || r.PerParameter["pb"] != 2 {
		t.Fatalf("%+v", r)
	}
	r, _ = Classify(map[string]float64{"pb": 250, "zn": 900})
	if r.Class != 3 || !reflect.DeepEqual(r.Deciding, []string{"pb", "zn"}) {
		t.Fatalf("tie: %+v", r)
	}
	r, _ = Classify(map[string]float64{"hg": 1200})
	if r.Class != HazardousClass {
		t.Fatalf("above class 5 is hazardous: %+v", r)
	}
	for _, bad := range []map[string]float64{{}, {"as": -1}, {"gold": 1}, {"as": math.NaN()}} {
		if _, err := Classify(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}

func TestUnits(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want float64
		ok   bool
	}{{12, "mg/kg TS", 12, true}, {12, "mg/kg", 12, true}, {1500, "µg/kg", 1.5, true}, {2, "g/kg", 2000, true}, {3, "mg/l", 0, false}, {3, "%", 0, false}, {-1, "mg/kg", 0, false}} {
		got, err := ToMgPerKg(c.v, c.unit)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%v %s: %v %v", c.v, c.unit, got, err)
		}
	}
}
