package ledger_test

import (
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/ledger"
)

// TestCanonicalFormIsStable: the canonical form is part of every stored
// hash; a change to it would make every existing chain fail. This pins
// it (docs: canonical.go).
func TestCanonicalFormIsStable(t *testing.T) {
	lat, lon := 59.91, 10.75
	dev := time.Date(2026, 11, 20, 7, 59, 0, 120000000, time.FixedZone("CET", 3600))
	data, err := ledger.CanonicalData(map[string]any{"tonnes": 18.5, "note": `"Stein" <ok> & æ`, "nested": map[string]any{"b": 1, "a": []any{2, "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	e := ledger.Entry{ID: "0190d4f2-0000-7000-8000-000000000001", Chain: "0190d4f2-0000-7000-8000-000000000002", Seq: 3, Kind: "load.arrived",
		LoadID: "L", ActorID: "A", OrgID: "O", VehicleID: "V", Lat: &lat, Lon: &lon, DeviceAt: &dev,
		ServerAt: time.Date(2026, 11, 20, 7, 0, 1, 0, time.UTC), Data: data, PrevHash: ledger.ZeroHash, KeyID: "k1"}
	e.TenantID = "T"
	want := `{"actor_id":"A","chain":"0190d4f2-0000-7000-8000-000000000002","data":{"nested":{"a":[2,"x"],"b":1},"note":"\"Stein\" <ok> & æ","tonnes":18.5},` +
		`"device_at":"2026-11-20T06:59:00.12Z","id":"0190d4f2-0000-7000-8000-000000000001","key_id":"k1","kind":"load.arrived","lat":59.91,"load_id":"L",` +
		`"lon":10.75,"org_id":"O","prev_hash":"` + ledger.ZeroHash + `","seq":3,"server_at":"2026-11-20T07:00:01Z","tenant_id":"T","v":1,"vehicle_id":"V"}`
	if got := string(e.Canonical()); got != want {
		t.Fatalf("canonical form changed:\n got %s\nwant %s", got, want)
	}
	h, err := e.ComputeHash()
	// SHA-256(32 zero bytes || the form above).
	if err != nil || ledger.Hex(h) != "f351a4fdf8246e7c155e0b6f746e78fc4c0b1c33215529fff0f3c98d0a0289f3" {
		t.Fatalf("hash %s, %v", ledger.Hex(h), err)
	}
	e.DeviceAt, e.Lat, e.Lon, e.Data = nil, nil, nil, ""
	if got := string(e.Canonical()); got != `{"actor_id":"A","chain":"0190d4f2-0000-7000-8000-000000000002","data":{},"device_at":null,"id":"0190d4f2-0000-7000-8000-000000000001","key_id":"k1","kind":"load.arrived","lat":null,"load_id":"L","lon":null,"org_id":"O","prev_hash":"`+ledger.ZeroHash+`","seq":3,"server_at":"2026-11-20T07:00:01Z","tenant_id":"T","v":1,"vehicle_id":"V"}` {
		t.Fatalf("absent values: %s", got)
	}
}
