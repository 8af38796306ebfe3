package fake

import (
	"context"
	"testing"
)

func TestGeocode(t *testing.T) {
	g := new(Geocoder)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hits, err := g.Geocode(ctx, "Arnold Haukelands plass 10, 1338 Sandvika", 5)
	if err != nil || len(hits) != 1 {
		t.Fatalf("hits %v err %v", hits, err)
	}
	if h := hits[0]; h.MunicipalityNo != "3201" || h.City != "Sandvika" || h.Point.Lat < 59.8 || h.Point.Lat > 59.95 {
		t.Fatalf("hit %+v", h)
	}
	if hits, _ := g.Geocode(ctx, "Arnold Haukelands plass 10, 7013 Trondheim", 5); len(hits) != 0 {
		t.Fatalf("wrong postcode must not match: %v", hits)
	}
	if hits, _ := g.Geocode(ctx, "Storgata 999, 9999 Ingensteds", 5); len(hits) != 0 {
		t.Fatalf("unknown address: %v", hits)
	}
}
