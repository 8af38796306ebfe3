package haul_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

func TestMain(m *testing.M) { apitest.Main(m) }

func kindOf(t *testing.T, err error, kind fail.Kind, code string) {
	t.Helper()
	fe, ok := fail.As(err)
	if !ok || fe.Kind != kind || fe.Code != code {
		t.Fatalf("want %v %s, got %v", kind, code, err)
	}
}

func fieldOf(t *testing.T, err error, pointer, msg string) {
	t.Helper()
	fe, ok := fail.As(err)
	if !ok {
		t.Fatalf("want a validation error on %s, got %v", pointer, err)
	}
	for _, f := range fe.Fields {
		if f.Pointer == pointer && f.MsgID == msg {
			return
		}
	}
	t.Fatalf("want %s %s, got %+v", pointer, msg, fe.Fields)
}

func chainKinds(t *testing.T, e *apitest.Env, agreementID string) []string {
	t.Helper()
	entries, err := e.App.Ledger.Chain(e.Ctx("baerum"), agreementID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		out = append(out, en.Kind)
	}
	return out
}

// The protocol end to end: departure, release with the driver's one-time
// code, receipt with the load's code and a weighbridge value; each step on
// the agreement's ledger chain; the receipt in the outbox and the climate
// account written from it.
func TestLoadProtocol(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		lat, lon := 59.8722, 10.4932 // at the E18 site
		photo := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
		l, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 17, Lat: &lat, Lon: &lon,
			DeviceAt: haultest.Ago(40 * time.Minute), Photos: []haul.PhotoInput{{Filename: "last.png", Data: photo}}})
		if err != nil {
			t.Fatal(err)
		}
		if l.Status != haul.StatusAwaiting || l.Code == "" || l.ReleaseCode == "" || len(l.Photos) != 1 || l.Photos[0].SHA256 == "" || l.Registration != "EB12345" {
			t.Fatalf("departed: %+v", l)
		}
		// The receiver cannot receive before the sender released it.
		if _, err := w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 17, Result: haul.ResultAccepted}); err == nil {
			t.Fatal("received before release")
		} else {
			kindOf(t, err, fail.Conflict, "conflict")
		}
		// Only the sender releases.
		if _, err := w.S.Release(w.Ola, haul.ReleaseInput{Code: l.ReleaseCode}); err == nil {
			t.Fatal("the receiver released")
		}
		r, err := w.S.Release(w.Kari, haul.ReleaseInput{Code: l.ReleaseCode})
		if err != nil || r.Status != haul.StatusReleased {
			t.Fatalf("release: %v %+v", err, r)
		}
		// The codes are the driver's company's alone.
		got, err := w.S.Get(w.Ola, l.ID)
		if err != nil || got.Code != "" || got.ReleaseCode != "" {
			t.Fatalf("the receiver reads the codes: %v %+v", err, got)
		}
		g, err := w.S.Guide(w.Ola, l.ID)
		if err != nil || len(g.Steps) != len(haul.DefaultSteps) || g.SampleEvery != 50 || g.SampleDue {
			t.Fatalf("guide: %v %+v", err, g)
		}
		rec, err := w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: " " + l.Code[:4] + "-" + l.Code[4:] + " ", WeightTonnes: 17.42, Result: haul.ResultAccepted,
			DeviceAt: haultest.Ago(5 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != haul.StatusReceived || rec.AcceptedTonnes != 17.42 || rec.WeightMethod != haul.WeighBridge || len(rec.Checks) != len(haul.DefaultSteps) || rec.Flagged {
			t.Fatalf("receipt: %+v", rec)
		}
		want := []string{"load.departed", "load.released", "load.arrived", "load.received"}
		if got := chainKinds(t, e, w.Agreement.ID); len(got) != len(want) || got[0] != want[0] || got[3] != want[3] {
			t.Fatalf("chain %v, want %v", got, want)
		}
		if v, err := e.App.Ledger.Verify(e.Ctx("baerum"), w.Agreement.ID); err != nil || !v.OK {
			t.Fatalf("verify: %v %+v", err, v)
		}
		if n := e.Count("baerum", "outbox", "type = ?", "load.received"); n != 1 {
			t.Fatalf("%d load.received events", n)
		}
		e.Settle()
		got, err = w.S.Get(w.Supervisor, l.ID)
		if err != nil || got.KgCO2e == nil || *got.KgCO2e <= 0 || got.FactorSet != "defra-2025" || got.RoadKm == nil || got.BaselineDetail == nil || got.BaselineDetail.KgCO2e <= 0 {
			t.Fatalf("climate: %v %+v", err, got)
		}
		// HVO truck, ≈ 12 km road: well below the ≈ 28 kg of a diesel tipper.
		if *got.KgCO2e > 15 {
			t.Fatalf("kg CO2e %v for an HVO truck over %v km", *got.KgCO2e, *got.RoadKm)
		}
		if len(got.Events) != 4 || got.Events[0].LedgerHash == "" {
			t.Fatalf("timeline: %+v", got.Events)
		}
		if _, data, err := w.S.Photo(w.Supervisor, got.Photos[0].ID); err != nil || string(data) != string(photo) {
			t.Fatalf("photo: %v", err)
		}
	})
}

// Every bad input is refused with its reason, and nothing is written.
func TestBadInputChangesNothing(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		onRoad := w.OnTheRoad(w.Order, 17)
		other := w.OnTheRoad(w.Order, 16)
		cancelled, cOrder := w.Sealed(100, 10, 50)
		_, err := e.App.Agreements.Cancel(haultest.Actor(e, apitest.OrgAdmin, map[string]string{w.Fornebu: "admin"}, "member", "org_admin"), cancelled.ID)
		w.Must(err)
		completed, dOrder := w.Sealed(100, 10, 50)
		_, err = e.App.Agreements.Complete(haultest.Actor(e, apitest.OrgAdmin, map[string]string{w.Fornebu: "admin"}, "member", "org_admin"), completed.ID)
		w.Must(err)
		rc, err := w.S.IssueCode(w.Kari, haul.IssueCodeInput{OrderID: w.Order.ID})
		w.Must(err)
		if _, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 10, ReleaseCode: rc.Code}); err != nil {
			t.Fatal(err)
		}
		neg := -3.0
		before := e.Count("baerum", "loads", "")
		beforeChain := e.Count("baerum", "ledger_entries", "")
		cases := []struct {
			name string
			run  func() error
			kind fail.Kind
			ptr  string
		}{
			{"driver of another company", func() error {
				_, err := w.S.Depart(w.OtherDriver, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 10})
				return err
			}, fail.Forbidden, ""},
			{"unapproved vehicle", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.PendingVehicle, EstTonnes: 10})
				return err
			}, fail.Invalid, "/vehicle_id"},
			{"another company's vehicle", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.OtherTruck, EstTonnes: 10})
				return err
			}, fail.Invalid, "/vehicle_id"},
			{"negative estimate", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: -1})
				return err
			}, fail.Invalid, "/est_tonnes"},
			{"absurd estimate", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 900})
				return err
			}, fail.Invalid, "/est_tonnes"},
			{"no estimate", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle})
				return err
			}, fail.Invalid, "/est_tonnes"},
			{"cancelled agreement", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: cOrder.ID, VehicleID: w.Vehicle, EstTonnes: 10})
				return err
			}, fail.Conflict, ""},
			{"completed agreement", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: dOrder.ID, VehicleID: w.Vehicle, EstTonnes: 10})
				return err
			}, fail.Conflict, ""},
			{"issued code used twice", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 10, ReleaseCode: rc.Code})
				return err
			}, fail.Conflict, ""},
			{"release code used twice", func() error {
				_, err := w.S.Release(w.Kari, haul.ReleaseInput{Code: onRoad.ReleaseCode})
				return err
			}, fail.Conflict, ""},
			{"code for another load", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: other.Code, WeightTonnes: 17, Result: haul.ResultAccepted})
				return err
			}, fail.Invalid, "/code"},
			{"unknown code", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: "ZZZZZZZZ", WeightTonnes: 17, Result: haul.ResultAccepted})
				return err
			}, fail.Invalid, "/code"},
			{"receipt by the sender", func() error {
				_, err := w.S.Receive(w.Kari, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: 17, Result: haul.ResultAccepted})
				return err
			}, fail.Forbidden, ""},
			{"receipt by the driver", func() error {
				_, err := w.S.Receive(w.Lars, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: 17, Result: haul.ResultAccepted})
				return err
			}, fail.Forbidden, ""},
			{"negative weight", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: -17, Result: haul.ResultAccepted})
				return err
			}, fail.Invalid, "/weight_tonnes"},
			{"absurd weight", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: 1700, Result: haul.ResultAccepted})
				return err
			}, fail.Invalid, "/weight_tonnes"},
			{"absurd volume", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, VolumeM3: 44, Density: 3.4, Result: haul.ResultAccepted})
				return err
			}, fail.Invalid, "/volume_m3"},
			{"negative partly accepted", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: 17, Result: haul.ResultPartly, Accepted: &neg, Reason: "x"})
				return err
			}, fail.Invalid, "/accepted_tonnes"},
			{"rejected without reason", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: 17, Result: haul.ResultRejected})
				return err
			}, fail.Invalid, "/reason"},
			{"failed check without note", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: 17, Result: haul.ResultAccepted, Checks: []haul.Check{{Key: "smell", OK: false}}})
				return err
			}, fail.Invalid, "/checks/0/note"},
			{"unknown check", func() error {
				_, err := w.S.Receive(w.Ola, onRoad.ID, haul.ReceiptInput{Code: onRoad.Code, WeightTonnes: 17, Result: haul.ResultAccepted, Checks: []haul.Check{{Key: "taste", OK: true}}})
				return err
			}, fail.Invalid, "/checks/0/key"},
			{"device time not a time", func() error {
				_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 10, DeviceAt: "i går"})
				return err
			}, fail.Invalid, "/device_at"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.run()
				fe, ok := fail.As(err)
				if !ok || fe.Kind != c.kind {
					t.Fatalf("want %v, got %v", c.kind, err)
				}
				if c.ptr != "" {
					found := false
					for _, f := range fe.Fields {
						found = found || f.Pointer == c.ptr
					}
					if !found {
						t.Fatalf("want a field %s, got %+v", c.ptr, fe.Fields)
					}
				}
			})
		}
		if n := e.Count("baerum", "loads", ""); n != before {
			t.Fatalf("%d loads after refusals, %d before", n, before)
		}
		if n := e.Count("baerum", "ledger_entries", ""); n != beforeChain {
			t.Fatalf("%d ledger entries after refusals, %d before", n, beforeChain)
		}
	})
}

// A step synced after more than 7 days is kept and flagged, never dropped;
// one after a day is flagged late.
func TestOfflineStepsAreFlaggedNotDropped(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		old, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 10, DeviceAt: haultest.Ago(8 * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if !old.Flags.Has(haul.FlagStale) || !old.Flags.Has(haul.FlagLateSync) || !old.Flagged {
			t.Fatalf("flags %+v", old.Flags)
		}
		late, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 10, DeviceAt: haultest.Ago(30 * time.Hour)})
		if err != nil || late.Flags.Has(haul.FlagStale) || !late.Flags.Has(haul.FlagLateSync) {
			t.Fatalf("late: %v %+v", err, late)
		}
		kinds := chainKinds(t, e, w.Agreement.ID)
		if len(kinds) != 4 || kinds[1] != "load.flagged" {
			t.Fatalf("chain %v", kinds)
		}
		p, err := w.S.List(w.Supervisor, haul.Filter{Flagged: true, Page: page.Request{Limit: 50}})
		if err != nil || len(p.Items) != 2 {
			t.Fatalf("flagged list: %v %d", err, len(p.Items))
		}
	})
}

// A resend with the same idempotency key returns the first answer and
// writes nothing more, also when the two arrive at once.
func TestResendReturnsTheFirstAnswer(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		in := haul.DepartInput{OrderID: w.Order.ID, VehicleID: w.Vehicle, EstTonnes: 12, Key: "dev-1:0001"}
		a, err := w.S.Depart(w.Lars, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := w.S.Depart(w.Lars, in)
		if err != nil || b.ID != a.ID || b.Code != a.Code {
			t.Fatalf("resend: %v %s %s", err, a.ID, b.ID)
		}
		// The same key for another step is a conflict.
		if _, err := w.S.Release(w.Kari, haul.ReleaseInput{Code: a.ReleaseCode, Key: "dev-1:0001"}); err != nil {
			t.Fatalf("another person's key space: %v", err) // Kari's keys are hers
		}
		in.Key = "dev-1:0002"
		var wg sync.WaitGroup
		ids := make([]string, 4)
		errs := make([]error, 4)
		for i := range ids {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				l, err := w.S.Depart(w.Lars, in)
				errs[i] = err
				if l != nil {
					ids[i] = l.ID
				}
			}(i)
		}
		wg.Wait()
		first := ""
		for i := range ids {
			if errs[i] != nil {
				if fe, ok := fail.As(errs[i]); !ok || fe.Kind != fail.Unavailable {
					t.Fatalf("concurrent resend %d: %v", i, errs[i])
				}
				continue
			}
			if first == "" {
				first = ids[i]
			}
			if ids[i] != first {
				t.Fatalf("two loads for one key: %v", ids)
			}
		}
		if n := e.Count("baerum", "loads", ""); n != 2 {
			t.Fatalf("%d loads for two keys", n)
		}
	})
}

// Two gates receiving the same load at once: exactly one receipt.
func TestTwoGatesOneReceipt(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		l := w.OnTheRoad(w.Order, 17)
		gate2 := haultest.Actor(e, apitest.OrgAdmin, map[string]string{w.Sandvika: "member"}, "member")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, ctx := range []context.Context{w.Ola, gate2} {
			wg.Add(1)
			go func(i int, ctx context.Context) {
				defer wg.Done()
				_, errs[i] = w.S.Receive(ctx, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 17, Result: haul.ResultAccepted})
			}(i, ctx)
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if fe, isFail := fail.As(err); !isFail || (fe.Kind != fail.Conflict && fe.Kind != fail.Unavailable) {
				t.Fatalf("second gate: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d receipts succeeded: %v", ok, errs)
		}
		if n := e.Count("baerum", "load_events", "load_id = ? AND kind = ?", l.ID, haul.StepReceived); n != 1 {
			t.Fatalf("%d receipts recorded", n)
		}
		if n := e.Count("baerum", "ledger_entries", "load_id = ? AND kind = ?", l.ID, "load.received"); n != 1 {
			t.Fatalf("%d receipts chained", n)
		}
		if n := e.Count("baerum", "outbox", "type = ?", "load.received"); n != 1 {
			t.Fatalf("%d receipt events", n)
		}
	})
}

var _ = ledger.ZeroHash
