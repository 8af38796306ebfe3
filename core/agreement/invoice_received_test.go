package agreement_test

import (
	"math"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// TestInvoiceBasisFromReceivedLoads (K13 with issue 13's loads): the
// invoice basis is planned, from the agreed terms, until a delivery load's
// receipt is recorded; from then on its quantities are the accepted tonnes
// of the loads received in the period (a partly accepted load counts what
// was accepted, a rejected one nothing), and a month without receipts is a
// basis of zero, not a planned one.
func TestInvoiceBasisFromReceivedLoads(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		s := e.App.Agreements
		from, to := agreement.Month(apitest.Now())
		basis := func(from, to string) (planned bool, tonnes, m3 float64, amount int64) {
			t.Helper()
			f, _ := timeOf(from)
			tt, _ := timeOf(to)
			b, err := s.InvoiceBasis(w.Kari, w.Agreement.ID, f, tt)
			if err != nil || len(b.Lines) != 1 || b.Lines[0].Planned != b.Planned || b.Lines[0].Fraction != "sprengstein" {
				t.Fatalf("basis %+v %v", b, err)
			}
			return b.Planned, b.Lines[0].Tonnes, b.Lines[0].CubicMetres, b.Totals().LinesOre
		}
		month := func(off int) (string, string) {
			f, t := agreement.Month(apitest.Now().AddDate(0, off, 0))
			return f.Format("2006-01-02"), t.Format("2006-01-02")
		}
		m0f, m0t := month(0)
		if planned, tonnes, _, _ := basis(m0f, m0t); !planned || tonnes <= 0 {
			t.Fatalf("before any load: planned %v, %v t", planned, tonnes)
		}
		// A load on the road is no delivery yet.
		w.OnTheRoad(w.Order, 16)
		if planned, _, _, _ := basis(m0f, m0t); !planned {
			t.Fatal("a load on the road made the basis received")
		}
		// Received: by weighbridge, partly accepted, by volume, rejected.
		w.Received(w.Order, 17.42)
		l := w.OnTheRoad(w.Order, 18)
		twelve := 12.0
		_, err := w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 18, Result: haul.ResultPartly, Accepted: &twelve, Reason: "Leire i lasset"})
		w.Must(err)
		l = w.OnTheRoad(w.Order, 18)
		_, err = w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, VolumeM3: 10, Density: 1.8, Result: haul.ResultAccepted})
		w.Must(err)
		l = w.OnTheRoad(w.Order, 15)
		_, err = w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 15, Result: haul.ResultRejected, Reason: "Armering i lasset"})
		w.Must(err)

		// m³: the measured volume, else the tonnes at the agreed density.
		d, err := s.Get(w.Kari, w.Agreement.ID)
		w.Must(err)
		wantM3 := math.Round((10+29.42/d.Terms.Density)*1000) / 1000
		planned, tonnes, m3, amount := basis(m0f, m0t)
		if planned || tonnes != 47.42 || d.Terms.Density <= 0 || m3 != wantM3 || amount != 118550 { // 47.42 t × 25 kr
			t.Fatalf("this month's received basis: planned %v, %v t, %v m³, %d øre", planned, tonnes, m3, amount)
		}
		// The months before and after: nothing received then.
		for _, off := range []int{-1, 2} {
			f, to := month(off)
			if planned, tonnes, _, amount := basis(f, to); planned || tonnes != 0 || amount != 0 {
				t.Fatalf("%s–%s, without receipts: planned %v, %v t, %d øre", f, to, planned, tonnes, amount)
			}
		}
		// The documents say where the quantities come from.
		b, err := s.InvoiceBasis(w.Kari, w.Agreement.ID, from, to)
		w.Must(err)
		csv, _, _, err := agreement.WriteBasis(b, "csv", "nb")
		w.Must(err)
		if !strings.Contains(string(csv), "Mengder fra mottatte lass") || !strings.Contains(string(csv), ";47,42;25,00;1185,50;\r\n") {
			t.Fatalf("received basis as CSV:\n%s", csv)
		}
	})
}
