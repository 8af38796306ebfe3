package haul_test

import (
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// Quantity alarms at 80, 100 and 110 % go once each to both parties and
// the transporter; a total above the agreed quantity and its tolerance is
// flagged; an agreement whose parties chose so completes when delivered.
func TestAlarmsOverQuantityAndAutoComplete(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		ag, o := w.Sealed(40, 10, 50)
		// Only an admin of a party chooses automatic completion.
		if _, err := w.S.SetAutoComplete(w.Ola, ag.ID, haul.AutoCompleteInput{AutoComplete: true}); err == nil {
			t.Fatal("a member chose automatic completion")
		}
		if _, err := w.S.SetAutoComplete(w.Kari, ag.ID, haul.AutoCompleteInput{AutoComplete: true}); err != nil {
			t.Fatal(err)
		}
		alarms := func() int64 { return e.Count("baerum", "inbox", "kind = ?", "load.alarm") }
		w.Received(o, 18)
		if alarms() != 0 {
			t.Fatal("alarm at 45 %")
		}
		w.Received(o, 16) // 34 t: 85 %
		at80 := alarms()
		if at80 == 0 {
			t.Fatal("no alarm at 85 %")
		}
		// Lysaker, Fornebu and Sandvika each have approved members.
		for _, org := range []string{w.Lysaker, w.Fornebu, w.Sandvika} {
			if n := e.Count("baerum", "inbox", "kind = ? AND user_id IN (SELECT user_id FROM memberships WHERE organization_id = ? AND status = 'approved')", "load.alarm", org); n == 0 {
				t.Fatalf("no alarm to %s", org)
			}
		}
		onRoad := w.OnTheRoad(o, 5) // still on the road when the agreement completes
		last := w.Received(o, 12)   // 46 t: 115 %: 100 and 110 at once, over 44 t

		if !last.Flags.Has(haul.FlagOverQuantity) {
			t.Fatalf("flags %+v", last.Flags)
		}
		if n := alarms(); n != 2*at80 {
			t.Fatalf("%d alarms after 115 %%, %d at 80 %%", n, at80)
		}
		tally, err := w.S.TallyOf(w.Supervisor, ag.ID)
		if err != nil || tally.AlarmPct != 110 || tally.Received != 3 || tally.DeliveredTonnes != 46 {
			t.Fatalf("tally %v %+v", err, tally)
		}
		got, err := e.App.Agreements.Get(w.Kari, ag.ID)
		if err != nil || got.Agreement.Status != agreement.StatusCompleted {
			t.Fatalf("agreement %v %+v", err, got)
		}
		// The load on the road is still received; no new load departs.
		if _, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: 5, Result: haul.ResultAccepted}); err != nil {
			t.Fatalf("a load on the road after completion: %v", err)
		}
		// No more loads on a completed agreement.
		if _, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: o.ID, VehicleID: w.Vehicle, EstTonnes: 5}); err == nil {
			t.Fatal("a load on a completed agreement")
		}
	})
}

// The plausibility flags of a receipt: too fast, arrival before
// departure, the vehicle in two places, a missing weight, a position far
// outside the site.
func TestPlausibilityFlags(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		// Departed 2 minutes ago on the device, arrives now ≈ 7 km away.
		l, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 17, DeviceAt: haultest.Ago(2 * time.Minute)})
		w.Must(err)
		_, err = w.S.Release(w.Kari, haul.ReleaseInput{Code: l.ReleaseCode})
		w.Must(err)
		// The same truck departs on another load meanwhile.
		_, err = w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 15, DeviceAt: haultest.Ago(time.Minute)})
		w.Must(err)
		far := 60.5
		lon := 10.6
		r, err := w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, Result: haul.ResultAccepted, DeviceAt: haultest.Ago(0), Lat: &far, Lon: &lon})
		w.Must(err)
		for _, f := range []string{haul.FlagSpeed, haul.FlagMissingWeight, haul.FlagVehicleTwice, haul.FlagFarFromSite} {
			if !r.Flags.Has(f) {
				t.Errorf("no %s flag: %+v", f, r.Flags)
			}
		}
		if r.WeightMethod != haul.WeighNone || r.WeightTonnes != 17 {
			t.Fatalf("weight %s %v", r.WeightMethod, r.WeightTonnes)
		}
		// Arrival before departure (the device clocks disagree).
		l2, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 17, DeviceAt: haultest.Ago(time.Minute)})
		w.Must(err)
		_, err = w.S.Release(w.Kari, haul.ReleaseInput{Code: l2.ReleaseCode})
		w.Must(err)
		r2, err := w.S.Receive(w.Ola, l2.ID, haul.ReceiptInput{Code: l2.Code, VolumeM3: 10, Result: haul.ResultAccepted, DeviceAt: haultest.Ago(time.Hour)})
		w.Must(err)
		if !r2.Flags.Has(haul.FlagArrivedBefore) || r2.WeightMethod != haul.WeighVolume || r2.WeightTonnes != 17.5 {
			t.Fatalf("volume receipt %+v", r2)
		}
	})
}

// A rejected load's return is a load of its own, on its way back to the
// sender, who receives it.
func TestRejectedLoadReturns(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		l := w.OnTheRoad(w.Order, 17)
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
		r, err := w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 17, Result: haul.ResultRejected, Reason: "Plast og treverk i lasset",
			Checks: []haul.Check{{Key: "foreign_objects", OK: false, Note: "Plast"}}, Photos: []haul.PhotoInput{{Filename: "avvik.png", Data: png, CheckKey: "foreign_objects"}}})
		w.Must(err)
		if r.Status != haul.StatusRejected || r.AcceptedTonnes != 0 || len(r.Photos) != 1 || r.Photos[0].CheckKey != "foreign_objects" {
			t.Fatalf("rejected %+v", r)
		}
		id := e.FirstID("baerum", "loads", "return_of_id = ?", l.ID)
		back, err := w.S.Get(w.Lars, id)
		if err != nil || back.Kind != haul.KindReturn || back.Status != haul.StatusReleased || back.ReceiverOrgID != w.Fornebu || back.SupplierOrgID != w.Sandvika {
			t.Fatalf("return %v %+v", err, back)
		}
		// The sender receives its masses back; they count for nothing.
		if _, err := w.S.Receive(w.Kari, back.ID, haul.ReceiptInput{Code: back.Code, WeightTonnes: 17, Result: haul.ResultAccepted}); err != nil {
			t.Fatal(err)
		}
		tally, err := w.S.TallyOf(w.Kari, w.Agreement.ID)
		if err != nil || tally.DeliveredTonnes != 0 || tally.Received != 1 {
			t.Fatalf("tally %v %+v", err, tally)
		}
	})
}

// The sampling rule (every Nth received load) tells the receiver when to
// sample; the sample goes into the lab results of the receiver's listing.
// The region's template replaces the default steps.
func TestSamplingAndTemplates(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		ag, o := w.Sealed(400, 10, 2)
		first := w.Received(o, 10)
		if first.SampleDue {
			t.Fatal("sample due on the first load")
		}
		next := w.OnTheRoad(o, 10)
		g, err := w.S.Guide(w.Ola, next.ID)
		if err != nil || !g.SampleDue || g.SampleEvery != 2 {
			t.Fatalf("guide %v %+v", err, g)
		}
		r, err := w.S.Receive(w.Ola, next.ID, haul.ReceiptInput{Code: next.Code, WeightTonnes: 10, Result: haul.ResultAccepted})
		w.Must(err)
		if !r.SampleDue {
			t.Fatal("the second load is not due a sample")
		}
		// No listing of the receiver on this agreement: refused, nothing kept.
		if _, err := w.S.RegisterSample(w.Ola, r.ID, &market.SampleInput{Name: "P1", Values: []market.SampleValue{{Parameter: "As", Value: 4, Unit: "mg/kg"}}}); err == nil {
			t.Fatal("a sample without a listing")
		}
		_ = ag
		// Templates: tenant admins only, checked, the most specific applies.
		if _, err := w.S.SaveTemplate(w.Ola, haul.TemplateInput{Steps: []haul.Step{{Key: "a", Text: "A"}}}); err == nil {
			t.Fatal("a member saved a template")
		}
		_, err = w.S.SaveTemplate(w.Admin, haul.TemplateInput{Fraction: "sprengstein", Steps: []haul.Step{{Key: "Bad Key", Text: ""}}})
		fieldOf(t, err, "/steps/0/key", "ErrLoadStepKey")
		_, err = w.S.SaveTemplate(w.Admin, haul.TemplateInput{SiteID: w.OtherTruck, Steps: []haul.Step{{Key: "a", Text: "A"}}})
		fieldOf(t, err, "/site_id", "ErrLoadTemplateSite")
		tpl, err := w.S.SaveTemplate(w.Admin, haul.TemplateInput{Fraction: "sprengstein", Steps: []haul.Step{{Key: "colour", Text: "Grå stein uten jord"}, {Key: "size", Text: "Ingen blokker over 1 m"}}})
		w.Must(err)
		third := w.OnTheRoad(o, 10)
		g, err = w.S.Guide(w.Ola, third.ID)
		if err != nil || len(g.Steps) != 2 || g.Steps[0].Text != "Grå stein uten jord" {
			t.Fatalf("guide %v %+v", err, g)
		}
		_, err = w.S.Receive(w.Ola, third.ID, haul.ReceiptInput{Code: third.Code, WeightTonnes: 10, Result: haul.ResultAccepted, Checks: []haul.Check{{Key: "smell", OK: true}}})
		fieldOf(t, err, "/checks/0/key", "ErrLoadCheckUnknown")
		w.Must(w.S.DeleteTemplate(w.Admin, tpl.ID))
		if err := w.S.DeleteTemplate(w.Admin, tpl.ID); err == nil {
			t.Fatal("deleted twice")
		} else {
			kindOf(t, err, fail.NotFound, "not_found")
		}
	})
}

// Loads are records: a site or an organization with loads is not deleted
// (409), whoever asks; nothing goes.
func TestSitesWithLoadsStay(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 10)
		loads := e.Count("baerum", "loads", "")
		err := e.App.Directory.RemoveSite(w.Admin, w.SandvikaSite, true)
		kindOf(t, err, fail.Conflict, "has_loads")
		err = e.App.Directory.RemoveOrg(w.Admin, w.Lysaker, true)
		kindOf(t, err, fail.Conflict, "has_loads")
		if e.Count("baerum", "loads", "") != loads || e.Count("baerum", "sites", "id = ?", w.SandvikaSite) != 1 {
			t.Fatal("a delete took loads or the site with it")
		}
	})
}
