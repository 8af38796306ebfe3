package market_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// labFields returns the rejected cells of a lab import error: each field's
// data as a map.
func labFields(t *testing.T, err error) []map[string]any {
	t.Helper()
	e, ok := fail.As(err)
	if !ok || e.Kind != fail.Invalid {
		t.Fatalf("want a validation error, got %v", err)
	}
	var out []map[string]any
	for _, f := range e.Fields {
		m := map[string]any{"msg": f.MsgID, "pointer": f.Pointer}
		for i := 0; i+1 < len(f.Data); i += 2 {
			m[fmt.Sprint(f.Data[i])] = f.Data[i+1]
		}
		out = append(out, m)
	}
	return out
}

func bySample(ins []market.SampleInput) map[string]map[string]market.SampleValue {
	out := map[string]map[string]market.SampleValue{}
	for _, s := range ins {
		out[s.Name] = map[string]market.SampleValue{}
		for _, v := range s.Values {
			out[s.Name][v.Parameter] = v
		}
	}
	return out
}

// TestLabNamesK5: the names the app itself shows, the labs' Norwegian and
// English names, symbols and sums are accepted; dry matter and single
// compounds are skipped; anything else is not.
func TestLabNamesK5(t *testing.T) {
	for _, p := range market.TA2553 {
		if k, _, ok := market.LabParameter(p.Name); !ok || k != p.Key {
			t.Errorf("the app's own name %q → %q %v", p.Name, k, ok)
		}
		if k, _, ok := market.LabParameter(strings.ToUpper(p.Key)); !ok || k != p.Key {
			t.Errorf("key %q → %q", p.Key, k)
		}
	}
	for name, want := range map[string]string{
		"Arsen (As)": "as", "Bly (Pb)": "pb", "Sum PAH(16) EPA": "pah16", "PCB7": "pcb7", "Sum 7 PCB": "pcb7",
		"As": "as", "arsenic": "as", "Lead": "pb", "Kvikksølv (Hg)": "hg", "Hg (Kvikksølv)": "hg", "Cu (Kopper)": "cu",
		"Benzo[a]pyren": "bap", "benzo(a)pyrene": "bap", "Σ PCB7": "pcb7", "Sum PAH-16": "pah16", "PAH 16": "pah16",
		"Krom (Cr)": "cr", "Krom VI": "cr6", "Cr(VI)": "cr6", "Fraksjon >C12-C35": "c12_c35", "Alifater >C10–C12": "c10_c12",
		"Benzen": "benzene", "Zinc": "zn", "Sink (Zn)": "zn", "Nikkel": "ni", "Kadmium": "cd",
	} {
		if k, ign, ok := market.LabParameter(name); !ok || ign || k != want {
			t.Errorf("%q → %q ignored=%v ok=%v, want %s", name, k, ign, ok, want)
		}
	}
	for _, name := range []string{"Tørrstoff", "Tørrstoff (DM)", "Naftalen", "PCB 28", "Toluen", "Benzo(b)fluoranten"} {
		if _, ign, ok := market.LabParameter(name); !ok || !ign {
			t.Errorf("%q should be recognised and skipped", name)
		}
	}
	for _, name := range []string{"Arsn", "Sum PCB", "Uran", ""} {
		if k, ign, ok := market.LabParameter(name); ok && !ign {
			t.Errorf("%q accepted as %s", name, k)
		}
	}
	for _, c := range []struct {
		in       string
		want     float64
		below    bool
		skip, ok bool
	}{{"3,2", 3.2, false, false, true}, {"< 0,001", 0.001, true, false, true}, {"<0.5", 0.5, true, false, true}, {"1 200", 1200, false, false, true},
		{"1.234,5", 1234.5, false, false, true}, {"n.d.", 0, false, true, true}, {"i.p.", 0, false, true, true}, {"abc", 0, false, false, false},
		{"NaN", 0, false, false, false}, {"Inf", 0, false, false, false}, {"0x1p3", 0, false, false, false}, {"-3", 0, false, false, false}, {">50", 50, false, false, true}} {
		x, below, skip, ok := market.ParseLabValue(c.in)
		if x != c.want || below != c.below || skip != c.skip || ok != c.ok {
			t.Errorf("%q: %v %v %v %v", c.in, x, below, skip, ok)
		}
	}
	for _, u := range []string{"mg/kg TS", "mg/kg tørrstoff", "µg/kg TS", "μg/kg TS", "ug/kg", "mg/kg DM", "mg/kg t.s.", "mg/kg (TS)", "MG/KG"} {
		if _, err := market.ToMgPerKg(1, u); err != nil {
			t.Errorf("unit %q: %v", u, err)
		}
	}
}

// TestRealLabFilesK5: exports in the layouts of Eurofins and ALS import.
func TestRealLabFilesK5(t *testing.T) {
	long, err := market.ParseLabTable("eurofins_long.csv", fixture(t, "eurofins_long.csv"))
	if err != nil {
		t.Fatalf("Eurofins CSV: %v", err)
	}
	s := bySample(long)
	if len(long) != 2 || len(s["SK1 0-1 m"]) != 12 || len(s["SK2 0-1 m"]) != 11 {
		t.Fatalf("Eurofins CSV: %d samples %v", len(long), s)
	}
	if v := s["SK1 0-1 m"]["hg"]; !v.BelowLimit || v.Value != 0.001 {
		t.Errorf("<0,001: %+v", v)
	}
	if v := s["SK2 0-1 m"]["pcb7"]; v.Value != 12 || v.Unit != "µg/kg TS" {
		t.Errorf("Sum 7 PCB: %+v", v)
	}
	wide, err := market.ParseLabTable("als_wide.csv", fixture(t, "als_wide.csv"))
	if err != nil {
		t.Fatalf("ALS CSV: %v", err)
	}
	s = bySample(wide)
	if len(wide) != 2 || len(s["P1 (0-0,5 m)"]) != 13 || len(s["P2 (0,5-1 m)"]) != 12 {
		t.Fatalf("ALS CSV: %v", s)
	}
	x, err := market.ParseLabTable("eurofins_wide.xlsx", fixture(t, "eurofins_wide.xlsx"))
	if err != nil {
		t.Fatalf("Eurofins XLSX: %v", err)
	}
	s = bySample(x)
	if len(x) != 3 || s["SK3 0-0,5 m"]["as"].Value != 4.4 || s["SK4 0,5-1,5 m"]["as"].Value != 7.9 || !s["SK4 0,5-1,5 m"]["cd"].BelowLimit {
		t.Fatalf("Eurofins XLSX: %v", s)
	}
	if _, ok := s["SK4 0,5-1,5 m"]["pah16"]; ok {
		t.Error("n.d. without a limit was stored")
	}

	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		l, err := w.s.Create(w.owner, surplus(w.own, "Masser fra Fornebu", 1000))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"SK1 0-1 m": 1, "SK2 0-1 m": 2, "P1 (0-0,5 m)": 1, "P2 (0,5-1 m)": 1, "SK3 0-0,5 m": 1, "SK4 0,5-1,5 m": 1, "SK5 1,5-2 m": 3}
		for _, f := range []string{"eurofins_long.csv", "als_wide.csv", "eurofins_wide.xlsx"} {
			out, err := w.s.ImportSamples(w.owner, l.ID, &market.Upload{Filename: f, Data: fixture(t, f)})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, sm := range out {
				if sm.Class != want[sm.Name] {
					t.Errorf("%s %s: class %d (%v), want %d", f, sm.Name, sm.Class, sm.Deciding, want[sm.Name])
				}
			}
		}
		p, err := w.s.Samples(w.owner, l.ID, page.Request{Limit: 100})
		if err != nil || len(p.Items) != 7 {
			t.Fatalf("%d samples, %v", len(p.Items), err)
		}
		for _, sm := range p.Items {
			if sm.Name == "SK1 0-1 m" && (sm.Results["<hg"] != 0.001 || sm.Results["hg"] != 0.001 || sm.PerParam["hg"] != 1) {
				t.Errorf("below the limit not stored as such: %v %v", sm.Results, sm.PerParam)
			}
		}
		got, err := w.s.Get(w.owner, l.ID)
		if err != nil || got.ContaminationClass != 3 {
			t.Fatalf("listing class %d, %v", got.ContaminationClass, err)
		}
	})
}

// TestLabRejectionsK5: every rejected cell is named by row and column.
func TestLabRejectionsK5(t *testing.T) {
	csv := "Prøve;Parameter;Verdi;Enhet\nA;Arsen (As);3,2;mg/kg TS\nA;Arsn;4;mg/kg TS\nA;Bly (Pb);mye;mg/kg TS\nB;Sink;12;mg/l\n;Kobber;3;mg/kg\nC;Tørrstoff;80;%\n"
	_, err := market.ParseLabTable("lab.csv", []byte(csv))
	fs := labFields(t, err)
	want := []struct {
		msg    string
		row    int
		column string
	}{{"ErrLabParameter", 3, "B («Parameter»)"}, {"ErrLabValue", 4, "C («Verdi»)"}, {"ErrLabRowUnit", 5, "D («Enhet»)"}, {"ErrLabSampleName", 6, "A («Prøve»)"}}
	if len(fs) != len(want) {
		t.Fatalf("fields %v", fs)
	}
	for i, w := range want {
		if fs[i]["msg"] != w.msg || fs[i]["Row"] != w.row || fs[i]["Column"] != w.column {
			t.Errorf("field %d: %v, want %+v", i, fs[i], w)
		}
	}
	if _, err := market.ParseLabTable("lab.csv", []byte("a;b\n1;2\n")); err == nil {
		t.Fatal("a file without a header imported")
	}
}

// xlsxBytes builds an XLSX in memory.
func xlsxBytes(t testing.TB, fill func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	fill(f)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombXLSX is a small XLSX whose sheet unpacks to about n bytes.
func bombXLSX(t testing.TB, n int) []byte {
	t.Helper()
	base := xlsxBytes(t, func(f *excelize.File) {
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"sample", "parameter", "value", "unit"})
	})
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "xl/worksheets/sheet1.xml" {
			r, _ := f.Open()
			_, _ = io.Copy(w, r)
			r.Close()
			continue
		}
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		row := `<row><c t="inlineStr"><is><t>A</t></is></c><c t="inlineStr"><is><t>As</t></is></c><c><v>1</v></c><c t="inlineStr"><is><t>mg/kg</t></is></c></row>`
		for written := 0; written < n; written += len(row) {
			_, _ = io.WriteString(w, row)
		}
		_, _ = io.WriteString(w, `</sheetData></worksheet>`)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// allocated runs fn and returns the bytes it allocated.
func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestLabImportBombsH2: a cell in column XFD, an XLSX unpacking to 98 MB,
// too many rows, samples or bytes are refused early and cheaply; big
// imports are written in short batches, all or nothing; a listing's samples
// are bounded.
func TestLabImportBombsH2(t *testing.T) {
	xfd := xlsxBytes(t, func(f *excelize.File) {
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"sample", "parameter", "value", "unit"})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"A", "As", 1, "mg/kg"})
		_ = f.SetCellValue("Sheet1", "XFD3", "x")
	})
	far := xlsxBytes(t, func(f *excelize.File) { _ = f.SetCellValue("Sheet1", "XFD1048576", "x") })
	var err error
	if n := allocated(func() { _, err = market.ParseLabTable("bomb.xlsx", xfd) }); n > 64<<20 {
		t.Errorf("a cell in XFD allocated %d MB", n>>20)
	}
	if fs := labFields(t, err); fs[0]["msg"] != "ErrLabTooManyColumns" || fs[0]["Count"] != 16384 {
		t.Errorf("XFD: %v", fs)
	}
	if n := allocated(func() { _, err = market.ParseLabTable("far.xlsx", far) }); n > 64<<20 {
		t.Errorf("a cell in XFD1048576 allocated %d MB", n>>20)
	}
	if fs := labFields(t, err); fs[0]["msg"] != "ErrLabTooManyColumns" && fs[0]["msg"] != "ErrLabTooManyRows" {
		t.Errorf("XFD1048576: %v", fs)
	}

	bomb := bombXLSX(t, 98<<20)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d KB", len(bomb)>>10)
	}
	if n := allocated(func() { _, err = market.ParseLabTable("bomb.xlsx", bomb) }); n > 64<<20 {
		t.Errorf("a %d KB XLSX unpacking to 98 MB allocated %d MB", len(bomb)>>10, n>>20)
	}
	if fs := labFields(t, err); fs[0]["msg"] != "ErrLabUnpacked" {
		t.Errorf("98 MB unpacked: %v", fs)
	}

	var big strings.Builder
	big.WriteString("sample;parameter;value;unit\n")
	for i := 0; big.Len() < 11<<20; i++ {
		fmt.Fprintf(&big, "P-%d;As;%d,5;mg/kg TS\n", i, i%50)
	}
	_, err = market.ParseLabTable("big.csv", []byte(big.String()))
	if e, ok := fail.As(err); !ok || e.Kind != fail.TooLarge {
		t.Errorf("11 MB CSV: %v", err)
	}
	lim := market.DefaultImportLimits
	var many strings.Builder
	many.WriteString("sample;parameter;value;unit\n")
	for i := 0; i < lim.MaxSamplesPerImport+1; i++ {
		fmt.Fprintf(&many, "P-%d;As;1;mg/kg\n", i)
	}
	_, err = market.ParseLabTable("many.csv", []byte(many.String()))
	if fs := labFields(t, err); fs[0]["msg"] != "ErrLabTooManySamples" {
		t.Errorf("too many samples: %v", fs)
	}
	var rows strings.Builder
	rows.WriteString("sample;parameter;value;unit\n")
	for i := 0; i < lim.MaxRows+1; i++ {
		rows.WriteString("P;As;1;mg/kg\n")
	}
	_, err = market.ParseLabTable("rows.csv", []byte(rows.String()))
	if fs := labFields(t, err); fs[0]["msg"] != "ErrLabTooManyRows" {
		t.Errorf("too many rows: %v", fs)
	}
	wideCols := "parameter;unit;" + strings.Repeat("S;", lim.MaxColumns) + "\n"
	_, err = market.ParseLabTable("cols.csv", []byte(wideCols))
	if fs := labFields(t, err); fs[0]["msg"] != "ErrLabTooManyColumns" {
		t.Errorf("too many columns: %v", fs)
	}

	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.s.ImportLimits = market.ImportLimits{BatchSize: 40, MaxSamplesPerListing: 300}
		l, err := w.s.Create(w.owner, surplus(w.own, "Masser", 1000))
		if err != nil {
			t.Fatal(err)
		}
		file := func(n int, pb string) *market.Upload {
			var b strings.Builder
			b.WriteString("Prøve;Parameter;Verdi;Enhet\n")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, "S-%s-%d;Bly (Pb);%s;mg/kg TS\n", pb, i, pb)
			}
			return &market.Upload{Filename: "lab.csv", Data: []byte(b.String())}
		}
		out, err := w.s.ImportSamples(w.owner, l.ID, file(250, "80")) // 7 batches
		if err != nil || len(out) != 250 {
			t.Fatalf("250 samples: %d %v", len(out), err)
		}
		got, _ := w.s.Get(w.owner, l.ID)
		if got.ContaminationClass != 2 {
			t.Fatalf("class after a batched import: %d", got.ContaminationClass)
		}
		_, err = w.s.ImportSamples(w.owner, l.ID, file(51, "10"))
		if fs := labFields(t, err); fs[0]["msg"] != "ErrLabListingFull" || fs[0]["Have"] != 250 {
			t.Fatalf("listing full: %v", fs)
		}
		p, err := w.s.Samples(w.owner, l.ID, page.Request{Limit: market.SampleBounds.Max})
		if err != nil || len(p.Items) != 250 {
			t.Fatalf("%d samples after a refused import, %v", len(p.Items), err)
		}
	})
}
