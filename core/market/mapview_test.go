package market

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

type viewFC struct {
	Features []struct {
		Geometry struct {
			Coordinates [2]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			ID      string         `json:"id"`
			Cluster bool           `json:"cluster"`
			Count   int            `json:"count"`
			Kinds   map[string]int `json:"kinds"`
			Approx  int            `json:"approx"`
		} `json:"properties"`
	} `json:"features"`
}

// TestMapViewClustersWithoutRevealing (issue 16): the map by viewport and
// zoom clusters many listings; a cluster counts every listing inside the
// view once; a public view's clusters are made of the coarse points only,
// so they never reveal a point its owner hides (B6); close up the listings
// come one by one, inside the view only.
func TestMapViewClustersWithoutRevealing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tid := storetest.Tenant(t, db, "baerum")
		ctx := store.WithTenant(t.Context(), tid)
		now := db.Now()
		org := &directory.Organization{ID: store.NewID(), OrgNumber: "974760673", Name: "Fornebu Anlegg", RegistryStatus: "active"}
		// Ten hidden points in one ~1 km cell, spread inside it, and 300
		// public ones over the region.
		cellLat, cellLon := geo.Cell(59.915, 10.625)
		var ls []Listing
		add := func(lat, lon float64, exact bool) {
			ls = append(ls, Listing{ID: store.NewID(), OrganizationID: org.ID, Kind: Kinds[len(ls)%3], Title: fmt.Sprintf("L %d", len(ls)), Fractions: directory.List{"leire"},
				QuantityTonnes: 1000, QuantityValue: 1000, QuantityUnit: "t", AvailableFrom: now, AvailableTo: now.AddDate(1, 0, 0), Lat: lat, Lon: lon,
				Transport: "seller_delivers", Status: StatusPublished, Visibility: "public", ExactLocationPublic: exact, CreatedAt: now, UpdatedAt: now})
		}
		for i := 0; i < 10; i++ {
			add(cellLat+0.003*math.Sin(float64(i)), cellLon+0.004*math.Cos(float64(i)), false)
		}
		for i := 0; i < 300; i++ {
			add(59.6+float64(i%20)*0.03, 10.1+float64(i/20)*0.05, true)
		}
		if err := db.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.Create(org).Error; err != nil {
				return err
			}
			return tx.CreateInBatches(ls, 100).Error
		}); err != nil {
			t.Fatal(err)
		}
		s := &Service{DB: db}
		view := func(class string, bbox [4]float64, zoom int) viewFC {
			t.Helper()
			b, err := s.geoView(ctx, tid, class, "", "", MapView{BBox: bbox, Zoom: zoom, Set: true})
			if err != nil {
				t.Fatal(err)
			}
			var fc viewFC
			if err := json.Unmarshal(b, &fc); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			return fc
		}
		region := [4]float64{9, 59, 12, 61}
		for _, class := range []string{"public", "member"} {
			fc := view(class, region, 8)
			total, clusters := 0, 0
			for _, f := range fc.Features {
				if f.Properties.Cluster {
					clusters++
					total += f.Properties.Count
				} else {
					total++
				}
			}
			if total != len(ls) || clusters == 0 || len(fc.Features) > 100 {
				t.Fatalf("%s, zoom 8: %d features, %d clusters counting %d listings, want %d", class, len(fc.Features), clusters, total, len(ls))
			}
		}
		// Close up on the hidden cell: the public sees its centre only,
		// one by one or clustered; members the points.
		around := [4]float64{cellLon - 0.006, cellLat - 0.006, cellLon + 0.006, cellLat + 0.006}
		for _, zoom := range []int{12, 16} {
			for _, f := range view("public", around, zoom).Features {
				c := f.Geometry.Coordinates
				if math.Abs(c[1]-cellLat) > 1e-4 || math.Abs(c[0]-cellLon) > 1e-4 {
					t.Fatalf("zoom %d: the public sees %v, not the cell's centre %v,%v", zoom, c, cellLat, cellLon)
				}
			}
		}
		member := view("member", around, 16)
		if len(member.Features) != 10 {
			t.Fatalf("members close up: %d features, want the 10 points", len(member.Features))
		}
		for _, f := range member.Features {
			if f.Properties.Cluster {
				t.Fatal("members close up: clustered")
			}
		}
		// Outside the view: nothing.
		if fc := view("member", [4]float64{5, 58, 5.1, 58.1}, 12); len(fc.Features) != 0 {
			t.Fatalf("an empty view has %d features", len(fc.Features))
		}
	})
}

func TestParseMapView(t *testing.T) {
	for _, c := range []struct {
		bbox, zoom string
		ok, set    bool
	}{
		{"", "", true, false},
		{"10,59,11,60", "12", true, true},
		{"10,59,11", "12", false, true},
		{"11,59,10,60", "12", false, true},
		{"10,59,11,NaN", "12", false, true},
		{"-181,59,11,60", "12", false, true},
		{"10,59,11,60", "23", false, true},
		{"10,59,11,60", "", false, true},
		{"10,59,11,60", "-1", false, true},
	} {
		v, err := ParseMapView(c.bbox, c.zoom)
		if (err == nil) != c.ok || (err == nil && v.Set != c.set) {
			t.Errorf("%q %q: %+v %v", c.bbox, c.zoom, v, err)
		}
	}
}
