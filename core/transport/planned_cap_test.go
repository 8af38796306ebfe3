package transport_test

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestPlannedOverviewSaysWhenCut: when more planned transports match than
// the overview holds, it keeps the first MaxOverviewItems by start date and
// says so (truncated in the domain and the API, a note on the page asking
// to narrow the filters); a filter that fits says nothing.
func TestPlannedOverviewSaysWhenCut(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		lysaker := e.OrgID("baerum", "lysaker-transport")
		now := apitest.Now().UTC()
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7)
		plans := make([]transport.Schedule, 0, transport.MaxOverviewItems+1)
		for i := 0; i <= transport.MaxOverviewItems; i++ {
			fr := "pukk"
			if i == transport.MaxOverviewItems {
				fr = "leire" // the one past the cap, and the last to start
			}
			plans = append(plans, transport.Schedule{ID: store.NewID(), OrganizationID: lysaker, FromName: "Vestmarka", FromLat: 59.95, FromLon: 10.5,
				ToName: "Lysaker brygge", ToLat: 59.9133, ToLon: 10.6420, Fraction: fr, Tonnes: 100, DateFrom: day.AddDate(0, 0, i/100), DateTo: day.AddDate(0, 0, 20),
				LoadsPerDay: 1, Status: transport.PlanActive, CreatedAt: now, UpdatedAt: now})
		}
		if err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error { return tx.CreateInBatches(plans, 100).Error }); err != nil {
			t.Fatal(err)
		}
		w := newWorld(t, e)
		from, to := day.Format(time.DateOnly), day.AddDate(0, 0, 30).Format(time.DateOnly)
		ov, err := w.s.Planned(w.ola, transport.Filter{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		if !ov.Truncated || len(ov.Items) != transport.MaxOverviewItems {
			t.Fatalf("cut overview: truncated %v, %d items", ov.Truncated, len(ov.Items))
		}
		for _, it := range ov.Items {
			if it.Fraction == "leire" {
				t.Fatal("the overview kept the last to start, not the first")
			}
		}
		if ov, err = w.s.Planned(w.ola, transport.Filter{From: from, To: to, Fraction: "leire"}); err != nil || ov.Truncated || len(ov.Items) != 1 {
			t.Fatalf("narrowed: %v %d items, %v", ov.Truncated, len(ov.Items), err)
		}
		if c, err := w.s.Corridors(w.ola, transport.Filter{From: from, To: to}); err != nil || !c.Truncated {
			t.Fatalf("corridors: truncated %v, %v", c != nil && c.Truncated, err)
		}

		q := "?from=" + from + "&to=" + to
		var body struct {
			Items     []any `json:"items"`
			Truncated *bool `json:"truncated"`
		}
		e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/transport/planned" + q, As: apitest.Member}).JSON(t, &body)
		if body.Truncated == nil || !*body.Truncated || len(body.Items) != transport.MaxOverviewItems {
			t.Fatalf("API: truncated %v, %d items", body.Truncated, len(body.Items))
		}
		body.Truncated = nil
		e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/transport/planned" + q + "&fraction=leire", As: apitest.Member}).JSON(t, &body)
		if body.Truncated == nil || *body.Truncated {
			t.Fatalf("API narrowed: truncated %v", body.Truncated)
		}
		for _, c := range []struct {
			q    string
			note bool
		}{{q, true}, {q + "&fraction=leire", false}} {
			r := e.Do(apitest.Request{Path: "/t/baerum/transport" + c.q, As: apitest.Member})
			if r.Status != 200 {
				t.Fatalf("page: %d", r.Status)
			}
			if got := strings.Contains(string(r.Body), `id="transport-truncated"`); got != c.note {
				t.Fatalf("page %s: note shown %v, want %v", c.q, got, c.note)
			}
		}
	})
}
