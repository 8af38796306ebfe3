package market_test

import (
	"os"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
)

// checkLab is what every parse must hold: a domain error or samples within
// the limits, each with a name and values of TA-2553 parameters that
// convert to mg/kg.
func checkLab(t *testing.T, out []market.SampleInput, err error) {
	if err != nil {
		if _, ok := fail.As(err); !ok {
			t.Fatalf("not a domain error: %v", err)
		}
		return
	}
	if len(out) == 0 || len(out) > market.DefaultImportLimits.MaxSamplesPerImport {
		t.Fatalf("%d samples", len(out))
	}
	for _, s := range out {
		if s.Name == "" || len(s.Values) == 0 {
			t.Fatalf("sample %+v", s)
		}
		for _, v := range s.Values {
			if _, ok := market.ParameterByKey(v.Parameter); !ok {
				t.Fatalf("parameter %q", v.Parameter)
			}
			if _, err := market.ToMgPerKg(v.Value, v.Unit); err != nil {
				t.Fatalf("value %+v: %v", v, err)
			}
		}
	}
}

// FuzzLabCSV: any CSV is refused with a domain error or imported within
// the limits (seed corpus in testdata/fuzz/FuzzLabCSV).
func FuzzLabCSV(f *testing.F) {
	for _, name := range []string{"eurofins_long.csv", "als_wide.csv"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("sample,parameter,value,unit\nA,As,1.5,mg/kg\n"))
	f.Add([]byte("Prøve;Parameter;Verdi;Enhet\nA;Arsen (As);<0,5;mg/kg TS\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := market.ParseLabTable("lab.csv", data)
		checkLab(t, out, err)
	})
}

// FuzzLabXLSX: any XLSX (seeded with real layouts, mutated) is refused
// with a domain error or imported within the limits.
func FuzzLabXLSX(f *testing.F) {
	b, err := os.ReadFile("testdata/eurofins_wide.xlsx")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(xlsxBytes(f, func(x *excelize.File) {
		_ = x.SetSheetRow("Sheet1", "A1", &[]any{"sample", "parameter", "value", "unit"})
		_ = x.SetSheetRow("Sheet1", "A2", &[]any{"A", "Bly (Pb)", 45, "mg/kg TS"})
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := market.ParseLabTable("lab.xlsx", data)
		checkLab(t, out, err)
	})
}
