package climate_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/report"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/emissions"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
	"github.com/masseflyt/masseflyt/locales"
)

func TestMain(m *testing.M) { apitest.Main(m) }

func near(a, b float64) bool { return math.Abs(a-b) < 0.01 }

// stored reads a received load as core/haul wrote its climate account.
func stored(t *testing.T, e *apitest.Env, id string) haul.Load {
	t.Helper()
	var l haul.Load
	if err := e.App.DB.Read(e.Ctx("baerum"), func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&l).Error }); err != nil {
		t.Fatal(err)
	}
	if l.KgCO2e == nil || l.RoadKm == nil {
		t.Fatalf("load %s has no climate account", id)
	}
	return l
}

func kind(err error) fail.Kind {
	var fe *fail.Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return -1
}

// The accounts sum the loads' own figures per scope: checked against
// figures computed by hand from the DEFRA 2025 factors and the truck
// (EB12345: a 4-axle tipper, HVO, 18 t payload).
func TestAccountsFromLoads(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		a := w.Received(w.Order, 15)
		b := w.Received(w.Order, 12)
		e.Settle()
		la, lb := stored(t, e, a.ID), stored(t, e, b.ID)
		// Hand: rigid WTW 0/50/100 % = 0.956/1.163/1.371 kg per km, HVO × 0.2.
		perKm := func(tonnes float64) float64 {
			laden := tonnes / 18
			f := 1.163 + (1.371-1.163)*(laden-0.5)/0.5
			if laden <= 0.5 {
				f = 0.956 + (1.163-0.956)*laden/0.5
			}
			return (f + 0.956) * 0.2
		}
		kgA, kgB := *la.RoadKm*perKm(15), *lb.RoadKm*perKm(12)
		if !near(*la.KgCO2e, kgA) || !near(*lb.KgCO2e, kgB) {
			t.Fatalf("per load: %v %v, want %v %v", *la.KgCO2e, *lb.KgCO2e, kgA, kgB)
		}
		base := *la.BaselineKgCO2e + *lb.BaselineKgCO2e
		month := climate.Month(*la.ReceivedAt)
		var pickupMuni string
		w.Must(e.App.DB.Read(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Table("sites").Where("id = ?", w.FornebuSite).Pluck("municipality_no", &pickupMuni).Error
		}))
		s := e.App.Climate
		for _, sc := range []struct{ kind, id string }{
			{climate.ScopeAgreement, w.Agreement.ID}, {climate.ScopeProject, w.SandvikaSite}, {climate.ScopeOrganization, w.Fornebu},
			{climate.ScopeOrganization, w.Sandvika}, {climate.ScopeMunicipality, pickupMuni}, {climate.ScopeRegion, ""},
		} {
			if sc.kind == climate.ScopeMunicipality && sc.id == "" {
				continue
			}
			acc, err := s.Get(w.Admin, sc.kind, sc.id, climate.Period{}, "")
			if err != nil {
				t.Fatalf("%s %s: %v", sc.kind, sc.id, err)
			}
			tot := acc.Totals
			if tot.Loads != 2 || !near(tot.Tonnes, 27) || !near(tot.TonnesReused, 27) || !near(tot.KgCO2e, kgA+kgB) ||
				!near(tot.BaselineKgCO2e, base) || !near(tot.SavingKgCO2e, base-kgA-kgB) || !near(tot.TonneKm, 15**la.RoadKm+12**lb.RoadKm) {
				t.Errorf("%s: totals %+v, want 2 loads, 27 t, %.3f kg, baseline %.3f", sc.kind, tot, kgA+kgB, base)
			}
			if len(acc.FactorSets) != 1 || acc.FactorSets[0] != "defra-2025" || acc.Variant != climate.Recorded {
				t.Errorf("%s: sets %v variant %s", sc.kind, acc.FactorSets, acc.Variant)
			}
			if len(acc.Months) != climate.DefaultMonths || acc.Months[len(acc.Months)-1].Month != month || acc.Months[len(acc.Months)-1].Loads != 2 {
				t.Errorf("%s: months %+v", sc.kind, acc.Months[len(acc.Months)-1])
			}
			if len(acc.Fractions) != 1 || acc.Fractions[0].Fraction != "sprengstein" || acc.ZeroShare != 0 {
				t.Errorf("%s: fractions %+v zero %v", sc.kind, acc.Fractions, acc.ZeroShare)
			}
		}
		// Each organization's members read their own account, not the other's; the
		// region is the observers'.
		if _, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(w.Kari, climate.ScopeOrganization, w.Sandvika, climate.Period{}, ""); kind(err) != fail.Forbidden {
			t.Errorf("Kari reads Sandvika's account: %v", err)
		}
		if _, err := s.Get(w.Ola, climate.ScopeAgreement, w.Agreement.ID, climate.Period{}, ""); err != nil {
			t.Errorf("a party's member reads the agreement's account: %v", err)
		}
		if _, err := s.Get(w.Lars, climate.ScopeAgreement, w.Agreement.ID, climate.Period{}, ""); kind(err) != fail.NotFound {
			t.Errorf("the transporter reads the agreement's account: %v", err)
		}
		if _, err := s.Get(w.Ola, climate.ScopeRegion, "", climate.Period{}, ""); kind(err) != fail.Forbidden {
			t.Errorf("a member reads the region: %v", err)
		}
		if _, err := s.Get(w.Supervisor, climate.ScopeRegion, "", climate.Period{}, ""); err != nil {
			t.Errorf("the supervisor reads the region: %v", err)
		}
		// A zero-emission truck: an electric one carries the next 10 t.
		w.Must(e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Model(&directory.Vehicle{}).Where("id = ?", w.Vehicle).Update("fuel", "electric").Error
		}))
		c := w.Received(w.Order, 10)
		e.Settle()
		lc := stored(t, e, c.ID)
		acc, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "")
		w.Must(err)
		if acc.Totals.Loads != 3 || !near(acc.Totals.ZeroTonnes, 10) || !near(acc.ZeroShare, 10.0/37) || !near(*lc.KgCO2e, *lc.RoadKm*2*1.4*0.015) {
			t.Errorf("zero-emission: %+v share %v; electric load %v kg over %v km", acc.Totals, acc.ZeroShare, *lc.KgCO2e, *lc.RoadKm)
		}
		// The index lists what each reader may open.
		ix, err := s.List(w.Kari)
		w.Must(err)
		if ix.Region || len(ix.Organizations) != 1 || ix.Organizations[0].ID != w.Fornebu || len(ix.Agreements) != 1 {
			t.Errorf("Kari's index: %+v", ix)
		}
		ix, err = s.List(w.Admin)
		w.Must(err)
		if !ix.Region || len(ix.Organizations) != 2 || len(ix.Projects) < 1 {
			t.Errorf("the admin's index: %+v", ix)
		}
	})
}

// A replayed load.received, a second apply and a rebuild count each load once.
func TestReplayCountsOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		a := w.Received(w.Order, 15)
		w.Received(w.Order, 12)
		e.Settle()
		s := e.App.Climate
		before, err := s.Get(w.Admin, climate.ScopeRegion, "", climate.Period{}, "")
		w.Must(err)
		for i := 0; i < 3; i++ {
			w.Must(s.Apply(e.Ctx("baerum"), a.ID))
		}
		w.Must(s.Rebuild(e.Ctx("baerum")))
		w.Must(s.Apply(e.Ctx("baerum"), a.ID))
		after, err := s.Get(w.Admin, climate.ScopeRegion, "", climate.Period{}, "")
		w.Must(err)
		if after.Totals != before.Totals || after.Totals.Loads != 2 {
			t.Fatalf("after replays and a rebuild %+v, before %+v", after.Totals, before.Totals)
		}
		var cells int64
		w.Must(e.App.DB.Read(e.Ctx("baerum"), func(tx *gorm.DB) error { return tx.Model(&climate.Cell{}).Count(&cells).Error }))
		if cells < 6 {
			t.Errorf("%d cells: a load belongs to at least six accounts", cells)
		}
	})
}

// A later factor set never changes a recorded account; a recompute with it
// is kept beside it, and new loads update both.
func TestFactorSetPinningAndRecompute(t *testing.T) {
	doubledSet(t, "test-double")
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 15)
		e.Settle()
		s := e.App.Climate
		rec, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "")
		w.Must(err)
		if len(rec.Newer) != 1 || rec.Newer[0] != "test-double" || !rec.CanRecompute || rec.FactorSets[0] != "defra-2025" {
			t.Fatalf("recorded: newer %v, can %v, sets %v", rec.Newer, rec.CanRecompute, rec.FactorSets)
		}
		// Asked for by name, the set every recorded load used is the
		// recorded account.
		named, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "defra-2025")
		w.Must(err)
		if named.Variant != climate.Recorded || named.Totals != rec.Totals {
			t.Errorf("?set=defra-2025: variant %q, totals %+v, recorded %+v", named.Variant, named.Totals, rec.Totals)
		}
		// Who may not: a member, the supervisor; what may not: an unknown or older set.
		if _, err := s.Recompute(w.Ola, climate.ScopeOrganization, w.Sandvika, climate.RecomputeInput{FactorSet: "test-double"}); kind(err) != fail.Forbidden {
			t.Errorf("a member recomputes: %v", err)
		}
		if _, err := s.Recompute(w.Supervisor, climate.ScopeOrganization, w.Fornebu, climate.RecomputeInput{FactorSet: "test-double"}); kind(err) != fail.Forbidden {
			t.Errorf("the supervisor recomputes: %v", err)
		}
		for _, set := range []string{"", "nope", "defra-2025"} {
			_, err := s.Recompute(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.RecomputeInput{FactorSet: set})
			if fe, ok := fail.As(err); !ok || fe.Kind != fail.Invalid || !strings.Contains(fe.Error()+fmtFields(fe), "factor_set") {
				t.Errorf("recompute with %q: %v", set, err)
			}
		}
		r, err := s.Recompute(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.RecomputeInput{FactorSet: "test-double"})
		w.Must(err)
		if r.Loads != 1 || r.FactorSet != "test-double" {
			t.Fatalf("recompute %+v", r)
		}
		again, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "")
		w.Must(err)
		if again.Totals != rec.Totals || len(again.Recomputes) != 1 {
			t.Fatalf("the recorded account changed: %+v, was %+v", again.Totals, rec.Totals)
		}
		re, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "test-double")
		w.Must(err)
		if !near(re.Totals.KgCO2e, 2*rec.Totals.KgCO2e) || !near(re.Totals.BaselineKgCO2e, 2*rec.Totals.BaselineKgCO2e) || re.FactorSets[0] != "test-double" {
			t.Fatalf("recomputed %+v, recorded %+v", re.Totals, rec.Totals)
		}
		// The next load updates both; other scopes have no recompute.
		w.Received(w.Order, 12)
		e.Settle()
		rec2, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "")
		w.Must(err)
		re2, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "test-double")
		w.Must(err)
		if rec2.Totals.Loads != 2 || re2.Totals.Loads != 2 || !near(re2.Totals.KgCO2e, 2*rec2.Totals.KgCO2e) {
			t.Errorf("after a new load: recorded %+v, recomputed %+v", rec2.Totals, re2.Totals)
		}
		if _, err := s.Get(w.Kari, climate.ScopeAgreement, w.Agreement.ID, climate.Period{}, "test-double"); kind(err) != fail.Invalid {
			t.Errorf("a variant the scope does not have: %v", err)
		}
		// A rebuild keeps the recompute.
		w.Must(s.Rebuild(e.Ctx("baerum")))
		re3, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "test-double")
		w.Must(err)
		if re3.Totals != re2.Totals {
			t.Errorf("rebuilt recompute %+v, was %+v", re3.Totals, re2.Totals)
		}
	})
}

// doubledSet registers, for the test, a factor set named name with DEFRA
// 2025's factors doubled (a "newer" set to recompute with).
func doubledSet(t *testing.T, name string) emissions.FactorSet {
	t.Helper()
	double := emissions.DEFRA2025
	double.Name, double.Source = name, "test: DEFRA 2025 × 2"
	double.Factors = map[string]map[string][3]float64{}
	for c, byScope := range emissions.DEFRA2025.Factors {
		double.Factors[c] = map[string][3]float64{}
		for sc, f := range byScope {
			double.Factors[c][sc] = [3]float64{2 * f[0], 2 * f[1], 2 * f[2]}
		}
	}
	double.ElectricKgPerKm *= 2
	if err := emissions.Register(double); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emissions.Unregister(name) })
	return double
}

func fmtFields(fe *fail.Error) string {
	var b strings.Builder
	for _, f := range fe.Fields {
		b.WriteString(f.Pointer + " ")
	}
	return b.String()
}

// Unknown scopes and IDs, another region's IDs and bad periods are refused
// with 404 or a validation error naming the field.
func TestBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 15)
		e.Settle()
		s := e.App.Climate
		cases := []struct {
			name      string
			ctx       context.Context
			kind, id  string
			p         climate.Period
			wantKind  fail.Kind
			wantField string
		}{
			{"unknown scope", w.Admin, "county", "x", climate.Period{}, fail.NotFound, ""},
			{"malformed id", w.Admin, climate.ScopeAgreement, "1; DROP TABLE loads", climate.Period{}, fail.NotFound, ""},
			{"unknown agreement", w.Admin, climate.ScopeAgreement, "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", climate.Period{}, fail.NotFound, ""},
			{"a facility is no project", w.Admin, climate.ScopeProject, e.FirstID("baerum", "sites", "kind = ?", "facility"), climate.Period{}, fail.NotFound, ""},
			{"unknown municipality", w.Admin, climate.ScopeMunicipality, "9999", climate.Period{}, fail.NotFound, ""},
			{"another region's agreement", e.Ctx("rogaland"), climate.ScopeAgreement, w.Agreement.ID, climate.Period{}, fail.NotFound, ""},
			{"another region's organization", e.Ctx("rogaland"), climate.ScopeOrganization, w.Fornebu, climate.Period{}, fail.NotFound, ""},
			{"bad month", w.Admin, climate.ScopeRegion, "", climate.Period{From: "2026-13"}, fail.Invalid, "from"},
			{"not a month", w.Admin, climate.ScopeRegion, "", climate.Period{To: "last year"}, fail.Invalid, "to"},
			{"backwards", w.Admin, climate.ScopeRegion, "", climate.Period{From: "2026-05", To: "2026-01"}, fail.Invalid, "to"},
			{"too long", w.Admin, climate.ScopeRegion, "", climate.Period{From: "2000-01", To: "2026-01"}, fail.Invalid, "from"},
		}
		for _, c := range cases {
			_, err := s.Get(c.ctx, c.kind, c.id, c.p, "")
			fe, ok := fail.As(err)
			if !ok || fe.Kind != c.wantKind || (c.wantField != "" && !strings.Contains(fmtFields(fe), c.wantField)) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		// An explicit period: the months asked for, each listed.
		acc, err := s.Get(w.Admin, climate.ScopeRegion, "", climate.Period{From: "2025-11", To: "2026-02"}, "")
		w.Must(err)
		if acc.From != "2025-11" || acc.To != "2026-02" || len(acc.Months) != 4 || acc.Months[2].Month != "2026-01" {
			t.Errorf("period: %s..%s %d months", acc.From, acc.To, len(acc.Months))
		}
	})
}

// The site's municipality comes from the geocoder: the offline geocoder
// carries Kartverket's kommunenummer and name, and a site placed by its
// address gets the number, which the municipality account uses.
func TestMunicipalityFromGeocoder(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		g := e.App.Directory.Geocoder
		if g == nil {
			t.Fatal("no geocoder")
		}
		hits, err := g.Geocode(e.Ctx("baerum"), "Snarøyveien 36, 1364 Fornebu", 1)
		if err != nil || len(hits) == 0 || hits[0].MunicipalityNo != "3201" || hits[0].MunicipalityName != "Bærum" {
			t.Fatalf("geocoded %+v, %v", hits, err)
		}
		w := haultest.New(e)
		ptr := func(s string) *string { return &s }
		st, err := e.App.Directory.CreateSite(w.Kari, w.Fornebu, &directory.SiteInput{Kind: ptr("project"), Name: ptr("Nytt prosjekt ved Snarøyveien"), Phase: ptr("construction"),
			Address: ptr("Snarøyveien 36"), Postcode: ptr("1364"), City: ptr("Fornebu")})
		w.Must(err)
		if st.MunicipalityNo != "3201" {
			t.Fatalf("site municipality %q", st.MunicipalityNo)
		}
		if climate.MunicipalityName("3201") != "Bærum" || climate.MunicipalityName("9999") != "9999" {
			t.Error("municipality names")
		}
	})
}

// The exports parse: the CSV's rows, the workbook's cells, a PDF.
func TestExports(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 15)
		w.Received(w.Order, 12)
		e.Settle()
		acc, err := e.App.Climate.Get(w.Admin, climate.ScopeRegion, "", climate.Period{}, "")
		w.Must(err)
		l := locales.New(locales.MustBundle(), "nb")
		var b bytes.Buffer
		w.Must(climate.WriteCSV(&b, l, acc, "Bærum"))
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff")))
		r.Comma, r.FieldsPerRecord = ';', -1
		rows, err := r.ReadAll()
		w.Must(err)
		if len(rows) != 4+len(acc.Rows)+1 || rows[3][0] != "Måned" || rows[4][1] != "Sprengstein" || rows[4][2] != "2" || rows[len(rows)-1][3] != "27" {
			t.Fatalf("csv rows %q", rows)
		}
		x, err := climate.XLSX(l, acc, "Bærum")
		w.Must(err)
		f, err := excelize.OpenReader(bytes.NewReader(x))
		w.Must(err)
		sheet := f.GetSheetName(0)
		if v, _ := f.GetCellValue(sheet, "C6"); v != "2" {
			t.Errorf("xlsx C6 %q", v)
		}
		if v, _ := f.GetCellValue(sheet, "D6"); v != "27" {
			t.Errorf("xlsx D6 %q", v)
		}
		if n := f.SheetCount; n != 3 {
			t.Errorf("%d sheets", n)
		}
		p, err := climate.PDF(l, acc, "Bærum", apitest.Now())
		w.Must(err)
		if !bytes.HasPrefix(p, []byte("%PDF")) || len(p) < 1000 {
			t.Errorf("pdf %d bytes", len(p))
		}
	})
}

// A rejected load is a trip, not a delivered load: it drove there loaded
// and went back to its sender with the same masses. Its emissions (the
// loaded leg twice), its tonne-km and its negative saving count; its
// return adds nothing; the load count and the tonnes are the delivered
// ones. A rebuild and a recompute agree.
func TestRejectedTripsCount(t *testing.T) {
	double := doubledSet(t, "test-double-rejected")
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		a := w.Received(w.Order, 15)
		on := w.OnTheRoad(w.Order, 17)
		_, err := w.S.Receive(w.Ola, on.ID, haul.ReceiptInput{Code: on.Code, WeightTonnes: 17, Result: haul.ResultRejected, Reason: "Plast og treverk i lasset"})
		w.Must(err)
		e.Settle()
		la, lr := stored(t, e, a.ID), stored(t, e, on.ID)
		// Hand: a 4-axle tipper on HVO (× 0.2), 17 of 18 t: 94.4 % laden,
		// rigid WTW 50/100 % = 1.163/1.371 kg per km; the full leg twice.
		full := (1.163 + (1.371-1.163)*(17.0/18-0.5)/0.5) * 0.2
		if !near(*lr.KgCO2e, *lr.RoadKm*2*full) || *lr.BaselineKgCO2e != 0 || lr.FactorSet != "defra-2025" {
			t.Fatalf("rejected load: %v kg over %v km (want %v), baseline %v", *lr.KgCO2e, *lr.RoadKm, *lr.RoadKm*2*full, *lr.BaselineKgCO2e)
		}
		// Its return is received by the sender and has no account of its own.
		back := e.FirstID("baerum", "loads", "return_of_id = ?", on.ID)
		rl, err := w.S.Get(w.Lars, back)
		w.Must(err)
		_, err = w.S.Receive(w.Kari, back, haul.ReceiptInput{Code: rl.Code, WeightTonnes: 17, Result: haul.ResultAccepted})
		w.Must(err)
		e.Settle()
		if n, err := e.App.Haul.FillClimate(e.Ctx("baerum")); err != nil || n != 0 {
			t.Fatalf("fill after the return: %d, %v", n, err)
		}
		s := e.App.Climate
		check := func(when string) climate.Figures {
			t.Helper()
			acc, err := s.Get(w.Admin, climate.ScopeRegion, "", climate.Period{}, "")
			w.Must(err)
			tot := acc.Totals
			kg := *la.KgCO2e + *lr.KgCO2e
			if tot.Loads != 1 || !near(tot.Tonnes, 15) || !near(tot.TonnesReused, 15) || !near(tot.KgCO2e, kg) ||
				!near(tot.BaselineKgCO2e, *la.BaselineKgCO2e) || !near(tot.SavingKgCO2e, *la.BaselineKgCO2e-kg) ||
				!near(tot.TonneKm, 15**la.RoadKm+2*17**lr.RoadKm) {
				t.Errorf("%s: totals %+v, want 1 load, 15 t, %.3f kg", when, tot, kg)
			}
			if m := acc.Months[len(acc.Months)-1]; m.Loads != 1 || !near(m.KgCO2e, kg) {
				t.Errorf("%s: this month %+v", when, m)
			}
			return tot
		}
		before := check("applied")
		w.Must(s.Rebuild(e.Ctx("baerum")))
		if after := check("rebuilt"); after != before {
			t.Errorf("rebuilt %+v, was %+v", after, before)
		}
		r, err := s.Recompute(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.RecomputeInput{FactorSet: double.Name})
		w.Must(err)
		re, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, double.Name)
		w.Must(err)
		if r.Loads != 1 || re.Totals.Loads != 1 || !near(re.Totals.KgCO2e, 2*before.KgCO2e) || !near(re.Totals.TonneKm, before.TonneKm) {
			t.Errorf("recomputed %+v (%d loads), recorded %+v", re.Totals, r.Loads, before)
		}
	})
}

// A load keeps its vehicle as it departed: a truck converted to electric
// while a load is on the road, or after, changes neither that load's
// account, nor a recompute of it, nor the zero-emission share, nor the
// supervision package's fuel.
func TestVehicleAsItWasAtDeparture(t *testing.T) {
	double := doubledSet(t, "test-double-vehicle")
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		a := w.Received(w.Order, 15)
		on := w.OnTheRoad(w.Order, 12)
		w.Must(e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Model(&directory.Vehicle{}).Where("id = ?", w.Vehicle).Updates(map[string]any{"fuel": "electric", "euro_class": "zero_emission", "payload_tonnes": 30}).Error
		}))
		b, err := w.S.Receive(w.Ola, on.ID, haul.ReceiptInput{Code: on.Code, WeightTonnes: 12, Result: haul.ResultAccepted})
		w.Must(err)
		e.Settle()
		la, lb := stored(t, e, a.ID), stored(t, e, b.ID)
		if lb.VehicleFuel != "hvo" || lb.VehicleEuroClass != "euro6" || lb.VehiclePayloadTonnes != 18 || lb.VehicleBodyType != "tipper_4axle" {
			t.Fatalf("the load's vehicle: %q %q %v %q", lb.VehicleFuel, lb.VehicleEuroClass, lb.VehiclePayloadTonnes, lb.VehicleBodyType)
		}
		// 12 of 18 t on HVO, not 12 of 30 t electric.
		laden := 12.0 / 18
		perKm := (1.163 + (1.371-1.163)*(laden-0.5)/0.5 + 0.956) * 0.2
		if !near(*lb.KgCO2e, *lb.RoadKm*perKm) {
			t.Fatalf("received after the conversion: %v kg, want %v", *lb.KgCO2e, *lb.RoadKm*perKm)
		}
		s := e.App.Climate
		w.Must(s.Rebuild(e.Ctx("baerum")))
		acc, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, "")
		w.Must(err)
		if acc.Totals.ZeroTonnes != 0 || !near(acc.Totals.KgCO2e, *la.KgCO2e+*lb.KgCO2e) {
			t.Errorf("rebuilt after the conversion: %+v", acc.Totals)
		}
		_, err = s.Recompute(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.RecomputeInput{FactorSet: double.Name})
		w.Must(err)
		re, err := s.Get(w.Kari, climate.ScopeOrganization, w.Fornebu, climate.Period{}, double.Name)
		w.Must(err)
		if !near(re.Totals.KgCO2e, 2*acc.Totals.KgCO2e) || re.Totals.ZeroTonnes != 0 {
			t.Errorf("recomputed after the conversion %+v, recorded %+v", re.Totals, acc.Totals)
		}
		// The supervision package lists the load with its truck as it was.
		rows, err := report.New(e.App.DB, e.App.Ledger).Loads(w.Kari, report.Query{Kind: report.KindOrganization, ID: w.Fornebu, From: apitest.Day(-1), To: apitest.Day(1)}, page.Request{Limit: 10})
		w.Must(err)
		for _, r := range rows.Items {
			if r.Fuel != "hvo" || r.EuroClass != "euro6" {
				t.Errorf("package row %s: %q %q", r.Number, r.Fuel, r.EuroClass)
			}
		}
		if len(rows.Items) != 2 {
			t.Errorf("package rows: %d", len(rows.Items))
		}
		// The next load departs with the electric truck.
		c := w.Received(w.Order, 10)
		e.Settle()
		if lc := stored(t, e, c.ID); lc.VehicleFuel != "electric" || !near(*lc.KgCO2e, *lc.RoadKm*2*1.4*0.015) {
			t.Errorf("after the conversion: %q, %v kg", lc.VehicleFuel, *lc.KgCO2e)
		}
	})
}
