package api_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestLedgerAPI: an agreement's ledger verified through the API (with the
// inclusion proofs against a sealed day's root), hidden from those who
// may not read the agreement, and the signed roots as open data that
// anyone can check with the published key.
func TestLedgerAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/api/v1/tenants/baerum"
		r := e.Do(apitest.Request{Method: "POST", Path: T + "/agreements", As: apitest.OrgAdmin, Body: map[string]any{"template_key": "delivery", "title": "Stein",
			"supplier": map[string]any{"organization_id": e.OrgID("baerum", "fornebu-anlegg")}, "receiver": map[string]any{"organization_id": e.OrgID("baerum", "sandvika-bygg")},
			"fractions": []string{"sprengstein"}, "quantity_tonnes": 100, "tolerance_pct": 10, "price_nok": 40, "price_unit": "t", "payer": "receiver_pays",
			"period_from": apitest.Day(1), "period_to": apitest.Day(30), "delivery_point": "Sandvika", "transport": "supplier", "opening_hours": "07–15",
			"quality_requirements": "Ren stein", "visual_check_each_load": true, "sample_every_n_loads": 50, "rejected_load": "Returneres.", "invasive_species": "Ingen."}})
		if r.Status != 201 {
			t.Fatalf("agreement: %d %s", r.Status, r.Body)
		}
		var ag struct{ ID string }
		r.JSON(t, &ag)
		if r := e.Do(apitest.Request{Method: "POST", Path: T + "/agreements/" + ag.ID + "/propose", As: apitest.OrgAdmin}); r.Status != 200 {
			t.Fatalf("propose: %d %s", r.Status, r.Body)
		}
		ctx := e.Ctx("baerum")
		for _, kind := range []string{"load.departed", "load.arrived", "load.received"} {
			if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error {
				_, err := e.App.Ledger.Append(tx, ledger.Event{Chain: ag.ID, Kind: kind, Data: map[string]any{"tonnes": 19.5}})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		// Two days on, the day is sealed.
		later := *e.App.DB
		later.Clock = clock.At(apitest.Now().Add(48 * time.Hour))
		sealer := &ledger.Ledger{DB: &later, Keys: e.App.Ledger.Keys}
		if rs, err := sealer.SealDays(ctx); err != nil || len(rs) != 1 {
			t.Fatalf("seal: %v %v", rs, err)
		}
		var rep ledger.Report
		r = e.Do(apitest.Request{Path: T + "/agreements/" + ag.ID + "/ledger/verify", As: apitest.Member})
		if r.Status != 200 {
			t.Fatalf("verify: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &rep)
		if !rep.OK || rep.Size != 3 || len(rep.Roots) != 1 || !rep.Entries[2].Rooted || rep.Entries[2].Kind != "load.received" {
			t.Fatalf("report %+v", rep)
		}
		for _, p := range rep.Entries {
			if err := ledger.VerifyInclusion(p.Hash, p.LeafIndex, p.TreeSize, p.Inclusion, rep.Roots[0].Root); err != nil {
				t.Fatalf("entry %d: %v", p.Seq, err)
			}
		}
		// Those who may not read the agreement get 404, as for the agreement.
		for _, as := range []string{apitest.Transporter, ""} {
			if r := e.Do(apitest.Request{Path: T + "/agreements/" + ag.ID + "/ledger/verify", As: as}); r.Status != 404 && r.Status != 401 {
				t.Fatalf("as %q: %d", as, r.Status)
			}
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/agreements/" + ag.ID + "/ledger/verify", As: apitest.Supervisor}); r.Status != 404 && r.Status != 403 {
			t.Fatalf("another region: %d", r.Status)
		}
		// The roots, for anyone, checkable with the published key.
		r = e.Do(apitest.Request{Path: T + "/ledger/roots"})
		var roots struct {
			Items []struct {
				TenantID  string `json:"tenant_id"`
				Day, Root string
				PublicKey string `json:"public_key"`
				Signature string
				Size      int64
			}
		}
		if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("roots: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &roots)
		if len(roots.Items) != 1 || roots.Items[0].Root != rep.Roots[0].Root {
			t.Fatalf("roots %+v", roots)
		}
		it := roots.Items[0]
		pub, _ := base64.StdEncoding.DecodeString(it.PublicKey)
		sig, _ := base64.StdEncoding.DecodeString(it.Signature)
		if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, ledger.RootMessage(it.TenantID, it.Day, it.Size, it.Root), sig) {
			t.Fatal("the published root does not verify with its published key")
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/ledger/roots"}); r.Status != 200 || string(r.Body) != `{"items":[]}` {
			t.Fatalf("another region's roots: %d %s", r.Status, r.Body)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: T + "/ledger/roots?limit=0"}), 422, "validation")
	})
}
